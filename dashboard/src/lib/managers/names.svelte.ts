import { SvelteMap } from 'svelte/reactivity';
import { api } from '../api';
import { normalizeDistrictNames } from '../boxes';

/**
 * District names by YSK id, fetched per province on first need. The contracts have no
 * names endpoint yet (`GET /api/districts?province=` is assumed); until then ids are shown.
 */
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
      .then((raw) => {
        for (const [id, name] of normalizeDistrictNames(raw)) this.#names.set(id, name);
      })
      .catch(() => {
        /* no names endpoint yet: ids it is */
      });
  }
}
