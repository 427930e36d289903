// Restitution editor (the live preview is in concerto.js): progress while slow formats are prepared,
// confirmation before publishing. Without JavaScript, every link and form still works.
(function () {
  "use strict";
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
