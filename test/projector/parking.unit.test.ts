import { expect } from 'chai';
import { errorText, isTransient } from '../../src/projector/parking.ts';

describe('Parking: which failures park an event, and what is recorded of them', () => {
  const pgError = (message: string, code: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

  it('infrastructure failures are transient (retried, never parked)', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      pgError('terminating connection due to administrator command', '57P01'),
      pgError('could not serialize access', '40001'),
      pgError('connection failure', '08006'),
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      new Error('Connection is closed.'),
    ])
      expect(isTransient(err), err.message).to.equal(true);
  });

  it('an event the projection refuses is not transient', () => {
    expect(isTransient(pgError('value "99999999999" is out of range for type integer', '22003'))).to.equal(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'sku')"))).to.equal(false);
    expect(isTransient(null)).to.equal(false);
  });

  it('records the message only: no stack, not the statement knex prefixes, bounded', () => {
    const err = pgError(
      'insert into "orders" ("a") select "a" from jsonb_populate_recordset(null::"orders", $1::jsonb) - value "99999999999" is out of range for type integer',
      '22003',
    );
    expect(errorText(err)).to.equal('value "99999999999" is out of range for type integer');
    expect(errorText(new Error('a - b'))).to.equal('a - b'); // not a database error: kept whole
    expect(errorText(new Error('x'.repeat(5000)))).to.have.length(1001);
    expect(errorText('plain')).to.equal('plain');
  });
});
