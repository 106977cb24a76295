// Debian's nginx as a process of the suite: one worker, no daemon, everything (config, temp files, logs) in a
// fresh temporary directory. Used twice: as the upstream pods and as the reverse-proxy baseline.
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPinned, stopProcess, waitFor } from '../lib/proc.ts';

export interface NginxProcess {
  /** The one worker process: it does all the work, so CPU and RSS are read from it. */
  readonly workerPid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export const hasNginx = (): boolean => spawnSync('nginx', ['-v']).status === 0;

export function nginxVersion(): string {
  const out = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return (out.stderr || out.stdout || '').trim().replace(/^nginx version: /, '') || 'not installed';
}

/** `httpBlock` goes inside `http { }`; `dir` (the prefix) may be referred to as `$DIR` in it. */
export async function startNginx(name: string, httpBlock: (dir: string) => string, cpu: string | undefined): Promise<NginxProcess> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-suite-${name}-`));
  // Started as root, nginx runs its worker as `nobody`, which must reach the files and temp directories here.
  await chmod(dir, 0o755);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 16384; }
http { access_log off; ${temp}
${httpBlock(dir)}
}
`,
  );
  const child: ChildProcess = spawnPinned(cpu, 'nginx', ['-e', `${dir}/error.log`, '-p', dir, '-c', join(dir, 'nginx.conf')]);
  try {
    const workerPid = await waitFor(`nginx ${name} worker (see ${dir}/error.log)`, async () => {
      if (child.exitCode !== null) throw new Error(`nginx ${name} exited with ${child.exitCode}; see ${dir}/error.log`);
      const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
      const worker = Number(children.trim().split(' ')[0]);
      return worker > 0 ? worker : undefined;
    }, 10_000);
    return {
      workerPid,
      dir,
      async stop() {
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err: unknown) {
    await stopProcess(child);
    throw err;
  }
}
