/** The notification centre's pure logic (merging live events, counting, texts) and its browser helpers. */
import type { AlertEvent, AlertView } from '@gozcu/shared';
import type { Lang } from './format';

/** Applies one live event to the list (newest first): a new alert goes on top, a change replaces the held one. */
export function applyAlertEvent(list: readonly AlertView[], e: AlertEvent): AlertView[] {
  // members of a digest are not shown one by one
  if (e.alert.digestId) return list as AlertView[];
  const i = list.findIndex((a) => a.id === e.alert.id);
  const read = i >= 0 ? list[i].read : false;
  const next = { ...e.alert, read: e.event === 'new' || e.event === 'escalated' ? false : (read ?? false) };
  if (i < 0) return [next, ...list].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const out = list.slice();
  out[i] = next;
  return out;
}

export function unreadCount(list: readonly AlertView[]): number {
  return list.filter((a) => !a.read && a.status === 'open').length;
}

/** True when this event should sound and pulse: a red alert reaching the caller now. */
export function isAlarm(e: AlertEvent): boolean {
  return e.alert.severity === 'red' && e.alert.status === 'open' && (e.event === 'new' || e.event === 'escalated');
}

const TEXT = {
  tr: {
    bell: 'Uyarılar',
    unread: '{n} okunmamış uyarı',
    none: 'Uyarı yok.',
    take: 'Ben ilgileniyorum',
    taken: '{who} ilgileniyor · {time}',
    resolved: 'Çözüldü',
    digest: '{n} uyarı',
    level: { district: 'İlçe', province: 'İl', country: 'Genel Merkez' },
    pushOn: 'Telefona bildirim aç',
    pushDone: 'Bildirimler açık',
    pushFail: 'Bildirim açılamadı: {msg}',
    sound: 'Ses',
    mute: 'Sesi kapat',
    unmute: 'Sesi aç',
    close: 'Kapat',
    alarm: 'KIRMIZI ALARM',
  },
  en: {
    bell: 'Alerts',
    unread: '{n} unread alerts',
    none: 'No alerts.',
    take: "I'm on it",
    taken: '{who} is on it · {time}',
    resolved: 'Resolved',
    digest: '{n} alerts',
    level: { district: 'District', province: 'Province', country: 'HQ' },
    pushOn: 'Notify my phone',
    pushDone: 'Notifications on',
    pushFail: 'Could not turn notifications on: {msg}',
    sound: 'Sound',
    mute: 'Mute',
    unmute: 'Unmute',
    close: 'Close',
    alarm: 'RED ALERT',
  },
} as const;

export function alertText(lang: Lang) {
  return TEXT[lang] ?? TEXT.tr;
}

export function fill(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

let audio: AudioContext | null = null;

/** Two short beeps through WebAudio (no sound file). Answers false when the browser will not play. */
export function beep(): boolean {
  try {
    const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
    if (!Ctor) return false;
    audio ??= new Ctor();
    if (audio.state === 'suspended') void audio.resume();
    const t = audio.currentTime;
    for (const start of [0, 0.25]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'square';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + start + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + start);
      osc.stop(t + start + 0.2);
    }
    return true;
  } catch {
    return false;
  }
}

function urlBase64ToUint8Array(b64: string): Uint8Array {
  const pad = '='.repeat((4 - (b64.length % 4)) % 4);
  const raw = atob((b64 + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export const PUSH_SW = '/push-sw.js';
export const PUSH_SCOPE = '/alerts-push/';

/** Registers the push service worker (its own scope) and subscribes with the server's VAPID key. */
export async function subscribePush(publicKey: string): Promise<PushSubscriptionJSON> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) throw new Error('this browser has no Web Push');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error(`notification permission ${permission}`);
  const reg = await navigator.serviceWorker.register(PUSH_SW, { scope: PUSH_SCOPE });
  await navigator.serviceWorker.ready.catch(() => undefined);
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey) as BufferSource }));
  return sub.toJSON();
}
