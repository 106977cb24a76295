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

/** The packages (node_modules directories) in the module graph of `entry`. */
async function packagesLoadedBy(entry: string): Promise<Set<string>> {
  const urls = await modulesLoadedBy(entry);
  return new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
}

describe('module graphs of the long-lived threads', () => {
  it('the primary (main.ts) loads neither the proxy client (undici) nor the certificate generator (selfsigned)', async () => {
    const packages = await packagesLoadedBy('../../src/main.ts');
    expect(packages).toContain('yaml'); // the recorder sees packages at all
    for (const absent of ['undici', 'selfsigned', '@peculiar/x509', '@kubernetes/client-node', 'ioredis']) expect(packages).not.toContain(absent);
  });

  it('a data-plane worker (data-plane.ts) loads undici but not the certificate generator', async () => {
    const packages = await packagesLoadedBy('../../src/workers/data-plane.ts');
    expect(packages).toContain('undici');
    for (const absent of ['selfsigned', '@peculiar/x509', '@kubernetes/client-node', 'ioredis', 'yaml']) expect(packages).not.toContain(absent);
  });

  it("a data-plane worker loads undici's pool and connector, not the rest of undici (upstream-pools.ts)", async () => {
    const undici = (await modulesLoadedBy('../../src/workers/data-plane.ts')).flatMap((u) => /\/node_modules\/undici\/(.*)$/.exec(u)?.[1] ?? []);
    expect(undici).toContain('lib/dispatcher/pool.js');
    expect(undici).toContain('lib/core/connect.js');
    for (const absent of ['index.js', 'lib/web/fetch/index.js', 'lib/mock/mock-agent.js', 'lib/api/index.js', 'lib/interceptor/cache.js']) expect(undici).not.toContain(absent);
  });
});
