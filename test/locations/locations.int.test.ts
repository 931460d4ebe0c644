import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { waitFor } from '../support/wait.ts';

describe('Locations over HTTP: PUT defines or changes, GET one and the list in allocation order', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    app = await startTestApp({ roles: ['api', 'projector'] });
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  const address = { line1: '4 Dock Rd', city: 'Hamburg', country: 'DE' };

  it('PUT a new code → 201 with Location; the same settings → 200 unchanged; other settings → 200 next version', async () => {
    const created = await api.put('/v1/locations/HH-01', { name: 'Hamburg', address, priority: 2, active: true });
    expect(created.status, created.text).to.equal(201);
    expect(created.headers.get('location')).to.equal('/v1/locations/hh-01');
    expect(created.body).to.deep.include({
      code: 'hh-01',
      name: 'Hamburg',
      address,
      priority: 2,
      active: true,
      version: 1,
    });

    const same = await api.put('/v1/locations/hh-01', { name: 'Hamburg', address, priority: 2, active: true });
    expect(same.status).to.equal(200);
    expect(same.body.version).to.equal(1);

    const changed = await api.put('/v1/locations/hh-01', { name: 'Hamburg', priority: 3, active: false });
    expect(changed.status).to.equal(200);
    expect(changed.body).to.include({ priority: 3, active: false, version: 2 });
    expect(changed.body.address).to.equal(null);

    const got = await api.get('/v1/locations/HH-01');
    expect(got.status).to.equal(200);
    expect(got.headers.get('etag')).to.equal('"2"');
    expect(got.body).to.include({ code: 'hh-01', priority: 3, active: false });
  });

  it('GET /v1/locations lists by priority then code; ?active filters', async () => {
    await api.put('/v1/locations/b-2', { name: 'B', priority: 1, active: true });
    const last = await api.put('/v1/locations/a-1', { name: 'A', priority: 1, active: true });
    const list = await waitFor(
      () => api.get('/v1/locations', { 'Oms-Min-Position': last.headers.get('oms-position')! }),
      (r) => r.status === 200 && r.body.data.length >= 3,
      { what: 'the read model shows the three locations' },
    );
    expect(list.body.data.map((l: { code: string }) => l.code)).to.deep.equal(['a-1', 'b-2', 'hh-01']);
    const active = await api.get('/v1/locations?active=true');
    expect(active.body.data.map((l: { code: string }) => l.code)).to.deep.equal(['a-1', 'b-2']);
    const first = await api.get('/v1/locations?limit=1');
    expect(first.body.data.map((l: { code: string }) => l.code)).to.deep.equal(['a-1']);
    const next = await api.get(`/v1/locations?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.data.map((l: { code: string }) => l.code)).to.deep.equal(['b-2', 'hh-01']);
    expect(next.body.nextCursor).to.equal(null);
    expectProblem(await api.get('/v1/locations?cursor=bm9wZQ'), 400, 'validation_failed');
  });

  it("refusals: 400 bad input, 422 blank name, 404 unknown, 412 stale If-Match, 403 without inventory:write; another tenant's is 404", async () => {
    expectProblem(
      await api.put('/v1/locations/x-1', { name: 'X', priority: 0, active: true }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.put('/v1/locations/x-1', { name: 'X', priority: 1.5, active: true }),
      400,
      'validation_failed',
    );
    expectProblem(await api.put('/v1/locations/x-1', { priority: 1, active: true }), 400, 'validation_failed');
    expectProblem(
      await api.put('/v1/locations/x-1', { name: '   ', priority: 1, active: true }),
      422,
      'invalid_location_name',
    );
    expectProblem(await api.get('/v1/locations/nope'), 404, 'location_not_found');
    expectProblem(
      await api.put('/v1/locations/hh-01', { name: 'H', priority: 1, active: true }, { 'If-Match': '"1"' }),
      412,
      'version_mismatch',
    );
    expect((await api.get('/v1/locations/x-1')).status).to.equal(404);
    const reader = client(app.baseUrl, (await app.key(['inventory:read'], tenant)).key);
    expect((await reader.get('/v1/locations/hh-01')).status).to.equal(200);
    expectProblem(
      await reader.put('/v1/locations/r-1', { name: 'R', priority: 1, active: true }),
      403,
      'insufficient_scope',
    );
  });
});
