// A <select data-autosubmit> submits its form when changed: a filter that needs no button. The
// page's Content-Security-Policy forbids inline handlers, so the behaviour lives here.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit();
  }
});
