// router/settings: the global ConfigMap resolved over the CLI flags' defaults (GlobalSettings, carried by the table).
export { resolveSettings, strictTransportSecurity, type ResolvedSettings } from './resolve-settings.ts';
export { settingKeys, refusedKeys } from './keys.ts';
export { parseSize } from './values.ts';
