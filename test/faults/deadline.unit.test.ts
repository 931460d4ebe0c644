import { expect } from 'chai';
import { DependencyTimeoutError, withDeadline } from '../../src/infra/deadline.ts';
import { toProblem } from '../../src/http/internal/middleware/problem.ts';

describe('dependency deadlines (unit)', () => {
  it('returns the result when the call answers in time', async () => {
    expect(await withDeadline('redis', 1000, Promise.resolve(42))).to.equal(42);
  });

  it('rejects with DependencyTimeoutError when the call never answers', async () => {
    const never = new Promise<number>(() => {});
    const err = await withDeadline('redis', 20, never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DependencyTimeoutError);
    expect((err as DependencyTimeoutError).dependency).to.equal('redis');
  });

  it('maps a dependency timeout to 503 dependency_unavailable with Retry-After', () => {
    const problem = toProblem(new DependencyTimeoutError('redis', 2000));
    expect(problem.status).to.equal(503);
    expect(problem.code).to.equal('dependency_unavailable');
    expect(problem.extras.headers?.['Retry-After']).to.equal('2');
  });

  it('maps a refused Postgres connection to 503, not 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toProblem(refused).status).to.equal(503);
  });
});
