import { expect } from 'chai';
import { addressRange, allowsAddress } from '../../src/webhooks/address-policy.ts';
import { isBlockedAddress } from '../../src/webhooks/url-guard.ts';

// Where a webhook may connect, by address (ipaddr.js's range names).
const table: [address: string, range: string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.5.4', 'private'],
  ['192.168.0.10', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'], // cloud metadata
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['192.0.0.8', 'reserved'],
  ['198.18.0.1', 'reserved'], // benchmarking
  ['240.0.0.1', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'], // AWS IPv6 metadata
  ['fec0::1', 'deprecatedSiteLocal'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped: judged by the IPv4 inside
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:a9fe:a9fe', 'linkLocal'],
  ['::ffff:10.0.0.1', 'private'],
  ['::7f00:1', 'ipv4Compatible'], // deprecated ::a.b.c.d
  ['::ffff:0:7f00:1', 'rfc6145'], // IPv4-translated
  ['64:ff9b::7f00:1', 'rfc6052'], // NAT64 to 127.0.0.1
  ['64:ff9b:1::a9fe:a9fe', 'rfc6052'],
  ['2002:7f00:1::', '6to4'], // 6to4 wrapping 127.0.0.1
  ['2002:0808:0808::1', '6to4'], // 6to4 at all: a tunnel, not a receiver
  ['2001::1', 'teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001:db8::1', 'reserved'], // documentation
  ['100::1', 'discard'],
  ['not-an-ip', 'invalid'],
  ['', 'invalid'],
  ['93.184.216.34', 'unicast'],
  ['8.8.8.8', 'unicast'],
  ['::ffff:8.8.8.8', 'unicast'],
  ['2606:4700:4700::1111', 'unicast'],
  ['2a00:1450:4001:80b::200e', 'unicast'],
];

describe('Webhooks: the address policy (ipaddr.js ranges)', () => {
  for (const [address, range] of table) {
    const allowed = range === 'unicast';
    it(`${address || "''"} is ${range}: ${allowed ? 'allowed' : 'blocked'}`, () => {
      expect(addressRange(address)).to.equal(range);
      expect(isBlockedAddress(address)).to.equal(!allowed);
      expect(allowsAddress({ allowPrivateNetworks: false }, 'https:', address)).to.equal(allowed);
    });
  }

  it('with private networks allowed, https may go anywhere valid; plain http only inside our network', () => {
    const open = { allowPrivateNetworks: true };
    expect(allowsAddress(open, 'https:', '127.0.0.1')).to.equal(true);
    expect(allowsAddress(open, 'https:', '93.184.216.34')).to.equal(true);
    expect(allowsAddress(open, 'http:', '127.0.0.1')).to.equal(true);
    expect(allowsAddress(open, 'http:', '10.0.0.1')).to.equal(true);
    expect(allowsAddress(open, 'http:', '93.184.216.34')).to.equal(false);
    expect(allowsAddress(open, 'https:', 'not-an-ip')).to.equal(false);
    expect(allowsAddress({ allowPrivateNetworks: false }, 'http:', '93.184.216.34')).to.equal(false);
  });
});
