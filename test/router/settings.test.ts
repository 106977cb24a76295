// The global ConfigMap → GlobalSettings (src/router/settings): every key's syntax as ingress-nginx and nginx accept
// it, hostile values, and the rule that an invalid value keeps the previous effective value.
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Diagnostic, GlobalSettings, SettingValues } from '../../src/model/index.ts';
import { defaultCompileOptions, defaultGlobalSettings, emptySnapshot } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { resolveSettings } from '../../src/router/settings/index.ts';

function configMap(data: Record<string, string>): ConfigMap {
  return {
    kind: 'ConfigMap',
    metadata: { namespace: 'sluice', name: 'sluice', uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} },
    data,
  };
}

const defaults: SettingValues = defaultGlobalSettings;

function resolve(data: Record<string, string>, previous: SettingValues = defaults): { settings: GlobalSettings; diagnostics: Diagnostic[] } {
  return resolveSettings(configMap(data), defaults, previous);
}

/** What a key alone sets: the setting it changes, or the diagnostic reason it raises. */
function outcome(key: string, raw: string): unknown {
  const { settings, diagnostics } = resolve({ [key]: raw });
  if (diagnostics.length > 0) return diagnostics.map((d) => d.reason).join(',');
  const changed = Object.entries(settings).filter(([name, value]) => value !== defaultGlobalSettings[name as keyof GlobalSettings]);
  return Object.fromEntries(changed.filter(([name]) => name !== 'strictTransportSecurity'));
}

const invalid = 'ConfigMapValueInvalid';

describe('ConfigMap values (ingress-nginx key names and syntax)', () => {
  it.each([
    // proxy-*-timeout: whole seconds (the ConfigMap's type is int), at least 1.
    ['proxy-connect-timeout', '10', { proxyConnectTimeoutMs: 10_000 }],
    ['proxy-connect-timeout', '2147483', { proxyConnectTimeoutMs: 2_147_483_000 }],
    ['proxy-read-timeout', '3600', { proxyReadTimeoutMs: 3_600_000 }],
    ['proxy-send-timeout', '120', { proxySendTimeoutMs: 120_000 }],
    ['proxy-send-timeout', '0', invalid],
    ['proxy-read-timeout', '0', invalid],
    ['proxy-read-timeout', '2147484', invalid], // beyond Node's longest timer
    ['proxy-read-timeout', '30s', invalid], // ingress-nginx's int does not take units
    ['proxy-read-timeout', '1.5', invalid],
    ['proxy-read-timeout', '-5', invalid],
    ['proxy-read-timeout', ' 60', invalid],
    ['proxy-read-timeout', '', invalid],
    // proxy-body-size: nginx sizes; 0 = no limit.
    ['proxy-body-size', '0', { proxyBodySize: 0 }],
    ['proxy-body-size', '8m', { proxyBodySize: 8 * 1024 * 1024 }],
    ['proxy-body-size', '8M', { proxyBodySize: 8 * 1024 * 1024 }],
    ['proxy-body-size', '512k', { proxyBodySize: 512 * 1024 }],
    ['proxy-body-size', '2g', { proxyBodySize: 2 * 1024 ** 3 }],
    ['proxy-body-size', '1000', { proxyBodySize: 1000 }],
    ['proxy-body-size', '1m', {}], // the default
    ['proxy-body-size', '10b', invalid], // ingress-nginx's annotation regex lets it through; nginx refuses it
    ['proxy-body-size', '1.5m', invalid],
    ['proxy-body-size', '1 m', invalid],
    ['proxy-body-size', '1t', invalid],
    ['proxy-body-size', '9999999999999999g', invalid], // not a safe integer of bytes
    // limit-*-status-code: 400-599 (nginx limit_req_status / limit_conn_status).
    ['limit-req-status-code', '429', { limitReqStatusCode: 429 }],
    ['limit-conn-status-code', '599', { limitConnStatusCode: 599 }],
    ['limit-req-status-code', '200', invalid],
    ['limit-req-status-code', '600', invalid],
    ['limit-req-status-code', '0429', invalid],
    // hsts*: Go's strconv.ParseBool; max-age digits.
    ['hsts', 'false', { hsts: false }],
    ['hsts', 'F', { hsts: false }],
    ['hsts', '0', { hsts: false }],
    ['hsts', 'TRUE', {}],
    ['hsts', 'yes', invalid],
    ['hsts', 'off', invalid],
    ['hsts-max-age', '600', { hstsMaxAge: 600 }],
    ['hsts-max-age', '0', { hstsMaxAge: 0 }],
    ['hsts-max-age', '1y', invalid],
    ['hsts-include-subdomains', 'false', { hstsIncludeSubdomains: false }],
    ['hsts-preload', 'true', { hstsPreload: true }],
    ['disable-access-log', 'true', { disableAccessLog: true }],
    ['disable-access-log', 'True', { disableAccessLog: true }],
    ['disable-access-log', 'on', invalid],
  ])('%s: %j → %j', (key, raw, expected) => {
    expect(outcome(key, raw)).toEqual(expected);
  });

  it.each([
    // Injection attempts: nothing a ConfigMap holds travels further than the number or boolean it parses to.
    ['proxy-read-timeout', '60\r\nX-Injected: 1'],
    ['proxy-read-timeout', '60;'],
    ['proxy-body-size', '1m; client_max_body_size 0'],
    ['proxy-body-size', '${body}'],
    ['proxy-body-size', '{1m}'],
    ['hsts-max-age', '31536000; includeSubDomains; preload'],
    ['hsts-max-age', '600\nStrict-Transport-Security: max-age=0'],
    ['hsts-max-age', '$hsts'],
    ['limit-req-status-code', '429\r\n'],
    ['hsts', 'true;'],
    ['disable-access-log', 'true\n'],
  ])('hostile %s value %j is refused and never reaches the settings', (key, raw) => {
    const { settings, diagnostics } = resolve({ [key]: raw });
    expect(diagnostics.map((d) => [d.reason, d.field])).toEqual([[invalid, `data[${key}]`]]);
    expect(settings).toEqual(defaultGlobalSettings);
    // The message quotes the value with JSON escaping: one line, control characters visible.
    expect(diagnostics[0]!.message).not.toMatch(/[\r\n]/);
  });
});

