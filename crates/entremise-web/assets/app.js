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
// Type-ahead under the search box: suggestions as one types, arrows to
// move, Enter to open one; without this file the box still submits to /search.
for (const input of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let timer = 0;
  let asked = 0;
  const items = () => [...list.querySelectorAll("li")];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const select = (index) => {
    items().forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    input.setAttribute("aria-activedescendant", "suggestion-" + index);
  };
  const show = (results) => {
    list.replaceChildren();
    input.removeAttribute("aria-activedescendant");
    results.forEach((r, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "suggestion-" + i;
      li.dataset.testid = "search-suggestion";
      // An option holds text, not a link (a listbox's options have no
      // interactive content): a click or Enter opens its profile.
      li.dataset.href = "/@" + r.handle;
      const name = document.createElement("span");
      name.textContent = r.name;
      li.append(name);
      const detail = [r.degree ? (r.degree === 1 ? input.dataset.first : input.dataset.second) : null, r.headline || r.snippet].filter(Boolean);
      if (detail.length) {
        const small = document.createElement("small");
        small.textContent = detail.join(" · ");
        li.append(small);
      }
      // Keep the focus in the box, so that its blur does not close the list first.
      li.addEventListener("mousedown", (event) => event.preventDefault());
      li.addEventListener("click", () => {
        window.location.href = li.dataset.href;
      });
      list.append(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return close();
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const response = await fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {
          headers: { accept: "application/json" },
        });
        if (!response.ok || mine !== asked) return;
        show((await response.json()).items);
      } catch {
        close();
      }
    }, 150);
  });
  input.addEventListener("keydown", (event) => {
    const all = items();
    if (list.hidden || all.length === 0) return;
    const current = all.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      select((current + step + all.length) % all.length);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      window.location.href = all[current].dataset.href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 200));
}
// The composer's "publish later" is local time: tell the server the offset
// (without this file it is read as UTC).
for (const input of document.querySelectorAll("input[data-timezone-offset]")) {
  input.value = String(new Date().getTimezoneOffset());
}
// The header's disclosures (the folded menu, the account's menu) open and
// close without this file; with it, Escape or a click elsewhere closes them.
const disclosures = [...document.querySelectorAll(".top details")];
// What each disclosure opens: the navigation follows the menu's toggle;
// the account's menu is in the same list item as its toggle.
const region = (d) => (d.classList.contains("menu-toggle") ? document.getElementById("main-nav") : d.parentElement);
const within = (d, node) => d.contains(node) || Boolean(region(d)?.contains(node));
document.addEventListener("click", (event) => {
  for (const d of disclosures) {
    if (d.open && !within(d, event.target)) d.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const d of disclosures) {
    if (!d.open || !within(d, document.activeElement)) continue;
    d.open = false;
    d.querySelector("summary").focus();
  }
});
