// The global ConfigMap → the GlobalSettings a routing table carries. Pure, like the rest of compile: the same
// ConfigMap, defaults and previous settings give the same result.
//
// Per key: absent → the default (the CLI flag); valid → its value; invalid → a diagnostic naming the ConfigMap and
// the key, and the key's PREVIOUS effective value stays in effect (ingress-nginx would instead fail its reload
// and keep its whole previous configuration; keeping only the one bad key is the same promise, finer grained).
import type { ConfigMap, Diagnostic, GlobalSettings, SettingValues } from '../../model/index.ts';
import { refOf } from '../../model/index.ts';
import { diagnose } from '../diagnostics.ts';
import { insteadOf, refusedKeys, settingKeys, type SettingKey, type SettingName } from './keys.ts';
import { parseBool } from './values.ts';

export interface ResolvedSettings {
  readonly settings: GlobalSettings;
  /** Sorted by key. */
  readonly diagnostics: Diagnostic[];
}

const byKey = new Map(settingKeys.map((k) => [k.key, k]));

/**
 * `configMap`: the snapshot's (null: none, every setting at its default). `defaults`: from the CLI flags.
 * `previous`: the settings of the table serving now (the defaults when there is none yet).
 */
export function resolveSettings(configMap: ConfigMap | null, defaults: SettingValues, previous: SettingValues): ResolvedSettings {
  const values: Record<SettingName, number | boolean> = { ...valuesOf(defaults) };
  const diagnostics: Diagnostic[] = [];
  if (configMap !== null) {
    const report = reporter(configMap, diagnostics);
    for (const name of Object.keys(configMap.data).sort()) {
      const raw = configMap.data[name]!;
      const known = byKey.get(name);
      if (known !== undefined) {
        values[known.setting] = read(known, raw, previous, report);
      } else if (refusedKeys.has(name)) {
        // allow-snippet-annotations "false" asks for what Sluice always does: nothing to report.
        if (name !== 'allow-snippet-annotations' || !isFalse(raw)) {
          report('ConfigMapKeyNeverSupported', name, `${name}: ${refusedKeys.get(name)}; refused`);
        }
      } else {
        const hint = insteadOf[name];
        report('ConfigMapKeyNotSupported', name, `${name} is not supported by Sluice; ignored${hint === undefined ? '' : `: ${hint}`}`);
      }
    }
  }
  const settings = values as unknown as SettingValues;
  return { settings: Object.freeze({ ...settings, strictTransportSecurity: strictTransportSecurity(settings) }), diagnostics };
}

type Report = (reason: Diagnostic['reason'], key: string, message: string) => void;

function reporter(configMap: ConfigMap, diagnostics: Diagnostic[]): Report {
  const ref = refOf(configMap);
  return (reason, key, message) => diagnostics.push(diagnose(ref, reason, `data[${key}]`, message, severityOf[reason]));
}

const severityOf: Partial<Record<Diagnostic['reason'], Diagnostic['severity']>> = {
  ConfigMapValueInvalid: 'Error',
  ConfigMapKeyNeverSupported: 'Warning',
  ConfigMapKeyNotSupported: 'Info',
};

function read(known: SettingKey, raw: string, previous: SettingValues, report: Report): number | boolean {
  const parsed = known.parse(raw);
  if (parsed.ok) return parsed.value;
  const kept = previous[known.setting];
  report('ConfigMapValueInvalid', known.key, `${known.key}: ${parsed.why}; the previous value ${known.show(kept as never)} stays in effect`);
  return kept;
}

function isFalse(raw: string): boolean {
  const parsed = parseBool(raw);
  return parsed.ok && !parsed.value;
}

/** Only the values (a GlobalSettings passed as defaults or previous also carries what is derived from them). */
function valuesOf(settings: SettingValues): Record<SettingName, number | boolean> {
  const values: Partial<Record<SettingName, number | boolean>> = {};
  for (const { setting } of settingKeys) values[setting] = settings[setting];
  return values as Record<SettingName, number | boolean>;
}

/**
 * ingress-nginx's header (lua_ingress.lua header()): `max-age=<n>`, then `; includeSubDomains`, then `; preload`.
 * Sent only on HTTPS responses for hosts with a certificate of their own (the proxy checks that per request).
 */
export function strictTransportSecurity(hsts: Pick<SettingValues, 'hsts' | 'hstsMaxAge' | 'hstsIncludeSubdomains' | 'hstsPreload'>): string | null {
  if (!hsts.hsts) return null;
  return `max-age=${hsts.hstsMaxAge}${hsts.hstsIncludeSubdomains ? '; includeSubDomains' : ''}${hsts.hstsPreload ? '; preload' : ''}`;
}
