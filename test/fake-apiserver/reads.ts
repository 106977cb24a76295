// get and list. A list is consistent at one resourceVersion; with `limit` it is served in chunks whose
// `continue` token pins that resourceVersion, so later pages come from the same snapshot, and a token older
// than the compaction point is answered 410 Gone "Expired" (API concepts, "Retrieving large results sets in
// chunks").
import { ApiError, type Target } from './protocol.ts';
import { apiVersionOf, type KubeJson } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError, type Matcher } from './selectors.ts';
import type { Store } from './store.ts';

interface ContinueToken {
  readonly rv: number;
  /** The key (namespace/name) the next page starts after. */
  readonly start: string;
}

export function getObject(store: Store, target: Target): KubeJson {
  const object = store.get(target.type, target.namespace ?? '', target.name!);
  if (object === undefined) {
    throw new ApiError(404, 'NotFound', `${target.type.plural} "${target.name}" not found`, { name: target.name, group: target.type.group, kind: target.type.plural });
  }
  return withTypeMeta(object, target);
}

export function withTypeMeta(object: KubeJson, target: Pick<Target, 'type'>): KubeJson {
  return { apiVersion: apiVersionOf(target.type), kind: target.type.kind, ...object };
}

export function matcherFor(target: Target, query: URLSearchParams): Matcher {
  try {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), target.type);
    const namespace = target.namespace;
    return (o) => (namespace === undefined || o.metadata['namespace'] === namespace) && labels(o) && fields(o);
  } catch (err: unknown) {
    if (err instanceof SelectorError) throw new ApiError(400, 'BadRequest', err.message);
    throw err;
  }
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return parsed;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion');
}

function keyOfObject(o: KubeJson): string {
  return `${String(o.metadata['namespace'] ?? '')}/${String(o.metadata['name'])}`;
}

export function listObjects(store: Store, target: Target, query: URLSearchParams): Record<string, unknown> {
  const matches = matcherFor(target, query);
  const token = query.get('continue');
  const limit = Number(query.get('limit') ?? '0');
  let rv = store.revision;
  let start = '';
  if (token) {
    if (query.get('resourceVersion')) throw new ApiError(400, 'BadRequest', 'specifying resource version is not allowed when using continue');
    ({ rv, start } = decodeContinue(token));
    if (rv < store.compacted) {
      throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
  }
  const all = store.list(target.type, rv).filter((o) => keyOfObject(o) > start && matches(o));
  const page = limit > 0 ? all.slice(0, limit) : all;
  const more = page.length < all.length;
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (more) {
    const next: ContinueToken = { rv, start: keyOfObject(page.at(-1)!) };
    metadata['continue'] = Buffer.from(JSON.stringify(next)).toString('base64url');
    metadata['remainingItemCount'] = all.length - page.length;
  }
  // Items of a typed list carry no kind/apiVersion: the list's own type says it (as the real server encodes it).
  return { kind: `${target.type.kind}List`, apiVersion: apiVersionOf(target.type), metadata, items: page };
}
