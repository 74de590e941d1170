/*
 * App-shell service worker. The built shell (index.html and the hashed assets it names) is served cache-first
 * so the app opens offline; GETs of the schedule's data are network-first with the last answer kept, so a
 * schedule already loaded stays readable offline. Signing out clears the data cache (message 'clear-data').
 */
const SHELL = 'clinic-shell-v2';
const DATA = 'clinic-data-v2';
// The catalog and the appointment lists (ids, times and statuses; patient names are not kept offline). The
// query string is part of the cache key, so each loaded week is kept as it was last seen.
const DATA_PATHS = [
  /\/api\/v1\/clinics(\/[^/]+)?$/,
  /\/api\/v1\/clinics\/[^/]+\/(practitioners|rooms|appointment-types|schedules)$/,
  /\/api\/v1\/appointments$/,
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const res = await fetch('/index.html', { cache: 'no-store' });
      const html = await res.clone().text();
      await cache.put('/index.html', res);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll(assets);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const k of await caches.keys()) if (k !== SHELL && k !== DATA) await caches.delete(k);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'clear-data') event.waitUntil(caches.delete(DATA));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;

  if (req.mode === 'navigate') {
    event.respondWith(fetch(req).catch(async () => (await caches.match('/index.html')) || Response.error()));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then(async (res) => {
            if (res.ok) (await caches.open(SHELL)).put(req, res.clone());
            return res;
          }),
      ),
    );
    return;
  }
  if (DATA_PATHS.some((re) => re.test(url.pathname))) {
    event.respondWith(
      fetch(req)
        .then(async (res) => {
          if (res.ok) (await caches.open(DATA)).put(req, res.clone());
          return res;
        })
        .catch(async () => (await caches.open(DATA)).match(req).then((hit) => hit || Response.error())),
    );
  }
});
