import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RouteUpdater } from '../../src/proxy/route-updater.ts';
import { compile } from '../../src/router/index.ts';
import type { Diagnostic, RouteTable, Snapshot, SourceUpdate } from '../../src/model/index.ts';
import { defaultCompileOptions, defaultGlobalSettings, emptySnapshot } from '../../src/model/index.ts';

function table(name: string): RouteTable {
  return {
    backends: new Map(),
    settings: defaultGlobalSettings,
    lookup: () => ({ id: name, host: '', path: '', pathType: 'Fallback', action: { kind: 'not-found', status: 404 } }),
  };
}

const conflict: Diagnostic = {
  severity: 'Warning',
  reason: 'PathConflict',
  object: { kind: 'Ingress', namespace: 'default', name: 'late' },
  field: 'spec.rules[0].http.paths[0].path',
  message: 'path / for host a.test is already served by Ingress default/early',
};

function harness(compile: (s: Snapshot) => { table: RouteTable; diagnostics: Diagnostic[] }, onCompiled?: (seconds: number) => void) {
  const logged: Array<{ msg: string; reason?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString()) as { msg: string; reason?: string });
      done();
    },
  });
  const installed: RouteTable[] = [];
  const endpointUpdates: SourceUpdate[] = [];
  const updater = new RouteUpdater({
    compile,
    options: defaultCompileOptions,
    installTable: (t) => installed.push(t),
    updateEndpoints: (u) => void endpointUpdates.push(u),
    logger: pino({ level: 'debug' }, sink),
    onCompiled,
  });
  return { updater, logged, installed, endpointUpdates };
}

const withIngress = (name: string): Snapshot => ({
  ...emptySnapshot,
  ingresses: [{ kind: 'Ingress', metadata: { namespace: 'default', name, uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} }, spec: { rules: [], tls: [] } }],
});

describe('RouteUpdater', () => {
  it('installs a table per changed snapshot and skips recompiling identical ones', () => {
    let compiles = 0;
    const h = harness(() => ({ table: table(`t${++compiles}`), diagnostics: [] }));
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, []);
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, []);
    h.updater.apply({ snapshot: withIngress('b'), endpointSlices: [] }, []);
    expect(compiles).toBe(2);
    expect(h.installed.map((t) => t.lookup('', '/').id)).toEqual(['t1', 't2']);
    expect(h.endpointUpdates).toHaveLength(3); // endpoints flow on every update, recompile or not
    expect(h.updater.generation).toBe(2);
    expect(h.updater.updates).toBe(3);
  });

  it('does not recompile for a change of resourceVersion alone (e.g. its own status write)', () => {
    let compiles = 0;
    const h = harness(() => ({ table: table(`t${++compiles}`), diagnostics: [] }));
    const first = withIngress('a');
    const bumped: Snapshot = {
      ...first,
      ingresses: first.ingresses.map((i) => ({ ...i, metadata: { ...i.metadata, resourceVersion: '42' } })),
    };
    h.updater.apply({ snapshot: first, endpointSlices: [] }, []);
    h.updater.apply({ snapshot: bumped, endpointSlices: [] }, []);
    expect(compiles).toBe(1);
  });

  it('keeps the last good table when compile throws', () => {
    let fail = false;
    const h = harness(() => {
      if (fail) throw new Error('bug');
      return { table: table('good'), diagnostics: [] };
    });
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, []);
    fail = true;
    h.updater.apply({ snapshot: withIngress('b'), endpointSlices: [] }, []);
    expect(h.installed).toHaveLength(1);
    expect(h.updater.failedCompiles).toBe(1);
    expect(h.logged.some((l) => l.msg.startsWith('compile failed'))).toBe(true);
  });

  it('reports each diagnostic once while it persists, and again after it went away and came back', () => {
    let diagnostics: Diagnostic[] = [conflict];
    let n = 0;
    const h = harness(() => ({ table: table(`t${++n}`), diagnostics }));
    const count = (): number => h.logged.filter((l) => l.reason === 'PathConflict').length;
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, []);
    h.updater.apply({ snapshot: withIngress('b'), endpointSlices: [] }, []);
    h.updater.apply({ snapshot: withIngress('b'), endpointSlices: [] }, []);
    expect(count()).toBe(1);
    diagnostics = [];
    h.updater.apply({ snapshot: withIngress('c'), endpointSlices: [] }, []);
    diagnostics = [conflict];
    h.updater.apply({ snapshot: withIngress('d'), endpointSlices: [] }, []);
    expect(count()).toBe(2);
  });

  it('times every compile, failed ones included, and exposes the current diagnostics once each', () => {
    const timings: number[] = [];
    let fail = false;
    const h = harness(() => {
      if (fail) throw new Error('bug');
      // The same compile diagnostic twice (two paths reporting one conflict) is one current diagnostic.
      return { table: table('t'), diagnostics: [conflict, conflict] };
    }, (seconds) => timings.push(seconds));
    const source: Diagnostic = { severity: 'Error', reason: 'ManifestParseError', field: '', message: 'bad YAML', source: { file: 'x.yaml' } };
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, [source]);
    h.updater.apply({ snapshot: withIngress('a'), endpointSlices: [] }, []); // identical snapshot: no compile
    expect(timings).toHaveLength(1);
    expect(h.updater.diagnostics.map((d) => d.reason)).toEqual(['PathConflict']);
    fail = true;
    h.updater.apply({ snapshot: withIngress('b'), endpointSlices: [] }, [source]);
    expect(timings).toHaveLength(2);
    expect(timings.every((t) => t >= 0 && t < 1)).toBe(true);
    // A failed compile keeps the last reported diagnostics.
    expect(h.updater.diagnostics.map((d) => d.reason)).toEqual(['PathConflict']);
  });
});

describe('initialSettings (a replacement worker starts from the node\'s settings)', () => {
  const invalidNow: Snapshot = {
    ...emptySnapshot,
    configMap: {
      kind: 'ConfigMap',
      metadata: { namespace: 'sluice', name: 'sluice', uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} },
      data: { 'limit-req-status-code': 'not-a-status' },
    },
  };
  const updaterWith = (initialSettings?: typeof defaultGlobalSettings) => {
    const installed: RouteTable[] = [];
    const updater = new RouteUpdater({
      compile: (snapshot, options, previous) => compile(snapshot, options, previous),
      options: defaultCompileOptions,
      installTable: (t) => void installed.push(t),
      updateEndpoints: () => {},
      logger: pino({ level: 'silent' }),
      quiet: true,
      ...(initialSettings === undefined ? {} : { initialSettings }),
    });
    updater.apply({ snapshot: invalidNow, endpointSlices: [] }, []);
    return installed[0]!.settings.limitReqStatusCode;
  };

  it('an invalid ConfigMap value keeps the value the node had (429), not the flag default (503)', () => {
    expect(updaterWith({ ...defaultGlobalSettings, limitReqStatusCode: 429 })).toBe(429);
    expect(updaterWith()).toBe(defaultGlobalSettings.limitReqStatusCode);
    expect(defaultGlobalSettings.limitReqStatusCode).toBe(503);
  });
});
