// What each long-lived thread loads: a module once loaded stays for the life of its thread, so the primary and
// the data-plane workers must not pull in libraries they never run (issue 8's memory target). Each graph is
// recorded in a fresh process by a load hook around one dynamic import.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

const recorder = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
await import(process.argv[1]);
console.log(JSON.stringify(loaded));
`;

/** The URLs of every module in the module graph of `entry`. */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const url = new URL(entry, import.meta.url).href;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', recorder, url]);
  return JSON.parse(stdout) as string[];
}

/** The packages (node_modules directories) among module URLs. */
function packagesOf(urls: readonly string[]): Set<string> {
  return new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
}

describe('module graphs of the long-lived threads', () => {
  it('the primary (main.ts) loads neither the proxy client (undici) nor the certificate generator (selfsigned)', async () => {
    const packages = packagesOf(await modulesLoadedBy('../../src/main.ts'));
    expect(packages).toContain('yaml'); // the recorder sees packages at all
    for (const absent of ['undici', 'selfsigned', '@peculiar/x509', '@kubernetes/client-node', 'ioredis']) expect(packages).not.toContain(absent);
  });

  it('a data-plane worker (data-plane.ts) loads its own upstream client, and neither undici nor the certificate generator', async () => {
    const urls = await modulesLoadedBy('../../src/workers/data-plane.ts');
    expect(urls.some((u) => u.endsWith('/src/proxy/upstream/upstream-connection.ts'))).toBe(true); // the recorder sees the client
    const packages = packagesOf(urls);
    expect(packages).toContain('pino'); // … and packages
    for (const absent of ['undici', 'selfsigned', '@peculiar/x509', '@kubernetes/client-node', 'ioredis', 'yaml']) expect(packages).not.toContain(absent);
  });
});
