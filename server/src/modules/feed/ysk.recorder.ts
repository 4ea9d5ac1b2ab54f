import { createWriteStream, type WriteStream } from 'node:fs';
import type { YskRecord } from '@gozcu/shared';

/** Where the client sends raw responses for replay (`{at, endpoint, query, status, body}`). */
export interface YskRecorder {
  record(entry: YskRecord): void;
}

/** Appends each response as one JSON line; `SIM_REPLAY=<file>` replays it. */
export class JsonlRecorder implements YskRecorder {
  private readonly stream: WriteStream;
  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { flags: 'a' });
  }
  record(entry: YskRecord): void {
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
