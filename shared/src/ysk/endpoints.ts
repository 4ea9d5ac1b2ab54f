/**
 * The six calls of YSK's results API (YSK-API.md "Hosts and calls"): each with its whole,
 * ordered parameter list. YSK's clients always send every parameter, empty ones as `name=`.
 */
export const YSK_ENDPOINTS = {
  getIlList: ['secimId', 'secimTuru', 'sandikTuru', 'yurtIciDisi'],
  getIlceList: ['secimId', 'secimTuru', 'ilId', 'secimCevresiId', 'sandikTuru', 'yurtIciDisi'],
  getMuhtarlikList: ['secimId', 'secimTuru', 'ilceId', 'beldeId', 'birimId', 'secimCevresiId', 'sandikTuru', 'yurtIciDisi'],
  getSandikSecimSonucBaslikList: ['secimId', 'secimCevresiId', 'ilId', 'bagimsiz', 'secimTuru', 'yurtIciDisi'],
  getSecimSandikSonucList: [
    'secimId',
    'secimTuru',
    'ilId',
    'ilceId',
    'beldeId',
    'birimId',
    'muhtarlikId',
    'cezaeviId',
    'sandikTuru',
    'sandikNoIlk',
    'sandikNoSon',
    'ulkeId',
    'disTemsilcilikId',
    'gumrukId',
    'yurtIciDisi',
    'sandikRumuzIlk',
    'sandikRumuzSon',
    'secimCevresiId',
    'sandikId',
    'sorguTuru',
  ],
  getSecimSonucList: [
    'secimId',
    'secimTuru',
    'ilId',
    'ilceId',
    'beldeId',
    'birimId',
    'muhtarlikId',
    'cezaeviId',
    'sandikTuru',
    'sandikNoIlk',
    'sandikNoSon',
    'ulkeId',
    'disTemsilcilikId',
    'gumrukId',
    'yurtIciDisi',
    'sandikRumuzIlk',
    'sandikRumuzSon',
    'secimCevresiId',
    'sandikId',
  ],
} as const;

export type YskEndpoint = keyof typeof YSK_ENDPOINTS;
export type YskParamName<E extends YskEndpoint> = (typeof YSK_ENDPOINTS)[E][number];
/** Parameter values; anything left out is sent empty. */
export type YskParams<E extends YskEndpoint> = Partial<Record<YskParamName<E>, string | number | null | undefined>>;

export const YSK_ENDPOINT_NAMES = Object.keys(YSK_ENDPOINTS) as YskEndpoint[];

export function isYskEndpoint(name: string): name is YskEndpoint {
  return Object.prototype.hasOwnProperty.call(YSK_ENDPOINTS, name);
}

/** `yurtIciDisi`: 1 domestic, 2 abroad. */
export const YURT_ICI = 1;
export const YURT_DISI = 2;
/** `sandikTuru`: 0 ordinary domestic, 1 customs, 2 prison, 3 foreign missions, -1 all (inferred). */
export const SANDIK_TURU = { all: -1, ordinary: 0, customs: 1, prison: 2, mission: 3 } as const;

/**
 * The query string for a call, every parameter in YSK's order, empty ones as `name=`.
 * Throws on a parameter the endpoint does not take (a typo would otherwise be sent empty).
 */
export function buildQuery<E extends YskEndpoint>(endpoint: E, params: YskParams<E> = {}): string {
  const names = YSK_ENDPOINTS[endpoint] as readonly string[];
  for (const key of Object.keys(params)) {
    if (!names.includes(key)) throw new Error(`${endpoint} takes no parameter "${key}" (takes ${names.join(', ')})`);
  }
  const values = params as Record<string, string | number | null | undefined>;
  return names
    .map((name) => {
      const value = values[name];
      return `${name}=${value === undefined || value === null ? '' : encodeURIComponent(String(value))}`;
    })
    .join('&');
}

/** Reads a query string back into a full parameter record (missing names listed separately). */
export function parseQuery(endpoint: YskEndpoint, query: string): { params: Record<string, string>; missing: string[] } {
  const search = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const params: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of YSK_ENDPOINTS[endpoint]) {
    const value = search.get(name);
    if (value === null) missing.push(name);
    params[name] = value ?? '';
  }
  return { params, missing };
}
