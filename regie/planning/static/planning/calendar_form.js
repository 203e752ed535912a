// The exception form: show only the recurrence fields that the chosen recurrence uses.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("#exception-form select[name=recurrence]");
  if (!select) { return; }
  function update() {
    document.querySelectorAll("#exception-form [data-recurrence-field]").forEach(function (block) {
      var kinds = block.getAttribute("data-recurrence-field").split(" ");
      var used = kinds.indexOf(select.value) !== -1;
      var invalid = block.querySelector(".invalid-feedback") !== null;
      block.hidden = !used && !invalid;
    });
  }
  select.addEventListener("change", update);
  update();
});
