// Request parsing and the error body of the Kubernetes API: URL layout (/api/v1/… for the core group,
// /apis/<group>/<version>/… otherwise; namespaced collections under namespaces/<ns>/), and failures as a
// `Status` object with a machine-readable reason (API conventions, "Response Status Kind").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceByPath, type ResourceType } from './resources.ts';

export interface Target {
  readonly type: ResourceType;
  /** undefined: a cluster-wide request (all namespaces, or a cluster-scoped type). */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

/** Parses the resource path; throws a 404 ApiError for anything that is not a served resource. */
export function parseTarget(pathname: string): Target {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api') [group, version, rest] = ['', parts[1] ?? '', parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
  else throw notFound(pathname);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const type = resourceByPath(group, version, rest[0] ?? '');
  if (type === undefined || rest.length > 3 || (namespace !== undefined && !type.namespaced)) throw notFound(pathname);
  // A namespaced type's single object always lives under namespaces/<ns>/.
  if (type.namespaced && namespace === undefined && rest.length > 1) throw notFound(pathname);
  return { type, namespace, name: rest[1], subresource: rest[2] };
}

function notFound(pathname: string): ApiError {
  return new ApiError(404, 'NotFound', `the server could not find the requested resource (${pathname})`);
}

export function statusBody(error: ApiError): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.code, statusBody(error));
}

const maxBody = 3 * 1024 * 1024; // the API server's request size limit

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new ApiError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

/** The authorization verb of a request (RBAC's vocabulary). */
export function verbOf(method: string, target: Target, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : target.name === undefined ? 'list' : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return target.name === undefined ? 'deletecollection' : 'delete';
  return method.toLowerCase();
}

export function forbidden(user: string, verb: string, target: Target): ApiError {
  const resource = target.subresource ? `${target.type.plural}/${target.subresource}` : target.type.plural;
  const where = target.namespace === undefined ? 'at the cluster scope' : `in the namespace "${target.namespace}"`;
  return new ApiError(
    403,
    'Forbidden',
    `${target.type.plural}${target.name ? ` "${target.name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${target.type.group}" ${where}`,
    { ...(target.name ? { name: target.name } : {}), group: target.type.group, kind: target.type.plural },
  );
}
