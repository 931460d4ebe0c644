// The service logger's `err` serializer: it redacts what database errors quote, and takes whatever
// is logged as `err` without throwing (a throw there fails the request being logged).
import { expect } from 'chai';
import { capturedLogger } from '../support/log-capture.ts';

describe('Logger: the err serializer', () => {
  it('given a message string as err, when logged, then it is written as it is', () => {
    const { logger, lines } = capturedLogger();
    expect(() => logger.warn({ err: "Stream isn't writeable" }, 'redis down')).to.not.throw();
    expect(lines[0]).to.include({ err: "Stream isn't writeable", msg: 'redis down' });
  });

  it('given a database error, when logged, then the row values it quotes are redacted', () => {
    const { logger, lines } = capturedLogger();
    const err = Object.assign(new Error('duplicate key'), { detail: 'Key (email)=(a@example.com) already exists.' });
    logger.error({ err }, 'failed');
    expect((lines[0]!.err as Record<string, unknown>).detail).to.equal('[redacted]');
  });
});
