import { lookup } from 'node:dns/promises';
import net from 'node:net';

// SSRF guard: a webhook may not point into our own network (private, loopback, link-local,
// carrier-grade NAT, cloud metadata, multicast, unspecified) unless the operator allows it.
const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(addr, prefix, 'ipv4');
for (const [addr, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['64:ff9b::', 96], // NAT64: ::7f00:1 behind it is 127.0.0.1
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['fd00:ec2::254', 128],
] as const)
  blocked.addSubnet(addr, prefix, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address is judged by the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isBlockedAddress(mapped[1]!);
  const family = net.isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * `not_allowed` is the policy refusal (scheme, credentials, an address in our network);
 * `unresolvable` is not a policy matter: the host has no address (now).
 */
export type UrlCheck =
  | { ok: true }
  | { ok: false; refusal: 'not_allowed'; reason: string }
  | { ok: false; refusal: 'unresolvable'; host: string; reason: string };

const notAllowed = (reason: string): UrlCheck => ({ ok: false, refusal: 'not_allowed', reason });

export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return notAllowed('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return notAllowed('only http and https URLs are allowed');
  if (url.username || url.password) return notAllowed('credentials in the URL are not allowed');
  if (allowPrivate) return { ok: true };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Loopback by name (RFC 6761), whatever the resolver says (or whether it knows the name at all).
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain')
    return notAllowed(`the host ${host} is a loopback name`);
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return { ok: false, refusal: 'unresolvable', host, reason: `the host ${host} does not resolve` };
  }
  const bad = addresses.find(isBlockedAddress);
  if (bad) return notAllowed(`the host resolves to a private, loopback, link-local or metadata address (${bad})`);
  return { ok: true };
}
