import { expect } from 'chai';
import { dataVisibleTo } from '../../src/audit/personal-data-scopes.ts';
import { eventSchemaErrors } from '../../src/audit/event-schemas.ts';
import type { Principal } from '../../src/auth/principal.ts';

// A hold's note is personal data: the feed and histories show it only with orders:read; without it
// the note reads as "[redacted]" (null stays null) and the event still fits its schema.

const principal = (scopes: Principal['scopes']): Principal => ({ kind: 'api_key', id: 'key_1', tenant: 't', scopes });
const held = {
  holdId: 'hld_1',
  reason: 'fraud_review',
  note: 'Mr Quietstone called',
  placedAt: '2026-12-03T10:00:00.000Z',
};

describe('Hold notes in the feed and histories', () => {
  it('events:read alone sees the note redacted; orders:read sees it', () => {
    const hidden = dataVisibleTo(principal(new Set(['events:read'])), 'OrderHoldPlaced', held);
    expect(hidden).to.deep.equal({ ...held, note: '[redacted]' });
    expect(eventSchemaErrors('OrderHoldPlaced', hidden)).to.deep.equal([]);
    expect(dataVisibleTo(principal(new Set(['events:read', 'orders:read'])), 'OrderHoldPlaced', held)).to.deep.equal(
      held,
    );
  });
  it('a hold without a note stays null', () =>
    expect(
      dataVisibleTo(principal(new Set(['events:read'])), 'OrderHoldPlaced', { ...held, note: null }),
    ).to.deep.equal({ ...held, note: null }));
  it('payments and refunds carry no personal data: shown as they are', () => {
    const refund = { refundId: 'r', returnId: null, amount: 1, reference: 'x', recordedAt: held.placedAt };
    expect(dataVisibleTo(principal(new Set(['events:read'])), 'RefundRecorded', refund)).to.equal(refund);
  });
});
