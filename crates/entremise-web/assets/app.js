// entremise: small progressive enhancements; every page works without this file.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + " ?")) {
    event.preventDefault();
  }
});
// An open conversation refreshes itself: the page is fetched again and its
// thread swapped in, leaving the message being typed alone.
const live = document.querySelector("[data-refresh][id]");
if (live) {
  setInterval(async () => {
    try {
      const response = await fetch(window.location.href, { headers: { accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(live.id);
      if (fresh) live.replaceChildren(...fresh.childNodes);
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }, Number(live.dataset.refresh) * 1000);
}
