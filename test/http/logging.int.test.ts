// What the service logs: real faults as errors with their stack, expected 503s (a position not
// reached yet, a dependency down) as warnings without one, and risky settings at start.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { capturedLogger } from '../support/log-capture.ts';
import { readServerSettings, serverSettingWarnings } from '../../src/db/server-settings.ts';

describe('What the service logs', function () {
  this.timeout(30_000);
  let app: TestApp;
  const { logger, lines } = capturedLogger();
  before(async () => {
    app = await startTestApp({ logger });
  });
  after(async () => app?.stop());

  it('logs 503 position_not_reached at warn, with its code and no stack', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    const res = await api.get('/v1/orders', { 'Oms-Min-Position': '999999999999-1' });
    expectProblem(res, 503, 'position_not_reached');
    const logged = lines.filter((l) => JSON.stringify(l).includes('position_not_reached'));
    expect(logged, JSON.stringify(lines.slice(-5))).to.have.length(1);
    expect(logged[0]).to.include({ level: 40, msg: 'request not served' });
    expect(JSON.stringify(logged[0])).to.not.match(/"stack"/);
  });

  it('warns at start when webhooks may reach private networks', async () => {
    const captured = capturedLogger();
    const open = await startTestApp({ logger: captured.logger, env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
    await open.stop();
    const warned = captured.lines.filter(
      (l) => l.level === 40 && String(l.msg).includes('OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS'),
    );
    expect(warned).to.have.length(1);
    expect(lines.filter((l) => String(l.msg).includes('OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS'))).to.have.length(0);
  });

  it('warns at start about the Postgres settings it cannot fix, as this server has them (autovacuum)', async () => {
    const expected = serverSettingWarnings(await readServerSettings(app.db.pool));
    const warned = lines.filter((l) => l.level === 40 && String(l.msg).startsWith('Postgres autovacuum'));
    expect(warned.map((l) => l.msg)).to.deep.equal(expected);
  });
});
