// The board without reloads: forms submit in place, cards drag onto themes (or onto
// another card to group duplicates), and other facilitators' changes arrive live.
// Every action here is also a plain form that works with the keyboard and without JavaScript.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var live = document.getElementById("live");
  function announce(text) { if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 50); } }
  function token() { var input = board.querySelector('input[name="_csrf_token"]'); return input ? input.value : ""; }
  var pending = false;

  // Menus someone has open stay open when the board is redrawn (their card or theme keeps its id).
  function menuKey(details) {
    var owner = details.parentElement.closest("[id]");
    return owner && owner !== board ? owner.id + " " + details.className : null;
  }
  // The keyboard focus survives a redraw too: an element with an id is found by its id,
  // a button without one (« Annuler » in the history) by its form's address and its text.
  function focusKey(element) {
    if (!element || !board.contains(element)) return null;
    if (element.id) return { id: element.id };
    if (element.form) return { action: element.form.getAttribute("action"), text: element.textContent.trim() };
    return null;
  }
  function findByKey(key) {
    if (!key) return null;
    if (key.id) return document.getElementById(key.id);
    var found = null;
    board.querySelectorAll("form").forEach(function (form) {
      if (found || form.getAttribute("action") !== key.action) return;
      form.querySelectorAll("button").forEach(function (button) {
        if (!found && button.textContent.trim() === key.text) found = button;
      });
    });
    return found;
  }
  function swap(html, focus) {
    var open = Array.prototype.map.call(board.querySelectorAll("details[open]"), menuKey);
    board.innerHTML = html;
    board.querySelectorAll("details").forEach(function (details) {
      var key = menuKey(details);
      if (key && open.indexOf(key) !== -1) details.open = true;
    });
    var target = findByKey(focus);
    if (target) { target.focus(); }
  }

  var actions = 0; // board actions sent from this page, to drop a redraw that left before one of them

  function submit(url, body, focusId, done) {
    pending = true;
    actions += 1;
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "x-requested-with": "fetch", "x-csrftoken": token() }
    }).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, text: text }; });
    }).then(function (result) {
      pending = false;
      if (!result.ok) {
        var message = result.text;
        try { var problem = JSON.parse(result.text); message = problem.detail || problem.title; } catch (e) { /* keep text */ }
        announce(message); alert(message); return;
      }
      swap(result.text, focusId ? { id: focusId } : null);
      if (done) announce(done);
    }).catch(function () { pending = false; });
  }

  function refresh() {
    var active = board.contains(document.activeElement) ? document.activeElement : null;
    if (pending || active && (active.matches("input, textarea, select") || active.closest("details"))) {
      setTimeout(refresh, 1500); // do not pull the form or the menu from under someone using it
      return;
    }
    var before = actions;
    fetch(board.dataset.fragment, { headers: { "x-requested-with": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An action sent meanwhile already drew a newer board: this one would bring back the old.
        if (!html) return;
        if (pending || actions !== before) { setTimeout(refresh, 300); return; }
        swap(html, focusKey(document.activeElement));
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (!board.contains(form) && !(submitter && board.contains(submitter))) return;
    if (!form.matches("[data-board-form]")) return;
    event.preventDefault();
    var url = (submitter && submitter.getAttribute("formaction")) || form.action;
    var card = form.closest("[data-contribution]");
    submit(url, new FormData(form, submitter), card ? card.id : null, submitter ? submitter.textContent.trim() + " ✓" : "✓");
  });

  // Drag and drop (the mouse path; the same actions are in each card's "Actions" menu).
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-contribution]");
    if (!card) return;
    dragged = card.dataset.contribution;
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("is-dragging");
  });
  board.addEventListener("dragend", function () {
    dragged = null;
    board.querySelectorAll(".is-dragging, .is-drop-target").forEach(function (el) { el.classList.remove("is-dragging", "is-drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var zone = event.target.closest("[data-contribution], [data-theme]");
    if (!zone || zone.dataset.contribution === dragged) return;
    event.preventDefault();
    board.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
    zone.classList.add("is-drop-target");
  });
  board.addEventListener("drop", function (event) {
    if (!dragged) return;
    var id = dragged;
    var base = board.dataset.fragment;
    var onCard = event.target.closest("[data-contribution]");
    var column = event.target.closest("[data-theme]");
    event.preventDefault();
    var body = new FormData();
    body.append("_csrf_token", token());
    if (onCard && onCard.dataset.contribution !== id) {
      var title = onCard.querySelector(".card-title").textContent.trim();
      if (!window.confirm(board.dataset.confirmGroup.replace("{title}", title))) return;
      body.append("of", onCard.dataset.contribution);
      submit(base + "/contributions/" + id + "/duplicate", body, "card-" + id, "✓");
    } else if (column) {
      body.append("contributions", id);
      body.append("theme", column.dataset.theme);
      submit(base + "/place", body, "card-" + id, "✓");
    }
  });

  // Everything that changes in the group (board actions, new contributions, votes) redraws the
  // board, once for a burst of events; concerto-live.js holds the page's one event stream.
  var redraw = null;
  function soon() { clearTimeout(redraw); redraw = setTimeout(refresh, 200); }
  if (window.ConcertoLive) {
    window.ConcertoLive.on(function (event) {
      if (event.type === "phase") return;
      soon();
    });
  }
})();
