// The workflow form's rows: shows the settings of each action's type and hides the value of
// a condition whose operator takes none ("is empty"). Without this script every row still
// works: the server shows the right fields whenever the form is shown again.
(() => {
  "use strict";
  const UNARY = ["is_empty", "is_not_empty"];

  function unary(select) {
    return select !== null && UNARY.includes(select.value);
  }

  function updateCondition(row) {
    const op = row.querySelector("[data-operator] select");
    const value = row.querySelector("[data-value]");
    if (value) value.hidden = unary(op);
  }

  function updateAction(row) {
    const type = row.querySelector("[data-action-type] select");
    const kind = type ? type.value : "";
    const ifOp = row.querySelector("select[name$='-if_op']");
    row.querySelectorAll("[data-types]").forEach((param) => {
      const types = param.dataset.types.split(" ");
      const isValue = param.hasAttribute("data-value");
      param.hidden = !types.includes(kind) || (isValue && unary(ifOp));
    });
    const index = row.dataset.index;
    document.querySelectorAll(`[data-branch-of="${index}"]`).forEach((item) => {
      item.hidden = kind !== "branch";
    });
  }

  function update(target) {
    const row = target.closest("[data-builder-row]");
    if (!row) return;
    if (row.dataset.builderRow === "condition") updateCondition(row);
    else updateAction(row);
  }

  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement) update(event.target);
  });
})();
