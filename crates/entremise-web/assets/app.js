// entremise: small progressive enhancements; every page works without this file.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + " ?")) {
    event.preventDefault();
  }
});
