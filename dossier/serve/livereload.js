// The client of `dossier serve`, inlined before </body> of every page it serves
// (dossier/livereload.py, client_script); never part of `dossier build` output.
// Refresh only when the page's own file changed; swap stylesheets in place for a
// CSS-only change; keep the scroll position; show a build error as an overlay
// until a build succeeds again.
(function () {
  var me = document.currentScript, base = me.dataset.base, token, served, url, error = null;
  function setToken(value) {  // "<server id>.<version>.<site path>", written by the server per response
    token = value;
    served = decodeURIComponent(value.split(".").slice(2).join("."));
    url = me.dataset.events + "?token=" + encodeURIComponent(token) + "&location=" + encodeURIComponent(location.pathname);
  }
  setToken(me.dataset.dossierLive);
  var here = decodeURIComponent(location.pathname).slice(base.length);
  if (here === "" || here.slice(-1) === "/") here += "index.html";
  var scrollKey = "dossier-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    var xy = JSON.parse(saved), restore = function () { window.scrollTo(xy[0], xy[1]); };
    restore();
    window.addEventListener("load", restore);
  }
  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }
  function styles(doc) {
    return Array.from(doc.querySelectorAll('link[rel="stylesheet"]'),
                      function (l) { return l.getAttribute("href").split("?")[0]; }).join(" ");
  }
  // The changed page is fetched and its <body> swapped in: no navigation, so no
  // flash, no stylesheet to revalidate, and the scroll position stays. A page with
  // scripts of its own (search) is reloaded instead, and so is any page when the
  // fetch or the swap goes wrong.
  function refresh() {
    if (document.querySelector("script[src]")) return reload();
    fetch(location.href, {cache: "no-cache"}).then(function (response) {
      if (!response.ok && response.status !== 404) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var live = doc.querySelector("script[data-dossier-live]");
      if (!live || doc.querySelector("script[src]") || styles(doc) !== styles(document)) return reload();
      var x = window.scrollX, y = window.scrollY;
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));  // its scripts do not run: this one stays
      window.scrollTo(x, y);
      overlay(error);
      setToken(live.dataset.dossierLive);
      if (events) { events.close(); connect(); }  // reconnect with the new token
      window.dossierLive.updated = Date.now();
    }).catch(reload);
  }
  function swapCss(paths, epoch) {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      if (paths.indexOf(decodeURIComponent(url.pathname).slice(base.length)) < 0) return;
      url.searchParams.set("dossier", epoch);
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () { link.remove(); };
      link.after(fresh);
    });
  }
  function overlay(message) {
    error = message;
    var box = document.getElementById("dossier-error");
    if (!message) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "dossier-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:70vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#fff1f0;color:#5c0a00;border-bottom:4px solid #b3261e;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.25);font:15px/1.5 system-ui,sans-serif;text-align:left";
      box.innerHTML = '<button type="button" style="float:right;font:inherit;cursor:pointer">Hide</button>' +
        '<strong style="display:block;font-size:1.05em">This edit did not build</strong>' +
        '<pre style="margin:.5rem 0;white-space:pre-wrap;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace"></pre>' +
        '<span>The page shows the last good build. Fix the file and save: this page updates by itself.</span>';
      box.querySelector("button").onclick = function () { box.remove(); };
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = message;
  }
  var events = null;
  window.dossierLive = {connected: false, changes: 0, updated: 0};
  function connect() {
    window.dossierLive.connected = false;
    events = new EventSource(url);
    events.onopen = function () { window.dossierLive.connected = true; };
    events.addEventListener("change", function (e) {
      var m = JSON.parse(e.data);
      window.dossierLive.changes++;
      if (m.pages === "*") return reload();  // a script or an image may have changed: start afresh
      if (m.pages.indexOf(served) >= 0 || m.pages.indexOf(here) >= 0) return refresh();
      if (m.css && m.css.length) swapCss(m.css, m.epoch);
    });
    events.addEventListener("broken", function (e) { overlay(JSON.parse(e.data).message); });
    events.addEventListener("fixed", function () { overlay(null); });
  }
  // A browser opens at most six connections to one server: a hidden tab gives its
  // stream back, and on its return the server tells it whether it missed a change.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && events) { events.close(); events = null; window.dossierLive.connected = false; }
    else if (!document.hidden && !events) connect();
  });
  if (!document.hidden) connect();
})();
