// Progressive enhancement: every action also works as a plain form without this file.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.content : "";
  var live = document.getElementById("live");
  function announce(text) { if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 50); } }
  function slug() { var m = location.pathname.match(/^\/c\/([^/]+)/); return m ? m[1] : null; }

  // Votes, comments and the live group page: see concerto-live.js.

  // While a contribution is being written, show the similar ones already there.
  var similar = document.getElementById("similar");
  if (similar) {
    var form = similar.closest("form");
    var timer = null;
    var lastQuery = "";
    var lookup = function () {
      var text = (form.elements.title.value + "\n" + form.elements.body.value).trim();
      if (text.length < 12 || text === lastQuery) { if (text.length < 12) similar.hidden = true; return; }
      lastQuery = text;
      fetch(similar.dataset.url + "?group=" + similar.dataset.group + "&text=" + encodeURIComponent(text.slice(0, 1000)), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) {
          similar.textContent = "";
          if (!items.length) { similar.hidden = true; return; }
          var intro = document.createElement("p");
          intro.textContent = similar.dataset.intro;
          var list = document.createElement("ul");
          items.forEach(function (item) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = location.pathname.replace(/\/g\/\d+.*$/, "") + "/contributions/" + item.id;
            link.textContent = item.title;
            li.appendChild(link);
            li.appendChild(document.createTextNode(" (" + item.votes + " ✓)"));
            list.appendChild(li);
          });
          similar.appendChild(intro);
          similar.appendChild(list);
          similar.hidden = false;
        }).catch(function () { similar.hidden = true; });
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 350); });
  }

  // Print buttons (the join poster).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Copy buttons (invitation link).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.dataset.copy);
    input.select();
    (navigator.clipboard ? navigator.clipboard.writeText(input.value) : Promise.resolve(document.execCommand("copy")))
      .then(function () { announce(button.dataset.copied); });
  });

  // Live Markdown preview: a box [data-preview-for="ID"][data-preview-url] beside the textarea
  // #ID shows what the text will look like (rendered by the server, the same renderer as everywhere).
  // Delegated, so it keeps working on parts of a page replaced live (the board).
  var timers = {};
  function boxFor(input) {
    return input.id ? document.querySelector('[data-preview-for="' + input.id + '"]') : null;
  }
  function preview(box, input) {
    var body = new FormData();
    body.append("text", input.value);
    body.append("_csrf_token", token);
    fetch(box.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "x-csrftoken": token } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { box.querySelector(".prose").innerHTML = html; box.hidden = !input.value.trim(); });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    var box = input.matches("textarea") && boxFor(input);
    if (!box) return;
    clearTimeout(timers[input.id]);
    timers[input.id] = setTimeout(function () { preview(box, input); }, 300);
  });
  document.querySelectorAll("[data-preview-for][data-preview-now]").forEach(function (box) {
    var input = document.getElementById(box.dataset.previewFor);
    if (input && input.value.trim()) preview(box, input);
  });
})();
