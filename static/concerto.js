// Progressive enhancement: every action also works as a plain form without this file.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.content : "";
  var live = document.getElementById("live");
  function announce(text) { if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 50); } }
  function slug() { var m = location.pathname.match(/^\/c\/([^/]+)/); return m ? m[1] : null; }

  // Votes: the buttons submit the shared #votes form without JavaScript; with it,
  // they call the JSON API and update the count, the button and the budget in place.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[formaction$='/vote']");
    if (!button || !slug()) return;
    var container = button.closest("[data-vote]");
    if (!container) return;
    event.preventDefault();
    var casting = button.value === "cast";
    button.disabled = true;
    fetch("/api/v1/consultations/" + slug() + "/contributions/" + container.dataset.vote + "/vote", {
      method: casting ? "PUT" : "DELETE",
      headers: { "x-csrftoken": token, "accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) { var text = result.body.detail || result.body.title; announce(text); alert(text); return; }
      var state = result.body;
      var form = document.getElementById("votes");
      container.querySelector("[data-votes]").textContent = state.votes;
      container.querySelector("[data-votes-label]").textContent = state.votes_label;
      button.value = state.voted ? "withdraw" : "cast";
      button.setAttribute("aria-pressed", state.voted ? "true" : "false");
      button.textContent = state.voted ? form.dataset.labelOn : form.dataset.labelOff;
      var budget = document.getElementById("budget");
      if (budget && state.remaining_label) { budget.textContent = state.remaining_label; }
      announce(state.message);
    }).catch(function () { button.disabled = false; button.form.requestSubmit(button); });
  });

  // Comments and replies: post the form, insert the returned comment, keep focus sensible.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-comment-form]")) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "x-requested-with": "fetch", "x-csrftoken": token }
    }).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, text: text, type: response.headers.get("content-type") || "" }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) {
        var message;
        try { var problem = JSON.parse(result.text); message = problem.detail || problem.title; } catch (e) { form.submit(); return; }
        announce(message); alert(message); return;
      }
      var fragment = document.createRange().createContextualFragment(result.text);
      var item = fragment.firstElementChild;
      var parentItem = form.closest("li.comment");
      var list;
      if (parentItem) {
        list = parentItem.querySelector(":scope > ol.thread");
        if (!list) { list = document.createElement("ol"); list.className = "thread"; parentItem.appendChild(list); }
        form.closest("details").open = false;
      } else {
        list = document.querySelector("[data-thread]");
        if (!list) {
          list = document.createElement("ol"); list.className = "thread"; list.setAttribute("data-thread", "");
          var empty = document.querySelector("[data-empty]"); if (empty) empty.replaceWith(list); else form.before(list);
        }
      }
      list.appendChild(fragment);
      form.reset();
      if (item) { item.setAttribute("tabindex", "-1"); item.focus(); }
      announce(button.textContent.trim() + " ✓");
    }).catch(function () { button.disabled = false; form.submit(); });
  });

  // The group page follows the facilitators' board live: themes and groupings appear without a reload.
  var listing = document.getElementById("listing");
  if (listing && listing.dataset.live && window.EventSource) {
    var refreshing = false;
    new EventSource(listing.dataset.live).addEventListener("board", function () {
      if (refreshing) return;
      refreshing = true;
      fetch(location.pathname + location.search, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          refreshing = false;
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("listing");
          if (fresh) { listing.innerHTML = fresh.innerHTML; }
        }).catch(function () { refreshing = false; });
    });
  }

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
