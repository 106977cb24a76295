// One upgrade request (WebSocket): connect to a pod with node:http's client, relay its answer, and on 101 splice
// the two sockets together. http-proxy is not used: unmaintained since 2020 and the slowest proxy measured in
// issue 8; its upgrade path is these same node:http 'upgrade'/'response' events, which we use directly.
// undici's upgrade() would also work, but its non-101 answers arrive as errors without the pod's response,
// and the client must receive that response (a 404, a 401 with its body) intact.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BackendTarget, GlobalSettings, Route } from '../../model/index.ts';
import { pickEndpoint } from '../balancer/pick-endpoint.ts';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';
import { classifyUpstreamError, isRetryable, statusFor } from '../errors.ts';
import type { RequestRecord } from '../metrics/request-observer.ts';
import { maxAttempts, type ProxyContext } from '../proxy-context.ts';
import { sendRawError } from '../respond.ts';
import { connectTimeoutOf, readTimeoutOf } from '../route-timeouts.ts';
import { plainResponseHead, switchingProtocolsHead } from './raw-head.ts';

/** One upgrade request as the 'upgrade' listener received it (upgrade-handler.ts). */
export interface UpgradeRequest {
  readonly socket: Duplex;
  /** Bytes node:http read past the handshake header: the first bytes for the pod. */
  readonly head: Buffer;
  /** The listener's open tunnels (cut when a drain's grace period ends). */
  readonly tunnels: Set<Duplex>;
  /** Metrics / access-log notes; null when both are off. */
  readonly record: RequestRecord | null;
}

