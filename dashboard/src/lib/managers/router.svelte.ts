import type { BallotCode } from '@gozcu/shared';
import { formatHash, parseHash, type Location, type Route } from '../router';

/** The hash router: the current location as state, and navigation that keeps `?ballot=`. */
export class Router {
  location = $state.raw<Location>(parseHash(typeof location !== 'undefined' ? location.hash : ''));

  start(): () => void {
    const on = () => (this.location = parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }

  /** A link to `route` with the current ballot (and `query`, when given). */
  href(route: Route, query: Record<string, string | null | undefined> = {}): string {
    return formatHash(route, this.location.ballot, query);
  }

  go(route: Route, query: Record<string, string | null | undefined> = {}): void {
    location.hash = this.href(route, query);
  }

  setBallot(ballot: BallotCode | null): void {
    location.hash = formatHash(this.location.route, ballot, this.location.query);
  }

  /** Changes query parameters of the current view (replacing history, not pushing). */
  setQuery(patch: Record<string, string | null | undefined>): void {
    const hash = formatHash(this.location.route, this.location.ballot, { ...this.location.query, ...patch });
    history.replaceState(null, '', hash);
    this.location = parseHash(hash);
  }
}
