// Apply the chosen theme before the page paints; "auto" follows the operating system.
(function () {
  var root = document.documentElement;
  var choice = root.getAttribute("data-theme-choice") || "auto";
  if (choice === "auto" && window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
    root.setAttribute("data-bs-theme", "dark");
  }
})();
