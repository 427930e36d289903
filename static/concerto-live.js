// Live workshop mode: pages follow the room without reloads, and nobody loses a word.
//
// * One event stream per page (Server-Sent Events): contributions, votes, comments, phases,
//   steps and countdowns arrive as they happen; after a lost connection the page reads its
//   state again.
// * Texts being written are kept in the browser (drafts) until they are sent.
// * A submission that fails for network reasons waits in an outbox and is sent again when the
//   connection is back, with the same idempotency key, so the server stores it once.
// Every action also works as a plain form without this file.
(function () {
  "use strict";
  var textsElement = document.getElementById("live-texts");
  var T = textsElement ? JSON.parse(textsElement.dataset.texts) : {};
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var liveRegion = document.getElementById("live");
  var Live = window.ConcertoLive = { texts: T, listeners: [], offset: 0 };

  function token() { return csrf ? csrf.content : ""; }
  function announce(text) {
    if (!liveRegion || !text) return;
    liveRegion.textContent = "";
    setTimeout(function () { liveRegion.textContent = text; }, 50);
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  // Forms for 0, 1 and many, as the templates give them.
  function plural(forms, n) { return forms ? forms[Math.min(n, 2)] : ""; }
  function newKey() {
    if (window.crypto && crypto.getRandomValues) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    return String(Date.now()) + String(Math.random()).slice(2, 12);
  }
  function slug() { var m = location.pathname.match(/^\/c\/([^/]+)/); return m ? m[1] : null; }
  var store = {
    get: function (key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } },
    set: function (key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: no drafts */ } },
    remove: function (key) { try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ } }
  };
  Live.announce = announce;
  Live.fill = fill;
  Live.plural = plural;

  // -- drafts ---------------------------------------------------------------------------
  // Every form[data-draft] keeps what is typed in it until it is sent.
  function draftKey(form) { return "concerto:draft:" + form.dataset.draft; }
  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "_csrf_token" && el.name !== "request_key" &&
        (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el.type === "text" || el.type === "radio")));
    });
  }
  function hasText(form) {
    return textFields(form).some(function (el) { return el.type !== "radio" && el.value.trim(); });
  }
  function saveDraft(form) {
    var values = {};
    textFields(form).forEach(function (el) {
      if (el.type === "radio") { if (el.checked) values[el.name] = el.value; } else { values[el.name] = el.value; }
    });
    if (Object.keys(values).some(function (name) { return form.elements[name] && form.elements[name].type !== "radio" && values[name].trim(); })) {
      store.set(draftKey(form), { values: values, saved: Date.now() });
    } else {
      store.remove(draftKey(form));
    }
  }
  function putBack(form, values) {
    Object.keys(values).forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      if (field.length !== undefined && !field.tagName) {  // radio group
        Array.prototype.forEach.call(field, function (radio) { radio.checked = radio.value === values[name]; });
      } else if (field.type === "radio") {
        field.checked = field.value === values[name];
      } else if (!field.value.trim()) {
        field.value = values[name];
      }
    });
  }
  function sameValues(form, values) {
    return Object.keys(values).every(function (name) {
      var field = form.elements[name];
      return !field || field.tagName === undefined || field.type === "radio" || field.value === values[name];
    });
  }
  function restoreDraft(form) {
    var draft = store.get(draftKey(form));
    if (!draft || !draft.values) return false;
    if (form.hasAttribute("data-draft-edit")) {
      // An edit form comes filled with the saved text: a draft that differs from it is newer (typed
      // here, not saved yet: a reload, a lost connection) and replaces it; one equal to it was saved.
      if (sameValues(form, draft.values)) { clearDraft(form); return false; }
      Object.keys(draft.values).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.tagName && field.type !== "radio") field.value = draft.values[name];
      });
      message(form, T.draft_restored);
      return true;
    }
    if (hasText(form)) return false;
    putBack(form, draft.values);
    var details = form.closest("details");
    if (details) details.open = true;
    showCopy(form);
    message(form, T.draft_restored);
    return true;
  }
  function clearDraft(form) { store.remove(draftKey(form)); }
  var draftTimers = {};
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.dataset.draft) return;
    clearTimeout(draftTimers[form.dataset.draft]);
    draftTimers[form.dataset.draft] = setTimeout(function () { saveDraft(form); }, 250);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });
  function restoreAll(root) {
    (root || document).querySelectorAll("form[data-draft]").forEach(restoreDraft);
  }
  Live.restoreDrafts = restoreAll;

  function message(form, text, isError) {
    var box = form.querySelector("[data-form-message]");
    if (!box) { announce(text); return; }
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("is-error", !!isError);
  }
  // A sent form closes (as after the page's own redirect) and says so above it.
  function done(form, text) {
    var details = form.closest("details");
    if (details) details.open = false;
    var box = document.querySelector("[data-form-done]");
    if (box) { box.textContent = ""; box.hidden = false; setTimeout(function () { box.textContent = text; }, 30); } else { announce(text); }
  }
  function showCopy(form) {
    var copy = form.querySelector("[data-copy-text]");
    if (copy) copy.hidden = !hasText(form);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (!button) return;
    var form = button.form || button.closest("form");
    var text = textFields(form).filter(function (el) { return el.type !== "radio"; })
      .map(function (el) { return el.value.trim(); }).filter(Boolean).join("\n\n");
    var done = function () { announce(T.copied); button.textContent = T.copied; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  });
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays in the form */ }
    area.remove();
  }

  // -- outbox ---------------------------------------------------------------------------
  // Writes that could not reach the server, oldest first, sent again with their key.
  var OUTBOX = "concerto:outbox";
  function outbox() { return store.get(OUTBOX) || []; }
  function queue(entry) {
    var entries = outbox();
    entries.push(entry);
    store.set(OUTBOX, entries);
    showPending();
    scheduleFlush();
  }
  function unqueue(id) {
    store.set(OUTBOX, outbox().filter(function (entry) { return entry.id !== id; }));
    showPending();
  }
  function send(entry) {
    var headers = { "accept": "application/json", "x-csrftoken": token(), "idempotency-key": entry.id };
    if (entry.body !== undefined) headers["content-type"] = "application/json";
    return fetch(entry.url, {
      method: entry.method, headers: headers, credentials: "same-origin",
      body: entry.body !== undefined ? JSON.stringify(entry.body) : undefined
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        return { status: response.status, ok: response.ok, body: body };
      });
    });
  }
  // A network failure, or an answer that says "try again later".
  function transient(result) { return !result || result.status >= 500 || result.status === 408 || result.status === 429; }
  function reason(result) {
    var body = result && result.body;
    return body ? (body.detail || body.title || "") : "";
  }
  var flushing = false;
  var flushTimer = null;
  function scheduleFlush() {
    clearTimeout(flushTimer);
    if (outbox().length) flushTimer = setTimeout(flush, 10000);
  }
  function flush() {
    if (flushing || (navigator.onLine === false)) { scheduleFlush(); return; }
    var entries = outbox();
    if (!entries.length) return;
    flushing = true;
    var sent = 0;
    var next = function (index) {
      if (index >= entries.length) {
        flushing = false;
        if (sent) announce(T.queued_sent);
        scheduleFlush();
        return;
      }
      var entry = entries[index];
      send(entry).then(function (result) {
        if (transient(result)) { flushing = false; scheduleFlush(); return; }
        unqueue(entry.id);
        if (result.ok) { sent += 1; delivered(entry, result.body); } else { refused(entry, result); }
        next(index + 1);
      }, function () { flushing = false; scheduleFlush(); });
    };
    next(0);
  }
  function delivered(entry, body) {
    if (entry.kind === "contribution" && body && listing) upsertCard(cardFromApi(body), true);
    if (entry.kind === "vote" && body) applyVote(body);
    if (entry.kind === "comment" && contributionPage) refreshThread();
  }
  function refused(entry, result) {
    // Refused for good (closed phase, over budget...): the text goes back where it was written.
    if (entry.draft && entry.values) {
      var form = document.querySelector('form[data-draft="' + entry.draft + '"]');
      store.set("concerto:draft:" + entry.draft, { values: entry.values, saved: Date.now() });
      if (form) { restoreDraft(form); message(form, fill(T.queued_refused, { reason: reason(result) }), true); }
    } else {
      announce(fill(T.queued_refused, { reason: reason(result) }));
    }
    if (entry.kind === "vote") resync();
  }
  window.addEventListener("online", flush);
  Live.flush = flush;

  function showPending() {
    var box = document.querySelector("[data-pending-list]");
    if (!box) return;
    var mine = outbox().filter(function (entry) { return entry.label; });
    box.hidden = !mine.length;
    var list = box.querySelector("ul");
    list.textContent = "";
    mine.forEach(function (entry) {
      var li = document.createElement("li");
      li.textContent = entry.label;
      list.appendChild(li);
    });
  }

  // -- the contribution form ----------------------------------------------------------
  function formValues(form) {
    var values = {};
    textFields(form).forEach(function (el) {
      if (el.type === "radio") { if (el.checked) values[el.name] = el.value; } else { values[el.name] = el.value; }
    });
    return values;
  }
  function keyOf(form) {
    var field = form.elements.request_key;
    if (!field) return newKey();
    if (!field.value) field.value = newKey();
    return field.value;
  }
  function renewKey(form) { if (form.elements.request_key) form.elements.request_key.value = newKey(); }
  // The server's reasons beside each field, wired for screen readers as the server's own forms are.
  function showFieldErrors(form, errors) {
    form.querySelectorAll("[data-live-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.elements[name];
      var inputs = !field ? [] : (field.tagName ? [field] : Array.prototype.slice.call(field));
      if (!inputs.length) return;
      var p = document.createElement("p");
      p.className = "error"; p.setAttribute("data-live-error", ""); p.id = "live-error-" + name; p.textContent = errors[name];
      var holder = inputs[0].closest(".field, fieldset") || inputs[0].parentNode;
      holder.insertBefore(p, holder.querySelector("input, textarea, select, label.choice"));
      inputs.forEach(function (input) {
        input.setAttribute("aria-invalid", "true");
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (v) { return v && v.indexOf("live-error-") !== 0; });
        described.push(p.id);
        input.setAttribute("aria-describedby", described.join(" "));
      });
      first = first || inputs[0];
    });
    if (first) first.focus();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-contribution-form]")) return;
    event.preventDefault();
    if (form.hasAttribute("data-closed")) { message(form, T.contributions_just_closed, true); showCopy(form); return; }
    var values = formValues(form);
    var entry = {
      id: keyOf(form), kind: "contribution", url: form.dataset.api, method: "POST",
      body: { kind: values.kind, title: values.title, body: values.body || "" },
      draft: form.dataset.draft, values: values, label: values.title
    };
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    var ready = function () { button.disabled = form.hasAttribute("data-closed"); };
    var sentOk = function (body) {
      clearDraft(form);
      form.reset();
      renewKey(form);
      showFieldErrors(form, {});
      showCopy(form);
      message(form, "");
      done(form, T.published);
      if (body) upsertCard(cardFromApi(body), true);
      var similar = document.getElementById("similar");
      if (similar) similar.hidden = true;
    };
    var offline = function () {
      queue({ id: entry.id, kind: entry.kind, url: entry.url, method: entry.method, body: entry.body, draft: entry.draft, values: entry.values, label: entry.label });
      clearDraft(form);
      form.reset();
      renewKey(form);
      message(form, "");
      done(form, T.offline_post);
      button.disabled = false;
    };
    if (navigator.onLine === false) { offline(); return; }
    send(entry).then(function (result) {
      ready();
      if (transient(result)) { offline(); return; }
      if (result.ok) { sentOk(result.body); return; }
      // Refused: nothing is lost, the reasons are shown beside the fields.
      renewKey(form);
      showFieldErrors(form, result.body && result.body.errors);
      message(form, reason(result), true);
      showCopy(form);
    }, offline);
  });

  // -- votes -------------------------------------------------------------------------
  // The buttons submit the shared #votes form without JavaScript; with it, they call the API.
  function voteButtonsOf(id) { return document.querySelectorAll('[data-vote="' + id + '"] button'); }
  function setPressed(button, voted) {
    var form = document.getElementById("votes");
    button.value = voted ? "withdraw" : "cast";
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    if (form) button.textContent = voted ? form.dataset.labelOn : form.dataset.labelOff;
  }
  function applyVote(state) {
    document.querySelectorAll('[data-vote="' + state.contribution_id + '"]').forEach(function (container) {
      setCount(container, state.votes);
      var button = container.querySelector("button");
      if (button) { button.removeAttribute("data-pending"); setPressed(button, state.voted); }
    });
    setBudget(state.budget, state.used);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[formaction$='/vote']");
    if (!button || !slug()) return;
    var container = button.closest("[data-vote]");
    if (!container) return;
    event.preventDefault();
    var casting = button.value === "cast";
    var entry = {
      id: newKey(), kind: "vote", method: casting ? "PUT" : "DELETE",
      url: "/api/v1/consultations/" + slug() + "/contributions/" + container.dataset.vote + "/vote"
    };
    var offline = function () {
      queue(entry);
      setPressed(button, casting);
      button.setAttribute("data-pending", T.pending);
      announce(T.offline_vote);
      button.disabled = false;
    };
    if (navigator.onLine === false) { offline(); return; }
    button.disabled = true;
    send(entry).then(function (result) {
      button.disabled = false;
      if (transient(result)) { offline(); return; }
      if (!result.ok) { var text = reason(result); announce(text); window.alert(text); return; }
      applyVote(result.body);
      announce(result.body.message);
    }, offline);
  });

  // -- comments ---------------------------------------------------------------------------
  // The form is posted as it is (the server answers with the new comment's HTML).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-comment-form]")) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    var key = keyOf(form);
    var values = formValues(form);
    var offline = function () {
      var parent = form.elements.parent_id ? form.elements.parent_id.value : "";
      queue({
        id: key, kind: "comment", method: "POST", url: form.dataset.api,
        body: parent ? { body: values.body, parent_id: Number(parent) } : { body: values.body },
        draft: form.dataset.draft, values: values, label: values.body.slice(0, 80)
      });
      clearDraft(form); form.reset(); renewKey(form); button.disabled = false;
      message(form, T.offline_comment);
    };
    if (navigator.onLine === false) { offline(); return; }
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "x-requested-with": "fetch", "x-csrftoken": token() }
    }).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, status: response.status, text: text }; });
    }).then(function (result) {
      button.disabled = false;
      if (transient(result)) { offline(); return; }
      if (!result.ok) {
        var text;
        try { var problem = JSON.parse(result.text); text = problem.detail || problem.title; } catch (e) { form.submit(); return; }
        renewKey(form); message(form, text, true); return;
      }
      clearDraft(form);
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
          var empty = document.querySelector("[data-empty-thread]"); if (empty) empty.replaceWith(list); else form.before(list);
        }
      }
      if (item && !document.getElementById(item.id)) list.appendChild(fragment);
      form.reset();
      renewKey(form);
      message(form, "");
      if (item) { item.setAttribute("tabindex", "-1"); item.focus(); }
      announce(T.comment_published);
    }, offline);
  });

  // -- the group page's cards ------------------------------------------------------------
  var listing = document.getElementById("listing");
  var contributionPage = document.querySelector("[data-contribution-page]");
  function setCount(container, votes) {
    var strong = container.querySelector("[data-votes]");
    if (strong) strong.textContent = votes;
    var label = container.querySelector("[data-votes-label]");
    if (label) label.textContent = plural(T.supporters, votes);
    var card = container.closest("[data-id]");
    if (card) card.dataset.votes = votes;
  }
  function cardFromApi(body) {
    return {
      id: body.id, status: body.status || "published", title: body.title, body_html: body.body_html,
      author_name: body.author_name, author_organisation: body.author_organisation, kind_code: body.kind, votes: 0, comments: 0, new: true, group: body.group_id
    };
  }
  function columnFor(ev) {
    if (!listing) return null;
    var kind = ev.kind;
    if (kind === undefined && ev.kind_code) {
      var column = listing.querySelector('[data-kind-code="' + ev.kind_code + '"][data-theme="none"]');
      if (column) return column;
    }
    return listing.querySelector('section.column[data-kind="' + kind + '"][data-theme="none"]') ||
      listing.querySelector('section.column[data-kind-code="' + ev.kind_code + '"][data-theme="none"]');
  }
  function buildCard(ev) {
    var template = document.getElementById("card-template");
    var li = template.content.firstElementChild.cloneNode(true);
    li.id = "contribution-" + ev.id;
    li.dataset.id = ev.id;
    li.dataset.votes = ev.votes || 0;
    li.querySelectorAll("a[href]").forEach(function (a) { a.href = a.getAttribute("href").replace("/contributions/0", "/contributions/" + ev.id); });
    var title = li.querySelector("h3 a, [data-title]");
    if (title) title.textContent = ev.title;
    var prose = li.querySelector(".prose");
    if (prose) prose.innerHTML = ev.body_html || "";  // rendered by the server's safe Markdown renderer
    var author = li.querySelector("[data-author]");
    // An anonymised participant has no name; an organisation travels only when the consultation shows them.
    if (author) author.textContent = (ev.author_name || T.anonymous || "") + (ev.author_organisation ? " (" + ev.author_organisation + ")" : "");
    var group = li.querySelector("[data-group-label]");
    if (group && listing.dataset.groups) group.textContent = (JSON.parse(listing.dataset.groups)[ev.group] || "");
    var vote = li.querySelector("[data-vote]");
    if (vote) { vote.dataset.vote = ev.id; setCount(vote, ev.votes || 0); }
    li.querySelectorAll("button[formaction]").forEach(function (b) { b.setAttribute("formaction", b.getAttribute("formaction").replace("/contributions/0/", "/contributions/" + ev.id + "/")); });
    setComments(li, ev.comments || 0);
    return li;
  }
  function setComments(card, count) {
    var link = card.querySelector("[data-comments]");
    if (!link) return;
    link.querySelector("[data-count]").textContent = count;
    link.querySelector("[data-label]").textContent = plural(T.comments, count);
  }
  function bumpTotal(column, delta) {
    var total = column.querySelector("[data-total]");
    if (total) total.textContent = Math.max(0, Number(total.textContent) + delta);
    var empty = column.querySelector("[data-empty]");
    if (empty) empty.hidden = !!column.querySelector("ol.contributions > li");
  }
  function insertCard(column, li) {
    var list = column.querySelector("ol.contributions");
    var sort = listing.dataset.sort;
    if (sort === "newest") { list.insertBefore(li, list.firstElementChild); return true; }
    // Most supported first, then newest: a new card goes before the first one it outranks.
    var votes = Number(li.dataset.votes || 0);
    var id = Number(li.dataset.id);
    var after = Array.prototype.find.call(list.children, function (other) {
      var v = Number(other.dataset.votes || 0);
      return v < votes || (v === votes && Number(other.dataset.id) < id);
    });
    if (after) { list.insertBefore(li, after); return true; }
    if (Number(listing.dataset.page) >= Number(listing.dataset.pages)) { list.appendChild(li); return true; }
    return false; // it belongs on a later page
  }
  function upsertCard(ev, mine) {
    if (!listing) return;
    var existing = document.getElementById("contribution-" + ev.id);
    if (existing) {
      var link = existing.querySelector("h3 a, [data-title]");
      if (link && ev.title) link.textContent = ev.title;
      var prose = existing.querySelector(":scope > .prose");
      if (prose && typeof ev.body_html === "string") prose.innerHTML = ev.body_html;
      return;
    }
    var column = columnFor(ev);
    if (!column) { resync(); return; }
    var li = buildCard(ev);
    if (insertCard(column, li)) {
      if (ev.new && !mine) { li.classList.add("is-new"); setTimeout(function () { li.classList.remove("is-new"); }, 4000); }
    }
    bumpTotal(column, 1);
    if (ev.new && !mine && !listing.hasAttribute("data-quiet")) announce(fill(T.new_contribution, { title: ev.title }));
  }
  // The wall with its votes revealed keeps the most supported first.
  var resortTimer = null;
  function resort() {
    clearTimeout(resortTimer);
    resortTimer = setTimeout(function () {
      listing.querySelectorAll("ol.contributions").forEach(function (list) {
        var cards = Array.prototype.slice.call(list.children);
        cards.sort(function (a, b) { return (Number(b.dataset.votes) - Number(a.dataset.votes)) || (Number(b.dataset.id) - Number(a.dataset.id)); });
        cards.forEach(function (card) { list.appendChild(card); });
      });
    }, 300);
  }
  function removeCard(id) {
    var card = document.getElementById("contribution-" + id);
    if (!card) return;
    if (card.querySelector(".duplicates li")) { resync(); return; }
    var column = card.closest("section.column");
    card.remove();
    if (column) bumpTotal(column, -1);
  }

  // -- the group's live state: phases, budget, countdown ----------------------------------
  var stateBox = document.getElementById("live-state");
  var state = stateBox ? JSON.parse(stateBox.dataset.state) : null;
  if (stateBox) Live.offset = Date.parse(stateBox.dataset.serverNow) - Date.now();
  function setBadge(phase, open) {
    var badge = stateBox && stateBox.querySelector('[data-phase="' + phase + '"]');
    if (!badge) return;
    badge.textContent = T[phase + (open ? "_open" : "_closed")];
    badge.classList.toggle("badge-open", open);
    badge.classList.toggle("badge-closed", !open);
  }
  function setBudget(budget, used) {
    var line = document.getElementById("budget");
    if (!line) return;
    line.dataset.budget = budget;
    line.dataset.used = used;
    var remaining = Math.max(0, budget - used);
    line.textContent = budget ? fill(plural(T.budget, remaining), { num: remaining, budget: budget }) : T.budget_unlimited;
  }
  function setFormClosed(form, closed) {
    if (closed === form.hasAttribute("data-closed")) return;
    var button = form.querySelector('button[type="submit"]');
    var notice = document.querySelector("[data-closed-notice]");
    if (notice) notice.hidden = !closed;
    if (closed) {
      form.setAttribute("data-closed", "");
      if (button) button.disabled = true;
      if (hasText(form)) {
        saveDraft(form);
        var details = form.closest("details");
        if (details) details.open = true;
        message(form, T.contributions_just_closed, true);
        showCopy(form);
      }
    } else {
      form.removeAttribute("data-closed");
      if (button) button.disabled = false;
      message(form, hasText(form) ? T.contributions_reopened : "");
    }
  }
  function applyState(next) {
    var before = state || {};
    state = next;
    if (!stateBox) return;
    stateBox.dataset.state = JSON.stringify(next);
    setBadge("contributions", next.contributions_open);
    setBadge("voting", next.voting_open);
    var votingOpen = next.voting_open && !consultationClosed;
    document.querySelectorAll("#listing, [data-contribution-page]").forEach(function (el) { el.classList.toggle("voting-closed", !votingOpen); });
    var budget = document.getElementById("budget");
    if (budget) {
      budget.hidden = !votingOpen;
      if (next.vote_budget !== Number(budget.dataset.budget)) setBudget(next.vote_budget, Number(budget.dataset.used));
    }
    document.querySelectorAll("form[data-contribution-form]").forEach(function (form) { setFormClosed(form, !next.contributions_open || consultationClosed); });
    document.querySelectorAll("[data-author-actions]").forEach(function (el) { el.hidden = !next.contributions_open; });
    if (before.voting_open !== undefined && before.voting_open !== next.voting_open) announce(next.voting_open ? T.voting_just_opened : T.voting_just_closed);
    renderStep();
  }
  var groupStates = null;
  if (stateBox && stateBox.dataset.groups) {
    groupStates = {};
    JSON.parse(stateBox.dataset.groups).forEach(function (one) { groupStates[one.id] = one; });
  }
  function representative() {
    var all = Object.keys(groupStates).map(function (id) { return groupStates[id]; });
    var timed = all.filter(function (one) { return one.timer_ends_at; });
    if (timed.length) return timed.sort(function (a, b) { return Date.parse(a.timer_ends_at) - Date.parse(b.timer_ends_at); })[0];
    return all.filter(function (one) { return one.step; })[0] || all[0] || state;
  }
  var consultationClosed = false;
  function renderStep() {
    if (!stateBox || !state) return;
    var line = stateBox.querySelector("[data-step]");
    var label = stateBox.querySelector("[data-step-label]");
    var countdown = stateBox.querySelector("[data-countdown]");
    var step = state.step;
    label.textContent = step ? fill(T.step, { number: step.number, of: step.of, label: (T.steps || {})[step.kind] || step.kind }) : "";
    line.hidden = !step && !state.timer_ends_at;
    countdown.hidden = !state.timer_ends_at;
    tick();
  }
  var warned = null;
  function tick() {
    if (!stateBox || !state || !state.timer_ends_at) return;
    var countdown = stateBox.querySelector("[data-countdown]");
    var left = Math.round((Date.parse(state.timer_ends_at) - (Date.now() + Live.offset)) / 1000);
    if (left <= 0) {
      countdown.textContent = T.time_up;
      countdown.classList.add("is-up");
      if (warned !== state.timer_ends_at + "up") { warned = state.timer_ends_at + "up"; announce(T.time_up); }
      return;
    }
    countdown.classList.remove("is-up");
    countdown.classList.toggle("is-ending", left <= 60);
    var minutes = Math.floor(left / 60), seconds = left % 60;
    countdown.textContent = fill(T.time_left, { time: minutes + ":" + (seconds < 10 ? "0" : "") + seconds });
    if (left <= 60 && left > 55 && warned !== state.timer_ends_at) { warned = state.timer_ends_at; announce(T.one_minute); }
  }
  // Countdowns listed by end time (the control panel's table).
  function tickAll() {
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.countdownTo) - (Date.now() + Live.offset)) / 1000);
      if (left <= 0) { el.textContent = T.time_up; el.classList.add("is-up"); return; }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      el.textContent = fill(T.time_left, { time: minutes + ":" + (seconds < 10 ? "0" : "") + seconds });
      el.classList.toggle("is-ending", left <= 60);
    });
  }
  if (stateBox) renderStep();
  setInterval(function () { tick(); tickAll(); }, 1000);
  tickAll();
  Live.applyState = applyState;

  // -- reading the page again -------------------------------------------------------------
  // After a lost connection (or a change too big to patch, like a board action), the parts
  // of the page that follow the room are fetched again; forms and what is typed stay.
  var resyncing = false, resyncAgain = false;
  var REGIONS = ["listing", "budget", "comments-thread", "contribution-vote", "control-groups", "control-schedules"];
  function resync(delay) {
    if (resyncing) { resyncAgain = true; return; }
    resyncing = true;
    // A room of phones that all lost the connection does not come back in the same second.
    setTimeout(function () {
      fetch(location.pathname + location.search, { credentials: "same-origin", headers: { "accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          resyncing = false;
          if (html) {
            var fresh = new DOMParser().parseFromString(html, "text/html");
            REGIONS.forEach(function (id) {
              var mine = document.getElementById(id), theirs = fresh.getElementById(id);
              if (!mine || !theirs) return;
              if (id === "comments-thread" && busy(mine)) { resyncAgain = true; return; }
              mine.replaceWith(theirs);
            });
            listing = document.getElementById("listing");
            var freshState = fresh.getElementById("live-state");
            if (freshState) { Live.offset = Date.parse(freshState.dataset.serverNow) - Date.now(); applyState(JSON.parse(freshState.dataset.state)); }
            restoreAll(document.getElementById("comments-thread") || undefined);
            Live.listeners.forEach(function (fn) { fn({ type: "resync" }); });
          }
          if (resyncAgain) { resyncAgain = false; resync(1000); }
        }, function () { resyncing = false; });
    }, delay === undefined ? Math.random() * 1500 : delay);
  }
  function busy(region) {
    var active = document.activeElement;
    return region.contains(active) && active.matches("textarea, input") ||
      Array.prototype.some.call(region.querySelectorAll("textarea"), function (area) { return area.value.trim(); });
  }
  Live.resync = resync;
  function refreshThread() { resync(0); }

  // -- the event stream -------------------------------------------------------------------
  var streamed = document.querySelector("[data-live]");
  var status = document.querySelector("[data-live-status]");
  function setStatus(text, ok) {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("is-live", !!ok);
  }
  var countedAt = {};
  var handlers = {
    contribution: function (ev) {
      if (listing && listing.hasAttribute("data-facilitator") && ev.status !== "published") { resync(); return; }
      if (ev.status === "published") upsertCard(ev); else removeCard(ev.id);
      if (contributionPage && Number(contributionPage.dataset.contributionPage) === ev.id) {
        if (ev.status !== "published") { announce(T.hidden_here); resync(0); }
        else {
          var title = document.getElementById("contribution-title");
          if (title && ev.title) title.textContent = ev.title;
          var prose = contributionPage.querySelector(".prose");
          if (prose && typeof ev.body_html === "string") prose.innerHTML = ev.body_html;
        }
      }
    },
    votes: function (ev) {
      // Counts come from several server processes: the one read last wins, whatever the order of arrival.
      if (ev.at !== undefined) {
        if (countedAt[ev.id] !== undefined && countedAt[ev.id] > ev.at) return;
        countedAt[ev.id] = ev.at;
      }
      document.querySelectorAll('[data-vote="' + ev.id + '"]').forEach(function (container) { setCount(container, ev.votes); });
      if (listing && listing.hasAttribute("data-resort")) resort();
      if (ev.root !== undefined) {
        var line = document.querySelector('[data-support="' + ev.root + '"]');
        if (line) line.textContent = fill(plural(T.support, ev.support), { num: ev.support });
      }
    },
    comments: function (ev) {
      var card = document.getElementById("contribution-" + ev.contribution);
      if (card) setComments(card, ev.count);
      if (contributionPage && Number(contributionPage.dataset.contributionPage) === ev.contribution) refreshThread();
    },
    phase: function (ev) {
      if (document.getElementById("control-groups")) resync(200);
      if (groupStates) {  // the wall of every group: the countdown ending soonest (as live/wall.py chooses)
        groupStates[ev.id] = ev;
        applyState(representative());
        return;
      }
      if (!stateBox || !state || state.id !== ev.id) return;
      applyState(ev);
    },
    consultation: function (ev) {
      var closed = ev.status !== "open";
      if (closed === consultationClosed) return;
      consultationClosed = closed;
      if (closed) { announce(T.consultation_closed); if (state) applyState(state); } else { location.reload(); }
    },
    board: function () { if (listing) resync(); },
    redraw: function () { if (listing || contributionPage) resync(); },
    own: function () { if (listing || contributionPage) resync(); },
    budget: function (ev) {
      if (listing && Number(listing.dataset.group) !== ev.group && !contributionPage) return;
      setBudget(ev.budget, ev.used);
      if (ev.id !== undefined) voteButtonsOf(ev.id).forEach(function (button) { button.removeAttribute("data-pending"); setPressed(button, ev.voted); });
    }
  };
  Live.handlers = handlers;
  Live.on = function (fn) { Live.listeners.push(fn); };
  function dispatch(ev) {
    var handler = handlers[ev.type];
    if (handler) handler(ev);
    Live.listeners.forEach(function (fn) { fn(ev); });
  }
  var helloSeen = false;
  function connect() {
    if (!streamed || !window.EventSource) return;
    var source = new EventSource(streamed.dataset.live);
    Live.source = source;
    source.addEventListener("hello", function (message) {
      var hello = JSON.parse(message.data);
      Live.offset = Date.parse(hello.now) - Date.now();
      Live.worker = hello.worker;
      if (helloSeen) resync();  // back after a cut: what was missed is read again
      helloSeen = true;
      setStatus(T.live, true);
      flush();
    });
    source.addEventListener("live", function (message) {
      JSON.parse(message.data).events.forEach(dispatch);
    });
    source.addEventListener("resync", function () { resync(); });
    source.addEventListener("error", function () {
      setStatus(T.reconnecting, false);
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 3000 + Math.random() * 3000); }
    });
  }
  // A phone that loses the network may keep a dead stream open for minutes: start again from scratch.
  window.addEventListener("offline", function () {
    if (Live.source) { Live.source.close(); Live.source = null; }
    setStatus(T.reconnecting, false);
  });
  window.addEventListener("online", function () {
    if (!Live.source || Live.source.readyState === EventSource.CLOSED) connect();
  });

  restoreAll();
  document.querySelectorAll("form[data-contribution-form]").forEach(showCopy);
  showPending();
  connect();
  flush();
})();
