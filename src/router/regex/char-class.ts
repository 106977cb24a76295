// PCRE character classes (`[…]`) → JavaScript class source, with PCRE's caseless ASCII folding spelled out.
// Part of translate.ts's translation; compile time only.
import { Refused } from './refused.ts';

export const classEscapes: Readonly<Record<string, string>> = {
  d: '0-9',
  w: 'a-zA-Z0-9_',
  // PCRE's \s without UCP: the six ASCII white-space characters (JavaScript's also has Unicode spaces).
  s: String.raw`\t\n\x0B\f\r `,
};
export const controlEscapes: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, f: 12, e: 27, a: 7 };
const posixClasses: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: String.raw`\t\n\x0B\f\r `,
  xdigit: '0-9a-fA-F', word: 'a-zA-Z0-9_', punct: String.raw`!-\/:-@\[-\x60{-~`, blank: String.raw` \t`,
};

/** `\xhh` after the `x` at `i`: the code and where the escape ends. */
export function readHex(p: string, i: number): { code: number; next: number } {
  const digits = /^[0-9a-fA-F]{1,2}/.exec(p.slice(i))?.[0];
  if (digits === undefined) throw new Refused(String.raw`only \xhh hexadecimal escapes are supported`);
  return { code: parseInt(digits, 16), next: i + digits.length };
}

/** The class starting after the `[` at `start`: its JavaScript source and the index after its `]`. */
export function readClass(p: string, start: number, caseless: boolean): { source: string; next: number } {
  const reader = new ClassReader(p, start);
  const negated = p[reader.i] === '^';
  if (negated) reader.i++;
  let first = true;
  for (;;) {
    const c = p[reader.i];
    if (c === undefined) throw new Refused("a character class '[' is not closed");
    if (c === ']' && !first) break;
    first = false;
    reader.item(caseless);
  }
  if (caseless) addOtherCase(reader.ranges);
  const source = `[${negated ? '^' : ''}${reader.ranges.map(rangeSource).join('')}${reader.extra.join('')}]`;
  return { source, next: reader.i + 1 };
}

class ClassReader {
  readonly ranges: [number, number][] = [];
  readonly extra: string[] = [];
  readonly #p: string;
  i: number;

  constructor(p: string, i: number) {
    this.#p = p;
    this.i = i;
  }

  item(caseless: boolean): void {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.#p.slice(this.i));
    if (posix !== null) {
      // Caseless [[:upper:]] and [[:lower:]] match both cases in PCRE.
      const name = caseless && (posix[2] === 'upper' || posix[2] === 'lower') ? 'alpha' : posix[2]!;
      const set = posixClasses[name];
      if (posix[1] !== '' || set === undefined) throw new Refused(`the POSIX class [:${posix[1]}${posix[2]}:] is not supported`);
      this.i += posix[0].length;
      this.extra.push(set);
      return;
    }
    const low = this.#char();
    if (low === null) return;
    if (this.#p[this.i] === '-' && this.#p[this.i + 1] !== ']' && this.#p[this.i + 1] !== undefined) {
      this.i++;
      const high = this.#char();
      if (high === null) throw new Refused('a class range ends in a class escape');
      if (high < low) throw new Refused('a class range is out of order');
      this.ranges.push([low, high]);
      return;
    }
    this.ranges.push([low, low]);
  }

  /** One character of the class as a code, or null when it was a class escape (\d, \w…) added to `extra`. */
  #char(): number | null {
    const c = this.#p[this.i]!;
    this.i++;
    if (c !== '\\') return c.charCodeAt(0);
    const e = this.#p[this.i];
    if (e === undefined) throw new Refused('it ends with a lone backslash');
    this.i++;
    if (e === 'd' || e === 'w' || e === 's') {
      this.extra.push(classEscapes[e]!);
      return null;
    }
    if (e === 'D' || e === 'W') {
      this.extra.push(`\\${e}`);
      return null;
    }
    if (e === 'S') throw new Refused(String.raw`\S inside a character class is not supported`);
    if (e === 'b') return 8;
    if (e === 'x') {
      const hex = readHex(this.#p, this.i);
      this.i = hex.next;
      return hex.code;
    }
    if (e in controlEscapes) return controlEscapes[e]!;
    if (/[a-zA-Z0-9]/.test(e)) throw new Refused(`the escape \\${e} is not supported in a character class`);
    return e.charCodeAt(0);
  }
}

/** ASCII case folding of a class's ranges (PCRE caseless, non-UTF). */
function addOtherCase(ranges: [number, number][]): void {
  const added: [number, number][] = [];
  for (const [low, high] of ranges) {
    const lowerFrom = Math.max(low, 0x61);
    const lowerTo = Math.min(high, 0x7a);
    if (lowerFrom <= lowerTo) added.push([lowerFrom - 0x20, lowerTo - 0x20]);
    const upperFrom = Math.max(low, 0x41);
    const upperTo = Math.min(high, 0x5a);
    if (upperFrom <= upperTo) added.push([upperFrom + 0x20, upperTo + 0x20]);
  }
  ranges.push(...added);
}

function rangeSource([low, high]: [number, number]): string {
  return low === high ? classChar(low) : `${classChar(low)}-${classChar(high)}`;
}

function classChar(code: number): string {
  if (code < 0x20 || code >= 0x7f || '\\]^-['.includes(String.fromCharCode(code))) {
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return String.fromCharCode(code);
}
