import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { YskRecord } from '@gozcu/shared';

/** Appends each YSK response as one JSON line; `SIM_REPLAY=<file or directory>` replays it (a YskRecorder). */
export class JsonlRecorder {
  private readonly stream: WriteStream;
  private failed: Error | null = null;
  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { flags: 'a' });
    // a full disk must not take the feed down: recording stops, polling goes on
    this.stream.on('error', (err) => (this.failed = err));
  }
  get error(): Error | null {
    return this.failed;
  }
  record(entry: YskRecord): void {
    if (this.failed) return;
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }
  close(): Promise<void> {
    if (this.stream.closed || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

/**
 * `YSK_RECORD_DIR`: one new JSONL file per process in the directory (`ysk-<start time>-<pid>.jsonl`),
 * so several runs and several worker nodes can record into one directory side by side.
 */
export function recorderForDir(dir: string, now: number): JsonlRecorder {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return new JsonlRecorder(path.join(dir, `ysk-${stamp}-${process.pid}.jsonl`));
}