describe('resolution rules', () => {
  it('no ConfigMap, or an empty one: the defaults (the CLI flags), nothing reported', () => {
    expect(resolveSettings(null, defaults, defaults)).toEqual({ settings: defaultGlobalSettings, diagnostics: [] });
    expect(resolve({})).toEqual({ settings: defaultGlobalSettings, diagnostics: [] });
  });

  it('the defaults come from the flags: an absent key takes the flag value, not the previous value', () => {
    const flags = { ...defaults, proxyReadTimeoutMs: 5_000 };
    const previous = { ...defaults, proxyReadTimeoutMs: 90_000 };
    expect(resolveSettings(configMap({}), flags, previous).settings.proxyReadTimeoutMs).toBe(5_000);
  });

  it('an invalid value keeps the PREVIOUS effective value of that key, names the ConfigMap and the field, and leaves the other keys alone', () => {
    const first = resolve({ 'proxy-read-timeout': '30', 'limit-req-status-code': '429', 'proxy-body-size': '8m' });
    expect(first.diagnostics).toEqual([]);
    const second = resolve({ 'proxy-read-timeout': 'soon', 'limit-req-status-code': '503', 'proxy-body-size': '16m' }, first.settings);
    expect(second.settings).toMatchObject({ proxyReadTimeoutMs: 30_000, limitReqStatusCode: 503, proxyBodySize: 16 * 1024 * 1024 });
    expect(second.diagnostics).toEqual([{
      severity: 'Error',
      reason: 'ConfigMapValueInvalid',
      object: { kind: 'ConfigMap', namespace: 'sluice', name: 'sluice' },
      field: 'data[proxy-read-timeout]',
      message: 'proxy-read-timeout: "soon" is not a whole number of seconds from 1 to 2147483; the previous value 30 stays in effect',
    }]);
    // Still invalid on the next change: still the value from before it went bad.
    const third = resolve({ 'proxy-read-timeout': 'soon' }, second.settings);
    expect(third.settings.proxyReadTimeoutMs).toBe(30_000);
    // Removed: back to the default.
    expect(resolve({}, third.settings).settings.proxyReadTimeoutMs).toBe(60_000);
  });

  it('an invalid value with no previous table keeps the default', () => {
    expect(resolve({ 'proxy-body-size': 'huge' }).settings.proxyBodySize).toBe(1024 * 1024);
  });

  it('Strict-Transport-Security is built from the four hsts keys, as ingress-nginx writes it', () => {
    expect(resolve({}).settings.strictTransportSecurity).toBe('max-age=31536000; includeSubDomains');
    expect(resolve({ 'hsts-max-age': '600', 'hsts-preload': 'true' }).settings.strictTransportSecurity).toBe('max-age=600; includeSubDomains; preload');
    expect(resolve({ 'hsts-include-subdomains': 'false' }).settings.strictTransportSecurity).toBe('max-age=31536000');
    expect(resolve({ hsts: 'false', 'hsts-max-age': '600' }).settings.strictTransportSecurity).toBeNull();
    // An invalid hsts-max-age keeps the previous one in the header too.
    const previous = resolve({ 'hsts-max-age': '600' }).settings;
    expect(resolve({ 'hsts-max-age': '600; preload' }, previous).settings.strictTransportSecurity).toBe('max-age=600; includeSubDomains');
  });

  it.each([
    ['server-snippet', 'location /admin { allow all; }'],
    ['http-snippet', 'lua_shared_dict x 1m;'],
    ['main-snippet', 'load_module x.so;'],
    ['location-snippet', 'return 200;'],
    ['stream-snippet', 'server { listen 9000; }'],
    ['modsecurity-snippet', 'SecRuleEngine Off'],
    ['global-auth-snippet', 'proxy_set_header X 1;'],
    ['plugins', 'hello_world'],
    ['allow-snippet-annotations', 'true'],
  ])('raw nginx configuration and code (%s) is refused with a Warning and changes nothing', (key, raw) => {
    const { settings, diagnostics } = resolve({ [key]: raw });
    expect(settings).toEqual(defaultGlobalSettings);
    expect(diagnostics.map((d) => [d.severity, d.reason, d.field])).toEqual([['Warning', 'ConfigMapKeyNeverSupported', `data[${key}]`]]);
  });

  it('allow-snippet-annotations "false" asks for what Sluice always does: nothing to report', () => {
    expect(resolve({ 'allow-snippet-annotations': 'false' }).diagnostics).toEqual([]);
  });

  it.each([
    ['use-gzip', 'true', /^use-gzip is not supported by Sluice; ignored$/],
    ['ssl-protocols', 'TLSv1.3', /use the --ssl-protocols flag/],
    ['use-forwarded-headers', 'true', /use the --trusted-proxies flag/],
    ['proxy-body-szie', '8m', /^proxy-body-szie is not supported by Sluice; ignored$/],
  ])('other keys (%s) are reported as not supported (Info) and ignored', (key, raw, message) => {
    const { settings, diagnostics } = resolve({ [key]: raw });
    expect(settings).toEqual(defaultGlobalSettings);
    expect(diagnostics.map((d) => [d.severity, d.reason, d.field])).toEqual([['Info', 'ConfigMapKeyNotSupported', `data[${key}]`]]);
    expect(diagnostics[0]!.message).toMatch(message);
  });

  it('compile carries the settings on the table and reports the ConfigMap\'s diagnostics with the rest', () => {
    const snapshot = { ...emptySnapshot, configMap: configMap({ 'limit-req-status-code': '429', 'proxy-read-timeout': 'x' }) };
    const previous = { ...defaults, proxyReadTimeoutMs: 45_000 };
    const { table, diagnostics } = compile(snapshot, defaultCompileOptions, previous);
    expect(table.settings).toMatchObject({ limitReqStatusCode: 429, proxyReadTimeoutMs: 45_000 });
    expect(diagnostics.map((d) => d.field)).toEqual(['data[proxy-read-timeout]']);
    // Without `previous` (the first table): the defaults.
    expect(compile(snapshot, defaultCompileOptions).table.settings.proxyReadTimeoutMs).toBe(60_000);
  });
});
