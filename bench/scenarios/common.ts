// Building blocks the scenarios share: a Sluice on the shared routes, the baseline proxies, and targets for them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hosts } from '../lib/net.ts';
import type { Cleanup } from '../lib/proc.ts';
import { runWrk } from '../load/wrk.ts';
import { sharedRoutes } from '../manifests/routes.ts';
import type { ScenarioContext, Target } from '../scenario.ts';
import { hasCaddy, startCaddy } from '../targets/caddy.ts';
import { startHttpProxy } from '../targets/http-proxy.ts';
import { startLlhttpFloor } from '../targets/llhttp-floor.ts';
import { startNginxProxy, type ProxyTarget } from '../targets/nginx-proxy.ts';
import { startNodeFloor } from '../targets/node-floor.ts';
import { startUndiciFloor } from '../targets/undici-floor.ts';
import { mustStartSluice, type Sluice, type SluiceLaunch } from '../targets/sluice.ts';

/** Sluice on the shared route set (manifests in their own directory), stopped by `cleanup`. */
export async function sluiceOnSharedRoutes(
  context: ScenarioContext,
  cleanup: Cleanup,
  instance: number,
  launch: Partial<SluiceLaunch> = {},
): Promise<Sluice> {
  const dir = join(context.dir, `sluice-${instance}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'routes.yaml'), sharedRoutes(context.pods));
  const sluice = await mustStartSluice({ instance, manifests: dir, ...launch, args: [...(launch.args ?? []), ...context.options.sluiceArgs] });
  cleanup.add(() => sluice.stop());
  context.processes.push(sluice.command);
  return sluice;
}

export type Baseline = 'nginx' | 'caddy' | 'http-proxy' | 'node floor' | 'undici floor' | 'llhttp floor';

const starters: Record<Baseline, (pods: ScenarioContext['pods']) => Promise<ProxyTarget>> = {
  nginx: startNginxProxy,
  caddy: startCaddy,
  'http-proxy': startHttpProxy,
  'node floor': startNodeFloor,
  'undici floor': startUndiciFloor,
  'llhttp floor': startLlhttpFloor,
};

/** Starts the baselines that are installed; the names of those that are not go to `missing`. */
export async function startBaselines(context: ScenarioContext, cleanup: Cleanup, which: readonly Baseline[], missing: string[]): Promise<Map<Baseline, ProxyTarget>> {
  const started = new Map<Baseline, ProxyTarget>();
  for (const name of which) {
    if (name === 'caddy' && !hasCaddy()) {
      missing.push('caddy is not installed (bench/ensure-tools.sh installs it): no caddy row');
      continue;
    }
    const target = await starters[name](context.pods);
    cleanup.add(() => target.stop());
    context.processes.push(`${name}: ${target.command}`);
    started.set(name, target);
  }
  return started;
}

/** The direct target: the load generator talks to the first pod itself (the ceiling; no proxy). */
export function directUrl(context: ScenarioContext): string {
  const pod = context.pods.http[0]!;
  return `http://${pod.address}:${pod.port}`;
}

/** A wrk target on `path` of `base` with the plain route's Host. */
export function wrkTarget(context: ScenarioContext, name: string, base: string, pid: number | undefined, extra: { connections?: number; headers?: string[]; uploadBytes?: number; pauseMs?: number; path?: string; host?: string } = {}): Target {
  return {
    name,
    ...(pid === undefined ? {} : { pid }),
    load: (durationS) =>
      runWrk({
        url: base + (extra.path ?? '/'),
        host: extra.host ?? hosts.plain,
        connections: extra.connections ?? context.options.connections,
        durationS,
        ...(extra.headers ? { headers: extra.headers } : {}),
        ...(extra.uploadBytes === undefined ? {} : { uploadBytes: extra.uploadBytes }),
        ...(extra.pauseMs === undefined ? {} : { pauseMs: extra.pauseMs }),
      }),
  };
}

/** The pair most scenarios compare: nginx configured as ingress-nginx, and one Sluice on the shared routes. */
export async function nginxAndSluice(context: ScenarioContext, cleanup: Cleanup): Promise<{ nginx: ProxyTarget; sluice: Sluice; notes: string[] }> {
  const notes: string[] = [];
  const nginx = (await startBaselines(context, cleanup, ['nginx'], notes)).get('nginx')!;
  const sluice = await sluiceOnSharedRoutes(context, cleanup, 0);
  return { nginx, sluice, notes };
}
