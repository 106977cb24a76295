// Watch streams: one HTTP 200 response, chunked, one JSON event per line ({"type","object"}), the framing the
// real server uses for `?watch=true` with JSON. Semantics (API concepts, "Efficient detection of changes"):
// - resourceVersion unset or "0": synthetic ADDED events for the current state, then changes;
// - resourceVersion N: every change after N, or, when N is older than the retained history, one ERROR event
//   carrying a 410 "Expired" Status, after which the server ends the stream;
// - with selectors, an object entering the selection is ADDED and one leaving it is DELETED;
// - allowWatchBookmarks=true: periodic BOOKMARK events carrying only the current resourceVersion;
// - timeoutSeconds (or the server's own limit) ends the stream cleanly.
import type { ServerResponse } from 'node:http';
import { statusBody, ApiError, type Target } from './protocol.ts';
import { matcherFor, withTypeMeta } from './reads.ts';
import type { KubeJson } from './resources.ts';
import type { Matcher } from './selectors.ts';
import type { Change, Store } from './store.ts';

export interface WatchOptions {
  readonly bookmarkIntervalMs: number;
  readonly defaultTimeoutMs: number;
}

export interface ActiveWatch {
  readonly target: Target;
  readonly response: ServerResponse;
  /** Ends the stream the way a server-side timeout does. */
  end(): void;
}

function send(res: ServerResponse, type: string, object: unknown): void {
  res.write(JSON.stringify({ type, object }) + '\n');
}

/** What a change looks like through this watch's selection, or undefined when it is invisible. */
function visible(change: Change, matches: Matcher): { type: string; object: KubeJson } | undefined {
  const now = change.event !== 'DELETED' && matches(change.object);
  const before = change.previous !== undefined && matches(change.previous);
  if (now && before) return { type: 'MODIFIED', object: change.object };
  if (now) return { type: 'ADDED', object: change.object };
  if (before) return { type: 'DELETED', object: change.object };
  return undefined;
}

/** Sends what precedes live changes; false when the stream ended with 410 instead. */
function replay(store: Store, target: Target, rvParam: string, matches: Matcher, res: ServerResponse, emit: (change: Change) => void): boolean {
  if (rvParam === '' || rvParam === '0') {
    for (const object of store.list(target.type).filter(matches)) send(res, 'ADDED', withTypeMeta(object, target));
    return true;
  }
  const rv = Number(rvParam);
  const changes = Number.isInteger(rv) ? store.changesSince(rv) : undefined;
  if (changes === undefined) {
    const expired = new ApiError(410, 'Expired', `too old resource version: ${rvParam} (${store.compacted})`);
    send(res, 'ERROR', statusBody(expired));
    res.end();
    return false;
  }
  changes.forEach(emit);
  return true;
}

export function serveWatch(
  store: Store,
  target: Target,
  query: URLSearchParams,
  res: ServerResponse,
  options: WatchOptions,
  onClose: (watch: ActiveWatch) => void,
): ActiveWatch {
  const matches = matcherFor(target, query);
  const rvParam = query.get('resourceVersion') ?? '';
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const emit = (change: Change): void => {
    if (change.type !== target.type || res.writableEnded || res.destroyed) return;
    const event = visible(change, matches);
    if (event) send(res, event.type, withTypeMeta(event.object, target));
  };
  let unsubscribe = (): void => {};
  const timers: NodeJS.Timeout[] = [];
  const watch: ActiveWatch = {
    target,
    response: res,
    // Unsubscribes at once, not on 'close': a change made right after end() must not reach this stream.
    end: () => {
      unsubscribe();
      if (!res.writableEnded) res.end();
    },
  };
  res.on('close', () => {
    unsubscribe();
    timers.forEach((t) => clearTimeout(t));
    onClose(watch);
  });
  if (!replay(store, target, rvParam, matches, res, emit)) return watch;
  // Same tick as the replay: no change can fall between the two.
  unsubscribe = store.subscribe(emit);
  if (query.get('allowWatchBookmarks') === 'true') {
    const bookmark = (): void => send(res, 'BOOKMARK', withTypeMeta({ metadata: { resourceVersion: String(store.revision) } }, target));
    timers.push(setInterval(bookmark, options.bookmarkIntervalMs));
  }
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
  timers.push(setTimeout(watch.end, timeoutSeconds > 0 ? timeoutSeconds * 1000 : options.defaultTimeoutMs));
  return watch;
}
