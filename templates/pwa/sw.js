/* The portal's service worker (portal/pwa.py writes CONFIG; read its docstring first).
 * Static files: cache first. Public pages: network first, else the copy kept, else the
 * offline page of the path's language. Nothing personal is ever kept. */
"use strict";

const CONFIG = {{ config|safe }};
const STATIC_CACHE = CONFIG.prefix + "static-" + CONFIG.version;
const PAGES_CACHE = CONFIG.prefix + "pages-" + CONFIG.version;
const OFFLINE_CACHE = CONFIG.prefix + "offline-" + CONFIG.version;
const CURRENT = [STATIC_CACHE, PAGES_CACHE, OFFLINE_CACHE];

function startsWithAny(path, prefixes) {
  return prefixes.some(function (prefix) { return path.startsWith(prefix); });
}

// The same rule as portal.pwa.may_cache.
function mayCache(path) {
  if (startsWithAny(path, CONFIG.private)) { return false; }
  return CONFIG.homes.indexOf(path) !== -1 || startsWithAny(path, CONFIG.public);
}

function isStatic(path) {
  return path.startsWith(CONFIG.static);
}

// Only a plain 200 of this origin that no header marks as personal.
function keepable(response) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return false;
  }
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return control.indexOf("private") === -1 && control.indexOf("no-store") === -1;
}

function offlinePage(path) {
  let language = CONFIG.defaultLanguage;
  Object.keys(CONFIG.offline).forEach(function (code) {
    if (code !== CONFIG.defaultLanguage && path.startsWith("/" + code + "/")) { language = code; }
  });
  return CONFIG.offline[language];
}

async function trim(cache, limit) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - limit; i += 1) {
    await cache.delete(keys[i]);
  }
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    const offline = await caches.open(OFFLINE_CACHE);
    // Without cookies: the offline page is the public one, whoever is signed in.
    await Promise.all(Object.values(CONFIG.offline).map(async function (url) {
      const response = await fetch(url, { credentials: "omit", cache: "reload" });
      if (!response.ok) { throw new Error("offline page " + url + ": " + response.status); }
      await offline.put(url, response);
    }));
    const statics = await caches.open(STATIC_CACHE);
    await statics.addAll(CONFIG.precache.map(function (url) {
      return new Request(url, { credentials: "omit", cache: "reload" });
    }));
    await self.skipWaiting();
  })());
});

// A new version takes over at once and drops every cache of the old one.
self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    const names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return name.startsWith(CONFIG.prefix) && CURRENT.indexOf(name) === -1;
    }).map(function (name) { return caches.delete(name); }));
    await self.clients.claim();
  })());
});

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) { return kept; }
  const response = await fetch(request);
  if (keepable(response)) { await cache.put(request, response.clone()); }
  return response;
}

async function networkFirst(request, path, store) {
  try {
    const response = await fetch(request);
    if (store && keepable(response)) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(request, response.clone());
      await trim(cache, CONFIG.maxPages);
    }
    return response;
  } catch (error) {
    if (store) {
      const kept = await caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true });
      if (kept) { return kept; }
    }
    if (request.mode === "navigate") {
      const offline = await caches.match(offlinePage(path), { cacheName: OFFLINE_CACHE });
      if (offline) { return offline; }
    }
    throw error;
  }
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  const path = url.pathname;
  if (isStatic(path)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  const store = mayCache(path);
  // Any page may fall back to the offline page; only the allowed ones are kept.
  if (store || request.mode === "navigate") {
    event.respondWith(networkFirst(request, path, store));
  }
});
