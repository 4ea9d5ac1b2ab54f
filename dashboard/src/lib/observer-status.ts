/** How one of the observer's boxes stands, as the screens word it (issue 12). */
import type { MyBox } from '@gozcu/shared';
import type { MessageKey, Params } from './i18n';
import type { OutboxItem } from './outbox';

export type Tone = 'none' | 'wait' | 'ok' | 'warn' | 'bad';

export interface StatusLine {
  key: MessageKey;
  params?: Params;
  tone: Tone;
  /** a stable name for tests and styling */
  id: string;
}

/**
 * The lines under a box: first the caller's own entry (waiting on the device, received,
 * same as / different from YSK), then the organisation's figure (awaiting confirmation
 * n/N, conflicting, confirmed and how it compares with YSK).
 */
export function statusLines(box: MyBox, queued: OutboxItem | undefined, confirmations: number, yskVisible = true): StatusLine[] {
  const lines: StatusLine[] = [];
  if (queued && queued.state === 'pending') lines.push({ id: 'queued', key: 'obs.state.queued', tone: 'wait' });
  else if (queued && queued.state === 'failed') lines.push({ id: 'failed', key: 'obs.queue.failed', params: { msg: queued.lastError ?? '' }, tone: 'bad' });
  if (box.mine) {
    lines.push({ id: 'received', key: 'obs.state.received', tone: 'ok' });
    if (box.verdict === 'match') lines.push({ id: 'match', key: 'obs.state.match', tone: 'ok' });
    else if (box.verdict === 'differs') lines.push({ id: 'differs', key: 'obs.state.differs', tone: 'warn' });
    else if (!yskVisible) lines.push({ id: 'embargo', key: 'obs.state.embargo', tone: 'none' });
    else if (box.summary.ysk === null) lines.push({ id: 'no-ysk', key: 'obs.state.noYsk', tone: 'none' });
  } else if (!queued) {
    lines.push({ id: 'none', key: 'obs.state.none', tone: 'none' });
  }
  const s = box.summary;
  if (s.conflicting) lines.push({ id: 'conflicting', key: 'obs.state.conflicting', tone: 'bad' });
  if (s.unconfirmed)
    lines.push({ id: 'unconfirmed', key: 'obs.state.unconfirmed', params: { have: Math.min(box.agreeing, confirmations), need: confirmations }, tone: 'wait' });
  else if (s.org) {
    lines.push({ id: 'confirmed', key: 'obs.state.confirmed', tone: 'ok' });
    if (s.status === 'match') lines.push({ id: 'org-match', key: 'obs.state.orgMatch', tone: 'ok' });
    else if (s.status === 'mismatch') lines.push({ id: 'org-mismatch', key: 'obs.state.orgMismatch', tone: 'bad' });
  }
  return lines;
}
