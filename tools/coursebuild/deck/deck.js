// sqskit slide deck: arrows/space/PageUp/PageDown move, Home/End jump, N toggles the
// speaker notes below the slide, S opens them in a second window that follows along.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var notes = Array.prototype.slice.call(document.querySelectorAll(".notes"));
  var speaker = null;
  var current = 0;

  function fromHash() {
    var n = parseInt((location.hash || "#1").slice(1), 10);
    return isNaN(n) ? 0 : Math.min(Math.max(n - 1, 0), slides.length - 1);
  }

  // A slide that does not fit at its font gets the smaller one of "dense" slides, then
  // a smaller one still (the build already makes slides with much text dense; the
  // browser test checks that every slide fits).
  function fit() {
    var s = slides[current];
    ["dense", "denser"].forEach(function (step) {
      if (s && s.scrollHeight > s.clientHeight + 1) { s.classList.add(step); }
    });
  }

  function show(index) {
    current = Math.min(Math.max(index, 0), slides.length - 1);
    slides.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    fit();
    notes.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    if (location.hash !== "#" + (current + 1)) { history.replaceState(null, "", "#" + (current + 1)); }
    if (speaker && !speaker.closed) {
      speaker.document.body.innerHTML = "<h3>Slide " + (current + 1) + " of " + slides.length +
        "</h3>" + (notes[current] ? notes[current].innerHTML : "<p>(no notes)</p>");
    }
  }

  document.addEventListener("keydown", function (e) {
    var key = e.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown") { show(current + 1); }
    else if (key === "ArrowLeft" || key === "PageUp") { show(current - 1); }
    else if (key === "Home") { show(0); }
    else if (key === "End") { show(slides.length - 1); }
    else if (key === "n" || key === "N") { document.body.classList.toggle("show-notes"); fit(); }
    else if (key === "s" || key === "S") {
      speaker = window.open("", "sqskit-speaker-notes", "width=600,height=500");
      if (speaker) {
        speaker.document.title = "Speaker notes: " + document.title;
        speaker.document.body.style.fontFamily = "system-ui, sans-serif";
        show(current);
      }
    } else { return; }
    e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("a")) { return; }
    show(e.clientX > window.innerWidth / 3 ? current + 1 : current - 1);
  });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  window.addEventListener("resize", fit);
  show(fromHash());
}());
