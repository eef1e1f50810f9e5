// Browser journey of a closed hub, once in French and once in English: a
// member creates the closed group "Fiscalité des PME" and gives it a cover;
// another, whose
// profile lists his skills, finds it and asks to join; the moderator sees
// the request in his follow-up inbox and approves it from there; both post
// to the group from its composer; the new member states his expertise and
// the expert directory shows it with his skills and his post; an outsider
// finds the hub but none of its posts.
// Screenshots go to e2e/artifacts/groups-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 node journey-groups.mjs
import { base, launch, check, look, stopped, finish, picture } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);

const texts = {
  fr: {
    name: "Fiscalité des PME",
    about: "Échanges entre dirigeants et experts-comptables sur la fiscalité des petites entreprises.",
    welcome: "Bienvenue ! Posez ici vos questions sur le crédit d'impôt recherche.",
    question: "Merci. Quelqu'un a-t-il déjà demandé un rescrit fiscal ?",
    expertise: "Rescrit fiscal, TVA intracommunautaire",
    ask: "Demander à rejoindre",
    pending: "attend la réponse",
    membersOnly: "réservés aux membres",
    toldOfPost: "a publié dans un groupe que vous suivez de près",
    word: "rescrit",
    groupWord: "PME",
  },
  en: {
    name: "SME taxation",
    about: "Business owners and accountants on the taxation of small firms.",
    welcome: "Welcome! Ask your questions on the research tax credit here.",
    question: "Thanks. Has anyone asked the tax office for an advance ruling?",
    expertise: "Advance tax rulings, EU VAT",
    ask: "Ask to join",
    pending: "awaits a moderator",
    membersOnly: "for the group's members",
    toldOfPost: "posted in a group you follow closely",
    word: "ruling",
    groupWord: "SME",
  },
};

