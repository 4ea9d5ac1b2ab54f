/**
 * The hash routes: every view has a shareable URL, `?ballot=` carried along.
 *   #/               war room (country)
 *   #/il/<plate>     province view
 *   #/ilce/<id>      district box list
 *   #/sandik/<key>   box detail (key URI-encoded)
 *   #/operasyon      operator view
 *   #/vatandas       public citizen look-up and complaints (no login)
 *   #/hukuk          legal follow-up: complaints, petitions, stale-box notices
 *   #/kullanicilar   back office: accounts (admins: all; chairs: the ones below them)
 *   #/denetim        back office: the audit log
 *   #/yayin-yasagi   back office: the embargo switch (HQ)
 *   #/secmen         e-seçmen: register anomalies and lost-voter reports
 *   #/sandiklarim    the observer's boxes ("Sandıklarım")
 *   #/giris/<key>    the observer's result-sheet entry of one box (key URI-encoded)
 */
import { isBallotCode, type BallotCode } from '@gozcu/shared';

export type Route =
  | { view: 'country' }
  | { view: 'province'; province: number }
  | { view: 'district'; district: number }
  | { view: 'box'; key: string }
  | { view: 'operator' }
  | { view: 'citizen' }
  | { view: 'legal' }
  | { view: 'users' }
  | { view: 'audit' }
  | { view: 'embargo' }
  | { view: 'register' }
  | { view: 'myBoxes' }
  | { view: 'entry'; key: string }
  | { view: 'notFound'; path: string };

/** The back office's paths (issue 12). */
const BACK_OFFICE_PATHS: Record<string, 'users' | 'audit' | 'embargo'> = { kullanicilar: 'users', denetim: 'audit', 'yayin-yasagi': 'embargo' };

export interface Location {
  route: Route;
  ballot: BallotCode | null;
  /** the other query parameters, kept as they are (e.g. `metric`, `status`, `sort`, `il`) */
  query: Record<string, string>;
}

function positiveInt(s: string | undefined): number | null {
  if (!s || !/^\d{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '');
  const qi = raw.indexOf('?');
  const path = (qi >= 0 ? raw.slice(0, qi) : raw) || '/';
  const search = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
  const query: Record<string, string> = {};
  for (const [k, v] of search) if (k !== 'ballot') query[k] = v;
  const b = Number(search.get('ballot'));
  const ballot = search.has('ballot') && isBallotCode(b) ? b : null;

  const parts = path.split('/').filter(Boolean);
  let route: Route = { view: 'notFound', path };
  if (parts.length === 0) route = { view: 'country' };
  else if (parts[0] === 'il' && parts.length === 2) {
    const p = positiveInt(parts[1]);
    if (p != null && p <= 81) route = { view: 'province', province: p };
  } else if (parts[0] === 'ilce' && parts.length === 2) {
    const d = positiveInt(parts[1]);
    if (d != null) route = { view: 'district', district: d };
  } else if (parts[0] === 'sandik' && parts.length >= 2) {
    let key = parts.slice(1).join('/');
    try {
      key = decodeURIComponent(key);
    } catch {
      /* keep as is */
    }
    if (key) route = { view: 'box', key };
  } else if (parts[0] === 'operasyon' && parts.length === 1) route = { view: 'operator' };
  else if (parts[0] === 'vatandas' && parts.length === 1) route = { view: 'citizen' };
  else if (parts[0] === 'hukuk' && parts.length === 1) route = { view: 'legal' };
  else if (parts.length === 1 && parts[0]! in BACK_OFFICE_PATHS) route = { view: BACK_OFFICE_PATHS[parts[0]!]! };
  else if (parts[0] === 'secmen' && parts.length === 1) route = { view: 'register' };
  else if (parts[0] === 'sandiklarim' && parts.length === 1) route = { view: 'myBoxes' };
  else if (parts[0] === 'giris' && parts.length >= 2) {
    let key = parts.slice(1).join('/');
    try {
      key = decodeURIComponent(key);
    } catch {
      /* keep as is */
    }
    if (key) route = { view: 'entry', key };
  }
  return { route, ballot, query };
}

export function routePath(route: Route): string {
  switch (route.view) {
    case 'country':
      return '/';
    case 'province':
      return `/il/${route.province}`;
    case 'district':
      return `/ilce/${route.district}`;
    case 'box':
      return `/sandik/${encodeURIComponent(route.key)}`;
    case 'operator':
      return '/operasyon';
    case 'citizen':
      return '/vatandas';
    case 'legal':
      return '/hukuk';
    case 'users':
      return '/kullanicilar';
    case 'audit':
      return '/denetim';
    case 'embargo':
      return '/yayin-yasagi';
    case 'register':
      return '/secmen';
    case 'myBoxes':
      return '/sandiklarim';
    case 'entry':
      return `/giris/${encodeURIComponent(route.key)}`;
    case 'notFound':
      return route.path;
  }
}

/** `#/il/34?ballot=6&metric=mismatch` */
export function formatHash(route: Route, ballot: BallotCode | null, query: Record<string, string | null | undefined> = {}): string {
  const q = new URLSearchParams();
  if (ballot != null) q.set('ballot', String(ballot));
  for (const [k, v] of Object.entries(query)) if (v != null && v !== '' && k !== 'ballot') q.set(k, v);
  const s = q.toString();
  return `#${routePath(route)}${s ? `?${s}` : ''}`;
}
