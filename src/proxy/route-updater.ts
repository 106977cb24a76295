// Turns each source update into what the serving side reads: compiles the snapshot, swaps the routing table,
// hands EndpointSlices to the endpoint store, and reports diagnostics once each (a steady state stays quiet).
import type { Logger } from 'pino';
import type { CompileOptions, Diagnostic, GlobalSettings, RouteTable, SettingValues, Snapshot, SourceUpdate } from '../model/index.ts';
import { formatRef } from '../model/index.ts';
import { ChangeDetector } from '../watch/change-detector.ts';
import { withoutResourceVersion } from '../watch/json-by-identity.ts';

export interface RouteUpdaterDeps {
  /**
   * `previous`: the settings of the table serving now (options.settings before the first install), which an
   * invalid global ConfigMap value leaves in effect for its key (router/settings).
   */
  readonly compile: (snapshot: Snapshot, options: CompileOptions, previous: SettingValues) => { table: RouteTable; diagnostics: Diagnostic[] };
  readonly options: CompileOptions;
  readonly installTable: (table: RouteTable) => void;
  /**
   * Runs first for every update. A promise (the primary handing the update to its worker threads) means "in
   * service once it resolves": the generation and the 'routing table installed' / 'source update applied' lines
   * wait for it, so whoever reads them can rely on every worker serving the update.
   */
  readonly updateEndpoints: (update: SourceUpdate, snapshotChanged: boolean) => void | Promise<unknown>;
  readonly logger: Logger;
  /** Seconds each compile took (the compile step above, successful or not): the compile-duration histogram. */
  readonly onCompiled?: (seconds: number) => void;
  /** A worker thread's updater: diagnostics, installs and updates are the primary's to report (once per node). */
  readonly quiet?: boolean;
  /**
   * The settings in effect on the node when this updater starts (a replacement worker: the primary's), so that
   * a global ConfigMap key that is invalid now keeps the value the other workers keep, not the flag default.
   */
  readonly initialSettings?: SettingValues;
}

export class RouteUpdater {
  /** Number of routing tables installed so far; 0 until the first complete load. */
  generation = 0;
  /** Number of source updates applied (endpoint-only updates included). */
  updates = 0;
  /** Compiles that threw (a bug, never user input): the last good table kept serving. */
  failedCompiles = 0;
  /** The last compile threw (ingress-nginx's config_last_reload_successful = 0); cleared by the next install. */
  lastCompileFailed = false;
  /** Unix seconds of the last table install (0: none yet). */
  lastInstallSeconds = 0;
  private readonly snapshots = new ChangeDetector(withoutResourceVersion);
  private lastCompileDiagnostics: readonly Diagnostic[] = [];
  /** The installed table's settings; undefined before the first install. */
  private settings: GlobalSettings | undefined;
  private reported = new Set<string>();
  private currentDiagnostics: readonly Diagnostic[] = [];
  private readonly deps: RouteUpdaterDeps;

  constructor(deps: RouteUpdaterDeps) {
    this.deps = deps;
  }

  /** The installed table's settings (undefined before the first install). */
  get currentSettings(): GlobalSettings | undefined {
    return this.settings;
  }

  /** The diagnostics of the last update, source and compile together (each once while it persists). */
  get diagnostics(): readonly Diagnostic[] {
    return this.currentDiagnostics;
  }

  /**
   * `snapshotChanged`: already known (a worker thread: the primary compared the snapshot before sending it), so
   * it is not compared again; absent: compared here.
   */
  apply(update: SourceUpdate, sourceDiagnostics: readonly Diagnostic[], snapshotChanged?: boolean): void {
    const updates = ++this.updates;
    // Skipping identical snapshots keeps endpoint-only changes from recompiling and re-reporting (compared by
    // content, paid for by identity: change-detector.ts). resourceVersion is left out: compile never reads it, and
    // it changes on writes that change nothing compile sees (Sluice's own Ingress status updates).
    const changed = snapshotChanged ?? this.snapshots.changed(update.snapshot);
    // Endpoints first and unconditionally: they change far more often than routes and need no recompile.
    const delivered = this.deps.updateEndpoints(update, changed);
    const applied = (): void => {
      if (this.deps.quiet !== true) this.deps.logger.debug({ updates, generation: this.generation }, 'source update applied');
    };
    if (delivered === undefined) {
      this.applyRoutes(update, changed, sourceDiagnostics);
      applied();
      return;
    }
    // Handed to worker threads: compile here only once they serve it. This compile is for diagnostics, status and
    // the generation, so it must not take a core from the workers' compile (measured with a 10 000-Ingress table
    // on one core: an Ingress change served 660 → 431 ms (median) after the source update, bench/ table10k).
    void delivered.then(() => {
      this.applyRoutes(update, changed, sourceDiagnostics);
      applied();
    });
  }

  private applyRoutes(update: SourceUpdate, changed: boolean, sourceDiagnostics: readonly Diagnostic[]): void {
    if (!changed) {
      this.report(sourceDiagnostics, this.lastCompileDiagnostics);
      return;
    }
    let compiled: { table: RouteTable; diagnostics: Diagnostic[] };
    const started = performance.now();
    try {
      compiled = this.deps.compile(update.snapshot, this.deps.options, this.settings ?? this.deps.initialSettings ?? this.deps.options.settings);
    } catch (error: unknown) {
      this.failedCompiles++;
      this.lastCompileFailed = true;
      this.snapshots.reset(); // the next update compiles again, whatever it holds
      this.deps.logger.error({ err: error, failedCompiles: this.failedCompiles }, 'compile failed; keeping the last good routing table');
      return;
    } finally {
      this.deps.onCompiled?.((performance.now() - started) / 1000);
    }
    this.lastCompileDiagnostics = compiled.diagnostics;
    this.report(sourceDiagnostics, compiled.diagnostics);
    const settings = compiled.table.settings;
    const settingsChanged = this.settings === undefined || JSON.stringify(settings) !== JSON.stringify(this.settings);
    this.settings = settings;
    this.deps.installTable(compiled.table);
    this.generation++;
    this.lastCompileFailed = false;
    this.lastInstallSeconds = Date.now() / 1000;
    if (this.deps.quiet === true) return;
    // The global settings in force, logged when they change (the first table included).
    if (settingsChanged) this.deps.logger.info({ generation: this.generation, settings }, 'global settings in effect');
    this.deps.logger.info(
      { generation: this.generation, backends: compiled.table.backends.size, diagnostics: compiled.diagnostics.length },
      'routing table installed',
    );
  }

  /** Logs diagnostics not reported by the previous update; forgets ones that went away. */
  private report(sourceDiagnostics: readonly Diagnostic[], compileDiagnostics: readonly Diagnostic[]): void {
    if (this.deps.quiet === true) return;
    const current = new Set<string>();
    const unique: Diagnostic[] = [];
    for (const diagnostic of [...sourceDiagnostics, ...compileDiagnostics]) {
      const key = JSON.stringify(diagnostic);
      if (current.has(key)) continue;
      current.add(key);
      unique.push(diagnostic);
      if (this.reported.has(key)) continue;
      const level = diagnostic.severity === 'Error' ? 'error' : diagnostic.severity === 'Warning' ? 'warn' : 'info';
      this.deps.logger[level](
        {
          reason: diagnostic.reason,
          object: diagnostic.object ? formatRef(diagnostic.object) : undefined,
          field: diagnostic.field || undefined,
          source: diagnostic.source,
        },
        diagnostic.message,
      );
    }
    this.reported = current;
    this.currentDiagnostics = unique;
  }
}
