// Docker cannot run here, so the image is checked in two halves: the Dockerfile's structure, and what its
// ENTRYPOINT does in a tree built the way the Dockerfile builds it (package files + src/, `npm ci --omit=dev`).
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedEnv, deployedNodeFlags } from '../../bench/targets/deployed.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
/** Instructions without comments and blank lines, continuation lines joined. */
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const from = instructions.filter((l) => /^FROM /i.test(l));

describe('Dockerfile', () => {
  it('is multi-stage on a Node 24 slim or distroless base', () => {
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const line of from) expect(line).toMatch(/^FROM (node:24-slim|node:24\.\d+(\.\d+)?-slim|gcr\.io\/distroless\/nodejs24-debian\d+)(\s|$)/);
  });

  it('installs production dependencies only and runs the CLI as a numeric non-root user', () => {
    expect(instructions.some((l) => /^RUN .*npm ci .*--omit=dev/.test(l))).toBe(true);
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    const uid = Number(user?.split(/\s+/)[1]?.split(':')[0]);
    expect(uid).toBeGreaterThan(0);
    // --no-memory-reducer: only the command line reaches the primary thread's heap (bin/sluice.mjs's comment).
    expect(instructions.at(-1)).toBe(`ENTRYPOINT ${JSON.stringify(['node', ...deployedNodeFlags, 'bin/sluice.mjs']).replaceAll(',', ', ')}`);
  });

  // runAsNonRoot can only be verified by the kubelet for a numeric id, and it must be the image's.
  it('the DaemonSet runs as the image\'s user and references the image kustomize rewrites', async () => {
    const ds = parse(await readFile(join(root, 'deploy/daemonset.yaml'), 'utf8')) as { spec: { template: { spec: { securityContext: { runAsUser: number }; containers: Array<{ image: string }> } } } };
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1)!.split(/\s+/)[1]!.split(':')[0];
    expect(ds.spec.template.spec.securityContext.runAsUser).toBe(Number(user));
    const kustomization = parse(await readFile(join(root, 'deploy/kustomization.yaml'), 'utf8')) as { images: Array<{ name: string }> };
    expect(ds.spec.template.spec.containers[0]!.image.split(':')[0]).toBe(kustomization.images[0]!.name);
  });

  // The init container fills the compile cache the main container reads: same image, same node flags (V8's flags
  // key the cache), the same volume at the cache's place (bin/warm-compile-cache.mjs; test/e2e/compile-cache).
  it("the DaemonSet's init container warms the compile cache where the image's NODE_COMPILE_CACHE points", async () => {
    type Container = { image: string; command?: string[]; volumeMounts: Array<{ name: string; mountPath: string }>; securityContext: unknown };
    const ds = parse(await readFile(join(root, 'deploy/daemonset.yaml'), 'utf8')) as { spec: { template: { spec: { initContainers: Container[]; containers: Container[] } } } };
    const [warm] = ds.spec.template.spec.initContainers;
    const main = ds.spec.template.spec.containers[0]!;
    expect(warm!.image).toBe(main.image);
    expect(warm!.command).toEqual(['node', ...deployedNodeFlags, 'bin/warm-compile-cache.mjs']);
    expect(warm!.volumeMounts).toEqual(main.volumeMounts);
    expect(warm!.securityContext).toEqual(main.securityContext);
    const cacheDir = instructions.find((l) => l.startsWith('ENV NODE_COMPILE_CACHE='))!.split('=')[1]!;
    expect(main.volumeMounts.some((mount) => cacheDir.startsWith(`${mount.mountPath}/`))).toBe(true);
    expect(instructions).toContain('COPY bin ./bin');
  });

  // glibc reads it only when the process starts: the image's environment is the place (Dockerfile's comment).
  // The bench runs Sluice with the same environment (bench/targets/sluice.ts), so its figures are the image's.
  it('sets the glibc malloc environment the bench measures, in the runtime stage', () => {
    const runtime = instructions.slice(instructions.lastIndexOf(from.at(-1)!));
    const set = runtime.filter((l) => l.startsWith('ENV MALLOC_'));
    expect(set).toEqual(Object.entries(deployedEnv).map(([name, value]) => `ENV ${name}=${value}`));
  });

  it('.dockerignore keeps node_modules and tests out of the build context', async () => {
    const ignored = (await readFile(join(root, '.dockerignore'), 'utf8')).split('\n');
    for (const entry of ['node_modules', '.git', 'test']) expect(ignored).toContain(entry);
  });
});

describe('the entry point from a clean production install', () => {
  let dir = '';
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('npm ci --omit=dev, then `node bin/sluice.mjs --help` exits 0 without the node devDependency', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-image-'));
    // The Dockerfile's COPY lines: package files, bin/ and src/ only.
    const copied = instructions.filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied.sort()).toEqual(['bin', 'package-lock.json', 'package.json', 'package.json', 'src']);
    for (const entry of ['package.json', 'package-lock.json', 'bin', 'src']) await cp(join(root, entry), join(dir, entry), { recursive: true });
    // The project's Node 24 (node_modules/.bin first, as in development) runs npm and the CLI.
    const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}` };
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env });
    await expect(stat(join(dir, 'node_modules/node'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, 'node_modules/vitest'))).rejects.toThrow(/ENOENT/);
    const { stdout } = await run(process.execPath, ['bin/sluice.mjs', '--help'], { cwd: dir, env });
    expect(stdout).toContain('--shutdown-grace-period');
    // Serve for real from the production tree (every module the serving path imports), then stop it.
    await writeFile(join(dir, 'empty.yaml'), '');
    const child = spawn(process.execPath, ['bin/sluice.mjs', '--manifests', 'empty.yaml', '--http-port', '0', '--https-port', '0', '--status-port', '0', '--bind-address', '127.0.0.1', '--shutdown-delay', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => createInterface({ input: child.stdout }).on('line', (l) => l.includes('"listener":"https"') && resolve()));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
