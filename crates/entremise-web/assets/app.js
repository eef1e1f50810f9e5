// entremise: small progressive enhancements; every page works without this file.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + " ?")) {
    event.preventDefault();
  }
});
// An open conversation refreshes itself: the page is fetched again and its
// thread swapped in, leaving the message being typed alone. Only while the
// live stream below is not open (no EventSource, or it failed).
const live = document.querySelector("[data-refresh][id]");
let polling = 0;
const poll = (on) => {
  if (!live || on === (polling !== 0)) return;
  if (!on) {
    clearInterval(polling);
    polling = 0;
    return;
  }
  polling = setInterval(async () => {
    try {
      const response = await fetch(window.location.href, { headers: { accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(live.id);
      if (fresh) live.replaceChildren(...fresh.childNodes);
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }, Number(live.dataset.refresh) * 1000);
};
poll(true);
// The live stream, while signed in: header badges, new messages and
// "… is typing" in an open conversation. The browser resumes it by itself
// (Last-Event-ID) after a cut.
const streamUrl = document.body.dataset.stream;
if (streamUrl && window.EventSource) {
  const me = document.body.dataset.me;
  const thread = document.querySelector("ol[data-conversation]");
  const typing = document.getElementById("typing");
  const box = document.querySelector("textarea[data-typing-url]");
  let typingTimer = 0;
  // A header badge, drawn as the server draws it (templates/badge.html):
  // the count shown, and in words (the language's plural rules) for
  // assistive technologies; none at 0.
  const plural = new Intl.PluralRules(document.documentElement.lang || "en");
  const badge = (name, count) => {
    if (typeof count !== "number") return;
    for (const slot of document.querySelectorAll('[data-badge-slot="' + name + '"]')) {
      let b = slot.querySelector('[data-badge="' + name + '"]');
      if (count === 0) {
        b?.remove();
        continue;
      }
      if (!b) {
        b = document.createElement("span");
        b.className = "count";
        b.dataset.badge = name;
        const shown = document.createElement("span");
        shown.setAttribute("aria-hidden", "true");
        const words = document.createElement("span");
        words.className = "visually-hidden";
        b.append(shown, words);
        slot.append(b);
      }
      b.dataset.count = String(count);
      b.children[0].textContent = count > 99 ? "99+" : String(count);
      const category = plural.select(count);
      const key = "label" + category[0].toUpperCase() + category.slice(1);
      const words = slot.dataset[key] || slot.dataset.labelOther || "";
      b.children[1].textContent = " (" + words.replace("{n}", String(count)) + ")";
    }
  };
  const append = (m) => {
    if (!thread || thread.querySelector('[data-id="' + m.id + '"]')) return;
    thread.querySelector("[data-empty]")?.remove();
    const li = document.createElement("li");
    li.className = m.author.handle === me ? "message mine" : "message";
    li.dataset.testid = "message";
    li.dataset.id = m.id;
    const meta = document.createElement("p");
    meta.className = "meta";
    const who = document.createElement("a");
    who.href = "/@" + m.author.handle;
    who.textContent = m.author.name;
    const at = document.createElement("span");
    at.className = "muted";
    at.textContent = m.created_at.slice(0, 10) + " " + m.created_at.slice(11, 16);
    meta.append(who, " ", at);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = m.text;
    li.append(meta, text);
    thread.append(li);
    if (typing) typing.textContent = "";
  };
  const source = new EventSource(streamUrl);
  source.addEventListener("open", () => poll(false));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) poll(true);
  });
  source.addEventListener("message", (event) => {
    let e;
    try {
      e = JSON.parse(event.data);
    } catch {
      return;
    }
    const here = thread && e.conversation === thread.dataset.conversation;
    if (e.type === "message") {
      badge("messages", e.unread);
      if (here) append(e.message);
    } else if (e.type === "read") {
      badge("messages", e.unread);
    } else if (e.type === "notification") {
      badge("notifications", e.unread);
    } else if (e.type === "inbox") {
      badge("inbox", e.open);
    } else if (e.type === "typing" && here && typing) {
      typing.textContent = typing.dataset.typing.replace("{name}", e.member.name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.textContent = ""), 6000);
    } else if (e.type === "reset" && !(box && box.value)) {
      // Too long away to catch up: start again from the page.
      window.location.reload();
    }
  });
  // Tell the others while typing, once every few seconds at most.
  if (box) {
    let told = 0;
    box.addEventListener("input", () => {
      const now = Date.now();
      if (now - told < 3000 || !box.value.trim()) return;
      told = now;
      fetch(box.dataset.typingUrl, { method: "POST", headers: { accept: "application/json" } }).catch(() => {});
    });
  }
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
// A box the server marks autofocus (the reply box the inbox's "Answer"
// opens): a browser does not honour autofocus when the address names a
// fragment (#comment-…), and its scroll to the fragment comes after the
// load; so the box is focused once both are done, the comment kept in view.
const autofocus = document.querySelector("textarea[autofocus]");
if (autofocus) {
  const focusBox = () => setTimeout(() => {
    if (document.activeElement === document.body) autofocus.focus({ preventScroll: true });
  }, 0);
  if (document.readyState === "complete") focusBox();
  else window.addEventListener("load", focusBox, { once: true });
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
