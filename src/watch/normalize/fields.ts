// Strict readers for untrusted object fields. Each reader either returns a typed value or throws a FieldError
// naming the exact field (`spec.rules[0].http.paths[1].pathType`), so every normaliser is a straight-line
// description of the schema and normalizeObject turns the first problem into one clear message.
//
// Messages never echo field values, except closed-enum values (never Secret material).

export class FieldError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(field ? `${field}: ${reason}` : reason);
    this.field = field;
  }
}

export type Fields = Readonly<Record<string, unknown>>;

export function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Kubernetes field-path style for list indexes and map keys: `items[3]`, `data[tls.crt]`. */
export function at(path: string, key: number | string): string {
  return `${path}[${key}]`;
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function fields(value: unknown, path: string): Fields {
  if (absent(value)) throw new FieldError(path, 'required');
  if (!isFields(value)) throw new FieldError(path, 'must be an object');
  return value;
}

export function optFields(value: unknown, path: string): Fields | undefined {
  return absent(value) ? undefined : fields(value, path);
}

export function optString(value: unknown, path: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw new FieldError(path, 'must be a string');
  return value;
}

/** Required string; '' counts as missing, as the API server's `field.Required` does. */
export function reqString(value: unknown, path: string): string {
  const s = optString(value, path);
  if (s === undefined || s === '') throw new FieldError(path, 'required');
  return s;
}

export function optBool(value: unknown, path: string): boolean | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'boolean') throw new FieldError(path, 'must be a boolean (true or false)');
  return value;
}

export function optPort(value: unknown, path: string): number | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new FieldError(path, 'must be an integer');
  if (value < 1 || value > 65535) throw new FieldError(path, 'must be between 1 and 65535');
  return value;
}

export function reqPort(value: unknown, path: string): number {
  const port = optPort(value, path);
  if (port === undefined) throw new FieldError(path, 'required');
  return port;
}

/** A list; absent or null reads as empty (the API serialises empty lists as null). */
export function list(value: unknown, path: string): readonly unknown[] {
  if (absent(value)) return [];
  if (!Array.isArray(value)) throw new FieldError(path, 'must be a list');
  return value;
}

export function stringList(value: unknown, path: string): string[] {
  return list(value, path).map((item, i) => {
    if (typeof item !== 'string') throw new FieldError(at(path, i), 'must be a string');
    return item;
  });
}

/** A string→string map such as labels; a number or boolean value (unquoted in YAML) is an error, as in kubectl. */
export function stringMap(value: unknown, path: string): Record<string, string> {
  const map = optFields(value, path) ?? {};
  // Object.fromEntries defines own properties, so a `__proto__` key cannot reach the prototype.
  return Object.fromEntries(
    Object.entries(map).map(([key, v]) => {
      if (typeof v !== 'string') throw new FieldError(at(path, key), 'must be a string (quote it in YAML)');
      return [key, v];
    }),
  );
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (absent(value)) throw new FieldError(path, 'required');
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const shown = typeof value === 'string' ? ` ${JSON.stringify(value.slice(0, 64))}` : '';
    throw new FieldError(path, `unsupported value${shown}; expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
  return absent(value) ? undefined : oneOf(value, allowed, path);
}

/** Drops keys whose value is undefined, so optional fields are truly absent (stable golden output, toStrictEqual). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// IANA_SVC_NAME (RFC 6335), as the API server validates named ports: ≤15 chars, lower-case alphanumerics and
// '-', at least one letter (so "8080" is rejected: a quoted number is a mistake, not a port name).
export function isPortName(name: string): boolean {
  return (
    name.length <= 15 &&
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) &&
    !name.includes('--') &&
    /[a-z]/.test(name)
  );
}
