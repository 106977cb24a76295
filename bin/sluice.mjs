#!/usr/bin/env node
// The `sluice` command. Node 24 runs the TypeScript sources directly (type stripping, no build step); stripping
// instantiates a WebAssembly transformer in every thread that loads a .ts file, ≈27 MiB of RSS each. With Node's
// compile cache on, a restart reads the stripped code (and V8's code cache) back from disk and never loads the
// transformer, in the primary or in the worker threads (which inherit NODE_COMPILE_CACHE). Measured, idle, file
// mode: 2 workers 223 → 174 MiB, 1 worker 175 → 142 MiB. The first start in a fresh directory fills the cache;
// an unwritable directory only turns the cache off. The DaemonSet gives it an emptyDir, which outlives container
// restarts.
import { enableCompileCache } from 'node:module';

const cache = enableCompileCache(process.env['NODE_COMPILE_CACHE']);
if (cache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] = cache.directory;
await import('../src/cli.ts');
