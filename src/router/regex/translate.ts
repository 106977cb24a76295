// nginx location regexes (PCRE, `~*` = caseless) → JavaScript RegExp source, at compile time only.
//
// Three goals: the same matches as nginx, a bounded matching time, and no surprise. So:
// - Case-insensitivity is spelled out (`a` → `[aA]`) instead of the `i` flag: nginx's PCRE runs without UTF mode,
//   which folds ASCII letters only, exactly what the expansion does; and V8 can only fall back to its linear-time
//   engine for regexes without `i` (measured, see engine.ts).
// - `.` and `\s` keep PCRE's meaning (`.` excludes only LF; `\s` is the six ASCII spaces), not JavaScript's.
// - Constructs that have no faithful JavaScript equivalent or no linear-time execution (back-references,
//   lookaround, atomic groups, possessive quantifiers, recursion, inline flags other than (?i), \p, \G, \K …)
//   are refused with the reason, never approximated.
// The result is anchored at the start only, as ingress-nginx writes `location ~* "^<path>"`.
import { classEscapes, controlEscapes, readClass, readHex } from './char-class.ts';
import { Refused } from './refused.ts';

export type Translation =
  | { readonly ok: true; readonly source: string; readonly groups: number }
  | { readonly ok: false; readonly why: string };

/** Longest pattern accepted; real paths are far shorter, and the limit bounds the linear engine's work. */
export const maxPatternLength = 1024;
/** Upper bound of the expanded pattern size (atoms × repetition counts), so `(a{999}){999}` is refused. */
const maxWeight = 20_000;

export function translatePcre(pattern: string, caseless: boolean): Translation {
  if (pattern.length > maxPatternLength) return fail(`it is longer than ${maxPatternLength} characters`);
  try {
    const translator = new Translator(pattern, caseless);
    const source = translator.run();
    return { ok: true, source: `^(?:${source})`, groups: translator.groups };
  } catch (error: unknown) {
    // Messages quote pieces of the pattern: control characters are shown escaped, so a message stays one line.
    if (error instanceof Refused) return fail(error.message.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1)));
    throw error;
  }
}

function fail(why: string): Translation {
  return { ok: false, why };
}


class Translator {
  readonly #p: string;
  readonly #caseless: boolean;
  #i = 0;
  #out = '';
  groups = 0;
  /** Weight of the sequence being built at each open group depth, and of the last atom (for quantifiers). */
  readonly #weights: number[] = [0];
  #lastAtom = 0;
  #canQuantify = false;

  constructor(pattern: string, caseless: boolean) {
    this.#p = pattern;
    this.#caseless = caseless;
  }

  run(): string {
    while (this.#i < this.#p.length) this.#step();
    if (this.#weights.length !== 1) throw new Refused('a group is not closed');
    return this.#out;
  }

  #step(): void {
    const c = this.#p[this.#i]!;
    this.#i++;
    switch (c) {
      case '\\': return this.#escape();
      case '[': {
        const parsed = readClass(this.#p, this.#i, this.#caseless);
        this.#i = parsed.next;
        return this.#atom(parsed.source);
      }
      case '(': return this.#openGroup();
      case ')': return this.#closeGroup();
      case '|': return this.#plain('|');
      case '^': case '$': return this.#plain(c);
      case '.': return this.#atom(String.raw`[^\n]`);
      case '*': case '+': case '?': return this.#quantifier(c === '*' ? 0 : c === '+' ? 1 : 0, c === '?' ? 1 : -1, c);
      case '{': return this.#brace();
      default: return this.#atom(this.#literal(c.charCodeAt(0)));
    }
  }

  /** Zero-width or alternation output: not repeatable. */
  #plain(text: string): void {
    this.#out += text;
    this.#canQuantify = false;
  }

  #atom(source: string, weight = 1): void {
    this.#out += source;
    this.#lastAtom = weight;
    this.#addWeight(weight);
    this.#canQuantify = true;
  }

  #addWeight(weight: number): void {
    const depth = this.#weights.length - 1;
    this.#weights[depth]! += weight;
    if (this.#weights[depth]! > maxWeight) throw new Refused('it is too large once its repetitions are expanded');
  }

  #literal(code: number): string {
    const c = String.fromCharCode(code);
    if (this.#caseless && /[a-zA-Z]/.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
    if (/[\\^$.|?*+()[\]{}\/-]/.test(c)) return `\\${c}`;
    if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
    return c;
  }

