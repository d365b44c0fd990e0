import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finishesWithin } from '@exercise-pipeline/shared';
import { HttpError } from './http-error.js';
import { sendError } from './respond.js';
import { type Resolution, type Route, resolveRoute } from './router.js';

export interface HttpServerLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface HttpServerOptions {
  /** COMPOSER_PORT; 0 picks a free port (tests). */
  port: number;
  /** Interface to listen on (COMPOSER_HOST); default `127.0.0.1`. */
  host?: string;
  routes: readonly Route[];
  /** How long `stop()` lets running requests finish before closing their connections; default 10 s. */
  shutdownTimeoutMs?: number;
  logger?: HttpServerLogger;
  /** Told about every answer, with the matched route pattern (`unmatched` when none), for metrics. */
  onResponse?: (info: { route: string; method: string; status: number; seconds: number }) => void;
}

export interface HttpServer {
  /** Listens; resolves with the bound address, port and a base URL naming them as bound. */
  start(): Promise<{ port: number; url: string; address: string }>;
  /**
   * Stops accepting connections, lets running requests finish until the shutdown deadline, then
   * closes whatever is still open. Safe to call twice or before `start()`.
   */
  stop(): Promise<void>;
  /** True from the moment `stop()` is called; `/readyz` answers 503 then. */
  readonly stopping: boolean;
  /** The bound port once started. */
  readonly port: number | undefined;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const server = createServer((req, res) => void handle(req, res));
  const active = new Set<ServerResponse>();
  let stopping = false;
  let started = false;
  let stopped: Promise<void> | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const began = performance.now();
    const method = req.method ?? 'GET';
    let routeName = 'unmatched';
    // Keep-alive would hold a connection open past shutdown; answers given while stopping close it.
    if (stopping) res.setHeader('connection', 'close');
    active.add(res);
    res.on('close', () => active.delete(res));
    res.on('finish', () => {
      options.onResponse?.({
        route: routeName,
        method,
        status: res.statusCode,
        seconds: (performance.now() - began) / 1000,
      });
    });
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const resolution: Resolution = resolveRoute(options.routes, method, rawPath);
      if (resolution.kind === 'not-found') {
        throw new HttpError(404, 'NOT_FOUND', `${method} ${url.pathname} is not an endpoint of this server`);
      }
      if (resolution.kind === 'method-not-allowed') {
        throw new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${url.pathname} answers ${resolution.allow.join(', ')}`,
          {
            headers: { allow: resolution.allow.join(', ') },
          },
        );
      }
      routeName = resolution.route.path;
      await resolution.route.handler({ req, res, params: resolution.params, query: url.searchParams });
    } catch (error) {
      answerError(res, error, method, req.url);
    }
  }

  function answerError(res: ServerResponse, error: unknown, method: string, url: string | undefined): void {
    const httpError =
      error instanceof HttpError
        ? error
        : new HttpError(
            500,
            'INTERNAL_ERROR',
            "the request failed unexpectedly; the consumer's log has the details",
          );
    if (!(error instanceof HttpError)) options.logger?.error({ err: error, method, url }, 'request failed');
    if (res.headersSent) {
      // Half an answer cannot be turned into an error answer; the client sees the connection end.
      res.destroy();
      return;
    }
    sendError(res, httpError);
  }

  return {
    get stopping() {
      return stopping;
    },
    get port() {
      const address = server.address();
      return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
    },
    start() {
      return new Promise((resolve, reject) => {
        const host = options.host ?? '127.0.0.1';
        const onError = (error: NodeJS.ErrnoException) => {
          server.off('listening', onListening);
          reject(new ListenError(host, options.port, error));
        };
        const onListening = () => {
          server.off('error', onError);
          started = true;
          const { port, address } = server.address() as AddressInfo;
          options.logger?.info({ address, port }, 'http server listening');
          resolve({
            port,
            address,
            url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
          });
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(options.port, host);
      });
    },
    stop() {
      stopping = true;
      for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
      stopped ??= started ? closeGracefully(server, options.shutdownTimeoutMs ?? 10_000) : Promise.resolve();
      return stopped;
    },
  };
}

/** The HTTP server could not bind: one line naming the address, the variables and the cause. */
export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const why =
      cause.code === 'EADDRINUSE'
        ? `port ${port} is already in use; set COMPOSER_PORT to a free port or stop the process holding it`
        : cause.code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine; set COMPOSER_HOST to one of its addresses`
          : cause.code === 'EACCES'
            ? `port ${port} needs privileges; set COMPOSER_PORT to a port above 1023`
            : `${cause.message}; check COMPOSER_HOST and COMPOSER_PORT`;
    super(`cannot listen on ${where} (COMPOSER_HOST, COMPOSER_PORT): ${why}`, { cause });
    this.name = 'ListenError';
  }
}

async function closeGracefully(server: Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (!(await finishesWithin(closed, deadlineMs))) server.closeAllConnections();
  await closed;
}
