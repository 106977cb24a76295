// create / update / patch / delete with the API server's rules that clients depend on:
// - optimistic concurrency: an update carrying metadata.resourceVersion that is not the stored one is a 409
//   Conflict (API conventions, "Concurrency Control and Consistency"); one without it is unconditional;
// - the status subresource: for types that have one, writes to the object keep the stored status and writes to
//   `/status` change nothing but the status (and creation clears status);
// - merge patches (RFC 7386; strategic merge is treated as a merge patch, which is exact for the fields these
//   tests patch), JSON patches (RFC 6902 add/replace/remove/test);
// - managedFields are maintained on every object, as server-side field tracking does, so clients see them.
import { ApiError, type Target } from './protocol.ts';
import { getObject, withTypeMeta } from './reads.ts';
import { apiVersionOf, type KubeJson } from './resources.ts';
import type { Store } from './store.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkBody(body: unknown, target: Target): KubeJson {
  if (!isObject(body) || !isObject(body['metadata'])) throw new ApiError(400, 'BadRequest', 'the object has no metadata');
  const { kind, apiVersion } = body;
  if ((kind !== undefined && kind !== target.type.kind) || (apiVersion !== undefined && apiVersion !== apiVersionOf(target.type))) {
    throw new ApiError(400, 'BadRequest', `the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(target.type)})`);
  }
  const namespace = body['metadata']['namespace'];
  if (target.type.namespaced && namespace !== undefined && namespace !== target.namespace) {
    throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  validate(target, body);
  const { kind: _k, apiVersion: _a, ...rest } = body;
  return { ...rest, metadata: { ...body['metadata'], ...(target.type.namespaced ? { namespace: target.namespace } : {}) } } as KubeJson;
}

