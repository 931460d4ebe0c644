import { type Agent, request } from 'undici';
import type { AddressPolicy } from './address-policy.ts';
import { guardedAgent } from './guarded-agent.ts';
import type { Resolve } from './resolve.ts';

// The one way a delivery leaves this process: a POST through the guarded agent, at most
// `timeoutMs` in all, no redirects followed, and at most a little of the answer read.

/** One agent (and its keep-alive connections) per resolver and policy, for the life of the process. */
const agents = new WeakMap<Resolve, Map<string, Agent>>();

function agentFor(policy: AddressPolicy, resolve: Resolve, timeoutMs: number): Agent {
  const byPolicy = agents.get(resolve) ?? new Map<string, Agent>();
  agents.set(resolve, byPolicy);
  const key = `${policy.allowPrivateNetworks}/${timeoutMs}`;
  const agent = byPolicy.get(key) ?? guardedAgent(policy, resolve, timeoutMs);
  byPolicy.set(key, agent);
  return agent;
}

/** Reads at most `max` bytes of a response body: a hostile receiver cannot make us buffer much. */
async function drain(body: AsyncIterable<Buffer> & { destroy(): void }, max = 16 * 1024): Promise<void> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.byteLength;
    if (n >= max) break;
  }
  body.destroy();
}

/** POSTs `body`; resolves with the receiver's status (3xx included: never followed). */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { policy: AddressPolicy; resolve: Resolve; timeoutMs: number },
): Promise<number> {
  const res = await request(url, {
    method: 'POST',
    headers,
    body,
    dispatcher: agentFor(opts.policy, opts.resolve, opts.timeoutMs),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  await drain(res.body).catch(() => {});
  return res.statusCode;
}
