import type { BallotCode, BoxSummary } from '@gozcu/shared';
import { api } from '../api';
import { serverStatus, upsertBoxes, type BoxFilter, type BoxSort } from '../boxes';

/**
 * A district's boxes over REST (`GET /api/boxes`), filtered and sorted by the server
 * (`status=`, `sort=`), paged by cursor, patched live by the room's deltas: loaded rows are
 * updated in place (they keep their place until the next load), new boxes join at the end
 * when they pass the filter.
 */
export class BoxListManager {
  items = $state.raw<BoxSummary[]>([]);
  total = $state<number | null>(null);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  filter = $state<BoxFilter>('all');
  sort = $state<BoxSort>('key');
  visible = $derived(this.items);

  readonly district: number;
  province = $state<number | null>(null);
  #ballot: BallotCode | null;
  #abort: AbortController | null = null;
  readonly pageSize: number;

  constructor(district: number, province: number | null, ballot: BallotCode | null, pageSize = 500) {
    this.district = district;
    this.province = province;
    this.#ballot = ballot;
    this.pageSize = pageSize;
  }

  setQuery(q: { filter?: BoxFilter; sort?: BoxSort; ballot?: BallotCode | null; province?: number | null }): void {
    let reload = false;
    if (q.filter !== undefined && q.filter !== this.filter) {
      this.filter = q.filter;
      reload = true;
    }
    if (q.sort !== undefined && q.sort !== this.sort) {
      this.sort = q.sort;
      reload = true;
    }
    if (q.ballot !== undefined && q.ballot !== this.#ballot) {
      this.#ballot = q.ballot;
      reload = true;
    }
    if (q.province !== undefined && q.province !== this.province) {
      this.province = q.province;
      reload ||= this.error != null;
    }
    if (reload) void this.load();
  }

  async load(more = false): Promise<void> {
    this.#abort?.abort();
    const ac = (this.#abort = new AbortController());
    this.loading = true;
    try {
      const page = await api.boxes(
        {
          province: this.province,
          district: this.district,
          ballot: this.#ballot,
          status: serverStatus(this.filter),
          sort: this.sort,
          limit: this.pageSize,
          cursor: more ? this.nextCursor : null,
        },
        ac.signal,
      );
      const items = Array.isArray(page?.items) ? page.items : [];
      this.items = more ? [...this.items, ...items] : items;
      this.total = typeof page?.total === 'number' ? page.total : null;
      this.nextCursor = page?.nextCursor ?? null;
      this.error = null;
    } catch (e) {
      if (ac.signal.aborted) return;
      this.error = e instanceof Error ? e.message : String(e);
      if (!more) this.items = [];
    } finally {
      if (this.#abort === ac) this.loading = false;
    }
  }

  /** Applies boxes changed by a live delta. */
  applyChanged = (boxes: BoxSummary[]): void => {
    this.items = upsertBoxes(this.items, boxes, { district: this.district }, this.filter);
  };

  destroy(): void {
    this.#abort?.abort();
  }
}
