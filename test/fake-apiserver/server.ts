// A fake Kubernetes API server over real HTTP, for tests that drive the unchanged @kubernetes/client-node.
// It implements the protocol from the API conventions (see the other files in this folder), not what one client
// happens to send, and adds the failure controls tests need: restart (watch history lost, as a real API server's
// watch cache is), dropped or cleanly ended watch streams, compaction (→ 410 Gone), and RBAC denials (→ 403).
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { ApiError, forbidden, parseTarget, readJson, sendError, sendJson, verbOf } from './protocol.ts';
import { getObject, listObjects } from './reads.ts';
import { resourceByKind, type KubeJson } from './resources.ts';
import { Store } from './store.ts';
import { serveWatch, type ActiveWatch, } from './watch.ts';
import { createObject, deleteObject, patchObject, updateObject } from './writes.ts';

export interface FakeApiServerOptions {
  /** How often watches with allowWatchBookmarks get a BOOKMARK (the real server: about once a minute). */
  readonly bookmarkIntervalMs?: number;
  /** Server-side watch timeout when the client sends no timeoutSeconds (real: 30–60 minutes). */
  readonly watchTimeoutMs?: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly verb: string;
  readonly user: string;
  readonly code: number;
}

export class FakeApiServer {
  readonly store = new Store();
  readonly requests: RequestRecord[] = [];
  readonly #options: Required<FakeApiServerOptions>;
  readonly #tokens = new Map<string, string>();
  readonly #denied = new Set<string>();
  readonly #sockets = new Set<Socket>();
  readonly #watches = new Set<ActiveWatch>();
  #server: Server | undefined;
  #port = 0;

  constructor(options: FakeApiServerOptions = {}) {
    this.#options = { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000, watchTimeoutMs: options.watchTimeoutMs ?? 30 * 60_000 };
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens (on the previous port after a stop, so kubeconfigs stay valid). */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.listen(this.#port, '127.0.0.1');
    await once(server, 'listening');
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and cuts every connection, as a crashing or restarting API server does. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = once(server, 'close');
    server.close();
    this.dropConnections();
    await closed;
  }

  /** A restart: connections cut, and the watch history gone, so watches from older versions get 410. */
  async restart(): Promise<void> {
    await this.stop();
    this.store.compact();
    await this.start();
  }

  /** Destroys every open connection (TCP reset from the client's point of view). */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Ends every watch stream cleanly, as the server-side watch timeout does. */
  endWatches(): void {
    for (const watch of this.#watches) watch.end();
  }

  /** Open watch streams, e.g. to wait until a client has (re)connected. */
  watchers(plural?: string): number {
    return [...this.#watches].filter((w) => plural === undefined || w.target.type.plural === plural).length;
  }

  /** Adds a bearer token and the user name it authenticates. */
  addToken(token: string, user: string): void {
    this.#tokens.set(token, user);
  }

  /** RBAC: denies `verbs` on a resource (`secrets`, `ingresses/status`) to everyone. */
  deny(resource: string, verbs: readonly string[]): void {
    for (const verb of verbs) this.#denied.add(`${verb} ${resource}`);
  }

  allow(resource: string, verbs: readonly string[]): void {
    for (const verb of verbs) this.#denied.delete(`${verb} ${resource}`);
  }

  /** Writes a kubeconfig (token auth over plain HTTP) for `token`, registering it; returns its path. */
  async writeKubeconfig(dir: string, token = 'sluice-token', user = 'system:serviceaccount:ingress:sluice'): Promise<string> {
    this.addToken(token, user);
    const path = join(dir, `kubeconfig-${token}.yaml`);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses http:// unless TLS verification is explicitly off; there is no TLS to verify here.
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'sluice', user: { token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'sluice' } }],
      'current-context': 'fake',
    };
    await writeFile(path, JSON.stringify(config)); // JSON is YAML
    return path;
  }

  // ---- in-process access for tests (what `kubectl apply` / `kubectl delete` would do) ----

