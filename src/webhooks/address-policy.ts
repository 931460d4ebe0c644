import ipaddr from 'ipaddr.js';

// Which IP addresses a webhook may be sent to. ipaddr.js knows the IANA special-purpose ranges
// (RFC 6890 and successors); everything it does not call `unicast` is somebody's own network,
// a transition mechanism that can tunnel into one, or not routable at all.

/**
 * The range an address falls in: ipaddr.js's name (`unicast` for globally routable, `loopback`,
 * `private`, `linkLocal`, `uniqueLocal`, `6to4`, `teredo`, `rfc6052` (NAT64), ...), plus
 * `ipv4Compatible` for the deprecated ::a.b.c.d, and `invalid` for what is no IP address at all.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged by the IPv4 address it carries.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.process(address); // unwraps ::ffff:a.b.c.d
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::/96 other than :: and ::1: the deprecated IPv4-compatible form (::127.0.0.1), which
    // ipaddr.js calls unicast; some stacks still route it to the IPv4 address inside.
    if (v6.match(ipaddr.IPv6.parse('::'), 96) && v6.range() === 'unicast') return 'ipv4Compatible';
  }
  return parsed.range();
}

/** A globally routable unicast address: outside every special-purpose range. */
export const isPublicAddress = (address: string): boolean => addressRange(address) === 'unicast';

/** The operator's choice (OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS) and what follows from it per scheme. */
export interface AddressPolicy {
  allowPrivateNetworks: boolean;
}

/**
 * May a delivery over `protocol` connect to `address`?
 *  - https: only public addresses, unless private networks are allowed (then any address).
 *  - http: never to a public address (payloads carry personal data: cleartext stays inside our
 *    network), and only at all when private networks are allowed (local development).
 */
export function allowsAddress(policy: AddressPolicy, protocol: string, address: string): boolean {
  const range = addressRange(address);
  if (range === 'invalid') return false;
  if (protocol === 'http:') return policy.allowPrivateNetworks && range !== 'unicast';
  return policy.allowPrivateNetworks || range === 'unicast';
}
