// bin/warm-compile-cache.mjs fills Node's compile cache before a pod's first start (the DaemonSet's init
// container), so that no thread of the gateway strips a TypeScript source itself: stripping loads Node's
// WebAssembly transformer into the thread, which keeps it (≈12–15 MiB of RSS, measured in the script's comment).
// Node reports each cache lookup with NODE_DEBUG_NATIVE=COMPILE_CACHE; "no transpile cache" is a file stripped.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../support/gateway-process.ts';

const run = promisify(execFile);
const warmScript = fileURLToPath(new URL('../../bin/warm-compile-cache.mjs', import.meta.url));
const examples = fileURLToPath(new URL('../../examples', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The TypeScript files a gateway's threads stripped themselves, and those they read stripped from the cache. */
async function startAndStop(cacheDir: string): Promise<{ stripped: string[]; fromCache: string[] }> {
  const { gateway } = await startGateway(['--manifests', examples, '--ingress-class', 'nginx', '--workers', '1'], {
    NODE_COMPILE_CACHE: cacheDir,
    NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
  });
  // The fake certificate's thread is done once the HTTPS listener serves (main.ts awaits it before the workers).
  expect(await gateway.stop()).toBe(0);
  const lines = gateway.stderr.split('\n');
  const files = (marker: string): string[] => lines.filter((line) => line.includes(marker)).map((line) => line.slice(line.indexOf('file://')));
  return { stripped: files('no transpile cache for StrippedTypeScript'), fromCache: files('retrieving transpile cache for StrippedTypeScript') };
}

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-compile-cache-'));
  dirs.push(dir);
  return dir;
}

describe('the compile cache warm-up (bin/warm-compile-cache.mjs)', () => {
  it('on an empty cache, the gateway strips its TypeScript sources itself', async () => {
    const { stripped } = await startAndStop(await cacheDir());
    expect(stripped.length).toBeGreaterThan(50);
    expect(stripped.some((file) => file.includes('/src/workers/worker-main.ts'))).toBe(true);
  });

  it('after the warm-up, no thread of the gateway strips a file: every one comes from the cache', async () => {
    const dir = await cacheDir();
    const { stdout } = await run(process.execPath, [warmScript], { env: { ...process.env, NODE_COMPILE_CACHE: dir } });
    expect(stdout).toMatch(/^warm-compile-cache: \d+ modules/);
    const { stripped, fromCache } = await startAndStop(dir);
    expect(stripped).toEqual([]);
    for (const entry of ['/src/cli.ts', '/src/workers/worker-main.ts', '/src/tls/fake-certificate-thread.ts', '/src/proxy/request-handler.ts']) {
      expect(fromCache.some((file) => file.includes(entry)), entry).toBe(true);
    }
  });
});
