// Registers the portal's service worker (served from the root by portal/pwa.py, so that it
// may control every page). An external file: the CSP allows no inline script.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // The portal works without it; nothing to tell the reader.
    });
  });
})();
