// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
  if (target instanceof HTMLInputElement && target.hasAttribute("data-select-all")) {
    document.querySelectorAll(target.getAttribute("data-select-all")).forEach((box) => {
      box.checked = target.checked;
    });
  }
});
