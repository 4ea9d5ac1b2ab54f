import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/src/modules/store/sqlite.store';
import { REPO_ROOT, TS_NODE, TS_NODE_ENV } from '../support/paths';
import { BATCH, batchVersions } from './fixtures/bulk-writer';

/** Runs the bulk writer until it has acknowledged `minAcks` batches, then SIGKILLs it mid-write. */
function runAndKill(file: string, minAcks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_NODE, join(__dirname, 'fixtures', 'bulk-writer.ts'), file], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TS_NODE_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked.push(Number(m[1]));
      }
      if (acked.length >= minAcks && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('SQLite store survives SIGKILL in the middle of bulk writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged batch whole and no batch half-written', async () => {
    const file = join(dir, 'kill.sqlite');
    const acked = await runAndKill(file, 8);
    expect(acked.length).toBeGreaterThanOrEqual(8);

    const store = new SqliteStore(file);
    await store.init();
    try {
      const stored = new Set<string>();
      for (let after: string | undefined; ;) {
        const page = await store.boxes({ election: 'kill' }, { after, limit: 5000 });
        if (!page.length) break;
        page.filter((b) => b.latest).forEach((b) => stored.add(b.box.key));
        after = page[page.length - 1].box.key;
      }
      const lastAcked = Math.max(...acked);
      // every batch is all-or-nothing, acknowledged ones are all there, and at most one more got committed
      const perBatch: number[] = [];
      for (let batch = 0; batch <= lastAcked + 2; batch++) {
        perBatch.push(batchVersions(batch).filter((v) => stored.has(v.key)).length);
      }
      perBatch.forEach((n) => expect([0, BATCH]).toContain(n));
      for (const batch of acked) expect(perBatch[batch]).toBe(BATCH);
      expect(stored.size).toBeLessThanOrEqual((lastAcked + 2) * BATCH);
      const boxes = await store.boxes({ election: 'kill' }, { limit: 1 });
      expect(boxes[0].latest?.seq).toBe(1);
      // the store still takes writes after the crash, idempotently
      const retry = await store.appendVersions(batchVersions(0));
      expect(retry.every((o) => o.kind === 'unchanged')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
