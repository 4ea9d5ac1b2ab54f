import type { HealthState } from './health';

/** Feed states never by colour alone: an icon and a word each. */
export const HEALTH_ICON: Record<HealthState, string> = {
  healthy: '●',
  slow: '◐',
  failing: '✖',
  paused: '‖',
  unknown: '?',
};
