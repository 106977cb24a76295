import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cliPath, GatewayProcess } from '../support/gateway-process.ts';
import { send } from '../support/http-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml } from '../support/manifests.ts';

const run = promisify(execFile);

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('sluice CLI flags', () => {
  it('documents every flag in --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--manifests', '--http-port', '--https-port', '--status-port', '--bind-address', '--ingress-class',
      '--controller-class', '--watch-ingress-without-class', '--log-level', '--proxy-connect-timeout',
      '--proxy-read-timeout', '--proxy-send-timeout', '--kubeconfig', '--watch-namespace', '--publish-status-address',
      '--election-id', '--sync-failure-timeout',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], '--bogus'],
    [['--manifests', 'x', '--http-port', 'abc'], '--http-port'],
    [['--manifests', 'x', '--http-port', '70000'], '--http-port'],
    [['--manifests', 'x', '--bind-address', 'localhost'], '--bind-address'],
    [['--manifests', 'x', '--log-level', 'loud'], '--log-level'],
    [['--manifests', 'x', '--proxy-read-timeout', '-1'], '--proxy-read-timeout'],
    [['--manifests', 'x', '--proxy-send-timeout', '0'], '--proxy-send-timeout'],
    [['--manifests', 'x', '--ingress-class', ''], '--ingress-class'],
    [['--manifests', 'x', '--kubeconfig', 'y'], '--kubeconfig'],
    [['--manifests', 'x', '--watch-namespace', 'team-a'], '--watch-namespace'],
    [['--watch-namespace', 'Team_A'], '--watch-namespace'],
    [['--sync-failure-timeout', '0'], '--sync-failure-timeout'],
    [['--publish-status-address', 'a b'], '--publish-status-address'],
    [['--manifests', 'x', '--configmap', 'sluice'], '--configmap'],
    [['--manifests', 'x', '--configmap', 'Sluice/cm'], '--configmap'],
    [['--manifests', 'x', '--proxy-body-size', '1mb'], '--proxy-body-size'],
    [['--manifests', 'x', '--proxy-body-size', '-1'], '--proxy-body-size'],
  ])('%j exits 2 with one line naming %s, before listening', async (args, flag) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(flag);
    expect(stdout).not.toContain('listening');
  });

  it('with neither --manifests nor a Kubernetes configuration, says so and exits 1 before listening', async () => {
    const home = await tempManifestDir();
    const env = { PATH: process.env['PATH'] ?? '', HOME: home };
    const result = await run(process.execPath, [cliPath, '--http-port', '0', '--status-port', '0'], { env }).catch((e: unknown) => e as { code: number; stdout: string });
    expect((result as { code?: number }).code).toBe(1);
    const output = (result as { stdout: string }).stdout;
    expect(output).toContain('no Kubernetes configuration found');
    expect(output).toContain('--kubeconfig');
    expect(output).toContain('--manifests');
    expect(output).not.toContain('"listening"');
  });

  it('exits non-zero with a clear message when the manifests path does not exist', async () => {
    const gateway = new GatewayProcess(['--manifests', '/nonexistent/sluice', '--http-port', '0', '--status-port', '0']);
    expect(await gateway.exitCode()).toBe(1);
    expect(gateway.lines.some((l) => l.msg === 'cannot start')).toBe(true);
    expect(JSON.stringify(gateway.lines)).toContain('/nonexistent/sluice');
  });
});

describe('readiness', () => {
  it('answers /readyz 503 until the first complete load, then 200', async () => {
    // A FIFO as the manifest file: reading it blocks until the test writes, which holds the first load open
    // for as long as the test needs to observe the not-ready state, without any timing assumptions.
    const dir = await tempManifestDir();
    const fifo = join(dir, 'objects.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const gateway = new GatewayProcess(['--manifests', fifo, '--http-port', '0', '--https-port', '0', '--status-port', '0', '--bind-address', '127.0.0.1']);
    try {
      const statusPort = await gateway.listening('status');
      const status = `http://127.0.0.1:${statusPort}`;
      expect((await send(status, '/healthz')).status).toBe(200);
      const before = await send(status, '/readyz');
      expect(before.status).toBe(503);
      expect(before.body).toContain('first complete load');
      await writeFile(fifo, toYaml([service('web'), ingress('web', [{ host: 'a.test', paths: [{ path: '/', service: 'web' }] }]), ...endpointSlices('web', [{ address: '127.0.0.2', port: 1 }])]));
      await gateway.listening('http');
      expect((await send(status, '/readyz')).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });
});
