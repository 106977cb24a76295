import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import type { Logger } from 'pino';
import type { Diagnostic, SourceUpdate } from '../../model/index.ts';
import { Debouncer } from '../debounce.ts';
import type { ConfigMapRef } from '../normalize/index.ts';
import { UpdateBuilder } from './build-update.ts';
import { describeError, errorCode, listManifestFiles } from './list-files.ts';
import { FileStamps } from './file-stamps.ts';
import { type FileState, parseManifestFile, textDigest } from './parse-file.ts';

// The no-cluster source: a manifest file or directory → complete SourceUpdates, rebuilt (debounced) whenever
// the filesystem signals a change. Events are only signals: each rebuild re-lists and re-reads everything and
// re-parses only files whose text changed, so a missed or duplicated event cannot leave a stale view.

export interface ManifestSourceOptions {
  /** A manifest file, or a directory read recursively (*.yaml, *.yml, *.json; dotfiles skipped). */
  readonly path: string;
  readonly logger: Logger;
  /** Called with every complete update and all current diagnostics (not a delta). Exceptions are logged. */
  readonly onUpdate: (update: SourceUpdate, diagnostics: Diagnostic[]) => void;
  readonly holdoffMs?: number;
  readonly maxDelayMs?: number;
  readonly settleMs?: number;
  /** `--configmap`: the one ConfigMap read from the files (a `kind: ConfigMap` document with this namespace/name). */
  readonly configMap?: ConfigMapRef | null;
}

const rewatchDelayMs = 1000;

export class ManifestSource {
  readonly #path: string;
  readonly #logger: Logger;
  readonly #onUpdate: ManifestSourceOptions['onUpdate'];
  readonly #configMap: ConfigMapRef | null;
  readonly #debouncer: Debouncer;
  #isDirectory = false;
  #files = new Map<string, FileState>();
  /** Which files need reading again (file-stamps.ts). */
  readonly #stamps = new FileStamps();
  #listingDiagnostics: readonly Diagnostic[] = [];
  /** Keeps the lists of kinds no changed file holds from one rebuild to the next (build-update.ts). */
  readonly #builder = new UpdateBuilder();
  #generation = 0;
  #latest: { update: SourceUpdate; diagnostics: Diagnostic[] } | undefined;
  #watcher: FSWatcher | undefined;
  /** Non-recursive watchers on the subdirectories of a watched directory, kept in step with each listing. */
  #subdirectoryWatchers = new Map<string, FSWatcher>();
  #rewatchTimer: NodeJS.Timeout | undefined;
  #watchFailing = false;
  #lastError: unknown;
  #started = false;
  #closed = false;

