import { SvelteMap } from 'svelte/reactivity';
import { api } from '../api';
import { backofficeApi } from '../backoffice-api';

/** District names by YSK id, fetched per province (`GET /api/districts?province=`) on first need; ids until they come. */
export class DistrictNames {
  #names = new SvelteMap<number, string>();
  #asked = new Set<number>();

  name(district: number | null | undefined): string | null {
    return district == null ? null : (this.#names.get(district) ?? null);
  }

  ensure(province: number | null | undefined): void {
    if (province == null || this.#asked.has(province)) return;
    this.#asked.add(province);
    api
      .districts(province)
      .then(({ items }) => {
        for (const d of items) this.#names.set(d.yskId, d.name);
      })
      .catch(() => {
        // offline or refused: ids it is, and the next view that needs the province asks again
        this.#asked.delete(province);
      });
  }
}

/** People's display names by username (issue 12: names, not usernames), asked in batches. */
export class PeopleNames {
  #names = new SvelteMap<string, string>();
  #asked = new Set<string>();
  #queue = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** The display name, or the username until it is known. */
  name(username: string | null | undefined): string {
    if (!username) return '–';
    this.ensure([username]);
    return this.#names.get(username) ?? username;
  }

  ensure(usernames: Iterable<string | null | undefined>): void {
    for (const u of usernames)
      if (u && !this.#asked.has(u)) {
        this.#asked.add(u);
        this.#queue.add(u);
      }
    if (this.#queue.size && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        const batch = [...this.#queue].slice(0, 200);
        for (const u of batch) this.#queue.delete(u);
        void backofficeApi
          .names(batch)
          .then((r) => {
            for (const [u, n] of Object.entries(r.names)) this.#names.set(u, n);
          })
          .catch(() => undefined);
        if (this.#queue.size) this.ensure([]);
      }, 30);
    }
  }
}

/** The followed election's name (`GET /api/election`), instead of its id. */
export class ElectionName {
  name = $state<string | null>(null);
  load(): void {
    void backofficeApi
      .election()
      .then((e) => (this.name = e.name))
      .catch(() => undefined);
  }
}
