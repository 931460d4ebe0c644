import { expect } from 'chai';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.ts';
import { BASE_DATABASE_URL } from '../support/database.ts';
import { client } from '../support/http.ts';
import { capturingLogger } from '../support/oauth.ts';
import { waitFor } from '../support/wait.ts';

// /readyz is public: it says which dependency is down with a generic reason. The dependency's own
// error (host names, database and user names, authentication failures) goes to the log only.
describe('/readyz: which dependency is down, not its error (int)', function () {
  this.timeout(60_000);
  let app: TestApp;
  const captured = capturingLogger();

  before(async () => {
    app = await startTestApp({ roles: ['api'], logger: captured.logger });
  });
  after(async () => {
    await app?.stop().catch(() => {});
  });

  it('with its database gone: postgres and the event store unavailable, no database name in the answer, the error in the log', async () => {
    expect((await client(app.baseUrl).get('/readyz')).status).to.equal(200);
    const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`drop database ${app.db.name} with (force)`);
    } finally {
      await admin.end();
    }
    const res = await waitFor(
      () => client(app.baseUrl).get('/readyz'),
      (r) => r.status === 503 && r.body.checks.every((c: { name: string; ok: boolean }) => c.name === 'redis' || !c.ok),
      { what: '/readyz to report postgres down' },
    );
    const failing = res.body.checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failing.map((c: { name: string }) => c.name)).to.include.members(['postgres', 'eventstore:postgres']);
    for (const c of failing) expect(c.error).to.be.oneOf(['unavailable', 'timed out']);
    expect(res.text).to.not.include(app.db.name);
    expect(res.text).to.not.match(/does not exist|127\.0\.0\.1|ECONNREFUSED|password|authentication/i);

    const logged = captured.lines().filter((l) => l.msg === 'readiness check failed');
    expect(logged.map((l) => l.check)).to.include('postgres');
    expect(JSON.stringify(logged)).to.include(app.db.name);
  });
});
