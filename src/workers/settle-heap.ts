// A full garbage collection once the first complete load is in, before traffic is let in. The load leaves a
// heap V8 has not collected yet: the full compile's drafts and the JSON the first update came in (workers), the
// informers' lists and the startup's young generation (the primary). Left alone, V8 collected it in the first
// seconds of serving: with bench/'s 10 000-Ingress table a worker's mark-compact (10–15 ms pause plus marking
// steps of up to 20 ms) 2–4 s after start, and a 24–34 ms scavenge on the primary that promoted the startup's
// survivors; changes served then took 18–78 ms instead of 2–5 (table10k-kube, --trace-gc).
//
// The collection is V8's "last resort" flavour (what Isolate::LowMemoryNotification runs: full GCs that compact
// every page and give the freed ones back), not a plain full GC. A plain one frees the objects but keeps the pages
// committed, and with the memory reducer off (bin/sluice.mjs) nothing gives them back later: with the 10k table
// the primary kept 195 MiB committed for 65 MiB of live heap, and the process stayed at 357 MiB RSS when idle.
// Measured with that table, one worker, 3 starts each: idle RSS 346–352 → 215–217 MiB; it costs a few GCs more
// before traffic, start to ready 4.9–5.8 → 5.5–6.7 s.
//
// Node offers no call to ask for a collection without --expose-gc on the command line, so the flag is turned on
// just long enough to take the `gc` function of a fresh context, then off again. If that ever fails, nothing is
// collected early: V8 collects as it would have.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let collect: Collect | null | undefined;

export function settleHeap(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    } catch {
      collect = null;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
