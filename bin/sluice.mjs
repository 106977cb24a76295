#!/usr/bin/env node
// The `sluice` command. Node 24 runs the TypeScript sources directly (type stripping, no build step); stripping
// instantiates a WebAssembly transformer in every thread that loads a .ts file, ≈27 MiB of RSS each. With Node's
// compile cache on, a restart reads the stripped code (and V8's code cache) back from disk and never loads the
// transformer, in the primary or in the worker threads (which inherit NODE_COMPILE_CACHE). Measured, idle, file
// mode: 2 workers 223 → 174 MiB, 1 worker 175 → 142 MiB (measured again after later memory work: 1 worker 112 → 97,
// 2 workers 128 → 116). A start in an empty directory fills the cache; an unwritable directory only turns the
// cache off. The DaemonSet gives it an emptyDir, which outlives container restarts, and fills it before the first
// start with bin/warm-compile-cache.mjs (an init container).
//
// V8's memory reducer is off, for every thread (set before any worker's heap exists, and before the compile cache
// is opened: V8's flags are part of its key). After a quiet spell it collects an idle heap and lowers the old
// generation's limit to what is live; when traffic came back, a worker then promoted heavily and ran a
// mark-compact every ≈150 ms. Measured, one worker, one route, wrk 50 connections in 6 s runs with 30 s of idle
// between them: after each idle spell 26 and 35 mark-compacts and 97 and 86 µs of CPU per request (58 before the
// first idle), against 1–2 mark-compacts and 51–59 µs with the reducer off. A proxy's heap is sized by its busy
// moments; giving memory back when quiet only made the next busy moment slow.
//
// Set here it reaches the worker threads only: the primary's heap (and its reducer) exists before this line runs.
// The primary's reducer ran two reducing mark-compacts 8 s after each of its own mark-compacts (the start-up one
// included), 30 ms of CPU with one route and ≈120 ms with the 10k table, on the cores the workers serve on
// (--trace-gc, under load). So the image starts `node --no-memory-reducer bin/sluice.mjs` (Dockerfile), as do the
// bench and `npm run demo`; the start-up collection gives the primary's free pages back instead (settle-heap.ts).
//
// Both are set by node-setup.mjs, which bin/warm-compile-cache.mjs shares.
import './node-setup.mjs';

const { runCli } = await import('../src/cli.ts');
await runCli(process.argv.slice(2));
