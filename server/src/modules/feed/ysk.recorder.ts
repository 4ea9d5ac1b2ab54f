import type { YskRecord } from '@gozcu/shared';

/**
 * Where the client sends raw responses for replay (`{at, endpoint, query, status, headers, body, latencyMs}`).
 * The JSONL file recorder of `YSK_RECORD_DIR` is infra/jsonl-recorder.ts, provided as YSK_RECORDER.
 */
export interface YskRecorder {
  record(entry: YskRecord): void;
  close?(): Promise<void>;
}
