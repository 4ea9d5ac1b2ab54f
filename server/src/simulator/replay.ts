import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseRecording, recordKey, type YskEndpoint, type YskRecord } from '@gozcu/shared';

/** Calls whose answer does not change over a night: asked before they were recorded, they answer the first recording. */
const LISTS: ReadonlySet<YskEndpoint> = new Set(['getIlList', 'getIlceList', 'getMuhtarlikList', 'getSandikSecimSonucBaslikList']);

/**
 * Reads a recording: one JSONL file, or every `*.jsonl` in a directory (`YSK_RECORD_DIR` writes
 * one file per process), merged in time order.
 */
export function readRecording(fileOrDir: string): YskRecord[] {
  const files = statSync(fileOrDir).isDirectory()
    ? readdirSync(fileOrDir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(fileOrDir, f))
    : [fileOrDir];
  if (!files.length) throw new Error(`no .jsonl recording in ${fileOrDir}`);
  const records: YskRecord[] = [];
  for (const file of files) {
    try {
      records.push(...parseRecording(readFileSync(file, 'utf8')));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return records.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * Replays recorded responses: for each call, the latest answer recorded at or before now (a 304
 * the client got means "the answer before"); a list asked before it was first recorded gets its
 * first recording, a result call gets `[]` (nothing published yet).
 */
export class Replay {
  private readonly byKey = new Map<string, YskRecord[]>();
  readonly start: number;
  readonly end: number;
  readonly size: number;
  constructor(records: readonly YskRecord[]) {
    const sorted = records.filter((r) => r.status !== 304).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const r of sorted) {
      const key = recordKey(r.endpoint, r.query);
      const list = this.byKey.get(key) ?? [];
      list.push(r);
      this.byKey.set(key, list);
    }
    const times = records.map((r) => Date.parse(r.at));
    this.start = times.length ? Math.min(...times) : Date.now();
    this.end = times.length ? Math.max(...times) : this.start;
    this.size = records.length;
  }

  find(endpoint: YskEndpoint, query: string, now: number): YskRecord | null {
    const list = this.byKey.get(recordKey(endpoint, query));
    if (!list?.length) return null;
    // binary search: the last record at or before now
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Date.parse(list[mid]!.at) <= now) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) return list[lo - 1]!;
    return LISTS.has(endpoint) ? (list.find((r) => r.status === 200) ?? null) : null;
  }
}