  /** Creates or replaces an object given as a manifest (kind, apiVersion, metadata.namespace). */
  apply(manifest: Record<string, unknown>): KubeJson {
    const type = resourceByKind(String(manifest['kind']));
    const metadata = manifest['metadata'] as Record<string, unknown>;
    const namespace = type.namespaced ? String(metadata['namespace'] ?? 'default') : undefined;
    const target = { type, namespace, name: String(metadata['name']), subresource: undefined };
    const body = { ...manifest, metadata: { ...metadata, ...(namespace ? { namespace } : {}) } };
    if (this.store.get(type, namespace ?? '', target.name) === undefined) {
      return createObject(this.store, { ...target, name: undefined }, body, 'kubectl');
    }
    return updateObject(this.store, target, body, 'kubectl');
  }

  /** Writes an object's status through its status subresource (what the kubelet or a controller does). */
  setStatus(kind: string, namespace: string, name: string, status: unknown): KubeJson {
    const type = resourceByKind(kind);
    const target = { type, namespace: type.namespaced ? namespace : undefined, name, subresource: 'status' };
    const current = this.get(kind, namespace, name);
    if (current === undefined) throw new Error(`fake API server: ${kind} ${namespace}/${name} does not exist`);
    return updateObject(this.store, target, { ...current, status }, 'kubelet');
  }

  remove(kind: string, namespace: string, name: string): void {
    const type = resourceByKind(kind);
    deleteObject(this.store, { type, namespace: type.namespaced ? namespace : undefined, name, subresource: undefined });
  }

  get(kind: string, namespace: string, name: string): KubeJson | undefined {
    const type = resourceByKind(kind);
    return this.store.get(type, type.namespaced ? namespace : '', name);
  }

  list(kind: string): KubeJson[] {
    return this.store.list(resourceByKind(kind));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record = { method: req.method ?? 'GET', path: url.pathname, query: url.search, verb: '', user: '', code: 200 };
    try {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const user = token === undefined ? undefined : this.#tokens.get(token);
      if (user === undefined) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      record.user = user;
      const target = parseTarget(url.pathname);
      const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      record.verb = verbOf(record.method, target, watch);
      const resource = target.subresource ? `${target.type.plural}/${target.subresource}` : target.type.plural;
      if (this.#denied.has(`${record.verb} ${resource}`)) throw forbidden(user, record.verb, target);
      if (watch) {
        if (target.name !== undefined) throw new ApiError(405, 'MethodNotAllowed', 'watch a single object through a fieldSelector on metadata.name');
        this.#watches.add(serveWatch(this.store, target, url.searchParams, res, { bookmarkIntervalMs: this.#options.bookmarkIntervalMs, defaultTimeoutMs: this.#options.watchTimeoutMs }, (w) => this.#watches.delete(w)));
      } else {
        sendJson(res, record.method === 'POST' ? 201 : 200, await this.#operate(req, target, record.verb, url.searchParams, user));
      }
    } catch (err: unknown) {
      const error = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${String(err)}`);
      record.code = error.code;
      if (!res.headersSent) sendError(res, error);
    } finally {
      this.requests.push(record);
    }
  }

  async #operate(req: IncomingMessage, target: ReturnType<typeof parseTarget>, verb: string, query: URLSearchParams, user: string): Promise<unknown> {
    switch (verb) {
      case 'get':
        if (target.subresource !== undefined && target.subresource !== 'status') throw new ApiError(404, 'NotFound', 'no such subresource');
        return getObject(this.store, target);
      case 'list':
        return listObjects(this.store, target, query);
      case 'create':
        return createObject(this.store, target, await readJson(req), user);
      case 'update':
        return updateObject(this.store, target, await readJson(req), user);
      case 'patch':
        return patchObject(this.store, target, await readJson(req), req.headers['content-type'] ?? '', user);
      case 'delete':
        return deleteObject(this.store, target);
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported`);
    }
  }
}
