import http, { type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * A bare HTTP server answering GET /metrics from this process's registry. A projector or worker
 * process has no API server, and its counters (lag, parked events, failed batches) live in its own
 * memory: without this, Prometheus could not see them.
 */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
