// What a proxy test starts and must stop after it: the gateway under test first (it may be waiting on the pods),
// then everything else the test registered (pods, blackholes, pools), after each test of the file.
import { afterEach } from 'vitest';
import type { Gateway } from './gateway.ts';
import { killAll, startPod, type Pod, type PodHandler } from './pods.ts';

export class TestScope {
  gateway: Gateway | undefined;
  readonly cleanups: (() => Promise<void>)[] = [];

  /** Call at the top of a test file: registers the afterEach that stops what each test started. */
  constructor() {
    afterEach(() => this.#stop());
  }

  /** A pod on `ip`, killed after the test. */
  async pod(handler?: PodHandler, ip = '127.0.0.2'): Promise<Pod> {
    const started = await startPod(ip, handler);
    this.cleanups.push(() => killAll([started]));
    return started;
  }

  async #stop(): Promise<void> {
    await this.gateway?.close();
    this.gateway = undefined;
    await Promise.all(this.cleanups.splice(0).map((fn) => fn()));
  }
}
