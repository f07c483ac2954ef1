(function () {
  "use strict";
  // Same origin only: the page asks this server's POST /translate (JSON) and nothing else.
  var doc = document;
  var form = doc.getElementById("form");
  var source = doc.getElementById("source");
  var key = doc.getElementById("api-key");
  var go = doc.getElementById("go");
  var status = doc.getElementById("status");
  var result = doc.getElementById("result");
  var rows = doc.getElementById("rows");
  var summary = doc.getElementById("summary");
  var tip = doc.getElementById("tip");
  var HOW_SAID = {
    "natural": "the first translation already had it",
    "n-best": "found among the other hypotheses of the beam",
    "prefix": "the decoder was led to it through a forced prefix",
    "replaced": "put in after decoding: check the wording around it",
    "kept": "present in a translation taken from the translation memory",
    "MISSING": "MISSING from the English"
  };

  function paragraphs(text) {
    return text.split(/\n[ \t]*\n/).map(function (p) { return p.trim(); }).filter(function (p) { return p !== ""; });
  }

  // The `dolmetsch` field holds one report per text (a list for a list `q`): its sentences, each
  // with its German, its English, where the English came from and its glossary terms.
  function reportOf(data, i, many) {
    var d = data && data.dolmetsch;
    if (many && Array.isArray(d)) { d = d[i]; }
    return d && typeof d === "object" && !Array.isArray(d) ? d : {};
  }

  // The text's units, German and English side by side: its sentences when the report has them,
  // else the whole text with whatever terms the report lists.
  function unitsOf(report, de, en) {
    var listed = Array.isArray(report.sentences) ? report.sentences.filter(function (s) {
      return s && typeof s.source === "string" && typeof s.translation === "string";
    }) : [];
    if (listed.length) {
      return listed.map(function (s) { return { de: s.source, en: s.translation, origin: str(s.origin), terms: termList(s.terms) }; });
    }
    return [{ de: de, en: en, origin: "", terms: termList(report.terms) }];
  }

  function termList(list) {
    return Array.isArray(list) ? list.filter(function (t) { return t && typeof t === "object"; }) : [];
  }

  function howOf(t) { return String(t.how || t.strategy || ""); }
  function str(v) { return typeof v === "string" ? v : ""; }

  // Non-overlapping spans [start, end, term index] of each term's text in `text`, searched in order.
  function spans(text, terms, side) {
    var found = [];
    var lower = text.toLowerCase();
    var from = {};
    terms.forEach(function (t, index) {
      var needle = side === "de" ? (str(t.found) || str(t.de)) : str(t.en);
      if (!needle || (side === "en" && howOf(t) === "MISSING")) { return; }
      var hay = side === "de" ? text : lower;
      var sought = side === "de" ? needle : needle.toLowerCase();
      var at = hay.indexOf(sought, from[sought] || 0);
      if (at < 0 && side === "en") { at = hay.indexOf(sought); }
      while (at >= 0 && found.some(function (s) { return at < s[1] && at + sought.length > s[0]; })) {
        at = hay.indexOf(sought, at + 1);
      }
      if (at < 0) { return; }
      from[sought] = at + sought.length;
      found.push([at, at + sought.length, index]);
    });
    return found.sort(function (a, b) { return a[0] - b[0]; });
  }

  function tipText(t) {
    var how = howOf(t);
    var lines = [str(t.de) + " → " + str(t.en) + (t.kind ? " (" + t.kind + ")" : ""), how + ": " + (HOW_SAID[how] || "")];
    if (t.found && t.found !== t.de) { lines.push("in the German as: " + t.found); }
    if (t.note) { lines.push("note: " + t.note); }
    return lines.join("\n");
  }

  function fill(element, text, terms, side, unit) {
    var at = 0;
    spans(text, terms, side).forEach(function (s) {
      if (s[0] > at) { element.appendChild(doc.createTextNode(text.slice(at, s[0]))); }
      var t = terms[s[2]];
      var how = howOf(t);
      var mark = doc.createElement("mark");
      mark.className = "term how-" + how.toLowerCase() + (side === "de" && how === "MISSING" ? " missing" : "");
      mark.setAttribute("data-term", unit + "-" + s[2]);
      mark.setAttribute("data-side", side);
      mark.setAttribute("data-tip", tipText(t));
      mark.tabIndex = 0;
      mark.textContent = text.slice(s[0], s[1]);
      element.appendChild(mark);
      at = s[1];
    });
    if (at < text.length) { element.appendChild(doc.createTextNode(text.slice(at))); }
  }

  function showTip(mark) {
    tip.textContent = mark.getAttribute("data-tip");
    tip.hidden = false;
    var box = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(box.left, window.innerWidth - tip.offsetWidth - 8));
    var top = box.bottom + 6;
    if (top + tip.offsetHeight > window.innerHeight - 4) { top = Math.max(4, box.top - tip.offsetHeight - 6); }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    mark.setAttribute("aria-describedby", "tip");
  }
  function hideTip(mark) { tip.hidden = true; mark.removeAttribute("aria-describedby"); }
  function pair(mark, on) {
    Array.prototype.forEach.call(rows.querySelectorAll('mark.term[data-term="' + mark.getAttribute("data-term") + '"]'),
      function (m) { m.classList.toggle("term-hl", on); });
  }
  function enter(event) {
    var mark = event.target;
    if (!(mark instanceof Element) || !mark.matches("mark.term[data-term]")) { return; }
    pair(mark, true); showTip(mark);
  }
  function leave(event) {
    var mark = event.target;
    if (!(mark instanceof Element) || !mark.matches("mark.term[data-term]")) { return; }
    pair(mark, false); hideTip(mark);
  }
  function sentencePair(event, on) {
    var sent = event.target instanceof Element ? event.target.closest(".sent") : null;
    if (!sent) { return; }
    var partner = doc.getElementById(sent.getAttribute("data-partner"));
    sent.classList.toggle("hl", on);
    if (partner) { partner.classList.toggle("hl", on); }
  }
  rows.addEventListener("mouseover", function (event) { sentencePair(event, true); });
  rows.addEventListener("mouseout", function (event) { sentencePair(event, false); });
  rows.addEventListener("mouseover", enter);
  rows.addEventListener("mouseout", leave);
  rows.addEventListener("focusin", enter);
  rows.addEventListener("focusout", leave);

  function badge(meta, cls, text) {
    var b = doc.createElement("span");
    b.className = "badge " + cls;
    b.textContent = text;
    meta.appendChild(b);
  }

  function show(german, data, seconds) {
    var english = data.translatedText;
    var many = Array.isArray(english);
    if (!many) { english = [english]; }
    rows.textContent = "";
    var counts = {};
    var total = 0;
    var sentences = 0;
    german.forEach(function (de, i) {
      var units = unitsOf(reportOf(data, i, many), de, typeof english[i] === "string" ? english[i] : "");
      var row = doc.createElement("div");
      row.className = "row para";
      row.id = "p" + (i + 1);
      var left = doc.createElement("div");
      left.className = "de";
      left.lang = "de";
      var right = doc.createElement("div");
      right.className = "en";
      right.lang = "en";
      var p = doc.createElement("p");
      p.className = "seg";
      p.id = "de-p" + (i + 1);
      var q = doc.createElement("p");
      q.className = "seg";
      q.id = "en-p" + (i + 1);
      var missing = 0, replaced = 0, remembered = 0;
      units.forEach(function (u, j) {
        var id = (i + 1) + "-" + (j + 1);
        var a = doc.createElement("span");
        a.className = "sent";
        a.id = "de-s" + id;
        a.setAttribute("data-partner", "en-s" + id);
        fill(a, u.de, u.terms, "de", id);
        var b = doc.createElement("span");
        b.className = "sent";
        b.id = "en-s" + id;
        b.setAttribute("data-partner", "de-s" + id);
        fill(b, u.en, u.terms, "en", id);
        if (j > 0) { p.appendChild(doc.createTextNode(" ")); q.appendChild(doc.createTextNode(" ")); }
        p.appendChild(a);
        q.appendChild(b);
        sentences += 1;
        if (u.origin && u.origin !== "machine") { remembered += 1; }
        u.terms.forEach(function (t) {
          var how = howOf(t);
          counts[how] = (counts[how] || 0) + 1;
          total += 1;
          if (how === "MISSING") { missing += 1; }
          if (how === "replaced") { replaced += 1; }
        });
      });
      left.appendChild(p);
      right.appendChild(q);
      if (missing || replaced || remembered) {
        var meta = doc.createElement("div");
        meta.className = "meta";
        if (missing) { badge(meta, "missing", missing + " glossary term" + (missing > 1 ? "s" : "") + " missing"); }
        if (replaced) { badge(meta, "replaced", replaced + " term" + (replaced > 1 ? "s" : "") + " replaced"); }
        if (remembered) { badge(meta, "origin", remembered + " sentence" + (remembered > 1 ? "s" : "") + " answered without decoding (" +
          units.map(function (u) { return u.origin; }).filter(function (o) { return o && o !== "machine"; }).join(", ") + ")"); }
        right.appendChild(meta);
      }
      row.appendChild(left);
      row.appendChild(right);
      rows.appendChild(row);
    });
    var byHow = Object.keys(counts).sort().map(function (k) { return k + " " + counts[k]; }).join(", ");
    summary.textContent = german.length + " paragraph" + (german.length > 1 ? "s" : "") + " · " + sentences +
      " sentence" + (sentences > 1 ? "s" : "") + " · " + total + " glossary term" + (total === 1 ? "" : "s") +
      (byHow ? " (" + byHow + ")" : "") + " · " + seconds.toFixed(2) + " s";
    result.hidden = false;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function translate() {
    var german = paragraphs(source.value);
    if (!german.length) { say("Nothing to translate.", true); return; }
    var body = { q: german, source: "de", target: "en", format: "text" };
    if (key.value.trim()) { body.api_key = key.value.trim(); }
    go.disabled = true;
    say("Translating…", false);
    var started = performance.now();
    fetch("/translate", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body), credentials: "same-origin", cache: "no-store", redirect: "error"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var retry = response.headers.get("Retry-After");
          var why = (data && typeof data.error === "string") ? data.error : "HTTP " + response.status;
          throw new Error(why + (retry ? " (try again in " + retry + " s)" : ""));
        }
        show(german, data, (performance.now() - started) / 1000);
        say("Done.", false);
      });
    }).catch(function (error) {
      say(error && error.message ? error.message : "The server could not be reached.", true);
    }).then(function () { go.disabled = false; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); translate(); });
  source.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); translate(); }
  });
})();
