// Progressive enhancement for the rater survey: autosave, live progress, one submit per click.
// Without JavaScript the form still saves and submits through ordinary POSTs.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-draft-url");
  var version = parseInt(form.getAttribute("data-version"), 10) || 0;
  var status = document.getElementById("autosave-status");
  var count = document.getElementById("progress-count");
  var bar = document.getElementById("survey-progress");
  var timer = null;
  var saving = false;
  var again = false;
  var sent = false;

  function answers() {
    var out = {};
    var data = new FormData(form);
    data.forEach(function (value, key) {
      if (key.indexOf("a_") === 0 && typeof value === "string") { out[key.slice(2)] = value; }
    });
    return out;
  }

  function progress() {
    var names = {};
    form.querySelectorAll("input[type=radio]").forEach(function (r) {
      names[r.name] = names[r.name] || r.checked;
    });
    var done = Object.keys(names).filter(function (k) { return names[k]; }).length;
    if (count) { count.textContent = String(done); }
    if (bar) { bar.value = done; }
  }

  // Texts in the page's language, when the page gives them (English is written here).
  function words(key, english) { return form.getAttribute("data-msg-" + key) || english; }

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answers: answers(), version: version }),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      if (res.status === 200) {
        version = res.body.version;
        say(words("saved", "Saved"));
      } else if (res.status === 409 && res.body.error === "conflict") {
        version = res.body.version;
        again = true;
        say(words("conflict", "Saved on another device; keeping your latest choices here"));
      } else {
        say(words("failed", "Not saved automatically; use \u201cSave and continue later\u201d"));
      }
    }).catch(function () {
      say(words("offline", "Offline: your answers will be saved when the connection is back"));
    }).then(function () {
      saving = false;
      if (again) { again = false; schedule(); }
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 800);
  }

  form.addEventListener("change", function () { progress(); schedule(); });
  form.addEventListener("input", function (e) {
    if (e.target && e.target.tagName === "TEXTAREA") { schedule(); }
  });
  form.addEventListener("submit", function (e) {
    if (sent) { e.preventDefault(); return; }
    if (e.submitter && e.submitter.value === "submit") { sent = true; }
    if (timer) { clearTimeout(timer); }
  });
  var errors = document.getElementById("survey-errors");
  if (errors) { errors.focus(); }
})();
