// The client of `dossier serve`, inlined before </body> of every page it serves
// (dossier/livereload.py, client_script); never part of `dossier build` output.
// Reload only when the page's own file changed; swap stylesheets in place for a
// CSS-only change; keep the scroll position across a reload; show a build error as
// an overlay until a build succeeds again.
(function () {
  var me = document.currentScript, base = me.dataset.base, token = me.dataset.dossierLive;
  var parts = token.split("."), served = decodeURIComponent(parts.slice(2).join("."));
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
  var url = me.dataset.events + "?token=" + encodeURIComponent(token) +
    "&location=" + encodeURIComponent(location.pathname);
  var events = null;
  window.dossierLive = {connected: false, changes: 0};
  function connect() {
    events = new EventSource(url);
    events.onopen = function () { window.dossierLive.connected = true; };
    events.addEventListener("change", function (e) {
      var m = JSON.parse(e.data);
      window.dossierLive.changes++;
      if (m.pages === "*" || m.pages.indexOf(served) >= 0 || m.pages.indexOf(here) >= 0) return reload();
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
