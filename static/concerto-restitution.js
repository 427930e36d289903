// Restitution editor (the live preview is in concerto.js): progress while slow formats are prepared,
// confirmation before publishing. Without JavaScript, every link and form still works.
// The editor never loses what is typed: leaving with unsaved changes asks first, and a download
// saves the form first (a download is of the saved version; without JavaScript the page says so).
(function () {
  "use strict";
  var progress = document.querySelector("[data-progress]");
  var form = document.querySelector("form[data-restitution-form]");
  var dirty = false;
  if (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = form.dataset.unsaved; return form.dataset.unsaved; }
    });
    var note = document.querySelector("[data-unsaved-note]");
    if (note) note.hidden = true;  // with JavaScript, downloading saves first
  }

  // Save the form (when changed) before anything that reads the saved version; on a refusal the
  // form is submitted normally, so the page shows each field's error and keeps every text.
  function saved() {
    if (!form || !dirty) return Promise.resolve();
    return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        dirty = false;
        form.submit();
        throw new Error(form.dataset.saveFailed);
      }
      dirty = false;
    });
  }

  document.querySelectorAll("[data-downloads] a").forEach(function (link) {
    if (link.hasAttribute("data-slow")) return;
    link.addEventListener("click", function (event) {
      if (!dirty) return;
      event.preventDefault();
      saved().then(function () { window.location.href = link.href; }).catch(function (error) { alert(error.message); });
    });
  });

  document.querySelectorAll("[data-downloads] a[data-slow]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      progress.hidden = false;
      link.setAttribute("aria-busy", "true");
      saved().then(function () { return fetch(link.href, { credentials: "same-origin" }); }).then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(response.status + " " + text.slice(0, 200)); });
        }
        var name = (response.headers.get("content-disposition") || "").split('filename="')[1] || "restitution";
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var a = document.createElement("a");
          a.href = url; a.download = name.replace(/"$/, "");
          document.body.appendChild(a); a.click(); a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        });
      }).catch(function (error) { alert(error.message); })
        .finally(function () { progress.hidden = true; link.removeAttribute("aria-busy"); });
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (confirmed) {
    confirmed.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(confirmed.dataset.confirm)) return;
      // Publishing freezes the saved version: save what was typed first.
      saved().then(function () { confirmed.submit(); }).catch(function (error) { alert(error.message); });
    });
  });
})();
