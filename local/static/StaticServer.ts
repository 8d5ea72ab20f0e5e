import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { closeServer, listen } from '../httpServer';
import { extname, join, normalize, sep } from 'node:path';

/** Serves content/ as Live Server or a static website would: files only, no traversal. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServerOptions {
  readonly root: string;
  readonly port: number;
  /**
   * When set, GET /config.js answers the page's settings with the front door on this port, on the
   * host name the page was loaded from (cookies are per site), instead of the file.
   */
  readonly config?: { readonly frontDoorPort: number; readonly authProvider: string };
}

export class StaticServer {
  private server?: Server;
  private config: StaticServerOptions['config'];

  constructor(private readonly options: StaticServerOptions) {
    this.config = options.config;
  }

  /** Serves generated settings once the front door's port is known. */
  configure(config: StaticServerOptions['config']): void {
    this.config = config;
  }

  async listen(): Promise<number> {
    const root = normalize(this.options.root);
    const server = createServer((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/config.js' && this.config !== undefined) {
        const host = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
        const config = {
          apiBaseUrl: `http://${host}:${this.config.frontDoorPort}`,
          authProvider: this.config.authProvider,
        };
        res
          .writeHead(200, { 'Content-Type': CONTENT_TYPES['.js'], 'Cache-Control': 'no-store' })
          .end(`window.CHAT_CONFIG = ${JSON.stringify(config)};\n`);
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        res.writeHead(400).end();
        return;
      }
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(404).end();
        return;
      }
      try {
        if (statSync(file).isDirectory()) file = join(file, 'index.html');
        const size = statSync(file).size;
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': size,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      } catch {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      }
    });
    this.server = server;
    return listen(server, this.options.port);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
