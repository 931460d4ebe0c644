import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { clientTypes } from '../../client/generate.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

describe('the typed client (client/) matches the server', function () {
  this.timeout(120_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  it('client/openapi.ts is what the served /openapi.json generates (else: npm run client:generate)', async () => {
    const served = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as Record<string, unknown>;
    const committed = readFileSync(new URL('../../client/openapi.ts', import.meta.url), 'utf8');
    // Not a deep-equal of 3,000 lines: a short message that says what to run.
    const generated = await clientTypes(served);
    expect(generated === committed, 'client/openapi.ts is stale: run `npm run client:generate` and commit it').to.equal(
      true,
    );
  });
});
