import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { HttpError } from '../../lib/HttpError';
import { decodeSegment, parseRequestTarget } from '../http/requestTarget';
import { serve } from '../http/serve';
import { closeServer, listen } from '../httpServer';
import { connectDirective, pagePolicy } from './pagePolicy';

/** Where the page connects when the stack has not told the server (Live Server's defaults). */
const DEFAULT_CONNECT_ORIGINS = [
  'http://127.0.0.1:7071',
  'http://localhost:7071',
  'http://localhost:8888',
];

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
  readonly config?: StaticConfig;
}

export interface StaticConfig {
  readonly frontDoorPort: number;
  readonly authProvider: string;
  /** The SignalR Service's client origin, for the page's connect-src. */
  readonly signalrOrigin: string;
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
    const server = createServer(
      serve(
        (req, res) => this.serveFile(root, req, res),
        () => undefined,
      ),
    );
    this.server = server;
    return listen(server, this.options.port);
  }

  private serveFile(root: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'MethodNotAllowed', 'The page server answers GET and HEAD only.', {
        headers: {
          Allow: 'GET, HEAD',
        },
      });
    const url = parseRequestTarget(req.url);
    // The API is on the host name the page was loaded from (cookies are per site).
    const host = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? '')
      ? (req.headers.host ?? '').replace(/:\d+$/, '')
      : '127.0.0.1';
    const config = this.config;
    const apiOrigin = config && `http://${host}:${config.frontDoorPort}`;
    if (url.pathname === '/config.js' && config !== undefined && apiOrigin !== undefined) {
      const settings = { apiBaseUrl: apiOrigin, authProvider: config.authProvider };
      res
        .writeHead(200, { 'Content-Type': CONTENT_TYPES['.js'], 'Cache-Control': 'no-store' })
        .end(`window.CHAT_CONFIG = ${JSON.stringify(settings)};\n`);
      return;
    }
    const path = url.pathname.split('/').map(decodeSegment).join('/');
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep))
      throw new HttpError(404, 'NotFound', 'Not found.');
    let size: number;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      size = statSync(file).size;
    } catch {
      throw new HttpError(404, 'NotFound', `Nothing at ${url.pathname}.`);
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = {
      'Content-Type': type,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    };
    if (type.startsWith('text/html')) {
      // The page's CSP names the API and SignalR origins, which only the stack knows: the
      // header carries it, and the <meta> copy is rewritten to match (as package-page.sh does).
      const origins =
        config === undefined || apiOrigin === undefined
          ? DEFAULT_CONNECT_ORIGINS
          : [apiOrigin, config.signalrOrigin];
      const policy = pagePolicy(origins);
      const html = Buffer.from(
        readFileSync(file, 'utf8').replace(/connect-src [^;"]*/, connectDirective(origins)),
      );
      res.writeHead(200, {
        ...headers,
        'Content-Length': html.length,
        'Content-Security-Policy': policy,
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
