// Value syntax of the ConfigMap keys Sluice reads, as ingress-nginx reads them (its Configuration struct is decoded
// with mapstructure's weakly typed input: ints by strconv, bools by strconv.ParseBool) and as nginx then accepts
// them (sizes: ngx_parse_offset). Every accepted value is digits or a closed word, so nothing a ConfigMap holds
// (CR/LF, `;`, braces, `$`) can travel further than the number or boolean it parses to.
import { quote } from '../annotations/values.ts';

export type ParsedValue<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

const ok = <T>(value: T): ParsedValue<T> => ({ ok: true, value });
const invalid = <T>(why: string): ParsedValue<T> => ({ ok: false, why });

/** The longest timer Node can arm (setTimeout's 2^31-1 ms), in whole seconds: ≈24.8 days. */
export const maxTimeoutSeconds = 2_147_483;

/** proxy-*-timeout: whole seconds (the ConfigMap's type is int; nginx reads them as `<n>s`), at least 1. */
export function parseTimeoutSeconds(raw: string): ParsedValue<number> {
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > maxTimeoutSeconds) {
    return invalid(`${quote(raw)} is not a whole number of seconds from 1 to ${maxTimeoutSeconds}`);
  }
  return ok(Number(raw) * 1000);
}

const sizeUnits: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * An nginx size (client_max_body_size): bytes, or k/m/g (either case) for KiB/MiB/GiB; `0` turns the limit off.
 * ingress-nginx's annotation validator also lets a `b` suffix through, which nginx itself refuses.
 */
export function parseSize(raw: string): ParsedValue<number> {
  const match = /^(\d{1,15})([kKmMgG]?)$/.exec(raw);
  const bytes = match === null ? NaN : Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(bytes)) return invalid(`${quote(raw)} is not an nginx size such as 1m, 512k or 0 (no limit)`);
  return ok(bytes);
}

/** limit-*-status-code: nginx's limit_req_status / limit_conn_status accept 400-599. */
export function parseLimitStatus(raw: string): ParsedValue<number> {
  if (!/^\d{3}$/.test(raw) || Number(raw) < 400 || Number(raw) > 599) return invalid(`${quote(raw)} is not an HTTP status from 400 to 599`);
  return ok(Number(raw));
}

/** hsts-max-age: seconds, digits only (it is written into the header as is). */
export function parseMaxAge(raw: string): ParsedValue<number> {
  if (!/^\d{1,10}$/.test(raw)) return invalid(`${quote(raw)} is not a number of seconds`);
  return ok(Number(raw));
}

/** Go's strconv.ParseBool, which decodes every boolean key of ingress-nginx's ConfigMap. */
export function parseBool(raw: string): ParsedValue<boolean> {
  switch (raw) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return ok(true);
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return ok(false);
    default:
      return invalid(`${quote(raw)} is not a boolean (true or false)`);
  }
}
