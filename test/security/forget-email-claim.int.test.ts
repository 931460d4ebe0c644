// Forgetting a customer releases the claim on their email: the claim stream (named by an HMAC of
// the email) no longer names them as its holder.
import { expect } from 'chai';
import { emailClaimDecider } from '../../domain/customers/email-claim.ts';
import { loadAggregate } from '../../src/commands/load.ts';
import { claimStream } from '../../src/commands/unique-claim.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';

describe('Forget releases the email claim', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  it('after forget the claim has no holder', async () => {
    const { key, tenant } = await app.key(['*']);
    const api = client(app.baseUrl, key);
    const email = 'claimed.victim@example.com';
    const created = await api.post('/v1/customers', { email, name: 'Claimed Victim' });
    expect(created.status, created.text).to.equal(201);
    const stream = claimStream(app.runtime.config.emailHashKey, tenant, 'customer-email', email);
    const holder = async () => (await loadAggregate(app.runtime.services.store, stream, emailClaimDecider)).state.owner;
    expect(await holder()).to.equal(created.body.id);

    expect((await api.delete(`/v1/customers/${created.body.id}/personal-data`)).status).to.equal(200);
    expect(await holder()).to.equal(null);
    // The email is free for a new customer.
    expect((await api.post('/v1/customers', { email, name: 'Someone New' })).status).to.equal(201);
  });
});
