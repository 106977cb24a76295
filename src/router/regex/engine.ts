// Compiling translated path regexes so that no request can make matching run away (ReDoS).
//
// Decision by measurement (Node 24.21 / V8, see the issue 4 report and test/router/regex-engine.test.ts):
// - V8's backtracking engine matches a typical path regex in 25–50 ns; its linear-time engine (`l` flag) in
//   270–1,800 ns: 10–60× slower on every request, for every regex route tried.
// - V8 can instead fall back to the linear engine only when a match backtracks excessively
//   (--enable-experimental-regexp-engine-on-excessive-backtracks, after 50,000 backtracks by default): `^/(a+)+$`
//   against '/' + 'a'×100,000 + '!' then takes ~24 ms instead of never finishing (2 s at only 28 characters).
//   The fallback only exists for regexes the linear engine accepts, and never for the `i` flag — which is why
//   translate.ts spells case-insensitivity out, and why compileBounded refuses a regex the linear engine cannot
//   run (checked by compiling it once with `l`).
// - Alternatives rejected: the `re2` package needs a native build against Node's headers on every install; static
//   checkers (`recheck`: time-budgeted, so compile would stop being deterministic; `safe-regex`: misses `(a|aa)*`).
//
// The flags are process-wide and only read when a regex is compiled or backtracks, so setting them once here,
// before any path regex exists, is enough. The router stays pure in the sense that matters: no I/O.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--enable-experimental-regexp-engine');

const linearSupported = (() => {
  try {
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
})();

export type Bounded = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly why: string };

/** Compiles a translated source; refuses one whose matching time could not be bounded. */
export function compileBounded(source: string): Bounded {
  if (!linearSupported) return { ok: false, why: 'this Node.js has no linear-time regex engine to bound matching with' };
  try {
    new RegExp(source, 'l');
  } catch {
    return { ok: false, why: 'it cannot be run by a linear-time engine, so its matching time could not be bounded' };
  }
  try {
    return { ok: true, regex: new RegExp(source) };
  } catch (error: unknown) {
    return { ok: false, why: `it is not a valid regular expression (${(error as Error).message})` };
  }
}