export class Tunnel {
  readonly #ctx: ProxyContext;
  readonly #req: IncomingMessage;
  readonly #client: Duplex;
  readonly #head: Buffer;
  readonly #backend: BackendTarget;
  readonly #headers: string[];
  readonly #tunnels: Set<Duplex>;
  readonly #record: RequestRecord | null;
  /** The request target sent upstream (rewritten by rewrite-target where set). */
  readonly #target: string;
  /**
   * proxy-connect-timeout / proxy-read-timeout: the route's annotation, else the table the upgrade request started
   * with. A tunnel connects for itself (no pool), so the route's connect timeout times its connect directly.
   */
  readonly #connectTimeoutMs: number;
  readonly #readTimeoutMs: number;
  #upstream: ClientRequest | undefined;
  #tried: string[] = [];
  #settled = false;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    upgrade: UpgradeRequest,
    route: Route,
    backend: BackendTarget,
    headers: string[],
    target: string,
    settings: GlobalSettings,
  ) {
    this.#connectTimeoutMs = connectTimeoutOf(route, settings);
    this.#readTimeoutMs = readTimeoutOf(route, settings);
    this.#ctx = ctx;
    this.#req = req;
    this.#client = upgrade.socket;
    this.#head = upgrade.head;
    this.#backend = backend;
    this.#headers = headers;
    this.#tunnels = upgrade.tunnels;
    this.#record = upgrade.record;
    this.#target = target;
    // Client gone before the pod answered: drop the pod connection too.
    this.#client.once('close', () => {
      if (!this.#settled) this.#upstream?.destroy();
    });
    // In the listener's set from now, not from the 101: a handshake still waiting for its pod when a drain's grace
    // period ends is cut with the tunnels, instead of holding the exit until its connect or read timeout.
    const client = this.#client;
    // A client already gone (while a cluster-wide rate limit answered, say) has emitted 'close': not added.
    if (!client.closed) {
      this.#tunnels.add(client);
      client.once('close', () => this.#tunnels.delete(client));
    }
  }

  /** Connects to the next untried endpoint; false when none is left. */
  connect(): boolean {
    const endpoint = pickEndpoint(this.#ctx, this.#backend, this.#tried);
    if (endpoint === undefined) return false;
    this.#tried.push(endpoint.key);
    this.#record?.upstreamStarted(endpoint.key);
    const upstream = request({
      host: endpoint.address,
      port: endpoint.port,
      method: this.#req.method,
      path: this.#target,
      headers: this.#headers,
      agent: false, // an upgraded socket is never returned to a pool
      setHost: false, // the client's Host is already in the list
      // Armed on the socket before it connects (net.connect's `timeout`). ClientRequest.setTimeout() would not do:
      // it waits for the socket to connect before arming anything, so a connect that hangs was never timed.
      timeout: this.#connectTimeoutMs,
    });
    this.#upstream = upstream;
    this.#watchTimeouts(upstream);
    upstream.on('upgrade', (res, socket, head) => this.#splice(res, socket, head));
    upstream.on('response', (res) => this.#relay(res));
    upstream.on('error', (error) => this.#fail(endpoint, error));
    upstream.end();
    return true;
  }

  #watchTimeouts(upstream: ClientRequest): void {
    let connected = false;
    // The connect timeout (the request's `timeout` option), then, once connected, the wait for the pod's answer.
    upstream.on('timeout', () => {
      if (this.#settled) return;
      // The codes of the upstream pools' (errors.ts), so both paths share one classification.
      const code = connected ? 'SLUICE_READ_TIMEOUT' : 'SLUICE_CONNECT_TIMEOUT';
      upstream.destroy(Object.assign(new Error('upstream timeout'), { code }));
    });
    upstream.once('socket', (socket: Socket) => {
      const onConnect = (): void => {
        connected = true;
        this.#record?.upstreamConnected();
        upstream.setTimeout(this.#readTimeoutMs);
      };
      if (socket.connecting) socket.once('connect', onConnect);
      else onConnect();
    });
  }

  #fail(endpoint: UpstreamEndpoint, error: Error): void {
    if (this.#settled) return;
    const kind = classifyUpstreamError(error);
    // Same policy as plain requests: a bodiless GET handshake that reached no pod goes to the next one.
    const retry = isRetryable(kind) && this.#req.method === 'GET' && this.#tried.length < maxAttempts;
    if (retry && !this.#client.destroyed && this.connect()) return;
    this.#settled = true;
    const code = (error as { code?: unknown }).code;
    this.#ctx.logger.warn({ endpoint: endpoint.key, code, kind }, 'upgrade upstream failed');
    this.#ctx.observer?.upstreamError(kind);
    if (this.#record !== null) {
      this.#record.upstreamEnded(statusFor(kind));
      this.#record.status = statusFor(kind);
    }
    sendRawError(this.#client, kind);
  }

  #splice(res: IncomingMessage, upstream: Socket, upstreamHead: Buffer): void {
    this.#settled = true;
    this.#record?.upstreamHeaders(101);
    const client = this.#client;
    // One fate for both sockets: whichever side ends or fails, the other is torn down with it.
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', teardown).on('close', teardown);
    client.on('error', teardown).on('close', teardown);
    if (client.destroyed) return teardown();
    if (this.#record !== null) this.#ctx.observer?.tunnelOpened(this.#record);
    // proxy-read-timeout also bounds idle WebSockets in ingress-nginx: nginx re-arms the upstream read timer on
    // every event either way (ngx_http_upstream_process_upgraded), so here: no byte either way for that long.
    // proxy-send-timeout is not applied (nginx's timer for a write the pod leaves blocked).
    upstream.setTimeout(this.#readTimeoutMs, teardown);
    upstream.setNoDelay(true);
    client.write(switchingProtocolsHead(res.rawHeaders));
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (this.#head.length > 0) upstream.write(this.#head);
    client.pipe(upstream).pipe(client);
  }

  #relay(res: IncomingMessage): void {
    this.#settled = true;
    const status = res.statusCode ?? 502;
    const record = this.#record;
    if (record !== null) {
      record.upstreamHeaders(status);
      record.status = status;
      res.once('end', () => record.upstreamEnded(status));
    }
    const client = this.#client;
    res.on('error', () => client.destroy());
    client.once('close', () => res.destroy());
    client.write(plainResponseHead(status, res.rawHeaders));
    // Close-delimited body: end, then destroy once flushed (the client may never send its FIN).
    res.pipe(client, { end: false });
    res.once('end', () => client.end(() => client.destroy()));
  }
}
