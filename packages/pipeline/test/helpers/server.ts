import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route handler of the loopback test server. */
export type Route = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 and a random port, with a log of every request path. */
export interface TestServer {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** How many times `path` was requested. */
  count(path: string): number;
  routes: Map<string, Route>;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route | Buffer | string> = {}): Promise<TestServer> {
  const table = new Map<string, Route>();
  for (const [path, route] of Object.entries(routes))
    table.set(path, typeof route === 'function' ? route : serve(route));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const route = table.get(path);
    if (route === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    Promise.resolve(route(request, response)).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path) => requests.filter((p) => p === path).length,
    routes: table,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering 200 with `body` and its Content-Length. */
export function serve(body: Buffer | string, delayMs = 0): Route {
  const bytes = Buffer.from(body);
  return async (_request, response) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    response.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' });
    response.end(bytes);
  };
}
