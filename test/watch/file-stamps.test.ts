// When a manifest file may be left unread: only when its stamp (device, inode, size, mtime, ctime) is the one
// it had when it was read, and only if that stamp was already older than the racy window then (git's rule).
import { mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStamps } from '../../src/watch/manifest/file-stamps.ts';

const dir = mkdtempSync(join(tmpdir(), 'stamps-'));
const hourAgo = new Date(Date.now() - 3_600_000);

/**
 * A file last changed an hour ago, remembered as read. The kernel sets ctime on every change (utimes included)
 * and no call can set it back, so the stamp's ctime is made an hour old here as it would be after an hour.
 */
async function settledFile(stamps: FileStamps, name: string): Promise<{ file: string; stamp: Awaited<ReturnType<FileStamps['take']>> }> {
  const file = join(dir, name);
  writeFileSync(file, 'a: 1\n');
  utimesSync(file, hourAgo, hourAgo);
  const taken = await stamps.take(file);
  const stamp = taken === null ? null : { ...taken, ctimeNs: BigInt(hourAgo.getTime()) * 1_000_000n };
  stamps.remember(file, stamp);
  return { file, stamp };
}

describe('FileStamps', () => {
  it('never trusts a file written just now: a same-size rewrite within the same time tick must be read', async () => {
    const stamps = new FileStamps();
    const file = join(dir, 'fresh.yaml');
    writeFileSync(file, 'a: 1\n');
    stamps.remember(file, await stamps.take(file));
    expect(stamps.unchanged(file, await stamps.take(file))).toBe(false);
  });

  it('trusts a file whose times are old and unchanged since it was read', async () => {
    const stamps = new FileStamps();
    const { file, stamp } = await settledFile(stamps, 'old.yaml');
    expect(stamps.unchanged(file, stamp)).toBe(true);
  });

  it('sees a rewrite that restores the old mtime (ctime moves), and a file replaced by rename (inode moves)', async () => {
    const stamps = new FileStamps();
    const { file } = await settledFile(stamps, 'edited.yaml');
    writeFileSync(file, 'a: 2\n'); // same size
    utimesSync(file, hourAgo, hourAgo);
    expect(stamps.unchanged(file, await stamps.take(file))).toBe(false);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, 'a: 3\n');
    renameSync(other, file);
    expect(stamps.unchanged(file, await stamps.take(file))).toBe(false);
  });

  it('forgets files no longer listed', async () => {
    const stamps = new FileStamps();
    const { file, stamp } = await settledFile(stamps, 'listed.yaml');
    stamps.keepOnly(new Set());
    expect(stamps.unchanged(file, stamp)).toBe(false);
  });
});
