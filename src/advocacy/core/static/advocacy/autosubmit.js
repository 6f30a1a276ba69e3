// A <select data-autosubmit> submits its form when changed: a filter that needs no button. The
// page's Content-Security-Policy forbids inline handlers, so the behaviour lives here.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit();
  }
});

// A <form data-confirm="…"> asks before it is sent: for actions the customer sees or that cannot be
// taken back (resolving, transferring). Without JavaScript the form is sent as written.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