// metav1.MicroTime is parsed with layout RFC3339Micro: exactly six fractional digits (apimachinery micro_time.go).
const microTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** The schema checks these tests rely on: a malformed Lease time is a 400, as its JSON decoding fails. */
function validate(target: Target, body: Json): void {
  if (target.type.kind !== 'Lease' || !isObject(body['spec'])) return;
  for (const field of ['acquireTime', 'renewTime']) {
    const value = body['spec'][field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || !microTime.test(value))) {
      throw new ApiError(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse`);
    }
  }
}

function managedFields(target: Target, manager: string): Json[] {
  return [{ manager, operation: 'Update', apiVersion: apiVersionOf(target.type), time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {}, 'f:spec': {} } }];
}

let generated = 0;

export function createObject(store: Store, target: Target, body: unknown, manager: string): KubeJson {
  if (target.name !== undefined) throw new ApiError(405, 'MethodNotAllowed', 'POST is only allowed on collections');
  if (target.type.namespaced && target.namespace === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const object = checkBody(body, target);
  let name = object.metadata['name'] as unknown;
  if (typeof name !== 'string' || name === '') {
    const prefix = object.metadata['generateName'];
    if (typeof prefix !== 'string' || prefix === '') throw new ApiError(422, 'Invalid', `${target.type.kind} is invalid: metadata.name: Required value: name or generateName is required`);
    name = `${prefix}${(++generated).toString(36).padStart(5, '0')}`;
  }
  if (typeof name !== 'string') throw new ApiError(422, 'Invalid', 'metadata.name must be a string');
  if (store.get(target.type, target.namespace ?? '', name) !== undefined) {
    throw new ApiError(409, 'AlreadyExists', `${target.type.plural} "${name}" already exists`, { name, group: target.type.group, kind: target.type.plural });
  }
  if (target.type.statusSubresource) delete object['status'];
  object.metadata = { ...object.metadata, name, generation: 1, managedFields: managedFields(target, manager) };
  delete object.metadata['resourceVersion'];
  return withTypeMeta(store.write(target.type, target.namespace ?? '', name, object)!, target);
}

function checkVersion(current: KubeJson, next: KubeJson, target: Target): void {
  const wanted = next.metadata['resourceVersion'];
  if (wanted !== undefined && wanted !== '' && wanted !== current.metadata['resourceVersion']) {
    throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${target.type.plural} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: target.name, group: target.type.group, kind: target.type.plural });
  }
}

/** The object a write to `target` stores, given the current one and the requested one. */
function merged(current: KubeJson, next: KubeJson, target: Target, manager: string): KubeJson {
  const keep = { uid: current.metadata['uid'], creationTimestamp: current.metadata['creationTimestamp'], namespace: current.metadata['namespace'], name: current.metadata['name'] };
  if (target.subresource === 'status') return { ...current, status: next['status'] };
  const object: KubeJson = { ...next, metadata: { ...next.metadata, ...keep, managedFields: managedFields(target, manager) } };
  if (target.type.statusSubresource) object['status'] = current['status'];
  return object;
}

export function updateObject(store: Store, target: Target, body: unknown, manager: string): KubeJson {
  checkSubresource(target);
  const current = getObject(store, target);
  const next = checkBody(body, target);
  if (next.metadata['name'] !== target.name) throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
  checkVersion(current, next, target);
  return withTypeMeta(store.write(target.type, target.namespace ?? '', target.name!, merged(stripType(current), next, target, manager))!, target);
}

export function patchObject(store: Store, target: Target, body: unknown, contentType: string, manager: string): KubeJson {
  checkSubresource(target);
  const current = stripType(getObject(store, target));
  let patched: unknown;
  if (contentType.startsWith('application/json-patch+json')) patched = jsonPatch(current, body);
  else if (contentType.startsWith('application/merge-patch+json') || contentType.startsWith('application/strategic-merge-patch+json')) patched = mergePatch(current, body);
  else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  const next = checkBody(patched, target);
  checkVersion(current, next, target);
  return withTypeMeta(store.write(target.type, target.namespace ?? '', target.name!, merged(current, next, target, manager))!, target);
}

export function deleteObject(store: Store, target: Target): KubeJson {
  if (target.name === undefined || target.subresource !== undefined) throw new ApiError(405, 'MethodNotAllowed', 'delete needs an object');
  getObject(store, target);
  return withTypeMeta(store.write(target.type, target.namespace ?? '', target.name, undefined)!, target);
}

function checkSubresource(target: Target): void {
  if (target.name === undefined) throw new ApiError(405, 'MethodNotAllowed', 'update needs an object');
  if (target.subresource !== undefined && !(target.subresource === 'status' && target.type.statusSubresource)) {
    throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${target.type.plural}/${target.subresource})`);
  }
}

function stripType(object: KubeJson): KubeJson {
  const { kind: _k, apiVersion: _a, ...rest } = object;
  return rest as KubeJson;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function jsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be an array of operations');
  let doc = structuredClone(document);
  for (const op of operations as Json[]) {
    const path = String(op['path'] ?? '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (path.length === 0) {
      doc = op['value'];
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isObject(node) || Array.isArray(node) ? (node as Json)[key] : undefined), doc);
    const last = path.at(-1)!;
    if (!isObject(parent) && !Array.isArray(parent)) throw new ApiError(422, 'Invalid', `doc is missing path: ${String(op['path'])}`);
    const container = parent as Json & unknown[];
    const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    if (op['op'] === 'test' && JSON.stringify(container[index as never]) !== JSON.stringify(op['value'])) throw new ApiError(422, 'Invalid', `testing value ${String(op['path'])} failed`);
    if (op['op'] === 'remove') Array.isArray(parent) ? parent.splice(index as number, 1) : delete container[last];
    if (op['op'] === 'replace') container[index as never] = op['value'] as never;
    if (op['op'] === 'add') Array.isArray(parent) ? parent.splice(index as number, 0, op['value']) : (container[last] = op['value']);
  }
  return doc;
}
