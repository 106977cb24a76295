// When a manifest file may be left unread: only when its stamp (device, inode, size, mtime, ctime) is the one
// it had when it was read, and only if that stamp was already older than the racy window then (git's rule).
import { mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStamps } from '../../src/watch/manifest/file-stamps.ts';

const dir = mkdtempSync(join(tmpdir(), 'stamps-'));
const hourAgo = new Date(Date.now() - 3_600_000);

async function readAs(stamps: FileStamps, file: string): Promise<void> {
  stamps.remember(file, await stamps.take(file));
}

describe('FileStamps', () => {
  it('never trusts a file written just now: a same-size rewrite within the same time tick must be read', async () => {
    const stamps = new FileStamps();
    const file = join(dir, 'fresh.yaml');
    writeFileSync(file, 'a: 1\n');
    await readAs(stamps, file);
    expect(stamps.unchanged(file, await stamps.take(file))).toBe(false);
  });

  it('trusts a file whose times are old and unchanged since it was read', async () => {
    const stamps = new FileStamps();
    const file = join(dir, 'old.yaml');
    writeFileSync(file, 'a: 1\n');
    utimesSync(file, hourAgo, hourAgo);
    // ctime is set by the kernel on every change (utimes included): it is old only after the racy window.
    const stamp = await stamps.take(file);
    stamps.remember(file, stamp ? { ...stamp, ctimeNs: BigInt(hourAgo.getTime()) * 1_000_000n } : null);
    expect(stamps.unchanged(file, stamp ? { ...stamp, ctimeNs: BigInt(hourAgo.getTime()) * 1_000_000n } : null)).toBe(true);
  });

  it('sees a rewrite that restores the old mtime (ctime moves), and a file replaced by rename (inode moves)', async () => {
    const stamps = new FileStamps();
    const file = join(dir, 'edited.yaml');
    writeFileSync(file, 'a: 1\n');
    utimesSync(file, hourAgo, hourAgo);
    const before = await stamps.take(file);
    const settled = before === null ? null : { ...before, ctimeNs: BigInt(hourAgo.getTime()) * 1_000_000n };
    stamps.remember(file, settled);
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
    const file = join(dir, 'listed.yaml');
    writeFileSync(file, 'a: 1\n');
    utimesSync(file, hourAgo, hourAgo);
    const stamp = await stamps.take(file);
    const old = stamp === null ? null : { ...stamp, ctimeNs: BigInt(hourAgo.getTime()) * 1_000_000n };
    stamps.remember(file, old);
    stamps.keepOnly(new Set());
    expect(stamps.unchanged(file, old)).toBe(false);
  });
});
