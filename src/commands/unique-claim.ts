import { createHmac } from 'node:crypto';
import type { Decider } from '../../domain/shared/decider.ts';
import type { UniqueClaimCommand, UniqueClaimEvent, UniqueClaimState } from '../../domain/shared/unique-claim.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';
import type { CommandContext } from './context.ts';
import { handleCommand } from './handle.ts';

type ClaimDecider = Decider<UniqueClaimCommand, UniqueClaimEvent, UniqueClaimState>;

/**
 * The claim stream of a unique value: named by a keyed hash of the normalised value, so stream
 * names reveal no personal data and nobody without the key can test for a value.
 */
export function claimStream(hashKey: string, tenant: string, category: string, value: string): string {
  const digest = createHmac('sha256', hashKey)
    .update(`${tenant}\n${category}\n${value.trim().toLowerCase()}`)
    .digest('base64url');
  return streamName(tenant, category, digest.slice(0, 32));
}

export interface ClaimArgs {
  store: EventStore;
  decider: ClaimDecider;
  stream: string;
  ctx: CommandContext;
  value: string;
  ownerId: string;
  /** Whether `owner` (another one than ownerId) exists and still holds the value; null if it does not exist. */
  ownerStillHolds(owner: string): Promise<boolean | null>;
}

export async function claimUniqueValue(a: ClaimArgs): Promise<void> {
  await handleCommand({
    store: a.store,
    stream: a.stream,
    decider: a.decider,
    ctx: a.ctx,
    command: async (state) => ({
      type: 'ClaimUniqueValue' as const,
      data: {
        ownerId: a.ownerId,
        value: a.value,
        now: a.ctx.now,
        ownerStillHolds: state.owner && state.owner !== a.ownerId ? await a.ownerStillHolds(state.owner) : null,
      },
    }),
  });
}

export async function releaseUniqueValue(
  a: Pick<ClaimArgs, 'store' | 'decider' | 'stream' | 'ctx' | 'ownerId'>,
): Promise<void> {
  await handleCommand({
    store: a.store,
    stream: a.stream,
    decider: a.decider,
    ctx: a.ctx,
    command: { type: 'ReleaseUniqueValue', data: { ownerId: a.ownerId, now: a.ctx.now } },
  });
}
