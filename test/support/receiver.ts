import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

type Answer = number | 'hang' | { status: number; headers: Record<string, string> };

/** A real local HTTP receiver for webhook tests. `respond` decides each answer (status, status with headers, or 'hang'). */
export async function startReceiver(respond: (r: Received, n: number) => Answer = () => 200) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  // TCP connections, whether or not an HTTP request came over them (a TLS hello to this plain server does not).
  let connections = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const r = { headers: req.headers, raw, body: JSON.parse(raw) };
      received.push(r);
      const answer = respond(r, received.length);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers }).end('ok');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    get connections() {
      return connections;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
