// What a process costs, read from /proc: CPU time (all threads: utime + stime of /proc/<pid>/stat) and resident
// memory (VmRSS of /proc/<pid>/status), sampled while load runs so the peak under load is reported.
import { readFile } from 'node:fs/promises';

/** Linux reports CPU times in clock ticks of USER_HZ, which is 100 on every mainstream architecture. */
const microsPerTick = 10_000;

/** utime + stime of the whole process (every thread) in microseconds. */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * microsPerTick;
}

export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Samples the RSS of some processes every `intervalMs` until stopped; reports the peak of each. */
export class RssSampler {
  readonly #pids: readonly number[];
  readonly #peak = new Map<number, number>();
  readonly #timer: NodeJS.Timeout;
  #sampling: Promise<void> = Promise.resolve();

  constructor(pids: readonly number[], intervalMs = 100) {
    this.#pids = pids;
    this.#timer = setInterval(() => {
      this.#sampling = this.#sample();
    }, intervalMs);
    this.#sampling = this.#sample();
  }

  async #sample(): Promise<void> {
    for (const pid of this.#pids) {
      const rss = await rssMiB(pid).catch(() => Number.NaN);
      if (!Number.isNaN(rss)) this.#peak.set(pid, Math.max(this.#peak.get(pid) ?? 0, rss));
    }
  }

  /** Stops sampling (after one last sample) and returns the peak RSS of each pid in MiB. */
  async stop(): Promise<Map<number, number>> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.#sample();
    return this.#peak;
  }
}
