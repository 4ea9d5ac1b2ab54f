import { getContext, setContext } from 'svelte';
import type { LiveConnection } from './managers/connection.svelte';
import type { LocaleManager } from './managers/locale.svelte';
import type { Clock } from './managers/clock.svelte';
import type { Router } from './managers/router.svelte';
import type { FeedHealthManager } from './managers/feed-health.svelte';
import type { DistrictNames, ElectionName, PeopleNames } from './managers/names.svelte';
import type { SessionManager } from './managers/session.svelte';
import type { EmbargoManager } from './managers/embargo.svelte';

/** The app-wide managers (one per stream), handed to components through Svelte context. */
export interface AppContext {
  conn: LiveConnection;
  locale: LocaleManager;
  clock: Clock;
  router: Router;
  health: FeedHealthManager;
  names: DistrictNames;
  session: SessionManager;
  embargo: EmbargoManager;
  /** people's display names by username (issue 12) */
  people: PeopleNames;
  election: ElectionName;
}

const KEY = Symbol('gozcu');
export const setApp = (ctx: AppContext): AppContext => setContext(KEY, ctx);
export const getApp = (): AppContext => getContext<AppContext>(KEY);