  constructor(options: ManifestSourceOptions) {
    this.#path = options.path;
    this.#logger = options.logger;
    this.#onUpdate = options.onUpdate;
    this.#configMap = options.configMap ?? null;
    this.#debouncer = new Debouncer({
      holdoffMs: options.holdoffMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 500,
      // An isolated change is served 10 ms after its first event (debounce.ts); bursts still coalesce.
      settleMs: options.settleMs ?? 10,
      run: () => this.#rebuild(),
      onError: (err) => {
        this.#lastError = err;
        this.#logger.error({ err, path: this.#path }, 'manifest: rebuild failed; the last update keeps serving');
      },
    });
  }

  /** Number of updates delivered so far. */
  get generation(): number {
    return this.#generation;
  }

  /** The last delivered update, for late subscribers (e.g. a worker process starting after the first load). */
  get latest(): { update: SourceUpdate; diagnostics: Diagnostic[] } | undefined {
    return this.#latest;
  }

  /** Resolves once the first complete load has been delivered; rejects if the path is missing or unusable. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('ManifestSource.start() called twice');
    this.#started = true;
    let kind;
    try {
      kind = await stat(this.#path);
    } catch (err: unknown) {
      throw new Error(`manifest path ${this.#path}: ${describeError(err)}`, { cause: err });
    }
    // A FIFO reads like a file (`--manifests <(kubectl get ingress -o yaml)`); tests also use one to hold the
    // first load open while they observe the not-ready state.
    if (!kind.isFile() && !kind.isFIFO() && !kind.isDirectory()) {
      throw new Error(`manifest path ${this.#path}: not a file or directory`);
    }
    this.#isDirectory = kind.isDirectory();
    // Watch before the first read, so a change made during the initial load is not missed.
    this.#watch();
    await this.#debouncer.flush();
    if (this.#generation === 0) {
      await this.close();
      throw new Error(`manifest path ${this.#path}: initial load failed: ${String(this.#lastError)}`);
    }
  }

  /** Resolves with the generation once no rebuild is pending or running. */
  async settled(): Promise<number> {
    await this.#debouncer.settled();
    return this.#generation;
  }

  /** Stops watching; resolves once a rebuild in progress (if any) has finished. No update is delivered after. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#debouncer.close();
    clearTimeout(this.#rewatchTimer);
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#syncSubdirectoryWatchers([]);
    await this.#debouncer.settled();
  }

  #watch(): void {
    // A single file is watched through its directory: editors and `kubectl`-style tools replace files by
    // renaming a new one over them, which ends a watch on the file itself. Watches are never `recursive`:
    // Node's recursive mode on Linux is emulated in JavaScript and was seen to stop reporting changes under
    // load (e2e bad-input test, 2 of 3 runs); subdirectories get plain inotify watches of their own instead.
    const dir = this.#isDirectory ? this.#path : dirname(this.#path);
    try {
      this.#watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (this.#isRelevant(name)) this.#debouncer.trigger();
      });
      this.#watcher.on('error', (err) => this.#onWatchError(err));
      if (this.#watchFailing) this.#logger.info({ path: this.#path }, 'manifest: watching again');
      this.#watchFailing = false;
    } catch (err: unknown) {
      this.#onWatchError(err);
    }
  }

  /**
   * In directory mode every event counts (an unrelated one only costs a re-list). In file mode, events for the
   * file, plus `..data`-style names: a mounted ConfigMap changes by swapping the `..data` symlink, and the
   * file's own name never appears in the event. A null name means the platform could not say: rescan.
   */
  #isRelevant(name: string | Buffer | null): boolean {
    if (this.#isDirectory || name === null) return true;
    const file = name.toString();
    return file === basename(this.#path) || file.startsWith('..');
  }

  #onWatchError(err: unknown): void {
    // Warn once per outage; the retry loop below would otherwise log every second while the path is gone.
    if (!this.#watchFailing) this.#logger.warn({ err, path: this.#path }, 'manifest: watch failed; retrying every second');
    this.#watchFailing = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#scheduleRewatch();
  }

  #scheduleRewatch(): void {
    if (this.#closed || this.#rewatchTimer !== undefined) return;
    this.#rewatchTimer = setTimeout(() => {
      this.#rewatchTimer = undefined;
      if (this.#closed) return;
      this.#watcher?.close();
      this.#watch();
      this.#debouncer.trigger();
    }, rewatchDelayMs);
    this.#rewatchTimer.unref();
  }

  async #rebuild(): Promise<void> {
    const { files, listingDiagnostics } = await this.#readAll();
    const changed =
      this.#generation === 0 ||
      !sameFiles(files, this.#files) ||
      JSON.stringify(listingDiagnostics) !== JSON.stringify(this.#listingDiagnostics);
    this.#files = files;
    this.#listingDiagnostics = listingDiagnostics;
    if (!changed || this.#closed) return;
    const { update, diagnostics } = this.#builder.build(files, listingDiagnostics);
    this.#generation += 1;
    this.#latest = { update, diagnostics };
    this.#logChanges(update);
    try {
      this.#onUpdate(update, [...diagnostics]);
    } catch (err: unknown) {
      this.#logger.error({ err }, 'manifest: update consumer threw');
    }
  }

  /** The next per-file states. Files the listing could not vouch for keep their last good state. */
  async #readAll(): Promise<{ files: Map<string, FileState>; listingDiagnostics: Diagnostic[] }> {
    const files = new Map<string, FileState>();
    const { files: paths, unreadable } = this.#isDirectory ? await this.#listRoot() : { files: [this.#path], unreadable: [] };
    for (const path of paths) {
      const state = await this.#readFile(path, this.#files.get(path));
      if (state !== undefined) files.set(path, state);
    }
    this.#stamps.keepOnly(new Set(files.keys()));
    const unlisted = unreadable.map((u) => (u.dir.endsWith(sep) ? u.dir : u.dir + sep));
    for (const [path, state] of this.#files) {
      if (!files.has(path) && unlisted.some((dir) => path.startsWith(dir))) files.set(path, state);
    }
    return { files, listingDiagnostics: unreadable.map((u) => unreadableDiagnostic(u.dir, u.message)) };
  }

  async #listRoot(): ReturnType<typeof listManifestFiles> {
    const listing = await listManifestFiles(this.#path);
    // The root itself gone (unmounted, moved away) is far likelier an accident than "delete every route":
    // keep everything and re-establish the watch when it comes back.
    if (listing.unreadable.some((u) => u.dir === this.#path)) this.#scheduleRewatch();
    if (!this.#closed) this.#syncSubdirectoryWatchers(listing.directories.filter((dir) => dir !== this.#path));
    return listing;
  }

  /** Watches exactly `dirs`: new subdirectories are picked up by the rebuild their creation triggers. */
  #syncSubdirectoryWatchers(dirs: readonly string[]): void {
    const wanted = new Set(dirs);
    for (const [dir, watcher] of this.#subdirectoryWatchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.#subdirectoryWatchers.delete(dir);
    }
    for (const dir of wanted) {
      if (this.#subdirectoryWatchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#debouncer.trigger());
        // A failing subdirectory watch (directory removed) is dropped; the rebuild it triggers re-lists.
        watcher.on('error', () => {
          watcher.close();
          this.#subdirectoryWatchers.delete(dir);
          this.#debouncer.trigger();
        });
        this.#subdirectoryWatchers.set(dir, watcher);
      } catch {
        // Gone between listing and watching: its parent's watch reports the removal, and the next listing
        // settles it. (No trigger here: a directory that can never be watched must not spin rebuilds.)
      }
    }
  }

  /** undefined: the file is gone. In file mode a missing file is kept as unreadable (see #listRoot's reasoning). */
  async #readFile(file: string, previous: FileState | undefined): Promise<FileState | undefined> {
    const stamp = await this.#stamps.take(file);
    if (previous?.digest !== undefined && this.#stamps.unchanged(file, stamp)) return previous;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
      this.#stamps.remember(file, stamp);
    } catch (err: unknown) {
      this.#stamps.remember(file, null);
      if (errorCode(err) === 'ENOENT' && this.#isDirectory) return undefined;
      const diagnostic = unreadableDiagnostic(file, describeError(err));
      if (previous?.digest === undefined && previous?.diagnostics[0]?.message === diagnostic.message) return previous;
      return { digest: undefined, objects: previous?.objects ?? [], diagnostics: [diagnostic] };
    }
    const digest = textDigest(text);
    if (previous !== undefined && previous.digest === digest) return previous;
    return parseManifestFile(file, text, previous, this.#logger, { configMap: this.#configMap }, digest);
  }

  #logChanges(update: SourceUpdate): void {
    const { snapshot } = update;
    this.#logger.info(
      { generation: this.#generation, files: this.#files.size, ingresses: snapshot.ingresses.length, services: snapshot.services.length, endpointSlices: update.endpointSlices.length },
      'manifest: update',
    );
    // Diagnostics are not logged here: the consumer reports source and compile diagnostics together, once each.
  }
}

function sameFiles(a: ReadonlyMap<string, FileState>, b: ReadonlyMap<string, FileState>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, state] of a) if (b.get(file) !== state) return false;
  return true;
}

function unreadableDiagnostic(file: string, message: string): Diagnostic {
  return {
    severity: 'Error',
    reason: 'ManifestUnreadable',
    field: '',
    source: { file },
    message: `cannot read: ${message}; the last good objects from it keep serving`,
  };
}
