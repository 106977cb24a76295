// What a parsed manifest file keeps: its objects and a digest, not its text. V8 keeps a whole string alive for any
// "sliced" view into it (a scalar of 13+ characters yaml read), so one kept host name kept the file; bench/'s
// 10 000-Ingress manifest is one 6.3 MiB file (parse-file.ts ownStrings, FileState.digest).
import { getHeapStatistics } from 'node:v8';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseManifestFile, type FileState } from '../../src/watch/manifest/parse-file.ts';
import { settleHeap } from '../../src/workers/settle-heap.ts';

const logger = pino({ level: 'silent' });
/** 200 Ingresses, each after a 20 KiB comment: ≈4 MiB of text for a few hundred KiB of objects. */
function bigManifest(): string {
  const padding = `# ${'x'.repeat(20 * 1024)}\n`;
  return Array.from({ length: 200 }, (_, i) => `${padding}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing-${i}, namespace: default, annotations: {example.com/owner: team-number-${i}}}
spec:
  rules:
    - host: host-${i}.example.test
      http: {paths: [{path: /a-long-enough-path-${i}, pathType: Prefix, backend: {service: {name: svc-${i}, port: {number: 80}}}}]}
`).join('---\n');
}

function parse(): FileState {
  return parseManifestFile('/m/big.yaml', bigManifest(), undefined, logger);
}

describe('a parsed manifest file', () => {
  it("keeps its objects, not the file's text", async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    settleHeap();
    const before = getHeapStatistics().used_heap_size;
    const state = parse();
    settleHeap();
    const grown = getHeapStatistics().used_heap_size - before;
    expect(state.objects).toHaveLength(200);
    expect(grown, `heap grew ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(2 * 2 ** 20);
  });
});
