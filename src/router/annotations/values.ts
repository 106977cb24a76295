// Value validators shared by the annotation parsers, reproducing ingress-nginx's
// (internal/ingress/annotations/parser/validators.go and main.go). Every allow-list excludes CR and LF, so no
// accepted value can start a new header line or nginx directive; values are anchored regexes run at compile time
// only.
import { accept, refuse, type Parsed, type Refusal } from './descriptor.ts';

const alphaNumeric = String.raw`\-._~a-zA-Z0-9/:`;
/** validators.go URLIsValidRegex: URLs with a query string, nothing else (no '%', '#', quotes, spaces). */
export const urlChars = new RegExp(`^[${alphaNumeric}?&=]*$`);
/** validators.go BasicCharsRegex. */
export const basicChars = new RegExp(`^[${alphaNumeric}]*$`);
/** validators.go RegexPathWithCapture: rewrite-target and app-root. */
export const pathWithCapture = new RegExp(`^/?[${alphaNumeric}$]*$`);
/** validators.go IsValidRegex (ValidateServerName): upstream-vhost, server-alias. */
export const serverNameChars = new RegExp(String.raw`^[${alphaNumeric}^$\[\](){}*+?|&=\\]*$`);
/** machinery NameIsDNS1035Label (ValidateServiceName). */
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Go's strconv.ParseBool, which every boolean annotation uses. */
export function parseGoBool(raw: string, onInvalid: Refusal): Parsed<boolean> {
  switch (raw) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return accept(true);
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return accept(false);
    default:
      return refuse(onInvalid, `${quote(raw)} is not a boolean (true/false, 1/0, t/f)`);
  }
}

/** Go's strconv.Atoi (ValidateInt), limited to values that fit comfortably in a JS number. */
export function parseGoInt(raw: string, onInvalid: Refusal): Parsed<number> {
  if (!/^[+-]?\d{1,15}$/.test(raw)) return refuse(onInvalid, `${quote(raw)} is not an integer`);
  return accept(Number(raw));
}

/**
 * ValidateRegex(regex, removeSpace) followed by GetStringAnnotation: the raw value is validated (spaces removed
 * first when asked), the value used is trimmed. An empty value is "invalid content" in ingress-nginx, which the
 * parsers ignore.
 */
export function parseChecked(
  raw: string,
  allowed: RegExp,
  what: string,
  onInvalid: Refusal = 'reject',
  removeSpace = false,
): Parsed<string> {
  if (raw.trim() === '') return refuse('ignore', 'the value is empty');
  const checked = removeSpace ? raw.replaceAll(' ', '') : raw;
  if (!allowed.test(checked)) return refuse(onInvalid, `${quote(raw)} is not a valid ${what}`);
  return accept(raw.trim());
}

export function parseServiceName(raw: string): Parsed<string> {
  if (raw === '') return refuse('ignore', 'the value is empty');
  if (raw.length > 63 || !dns1035Label.test(raw)) return refuse('reject', `${quote(raw)} is not a valid Service name`);
  return accept(raw);
}

/** Values in messages: JSON quoting makes control characters visible and keeps a message on one line. */
export function quote(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
}
