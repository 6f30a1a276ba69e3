// The referral link's "Copy" and "Share" buttons. Without scripts the link stays selectable text and
// the mail link still works; the page's Content-Security-Policy forbids inline handlers, so this lives here.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy], [data-share]") : null;
  if (!button) return;
  const box = button.closest(".share");
  const field = box && box.querySelector("input[readonly]");
  const status = box && box.querySelector("[role=status]");
  if (!field) return;
  if (button.hasAttribute("data-copy")) {
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    if (status) status.textContent = "Copied. Paste it anywhere you like.";
  } else if (navigator.share) {
    navigator.share({ title: button.dataset.title, text: button.dataset.share, url: field.value }).catch(() => {});
  }
});
document.querySelectorAll("[data-share]").forEach((button) => {
  if (navigator.share) button.hidden = false;
});
