import type { AlertEvent, AlertView } from '@gozcu/shared';
import { alertText, applyAlertEvent, fill, isAlarm, unreadCount } from '../../dashboard/src/lib/alerts';

const alert = (id: string, over: Partial<AlertView> = {}): AlertView => ({
  id,
  kind: 'mismatch',
  severity: 'red',
  box: `e:2:69:681:${id}`,
  province: 69,
  district: 681,
  level: 'district',
  status: 'open',
  title: 'Uyuşmazlık',
  detail: 'd',
  createdAt: `2024-03-31T18:0${id}:00.000Z`,
  updatedAt: `2024-03-31T18:0${id}:00.000Z`,
  escalatedAt: null,
  resolvedAt: null,
  ack: null,
  digestCount: null,
  digestId: null,
  figures: null,
  read: false,
  ...over,
});

describe('notification centre logic', () => {
  it('puts a new alert on top, replaces a changed one in place, keeps read marks for acks, skips digest members', () => {
    let list = [alert('2', { read: true }), alert('1')];
    list = applyAlertEvent(list, { event: 'new', alert: alert('3') });
    expect(list.map((a) => a.id)).toEqual(['3', '2', '1']);
    const ack = { userId: 'u', username: 'baskan', name: 'Başkan', at: '2024-03-31T18:05:00.000Z' };
    list = applyAlertEvent(list, { event: 'ack', alert: alert('2', { ack }) });
    expect(list[1]).toMatchObject({ id: '2', ack, read: true });
    list = applyAlertEvent(list, { event: 'escalated', alert: alert('2', { level: 'province', ack: null }) });
    expect(list[1]).toMatchObject({ level: 'province', read: false });
    expect(applyAlertEvent(list, { event: 'new', alert: alert('4', { digestId: 'd' }) })).toBe(list);
    expect(unreadCount(list)).toBe(3);
    expect(unreadCount(applyAlertEvent(list, { event: 'resolved', alert: alert('1', { status: 'resolved' }) }))).toBe(2);
  });

  it('sounds only for a red alert that is new or escalated to the caller', () => {
    const e = (event: AlertEvent['event'], over: Partial<AlertView> = {}): AlertEvent => ({ event, alert: alert('1', over) });
    expect(isAlarm(e('new'))).toBe(true);
    expect(isAlarm(e('escalated'))).toBe(true);
    expect(isAlarm(e('ack'))).toBe(false);
    expect(isAlarm(e('new', { severity: 'amber' }))).toBe(false);
    expect(isAlarm(e('new', { status: 'resolved' }))).toBe(false);
  });

  it('speaks Turkish first, English second', () => {
    expect(alertText('tr').take).toBe('Ben ilgileniyorum');
    expect(fill(alertText('tr').taken, { who: 'Ayşe', time: '21:04' })).toBe('Ayşe ilgileniyor · 21:04');
    expect(alertText('en').take).toBe("I'm on it");
  });
});
