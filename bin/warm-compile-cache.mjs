#!/usr/bin/env node
// Fills Node's compile cache (NODE_COMPILE_CACHE) with every module of src/, then exits. The DaemonSet runs it in
// an init container, on the emptyDir where bin/sluice.mjs then finds the cache: without it, the first start of
// every pod strips the TypeScript sources itself, which loads Node's WebAssembly transformer into each thread
// that strips a file and keeps it there. Measured, file mode, one route, idle RSS of a start on an empty cache
// against one on a filled cache: 1 worker 112 → 97 MiB, 2 workers 128 → 116, 4 workers 168 → 157 (the
// transformer's cost is mostly the primary's: its module graph is stripped first). A restart of the container
// found the cache already, so only a pod's first start paid it; now none does.
//
// Run as Sluice runs (`node --no-memory-reducer`): V8's flags are part of the cache's key. Modules are imported,
// not run as entry points: importing src/cli.ts or the threads' entry modules (src/workers/worker-main.ts,
// src/tls/fake-certificate-thread.ts) starts nothing.
import { flushCompileCache } from 'node:module';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const modules = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts')).sort();

async function importAll() {
  for (const file of modules) await import(pathToFileURL(src + file).href);
}

if (isMainThread) {
  // As bin/sluice.mjs: the same flags, and the cache directory handed to the threads it starts.
  const { compileCache: cache } = await import('./node-setup.mjs');
  if (cache.directory === undefined) {
    process.stderr.write(`warm-compile-cache: no compile cache (${cache.message ?? 'unknown reason'})\n`);
    process.exit(1);
  }
  await importAll();
  // The data-plane threads key their cache by the V8 flags in force when they start, which include those the
  // modules above set (src/router/regex/engine.ts): a directory of their own, filled by a thread started now.
  await new Promise((resolve, reject) => {
    new Worker(new URL(import.meta.url)).on('error', reject).on('exit', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`thread exited with ${code}`))));
  });
  flushCompileCache();
  process.stdout.write(`warm-compile-cache: ${modules.length} modules, in ${cache.directory} and for its threads\n`);
} else {
  await importAll();
  flushCompileCache();
}
