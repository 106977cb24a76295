// Turns each source update into what the serving side reads: compiles the snapshot, swaps the routing table,
// hands EndpointSlices to the endpoint store, and reports diagnostics once each (a steady state stays quiet).
import type { Logger } from 'pino';
import type { CompileOptions, Diagnostic, GlobalSettings, RouteTable, SettingValues, Snapshot, SourceUpdate } from '../model/index.ts';
import { formatRef } from '../model/index.ts';

export interface RouteUpdaterDeps {
  /**
   * `previous`: the settings of the table serving now (options.settings before the first install), which an
   * invalid global ConfigMap value leaves in effect for its key (router/settings).
   */
  readonly compile: (snapshot: Snapshot, options: CompileOptions, previous: SettingValues) => { table: RouteTable; diagnostics: Diagnostic[] };
  readonly options: CompileOptions;
  readonly installTable: (table: RouteTable) => void;
  readonly updateEndpoints: (update: SourceUpdate) => void;
  readonly logger: Logger;
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
  private lastSnapshotKey = '';
  private lastCompileDiagnostics: readonly Diagnostic[] = [];
  /** The installed table's settings; undefined before the first install. */
  private settings: GlobalSettings | undefined;
  private reported = new Set<string>();
  private readonly deps: RouteUpdaterDeps;

  constructor(deps: RouteUpdaterDeps) {
    this.deps = deps;
  }

  apply(update: SourceUpdate, sourceDiagnostics: readonly Diagnostic[]): void {
    this.updates++;
    // Endpoints first and unconditionally: they change far more often than routes and need no recompile.
    this.deps.updateEndpoints(update);
    this.applyRoutes(update, sourceDiagnostics);
    this.deps.logger.debug({ updates: this.updates, generation: this.generation }, 'source update applied');
  }

  private applyRoutes(update: SourceUpdate, sourceDiagnostics: readonly Diagnostic[]): void {
    // The snapshot is plain data, so its JSON is a faithful identity; skipping identical snapshots keeps
    // endpoint-only changes from recompiling and re-reporting. resourceVersion is left out: compile never reads
    // it, and it changes on writes that change nothing compile sees (Sluice's own Ingress status updates).
    const key = JSON.stringify(update.snapshot, withoutResourceVersion);
    if (key === this.lastSnapshotKey) {
      this.report(sourceDiagnostics, this.lastCompileDiagnostics);
      return;
    }
    let compiled: { table: RouteTable; diagnostics: Diagnostic[] };
    try {
      compiled = this.deps.compile(update.snapshot, this.deps.options, this.settings ?? this.deps.options.settings);
    } catch (error: unknown) {
      this.failedCompiles++;
      this.lastCompileFailed = true;
      this.deps.logger.error({ err: error, failedCompiles: this.failedCompiles }, 'compile failed; keeping the last good routing table');
      return;
    }
    this.lastSnapshotKey = key;
    this.lastCompileDiagnostics = compiled.diagnostics;
    this.deps.installTable(compiled.table);
    this.generation++;
    this.lastCompileFailed = false;
    this.lastInstallSeconds = Date.now() / 1000;
    this.report(sourceDiagnostics, compiled.diagnostics);
    this.reportSettings(compiled.table.settings);
    this.deps.logger.info(
      { generation: this.generation, backends: compiled.table.backends.size, diagnostics: compiled.diagnostics.length },
      'routing table installed',
    );
  }

  /** The global settings in force, logged when they change (the first table included), before 'routing table installed'. */
  private reportSettings(settings: GlobalSettings): void {
    const changed = this.settings === undefined || JSON.stringify(settings) !== JSON.stringify(this.settings);
    this.settings = settings;
    if (changed) this.deps.logger.info({ generation: this.generation, settings }, 'global settings in effect');
  }

  /** Logs diagnostics not reported by the previous update; forgets ones that went away. */
  private report(sourceDiagnostics: readonly Diagnostic[], compileDiagnostics: readonly Diagnostic[]): void {
    const current = new Set<string>();
    for (const diagnostic of [...sourceDiagnostics, ...compileDiagnostics]) {
      const key = JSON.stringify(diagnostic);
      current.add(key);
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
  }
}

function withoutResourceVersion(key: string, value: unknown): unknown {
  return key === 'resourceVersion' ? undefined : value;
}
