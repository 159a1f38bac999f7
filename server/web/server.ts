import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { renderPage, pageCsp } from '../../webview/html';
import { CorralError } from '../errors';
import type { Logger } from '../log';
import { ErrorCode, PROTOCOL_VERSION, type Identity, type WebOpenResult } from '../protocol';
import { bridge } from './bridge';
import { SecretTable } from './secrets';

export const DEFAULT_WEB_PORT = 7780;
const BRIDGE_PREFIX = 'web-bridge.';
const MAX_LOGIN_BODY = 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

export interface WebServerDeps {
  /** The daemon's socket: each browser gets a connection of its own there (see bridge.ts). */
  socketPath: string;
  /** The built app (dist/web). */
  root: string;
  logger: Logger;
  codeTtlMs?: number;
  sessionTtlMs?: number;
}

/**
 * `corral web`: the app and the daemon's JSON-RPC over a WebSocket, on 127.0.0.1 only. A browser
 * signs in with a one-time code (from `web/open`) exchanged by POST for an HttpOnly,
 * SameSite=Strict cookie; the WebSocket upgrade needs that cookie and this server's Origin, so a
 * page of another site (or another local port) cannot ride on it. Host headers are checked
 * against DNS rebinding.
 */
export class WebServer {
  private readonly codes: SecretTable;
  private readonly sessions: SecretTable;
  private readonly bridgeTokens = new SecretTable(10_000);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private listening: Promise<number> | undefined;
  private port = 0;

