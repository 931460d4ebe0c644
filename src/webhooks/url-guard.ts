import net from 'node:net';
import { type AddressPolicy, allowsAddress, isPublicAddress } from './address-policy.ts';
import { type Resolve, systemResolve } from './resolve.ts';

// SSRF guard: a webhook may not point into our own network (private, loopback, link-local,
// carrier-grade NAT, cloud metadata, multicast, unspecified, NAT64/6to4/Teredo tunnels into
// them) unless the operator allows it. This check runs when an endpoint is created and before
// each delivery; the delivery's connection checks the addresses it connects to again (see
// guarded-agent.ts), since a name can resolve differently the next time (DNS rebinding).

/** Kept for callers that ask the question the other way round. */
export const isBlockedAddress = (address: string): boolean => !isPublicAddress(address);

/**
 * `not_allowed` is the policy refusal (scheme, credentials, an address in our network);
 * `unresolvable` is not a policy matter: the host has no address (now).
 */
export type UrlCheck =
  | { ok: true }
  | { ok: false; refusal: 'not_allowed'; reason: string }
  | { ok: false; refusal: 'unresolvable'; host: string; reason: string };

const notAllowed = (reason: string): UrlCheck => ({ ok: false, refusal: 'not_allowed', reason });

export const addressRefusal = (address: string, protocol: string) =>
  protocol === 'http:' && isPublicAddress(address)
    ? `plain http is only allowed to receivers inside our network, and ${address} is a public address: use https`
    : `the host resolves to a private, loopback, link-local or metadata address (${address})`;

/** What can be told from the URL alone, without DNS. */
function checkUrlShape(url: URL, policy: AddressPolicy): UrlCheck | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return notAllowed('only http and https URLs are allowed');
  if (url.username || url.password) return notAllowed('credentials in the URL are not allowed');
  // Payloads carry personal data: no cleartext over the internet. http is for local development.
  if (url.protocol === 'http:' && !policy.allowPrivateNetworks)
    return notAllowed('only https URLs are allowed (plain http needs OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS)');
  if (policy.allowPrivateNetworks) return null;
  // Loopback by name (RFC 6761), whatever the resolver says (or whether it knows the name at all).
  const name = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain')
    return notAllowed(`the host ${name} is a loopback name`);
  return null;
}

export async function checkWebhookUrl(
  raw: string,
  policy: AddressPolicy,
  resolve: Resolve = systemResolve,
): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return notAllowed('not a URL');
  }
  const shape = checkUrlShape(url, policy);
  if (shape) return shape;
  // With private networks allowed, https may go anywhere: nothing to resolve.
  if (policy.allowPrivateNetworks && url.protocol === 'https:') return { ok: true };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await resolve(host)).map((a) => a.address);
  } catch {
    return { ok: false, refusal: 'unresolvable', host, reason: `the host ${host} does not resolve` };
  }
  if (addresses.length === 0)
    return { ok: false, refusal: 'unresolvable', host, reason: `the host ${host} does not resolve` };
  const bad = addresses.find((a) => !allowsAddress(policy, url.protocol, a));
  if (bad) return notAllowed(addressRefusal(bad, url.protocol));
  return { ok: true };
}
