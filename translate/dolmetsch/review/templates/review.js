(function () {
  "use strict";
  var doc = document;
  var tip = doc.getElementById("tip");
  var rows = Array.prototype.slice.call(doc.querySelectorAll(".row.sent"));
  var blocks = Array.prototype.slice.call(doc.querySelectorAll(".block"));

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // a sentence and its partner light up together, on hover and on keyboard focus
  function pair(seg, on) {
    var partner = doc.getElementById(seg.getAttribute("data-partner"));
    seg.classList.toggle("hl", on);
    if (partner) { partner.classList.toggle("hl", on); }
  }
  each(doc.querySelectorAll(".seg"), function (seg) {
    seg.addEventListener("mouseenter", function () { pair(seg, true); });
    seg.addEventListener("mouseleave", function () { if (doc.activeElement !== seg) { pair(seg, false); } });
    seg.addEventListener("focus", function () { pair(seg, true); });
    seg.addEventListener("blur", function () { pair(seg, false); });
  });

  // a term shows its glossary entry, and its occurrence on the other side lights up
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
  function terms(mark, on) {
    var row = mark.closest(".row");
    each(row.querySelectorAll('mark.term[data-term="' + mark.getAttribute("data-term") + '"]'), function (m) {
      m.classList.toggle("term-hl", on);
    });
  }
  each(doc.querySelectorAll("mark.term[data-term]"), function (mark) {
    mark.addEventListener("mouseenter", function () { terms(mark, true); showTip(mark); });
    mark.addEventListener("mouseleave", function () { terms(mark, false); hideTip(mark); });
    mark.addEventListener("focus", function () { terms(mark, true); showTip(mark); });
    mark.addEventListener("blur", function () { terms(mark, false); hideTip(mark); });
  });

  // filters: only fuzzy, only with findings, only one glossary entry
  var onlyFuzzy = doc.getElementById("only-fuzzy");
  var onlyFindings = doc.getElementById("only-findings");
  var onlyTerm = doc.getElementById("only-term");
  var shown = doc.getElementById("shown");
  function apply() {
    var key = onlyTerm.value;
    var count = 0;
    rows.forEach(function (row) {
      var hide = (onlyFuzzy.checked && row.getAttribute("data-state") !== "fuzzy") ||
        (onlyFindings.checked && row.getAttribute("data-findings") === "0") ||
        (key !== "" && row.getAttribute("data-terms").indexOf("|" + key + "|") < 0);
      row.classList.toggle("filtered-out", hide);
      if (!hide) { count += 1; }
    });
    var filtering = onlyFuzzy.checked || onlyFindings.checked || key !== "";
    blocks.forEach(function (block) {
      block.classList.toggle("filtered-out", filtering && !block.querySelector(".row.sent:not(.filtered-out)"));
    });
    shown.textContent = count + " of " + rows.length + " sentences shown";
  }
  [onlyFuzzy, onlyFindings, onlyTerm].forEach(function (control) { control.addEventListener("change", apply); });
  apply();

  // j/n: next finding, k/p: previous finding, Esc: clear
  var current = -1;
  function withFindings() {
    return rows.filter(function (row) {
      return row.getAttribute("data-findings") !== "0" && !row.classList.contains("filtered-out");
    });
  }
  function go(step) {
    var list = withFindings();
    if (!list.length) { return; }
    var at = list.indexOf(rows[current]);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, at + step));
    if (current >= 0) { rows[current].classList.remove("current"); }
    current = rows.indexOf(list[next]);
    var row = rows[current];
    row.classList.add("current");
    row.scrollIntoView({ block: "center" });
    row.querySelector(".en .seg").focus({ preventScroll: true });
    shown.textContent = "finding " + (next + 1) + " of " + list.length + " sentences with findings";
  }
  doc.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return; }
    if (event.key === "j" || event.key === "n") { go(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "p") { go(-1); event.preventDefault(); }
    else if (event.key === "Escape") {
      if (current >= 0) { rows[current].classList.remove("current"); current = -1; }
      if (doc.activeElement && doc.activeElement.blur) { doc.activeElement.blur(); }
      apply();
    }
  });
})();