  constructor(private readonly deps: WebServerDeps) {
    this.codes = new SecretTable(deps.codeTtlMs ?? 10 * 60_000);
    this.sessions = new SecretTable(deps.sessionTtlMs ?? 12 * 3600_000);
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as net.Socket, head));
  }

  /** Starts serving (first call) and mints a sign-in link for `identity`. */
  async open(identity: Identity, port: number | undefined): Promise<WebOpenResult> {
    if (this.listening === undefined) {
      this.listening = this.listen(port).catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
    }
    const actual = await this.listening;
    if (port !== undefined && port !== 0 && port !== actual) {
      throw new CorralError(
        ErrorCode.Conflict,
        `the web app already listens on port ${actual}`,
        `use http://127.0.0.1:${actual}/, or restart the daemon (corral daemon stop) to change the port`,
      );
    }
    const { secret, expiresAt } = this.codes.mint(identity);
    const url = `http://127.0.0.1:${actual}/`;
    return { url, loginUrl: `${url}#login=${secret}`, port: actual, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * For the daemon's hello check: the identity of a bridge token (spent by this use), undefined
   * for a token that is not one, BadToken for a stale or unknown one.
   */
  authenticateBridge(params: { protocolVersion: number; token: string }): Identity | undefined {
    if (!params.token.startsWith(BRIDGE_PREFIX)) return undefined;
    const identity = this.bridgeTokens.take(params.token.slice(BRIDGE_PREFIX.length));
    if (identity === undefined) throw new CorralError(ErrorCode.BadToken, 'this browser connection is not signed in', 'run `corral web` and open the link it prints');
    if (params.protocolVersion !== PROTOCOL_VERSION) {
      throw new CorralError(ErrorCode.VersionMismatch, `the page speaks protocol ${params.protocolVersion}; this daemon speaks ${PROTOCOL_VERSION}`, 'reload the page');
    }
    return identity;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    if (this.listening === undefined) return;
    await this.listening.catch(() => undefined);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(port: number | undefined): Promise<number> {
    const attempt = (p: number): Promise<void> =>
      new Promise((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(p, '127.0.0.1', () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    try {
      await attempt(port ?? DEFAULT_WEB_PORT);
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse) throw error;
      if (port !== undefined) throw new CorralError(ErrorCode.Conflict, `port ${port} on 127.0.0.1 is in use`, 'choose another with `corral web --port P` (0: any free port)');
      await attempt(0);
    }
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    this.deps.logger.info('web app listening', { url: `http://127.0.0.1:${this.port}/` });
    return this.port;
  }

  private get cookieName(): string {
    // Cookies are not told apart by port: one name per port keeps two daemons' sessions apart.
    return `corral_${this.port}`;
  }

  /** Requests must name this server (not a rebinding DNS name); returns the origin they belong to. */
  private ownOrigin(req: http.IncomingMessage): string | undefined {
    const host = req.headers.host;
    const allowed = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    return host !== undefined && allowed.includes(host) ? `http://${host}` : undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const origin = this.ownOrigin(req);
    if (origin === undefined) return end(res, 421, 'wrong Host: open the address `corral web` printed');
    const url = new URL(req.url ?? '/', origin);
    try {
      if (req.method === 'GET' && url.pathname === '/') return this.page(res, origin);
      if (req.method === 'GET' && url.pathname.startsWith('/assets/')) return this.asset(res, url.pathname.slice('/assets/'.length));
      if (req.method === 'POST' && url.pathname === '/api/login') return await this.login(req, res, origin);
      if (req.method === 'POST' && url.pathname === '/api/logout') return this.logout(req, res, origin);
      return end(res, 404, 'not found');
    } catch (error) {
      this.deps.logger.warn('web request failed', { path: url.pathname, error: String(error) });
      if (!res.headersSent) end(res, 500, 'internal error; the daemon log has details');
    }
  }

  private page(res: http.ServerResponse, origin: string): void {
    const nonce = randomBytes(16).toString('base64');
    const csp = pageCsp({ nonce, source: "'self'", connect: `'self' ${origin.replace(/^http/, 'ws')}` });
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `${csp}; frame-ancestors 'none'`,
      'Cache-Control': 'no-store',
    });
    res.end(renderPage({ nonce, csp, script: '/assets/app.js', style: '/assets/app.css', host: 'browser' }));
  }

  private asset(res: http.ServerResponse, name: string): void {
    // Flat names only: nothing outside the app's folder, no dotfiles.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) return end(res, 404, 'not found');
    const type = CONTENT_TYPES[path.extname(name)];
    if (type === undefined) return end(res, 404, 'not found');
    let body: Buffer;
    try {
      body = fs.readFileSync(path.join(this.deps.root, name));
    } catch {
      return end(res, 404, 'not found');
    }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    res.end(body);
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<void> {
    if (req.headers.origin !== origin) return end(res, 403, 'sign in from the page `corral web` opened');
    const body = await readBody(req, MAX_LOGIN_BODY);
    let code: unknown;
    try {
      code = (JSON.parse(body ?? '') as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    const identity = typeof code === 'string' ? this.codes.take(code) : undefined;
    if (identity === undefined) return end(res, 401, 'this sign-in link is used or expired: run `corral web` for a new one');
    const { secret } = this.sessions.mint(identity);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'Set-Cookie': `${this.cookieName}=${secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor((this.deps.sessionTtlMs ?? 12 * 3600_000) / 1000)}`,
    });
    res.end(JSON.stringify({ user: identity.user }));
  }

  private logout(req: http.IncomingMessage, res: http.ServerResponse, origin: string): void {
    if (req.headers.origin !== origin) return end(res, 403, 'sign out from the app');
    const secret = this.cookie(req);
    if (secret !== undefined) this.sessions.take(secret);
    res.writeHead(204, { 'Set-Cookie': `${this.cookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
    res.end();
  }

  private cookie(req: http.IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === this.cookieName) return value.join('=');
    }
    return undefined;
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const origin = this.ownOrigin(req);
    const refuse = (status: number, reason: string): void => {
      this.deps.logger.warn('web socket refused', { reason, origin: req.headers.origin });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
    };
    if (origin === undefined || new URL(req.url ?? '/', origin).pathname !== '/rpc') return refuse(404, 'not found');
    // Browsers send the cookie with a cross-site WebSocket too: the Origin is what tells a page of ours.
    if (req.headers.origin !== origin) return refuse(403, 'this WebSocket is for the Corral page only');
    const secret = this.cookie(req);
    const identity = secret === undefined ? undefined : this.sessions.peek(secret);
    if (identity === undefined) return refuse(401, 'not signed in: run `corral web` and open the link it prints');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const token = this.bridgeTokens.mint(identity).secret;
      bridge(ws, this.deps.socketPath, BRIDGE_PREFIX + token, this.deps.logger);
    });
  }
}

function end(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message + '\n');
}

function readBody(req: http.IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
