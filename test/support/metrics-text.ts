// Reading Prometheus text exposition in tests: the value of one sample, picked by name and a subset of its labels.

/** The value of the first sample of `name` whose labels include all of `labels` (undefined when none). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Every `le` bucket of one histogram series, cumulative as exposed: { '0.005': n, …, '+Inf': n }. */
export function buckets(text: string, name: string, labels: Record<string, string>): Record<string, number> {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const result: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`) || !wanted.every((w) => line.includes(w))) continue;
    const le = /le="([^"]+)"/.exec(line)![1]!;
    result[le] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return result;
}
