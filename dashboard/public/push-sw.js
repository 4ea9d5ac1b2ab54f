/*
 * Gözcü alert push handler (issue 15). Registered on its own scope (/alerts-push/) so it never
 * replaces the offline app-shell service worker at '/': it controls no page, it only receives
 * Web Push messages and shows them as notifications; a click opens the alert's page.
 */
/* eslint-env serviceworker */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'Gözcü uyarısı';
  const options = {
    body: data.body || '',
    tag: data.tag || (data.id ? `gozcu-${data.id}` : 'gozcu'),
    renotify: true,
    requireInteraction: data.severity === 'red',
    lang: 'tr',
    data: { id: data.id || null, url: data.url || '/', severity: data.severity || null, kind: data.kind || null },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if ('focus' in w) {
          if ('navigate' in w) w.navigate(url).catch(() => undefined);
          return w.focus();
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
