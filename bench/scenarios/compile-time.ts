// The compile of a large table measured in the bench's own process, with Sluice's own code: the manifest
// source loads the files (read + YAML parse + validation), then compile() runs on the snapshot a few times.
// This isolates the compile from everything else the running process does around it.
import { pino } from 'pino';
import { defaultCompileOptions, type SourceUpdate } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { ManifestSource } from '../../src/watch/index.ts';

export interface CompileTimes {
  /** Reading and parsing the manifest files into a snapshot, once. */
  readonly loadMs: number;
  /** One compile() per repetition. */
  readonly compileMs: number[];
  readonly diagnostics: number;
}

export async function measureCompile(dir: string, repetitions: number): Promise<CompileTimes> {
  let update: SourceUpdate | undefined;
  const source = new ManifestSource({ path: dir, logger: pino({ level: 'silent' }), onUpdate: (u) => (update = u) });
  const loadStart = performance.now();
  await source.start();
  const loadMs = performance.now() - loadStart;
  await source.close();
  if (update === undefined) throw new Error(`no update from ${dir}`);
  const compileMs: number[] = [];
  let diagnostics = 0;
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    const result = compile(update.snapshot, defaultCompileOptions);
    compileMs.push(performance.now() - start);
    diagnostics = result.diagnostics.length;
  }
  return { loadMs, compileMs, diagnostics };
}
