import { lookup } from 'node:dns/promises';

/** Every address of a host name, as the system resolver answers (tests inject their own). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });
