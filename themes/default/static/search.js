/* The search page: Pagefind's own UI over the index `dossier build` wrote to
   pagefind/ beside assets/, and over the other shards of a big dossier's index
   (pagefind-2/, …), which the page names in this script's data-merge. Every URL is
   computed from this script's own URL, so the page works under a sub-path
   (/repo/search/), at a domain root and from the preview server; nothing is
   fetched from elsewhere (works offline). */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = new URL("../pagefind/", script.src);
  var shards = (script.getAttribute("data-merge") || "").split(" ").filter(Boolean);
  var query = new URLSearchParams(window.location.search).get("q") || "";
  // Pagefind UI gives its options to the first bundle only: every shard must rank and
  // cut excerpts alike, since their results are sorted together by score.
  // Pagefind's default (pageLength 0.75) ranks short pages first: a person's page,
  // a profile of a few lines, would beat the story whose text the words come from.
  // The evidence ranks on its matches; entity pages rank on their name and aliases
  // (weighted in entity.html, their profile at half weight, their lists not indexed).
  var ranking = { pageLength: 0.3 };
  var excerptLength = 12; // Pagefind UI's own choice when it shows sub-results

  function unavailable(reason) {
    document.getElementById("search-why").textContent = reason;
  }

  function start() {
    var ui = new window.PagefindUI({
      element: "#search-ui",
      bundlePath: bundle.pathname,
      showImages: false,
      showSubResults: true,
      pageSize: 10,
      resetStyles: false, // inherit the theme's fonts; colours come from dossier.css
      openFilters: ["kind"],
      ranking: ranking,
      excerptLength: excerptLength,
      mergeIndex: shards.map(function (name) {
        return { bundlePath: new URL("../" + name + "/", script.src).pathname,
                 ranking: ranking, excerptLength: excerptLength };
      }),
      translations: { placeholder: "Search the dossier", filters_label: "Filter by kind" },
    });
    var input = document.querySelector("#search-ui input");
    if (input) {
      input.setAttribute("aria-label", "Search the dossier");
      // keep ?q= in step with the box, so a search can be bookmarked or shared
      input.addEventListener("input", function () {
        var url = new URL(window.location.href);
        if (input.value) url.searchParams.set("q", input.value);
        else url.searchParams.delete("q");
        window.history.replaceState(null, "", url);
      });
    }
    document.getElementById("search-help").hidden = true;
    var header = document.getElementById("site-search-q");
    if (header) header.value = query;
    if (query) ui.triggerSearch(query);
  }

  if (window.location.protocol === "file:") {
    // Pagefind fetches its index; browsers refuse fetch() from file:// pages
    unavailable("Search does not work from a copy opened as a file: browsers do not let a page " +
                "read other files. Open the published site, or run dossier serve.");
    return;
  }
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("pagefind-ui.css", bundle).href;
  document.head.appendChild(css);
  var js = document.createElement("script");
  js.src = new URL("pagefind-ui.js", bundle).href;
  js.onload = start;
  js.onerror = function () {
    unavailable("This copy of the dossier has no search index (it was built without Pagefind: " +
                "see the build's “search index skipped” message).");
  };
  document.head.appendChild(js);
})();
