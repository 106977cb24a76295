// The access log's file writer (src/proxy/access-log/buffered-file.ts) against real files: every line arrives,
// whole and in order, across block boundaries, one-off writes of long lines and non-ASCII text; close() waits for
// what is buffered, flush() a partial block; a failing disk (/dev/full) is reported once and does not throw into the request path.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferedFile } from '../../src/proxy/access-log/buffered-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-alog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failOnError = (error: Error): never => {
  throw error;
};

describe('BufferedFile', () => {
  it('writes every line whole and in order, across blocks, long lines and non-ASCII text', async () => {
    const path = join(dir, 'nested', 'access.log');
    const file = new BufferedFile(path, failOnError);
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      // Every 97th line is longer than a whole block (written on its own), every 13th has 2-, 3- and 4-byte UTF-8.
      const body = i % 97 === 0 ? 'x'.repeat(20_000 + i) : i % 13 === 0 ? `ü€😀 ${i}` : `line ${i} ${'y'.repeat(i % 300)}`;
      lines.push(`${JSON.stringify({ i, body })}\n`);
      file.write(lines[i]!);
    }
    file.close();
    expect(await readFile(path, 'utf8')).toBe(lines.join(''));
  });

  it('appends to what the file holds, and flush() hands a partial block to the file before close', async () => {
    const path = join(dir, 'access.log');
    const first = new BufferedFile(path, failOnError);
    first.write('one\n');
    first.close();
    const second = new BufferedFile(path, failOnError);
    second.write('two\n');
    expect(await readFile(path, 'utf8')).toBe('one\n');
    second.flush();
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\n');
    second.close();
  });

  it('reports a failing write once, then drops lines without throwing', async () => {
    const errors: Error[] = [];
    const file = new BufferedFile('/dev/full', (error) => errors.push(error));
    for (let i = 0; i < 100; i++) file.write(`${'z'.repeat(1000)}\n`);
    file.close();
    for (let i = 0; i < 100; i++) file.write(`${'z'.repeat(1000)}\n`);
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
  });

  it('fails at once when the file cannot be opened', () => {
    expect(() => new BufferedFile('/dev/null/access.log', failOnError)).toThrow(/ENOTDIR|EEXIST/);
  });
});