  #escape(): void {
    const c = this.#p[this.#i];
    if (c === undefined) throw new Refused('it ends with a lone backslash');
    this.#i++;
    if (c === 'd' || c === 'w' || c === 'D' || c === 'W' || c === 'b' || c === 'B') {
      return c === 'b' || c === 'B' ? this.#plain(`\\${c}`) : this.#atom(`\\${c}`);
    }
    if (c === 's' || c === 'S') return this.#atom(`[${c === 'S' ? '^' : ''}${classEscapes.s}]`);
    if (c === 'A') return this.#plain('^');
    if (c === 'z' || c === 'Z') return this.#plain('$');
    if (c === 'Q') return this.#quoted();
    if (c === 'x') {
      const hex = readHex(this.#p, this.#i);
      this.#i = hex.next;
      return this.#atom(this.#literal(hex.code));
    }
    if (c in controlEscapes) return this.#atom(this.#literal(controlEscapes[c]!));
    if (/[0-9]/.test(c)) throw new Refused(`back-references and octal escapes (\\${c}) are not supported`);
    if (/[a-zA-Z]/.test(c)) throw new Refused(`the escape \\${c} is not supported`);
    this.#atom(this.#literal(c.charCodeAt(0)));
  }

  /** \Q…\E: everything in between is literal. */
  #quoted(): void {
    const end = this.#p.indexOf('\\E', this.#i);
    const text = this.#p.slice(this.#i, end === -1 ? this.#p.length : end);
    this.#i = end === -1 ? this.#p.length : end + 2;
    for (const ch of text) this.#atom(this.#literal(ch.charCodeAt(0)));
  }

  #openGroup(): void {
    const rest = this.#p.slice(this.#i);
    let open = '(';
    if (rest.startsWith('?')) {
      const named = /^\?(?:P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*')/.exec(rest);
      if (named !== null) {
        this.#i += named[0].length;
        this.groups++;
      } else if (rest.startsWith('?:')) {
        this.#i += 2;
        open = '(?:';
      } else if (rest.startsWith('?#')) {
        const end = this.#p.indexOf(')', this.#i);
        if (end === -1) throw new Refused('a comment group is not closed');
        this.#i = end + 1;
        return;
      } else if (rest.startsWith('?i)')) {
        // Already caseless (`~*`): a no-op, as in nginx.
        this.#i += 3;
        return;
      } else {
        throw new Refused(`the group construct (${rest.slice(0, 3)} is not supported (lookaround, atomic, flags, recursion)`);
      }
    } else if (rest.startsWith('*')) {
      throw new Refused('PCRE verbs like (*UTF8) are not supported');
    } else {
      this.groups++;
    }
    this.#out += open;
    this.#weights.push(0);
    this.#canQuantify = false;
  }

  #closeGroup(): void {
    if (this.#weights.length === 1) throw new Refused("it has an unmatched ')'");
    const inner = this.#weights.pop()!;
    this.#atom(')', Math.max(inner, 1));
  }

  #brace(): void {
    const quantifier = /^(\d{1,4})(,(\d{0,4}))?\}/.exec(this.#p.slice(this.#i));
    if (quantifier === null) {
      // PCRE reads a `{` that does not start a valid quantifier as a literal.
      if (/^,\d/.test(this.#p.slice(this.#i))) throw new Refused('{,n} quantifiers are read differently by PCRE versions');
      return this.#atom(this.#literal(0x7b));
    }
    this.#i += quantifier[0].length;
    const min = Number(quantifier[1]);
    const max = quantifier[2] === undefined ? min : quantifier[3] === '' ? -1 : Number(quantifier[3]);
    if (max !== -1 && max < min) throw new Refused(`the quantifier {${min},${max}} has max < min`);
    this.#quantifier(min, max, `{${quantifier[0]}`);
  }

  /** `max` -1 = unbounded. `text` is the quantifier as written (without its `?` lazy suffix). */
  #quantifier(min: number, max: number, text: string): void {
    if (!this.#canQuantify) throw new Refused(`the quantifier '${text}' has nothing to repeat`);
    const next = this.#p[this.#i];
    if (next === '+') throw new Refused('possessive quantifiers (*+, ++, ?+) are not supported');
    const lazy = next === '?' ? '?' : '';
    if (lazy !== '') this.#i++;
    const factor = Math.max(max === -1 ? min + 1 : max, 1);
    this.#addWeight(this.#lastAtom * (factor - 1));
    this.#out += text + lazy;
    this.#canQuantify = false;
  }
}
