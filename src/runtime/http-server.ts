import http, { type Server } from 'node:http';
import https from 'node:https';
import type Koa from 'koa';
import type { Config } from '../config/config.ts';
import { PROBLEM_TYPE_BASE } from '../http/problem.ts';
import type { TlsMaterial } from '../security/tls.ts';

/** Serves the Koa app over HTTP, or HTTPS when the service holds a certificate; resolves once listening. */
export async function listen(app: Koa, config: Config, tls: TlsMaterial | null): Promise<Server> {
  // Slow clients cannot hold sockets: the whole request must arrive within requestTimeout,
  // its headers within headersTimeout (slowloris).
  const requestTimeout = config.requestTimeoutMs + 5_000;
  const serverOptions = { requestTimeout, headersTimeout: Math.min(20_000, requestTimeout), keepAliveTimeout: 65_000 };
  const server: Server = tls
    ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, app.callback())
    : http.createServer(serverOptions, app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  server.on('clientError', answerClientError);
  return server;
}

/** Requests Node rejects before Koa sees them (oversized headers or URL, malformed HTTP) still get problem+json. */
function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const title = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  const code = tooLarge ? 'headers_too_large' : 'bad_request';
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail: tooLarge ? 'the request line or headers are too large' : 'the request is not valid HTTP',
    code,
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
