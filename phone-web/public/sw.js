/**
 * Tandem phone page service worker: caches the app shell so the installed app opens offline (it
 * then shows "reconnecting" until the computer is reachable). Pages: network first, cache as
 * fallback, so a new deployment is picked up at once. Same-origin assets: cache first (their names
 * carry a content hash). Nothing else is touched: the link itself is WebRTC, not fetch.
 */
const CACHE = 'tandem-shell-v1';
const SHELL = ['./', './index.html', './manifest.webmanifest', './192.png', './512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put('./index.html', copy));
          return response;
        })
        .catch(() => caches.match('./index.html').then((cached) => cached ?? Response.error())),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        cached ??
        fetch(request).then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});

// ——— Web Push (issue 12) ———
// The extension encrypts a small notice (shared/protocol/push.ts PushNotice) for this phone; the
// browser decrypts it and wakes this worker. One notification per thread (its tag), so a newer
// notice, or the withdrawal of a decision answered elsewhere, replaces the older one.
const ACTION_TITLES = { allow_once: 'Allow once', deny: 'Deny' };
const PENDING_DB = 'tandem-push';
const PENDING_STORE = 'pending';

function readNotice(data) {
  try {
    const notice = data ? data.json() : undefined;
    return notice && notice.v === 1 && typeof notice.title === 'string' ? notice : undefined;
  } catch {
    return undefined;
  }
}

function showNotice(notice) {
  // A push must always show something (userVisibleOnly): an unreadable one says only "Tandem needs you".
  if (!notice) return self.registration.showNotification('Tandem needs you', { tag: 'tandem' });
  const id = (value) => (typeof value === 'string' && value.length <= 128 ? value : undefined);
  const threadId = id(notice.threadId);
  const decisionId = id(notice.decisionId);
  const withdrawn = notice.kind === 'withdrawn';
  const actions = (Array.isArray(notice.actions) ? notice.actions : [])
    .filter((action) => action in ACTION_TITLES)
    .map((action) => ({ action, title: ACTION_TITLES[action] }));
  return self.registration.showNotification(notice.title.slice(0, 120), {
    body: typeof notice.body === 'string' ? notice.body.slice(0, 300) : '',
    tag: threadId ? `tandem-thread-${threadId}` : 'tandem',
    renotify: !withdrawn,
    silent: withdrawn,
    requireInteraction: notice.kind === 'decision',
    icon: './192.png',
    actions: withdrawn ? [] : actions,
    data: { kind: notice.kind, threadId, decisionId },
  });
}

self.addEventListener('push', (event) => {
  event.waitUntil(showNotice(readNotice(event.data)));
});

function savePendingTap(tap) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(PENDING_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(PENDING_STORE, { keyPath: 'commandId' });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(PENDING_STORE, 'readwrite');
      tx.objectStore(PENDING_STORE).put(tap);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/**
 * A tap (or an action button): stored for the page, which holds the link to the computer and sends
 * the answer under this command id when it is connected; then the page is focused or opened.
 */
async function handleNotificationTap(data, action) {
  const tap = { commandId: `push-${crypto.randomUUID()}`, at: Date.now() };
  if (data && typeof data.threadId === 'string') tap.threadId = data.threadId;
  if (data && typeof data.decisionId === 'string') tap.decisionId = data.decisionId;
  if (data && data.kind === 'decision' && (action === 'allow_once' || action === 'deny')) tap.optionId = action;
  await savePendingTap(tap);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const page = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (page) {
    page.postMessage({ type: 'tandem-push-tap' });
    await page.focus().catch(() => {});
  } else {
    // Allowed only during a real notification click; the tap is stored either way, for the next page.
    await self.clients.openWindow(new URL('./', self.registration.scope).href).catch(() => null);
  }
  return tap;
}
// Tests reach the tap path through this (a headless browser has no notification to click).
self.tandemHandleNotificationTap = handleNotificationTap;

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(handleNotificationTap(event.notification.data, event.action));
});
