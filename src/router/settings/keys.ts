// The ConfigMap keys Sluice reads (ingress-nginx's names and meanings), and what it says about the others: keys
// that carry raw nginx configuration or code are refused loudly; every other key is reported as not supported,
// with the flag to use where Sluice has one.
import type { SettingValues } from '../../model/index.ts';
import { parseBool, parseLimitStatus, parseMaxAge, parseSize, parseTimeoutSeconds, type ParsedValue } from './values.ts';

/** The settings a key can set. */
export type SettingName = keyof SettingValues;

export interface SettingKey<K extends SettingName = SettingName> {
  /** The ConfigMap key. */
  readonly key: string;
  readonly setting: K;
  readonly parse: (raw: string) => ParsedValue<SettingValues[K]>;
  /** The effective value as a ConfigMap would write it, for messages ("60", "1m", "true"). */
  readonly show: (value: SettingValues[K]) => string;
}

function key<K extends SettingName>(
  name: string,
  setting: K,
  parse: (raw: string) => ParsedValue<SettingValues[K]>,
  show: (value: SettingValues[K]) => string = String,
): SettingKey<K> {
  return { key: name, setting, parse, show };
}

const seconds = (ms: number): string => String(ms / 1000);

function size(bytes: number): string {
  for (const [unit, factor] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes !== 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

export const settingKeys: readonly SettingKey[] = [
  key('proxy-connect-timeout', 'proxyConnectTimeoutMs', parseTimeoutSeconds, seconds),
  key('proxy-read-timeout', 'proxyReadTimeoutMs', parseTimeoutSeconds, seconds),
  key('proxy-send-timeout', 'proxySendTimeoutMs', parseTimeoutSeconds, seconds),
  key('proxy-body-size', 'proxyBodySize', parseSize, size),
  key('limit-req-status-code', 'limitReqStatusCode', parseLimitStatus),
  key('limit-conn-status-code', 'limitConnStatusCode', parseLimitStatus),
  key('hsts', 'hsts', parseBool),
  key('hsts-max-age', 'hstsMaxAge', parseMaxAge),
  key('hsts-include-subdomains', 'hstsIncludeSubdomains', parseBool),
  key('hsts-preload', 'hstsPreload', parseBool),
  key('disable-access-log', 'disableAccessLog', parseBool),
] as SettingKey[];

/**
 * Raw nginx configuration (the *-snippet keys) or code (Lua plugins): never executed. ingress-nginx inserts them
 * into nginx.conf verbatim, which is exactly what Sluice exists not to do.
 */
export const refusedKeys: ReadonlyMap<string, string> = new Map([
  ...['main-snippet', 'http-snippet', 'server-snippet', 'location-snippet', 'stream-snippet', 'modsecurity-snippet', 'global-auth-snippet']
    .map((name) => [name, 'raw nginx configuration, which Sluice never executes'] as const),
  ['plugins', 'Lua plugins (code), which Sluice never runs'],
  ['allow-snippet-annotations', 'snippet annotations are never executed by Sluice, whatever this says'],
]);

/** What to use instead, for keys whose job a Sluice flag or setting does (process-level settings are flags). */
export const insteadOf: Readonly<Record<string, string>> = {
  'ssl-protocols': 'use the --ssl-protocols flag',
  'ssl-ciphers': 'use the --ssl-ciphers flag',
  'bind-address': 'use the --bind-address flag',
  'access-log-path': 'use the --access-log flag',
  'http-access-log-path': 'use the --access-log flag',
  'proxy-real-ip-cidr': 'use the --trusted-proxies flag',
  'use-forwarded-headers': 'use the --trusted-proxies flag',
  'enable-real-ip': 'use the --trusted-proxies flag',
};