async function member(letter, name, locale) {
  const handle = `${letter}_${suffix}`;
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/signup`);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=handle]", handle);
  await page.fill("input[name=email]", `${handle}@example.org`);
  await page.fill("input[name=password]", "une phrase de passe bien longue");
  await page.click("[data-testid=signup-submit]");
  await page.waitForURL(`**/@${handle}/edit`);
  return { page, handle, name, context };
}

/** The member's pages in `lang` from now on (the header's switch). */
async function speak(m, lang) {
  await m.page.goto(`${base}/`);
  if ((await m.page.getAttribute("html", "lang")) !== lang) {
    await m.page.click("[data-testid=lang-switch]");
    await m.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
}

async function journey(lang, moderator, asker, outsider) {
  const t = texts[lang];
  for (const m of [moderator, asker, outsider]) await speak(m, lang);
  const hub = `fisc${lang}_${suffix}`;

  // The moderator creates the closed hub.
  await moderator.page.goto(`${base}/groups`);
  await look(moderator.page, `groups-${lang}-index`);
  await moderator.page.fill("[data-testid=group-name]", t.name);
  await moderator.page.fill("[data-testid=group-handle]", hub);
  await moderator.page.check("[data-testid=group-kind-closed]");
  await moderator.page.fill("[data-testid=group-about]", t.about);
  await moderator.page.fill("[data-testid=group-tags]", lang === "fr" ? "fiscalité, PME" : "tax, SME");
  await moderator.page.click("[data-testid=group-create]");
  await moderator.page.waitForURL(`**/groups/${hub}`);
  check((await moderator.page.textContent("h1")).includes(t.name), `${lang}: the hub is created`);
  // He gives it a cover image.
  await moderator.page.setInputFiles("[data-testid=group-cover-file]", {
    name: "bocage.png",
    mimeType: "image/png",
    buffer: picture(1200, 300),
  });
  await moderator.page.click("[data-testid=group-cover-save]");
  await moderator.page.waitForURL(`**/groups/${hub}`);
  const cover = moderator.page.locator("[data-testid=group-cover]");
  check((await cover.count()) === 1, `${lang}: the hub shows its cover`);
  check(await cover.evaluate((img) => img.decode().then(() => img.naturalWidth > 0, () => false)), `${lang}: the cover is served`);
  await look(moderator.page, `groups-${lang}-owner`);

  // The asker finds it and asks to join.
  await asker.page.goto(`${base}/groups?q=${encodeURIComponent(lang === "fr" ? "fiscalité" : "taxation")}`);
  const found = asker.page.locator(`[data-testid=group-found][data-handle="${hub}"]`);
  check((await found.count()) === 1, `${lang}: the asker finds the hub by a word of its name`);
  await look(asker.page, `groups-${lang}-found`);
  await found.locator("a").click();
  await asker.page.waitForURL(`**/groups/${hub}`);
  check((await asker.page.textContent("[data-testid=group-join]")).includes(t.ask), `${lang}: a closed hub offers to ask to join`);
  await asker.page.click("[data-testid=group-join]");
  await asker.page.waitForURL(`**/groups/${hub}`);
  check((await asker.page.textContent("[data-testid=group-members-only]")).includes(t.pending), `${lang}: the request waits for a moderator`);
  await look(asker.page, `groups-${lang}-pending`);

  // The moderator's inbox holds the request; he approves it from there.
  await moderator.page.goto(`${base}/inbox`);
  const item = moderator.page.locator("[data-testid=inbox-item]", { hasText: asker.name }).first();
  check((await item.count()) === 1, `${lang}: the request is in the moderator's inbox`);
  await look(moderator.page, `groups-${lang}-inbox`);
  await item.locator("[data-testid=inbox-answer]").click();
  await moderator.page.waitForURL(`**/groups/${hub}/members?standing=pending`);
  const request = moderator.page.locator(`[data-testid=group-member][data-handle="${asker.handle}"]`);
  check((await request.count()) === 1, `${lang}: the requests list the asker`);
  await look(moderator.page, `groups-${lang}-requests`);
  await request.locator("[data-testid=member-approve]").click();
  await moderator.page.waitForURL(`**/groups/${hub}/members?standing=pending`);
  check((await moderator.page.locator(`[data-testid=group-member][data-handle="${asker.handle}"]`).count()) === 0, `${lang}: the request is decided`);

  // The new member follows the hub closely: he is told of its new posts.
  await asker.page.goto(`${base}/groups/${hub}`);
  await asker.page.check("[data-testid=group-closely]");
  await asker.page.click("[data-testid=group-save-settings]");
  await asker.page.waitForURL(`**/groups/${hub}`);
  check(await asker.page.isChecked("[data-testid=group-closely]"), `${lang}: following closely is saved`);

  // Both post to the hub.
  for (const [m, text] of [[moderator, t.welcome], [asker, t.question]]) {
    await m.page.goto(`${base}/groups/${hub}`);
    await m.page.fill("[data-testid=group-composer-text]", text);
    await m.page.click("[data-testid=group-composer-submit]");
    await m.page.waitForURL(`**/groups/${hub}#post-*`);
  }
  const feed = await asker.page.textContent("[data-testid=group-feed]");
  check(feed.includes(t.welcome) && feed.includes(t.question), `${lang}: both posts are in the hub's discussions`);
  await look(asker.page, `groups-${lang}-discussions`);
  // Notifications are derived from the change events: a moment after.
  // The newest notification (the French run left its own below).
  const newest = asker.page.locator("[data-testid=notification]").first();
  let words = "";
  for (let i = 0; i < 20 && !words.includes(t.toldOfPost); i++) {
    await asker.page.goto(`${base}/notifications`);
    words = (await newest.count()) > 0 ? await newest.textContent() : "";
    if (!words.includes(t.toldOfPost)) await asker.page.waitForTimeout(250);
  }
  check(words.includes(t.toldOfPost) && words.includes(moderator.name), `${lang}: he is told of the moderator's post (${words.replace(/\s+/g, " ").trim()})`);
  await look(asker.page, `groups-${lang}-notified`);

  // The asker states his expertise; the directory shows it with his skills.
  await asker.page.goto(`${base}/groups/${hub}`);
  await asker.page.fill("[data-testid=group-expertise]", t.expertise);
  await asker.page.click("[data-testid=group-save-settings]");
  await asker.page.waitForURL(`**/groups/${hub}`);
  await moderator.page.goto(`${base}/groups/${hub}/directory`);
  const expert = moderator.page.locator(`[data-testid=expert][data-handle="${asker.handle}"]`);
  const entry = await expert.textContent();
  check(entry.includes(t.expertise.split(",")[0]), `${lang}: the directory shows his expertise`);
  check(entry.includes("Fiscalité") || entry.includes("Taxation"), `${lang}: and his skills (${entry.replace(/\s+/g, " ").trim()})`);
  check((await expert.locator("[data-testid=expert-activity]").textContent()).match(/1 (publication|post)/) !== null, `${lang}: and what he contributed`);
  await look(moderator.page, `groups-${lang}-directory`);

  // The outsider finds the hub, not its posts.
  await outsider.page.goto(`${base}/groups?q=${encodeURIComponent(lang === "fr" ? "PME" : "SME")}`);
  check((await outsider.page.locator(`[data-testid=group-found][data-handle="${hub}"]`).count()) === 1, `${lang}: the outsider finds the hub`);
  await outsider.page.goto(`${base}/groups/${hub}`);
  const body = await outsider.page.textContent("main");
  check(!body.includes(t.welcome) && !body.includes(t.question), `${lang}: none of its posts`);
  check((await outsider.page.textContent("[data-testid=group-members-only]")).includes(t.membersOnly), `${lang}: the discussions are said to be for members`);
  await outsider.page.goto(`${base}/`);
  check(!(await outsider.page.textContent("main")).includes(t.welcome), `${lang}: nor in his feed`);
  await outsider.page.goto(`${base}/groups/${hub}`);
  await look(outsider.page, `groups-${lang}-outsider`);

  // Search: the member finds the hub's post by a word of it; the outsider
  // finds the hub, but not the post.
  const postSearch = `${base}/search?kind=post&q=${encodeURIComponent(t.word)}`;
  let hits = "";
  for (let i = 0; i < 20 && !hits.includes(t.word); i++) {
    await asker.page.goto(postSearch);
    hits = (await asker.page.textContent("[data-testid=search-results]")).toLowerCase();
    if (!hits.includes(t.word)) await asker.page.waitForTimeout(250);
  }
  check(hits.includes(t.word), `${lang}: the member finds the hub's post by "${t.word}"`);
  await look(asker.page, `groups-${lang}-search-posts`);
  await outsider.page.goto(postSearch);
  const seen = outsider.page.locator("[data-testid=search-result][data-kind=post]", { hasText: new RegExp(t.word, "i") });
  check((await seen.count()) === 0, `${lang}: the outsider does not find it`);
  await outsider.page.goto(`${base}/search?kind=group&q=${encodeURIComponent(t.groupWord)}`);
  check((await outsider.page.locator(`[data-testid=search-result][data-kind=group][data-handle="${hub}"]`).count()) === 1, `${lang}: the outsider finds the hub on the search page`);
  await look(outsider.page, `groups-${lang}-search-groups`);
}

try {
  const moderator = await member("gmod", "Hélène Garnier", "fr-FR");
  const asker = await member("gask", "Karim Benali", "fr-FR");
  const outsider = await member("gout", "Sophie Marchal", "fr-FR");
  // The asker's profile lists his skills, for members to see.
  await asker.page.fill("#f_skills", "Fiscalité, Taxation, TVA");
  await asker.page.click("[data-testid=save-profile]");
  await asker.page.waitForSelector("[data-testid=saved]");
  await journey("fr", moderator, asker, outsider);
  await journey("en", moderator, asker, outsider);
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
