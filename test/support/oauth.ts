import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/observability/logger.ts';
import { client, type Res } from './http.ts';

/** POST /oauth/token with a form body; Basic client authentication unless `inBody`. */
export async function requestToken(
  baseUrl: string,
  c: { id: string; secret: string },
  opts: { scope?: string; grantType?: string; inBody?: boolean } = {},
): Promise<Res> {
  const form = new URLSearchParams({ grant_type: opts.grantType ?? 'client_credentials' });
  if (opts.scope !== undefined) form.set('scope', opts.scope);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (opts.inBody) {
    form.set('client_id', c.id);
    form.set('client_secret', c.secret);
  } else {
    headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;
  }
  return client(baseUrl).post('/oauth/token', form.toString(), headers);
}

/** A real pino logger whose JSON lines are kept in memory, to check what gets logged. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink),
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
