// Restitution editor: live Markdown preview, progress while slow formats are prepared,
// confirmation before publishing. Without JavaScript, every link and form still works.
(function () {
  "use strict";
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var previewUrl = location.pathname.replace(/\/$/, "") + "/preview";

  document.querySelectorAll("[data-preview-for]").forEach(function (box) {
    var input = document.getElementById(box.dataset.previewFor);
    var target = box.querySelector(".prose");
    var timer = null;
    function update() {
      var body = new FormData();
      body.append("text", input.value);
      body.append("_csrf_token", token);
      fetch(previewUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "x-csrftoken": token } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { target.innerHTML = html; box.hidden = !input.value.trim(); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
    if (input.value.trim()) update();
  });

  var progress = document.querySelector("[data-progress]");
  document.querySelectorAll("[data-downloads] a[data-slow]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      progress.hidden = false;
      link.setAttribute("aria-busy", "true");
      fetch(link.href, { credentials: "same-origin" }).then(function (response) {
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

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  });
})();
