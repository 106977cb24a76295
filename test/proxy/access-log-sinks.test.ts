// The access log's writers: the file writer (src/proxy/access-log/buffered-file.ts) against real files, and the
// stdout relay (line-sink.ts: a worker's blocks over a real MessageChannel to the primary's writer). Every line
// arrives whole and in order, across block boundaries, lines longer than a block and non-ASCII text; close() writes
// what is buffered, flush() a partial block; a failing disk (/dev/full) is reported once and does not throw into
// the request path.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { BufferedFile } from '../../src/proxy/access-log/buffered-file.ts';
import { portSink, relayLines } from '../../src/proxy/access-log/line-sink.ts';

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

/** Lines crossing many 64 KiB blocks: every 97th longer than a whole block, every 13th with 2-, 3- and 4-byte UTF-8. */
function manyLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const body = i % 97 === 0 ? 'x'.repeat(50_000 + i) : i % 13 === 0 ? `ü€😀 ${i}` : `line ${i} ${'y'.repeat(i % 300)}`;
    lines.push(`${JSON.stringify({ i, body })}\n`);
  }
  return lines;
}

describe('BufferedFile', () => {
  it('writes every line whole and in order, across blocks, long lines and non-ASCII text', async () => {
    const path = join(dir, 'nested', 'access.log');
    const file = new BufferedFile(path, failOnError);
    const lines = manyLines();
    for (const line of lines) file.write(line);
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

describe('the stdout relay (a worker\'s portSink → relayLines in the primary)', () => {
  it('delivers every line whole and in order, in blocks, and the last partial block at close', async () => {
    const channel = new MessageChannel();
    const received: Buffer[] = [];
    const relayed = relayLines(channel.port1, { write: (bytes) => void received.push(Buffer.from(bytes)), close: async () => {} });
    const sink = portSink(channel.port2);
    const lines = manyLines();
    for (const line of lines) sink.write(line);
    await sink.close();
    await relayed;
    expect(Buffer.concat(received).toString('utf8')).toBe(lines.join(''));
    // Blocks, not a message per line: 5000 lines of ≈10 MiB in all arrive in well under 5000 messages.
    expect(received.length).toBeGreaterThan(1);
    expect(received.length).toBeLessThan(400);
  });
});
