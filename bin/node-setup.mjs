// What every Sluice process sets before it loads src/ (bin/sluice.mjs says why): V8's memory reducer off, then
// Node's compile cache, whose key includes V8's flags, its directory handed on to the threads the process starts.
// bin/sluice.mjs and bin/warm-compile-cache.mjs both import this module, so the cache the warm-up fills is the
// one Sluice reads.
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-memory-reducer');
export const compileCache = enableCompileCache(process.env['NODE_COMPILE_CACHE']);
if (compileCache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] = compileCache.directory;
