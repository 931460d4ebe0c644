import { expect } from 'chai';
import { isRetryable, isTransactionConflict, isUnreachable } from '../../src/db/unreachable.ts';
import { toProblem } from '../../src/http/internal/middleware/problem.ts';

describe('Unreachable backing services: one classification for HTTP, the projector and start', () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
  const named = (message: string, name: string) => Object.assign(new Error(message), { name });

  const unreachable = [
    coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    coded('read ECONNRESET', 'ECONNRESET'),
    coded('getaddrinfo ENOTFOUND db', 'ENOTFOUND'),
    coded('terminating connection due to administrator command', '57P01'),
    coded('the database system is starting up', '57P03'),
    coded('connection failure', '08006'),
    coded('sorry, too many clients already', '53300'),
    named('Knex: Timeout acquiring a connection. The pool is probably full.', 'KnexTimeoutError'),
    named('Reached the max retries per request limit', 'MaxRetriesPerRequestError'),
    new Error('Connection terminated unexpectedly'),
    new Error('Connection is closed.'),
    new Error('timeout exceeded when trying to connect'),
  ];

  it('given a backing service that is down, restarting or full, when classified, then it is unreachable and retryable', () => {
    for (const err of unreachable) {
      expect(isUnreachable(err), err.message).to.equal(true);
      expect(isTransactionConflict(err), err.message).to.equal(false);
      expect(isRetryable(err), err.message).to.equal(true);
    }
  });

  it('given a conflict between transactions, when classified, then it is a retryable conflict and the service is reachable', () => {
    for (const err of [coded('could not serialize access', '40001'), coded('deadlock detected', '40P01')]) {
      expect(isUnreachable(err), err.message).to.equal(false);
      expect(isTransactionConflict(err), err.message).to.equal(true);
      expect(isRetryable(err), err.message).to.equal(true);
    }
  });

  it('given a bug or bad data, when classified, then it is neither', () => {
    for (const err of [
      coded('value "99999999999" is out of range for type integer', '22003'),
      new TypeError("Cannot read properties of undefined (reading 'sku')"),
      coded("ENOENT: no such file or directory, open 'x'", 'ENOENT'),
      null,
      'Connection is closed', // a string is not an error object of our clients
    ]) {
      expect(isUnreachable(err), String(err)).to.equal(false);
      expect(isRetryable(err), String(err)).to.equal(false);
    }
  });

  it('given an unreachable service behind a request, when mapped to a problem, then 503 with Retry-After; a race is contention; a bug is 500', () => {
    for (const err of unreachable) {
      const problem = toProblem(err);
      expect(problem.status, err.message).to.equal(503);
      expect(problem.code).to.equal('dependency_unavailable');
      expect(problem.extras.headers?.['Retry-After']).to.equal('2');
    }
    expect(toProblem(coded('deadlock detected', '40P01'))).to.include({ status: 503, code: 'contention' });
    expect(toProblem(new TypeError('x')).status).to.equal(500);
  });
});
