import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { type AddressPolicy, allowsAddress } from './address-policy.ts';
import type { Resolve } from './resolve.ts';
import { addressRefusal } from './url-guard.ts';

// DNS rebinding: checking a name and then letting the HTTP client resolve it again lets a
// TTL-0 name answer a public address to the check and 127.0.0.1 to the connection. Here the
// connection's own lookup is the check: it resolves once, refuses the host if any address is
// out of policy, and hands the socket only the addresses it checked. (An IP literal in the URL
// is never looked up; the URL check refuses it before we get here.)

/** The connection was refused by our address policy; nothing was sent. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'E_WEBHOOK_ADDRESS_REFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function guardedLookup(resolve: Resolve, allowed: (address: string) => boolean, protocol: string) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const bad = addresses.find((a) => !allowed(a.address));
        if (bad) return callback(new AddressRefusedError(addressRefusal(bad.address, protocol)), []);
        const wanted = addresses.filter((a) => !options.family || a.family === options.family);
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, []);
        }
        if (options.all) return callback(null, wanted);
        callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/**
 * The HTTP agent for deliveries: every new connection goes through `guardedLookup`, with the
 * rule of its scheme (plain http only inside our network). Redirects are never followed (the
 * requests set none), so a 3xx cannot lead anywhere unchecked either.
 */
export function guardedAgent(policy: AddressPolicy, resolve: Resolve, connectTimeoutMs: number): Agent {
  const connectorFor = (protocol: string) =>
    buildConnector({
      timeout: connectTimeoutMs,
      lookup: guardedLookup(resolve, (a) => allowsAddress(policy, protocol, a), protocol),
    } as buildConnector.BuildOptions);
  const connectors = new Map([
    ['http:', connectorFor('http:')],
    ['https:', connectorFor('https:')],
  ]);
  return new Agent({
    connect: (options, callback) => {
      const connector = connectors.get(options.protocol);
      if (!connector) return callback(new AddressRefusedError(`the scheme ${options.protocol} is not allowed`), null);
      connector(options, callback);
    },
  });
}
