// Browser journey of the follow-up inbox, once in French and once in
// English: a firm's owner gives an editor a role on its page and publishes
// a public post as the firm; a member comments it angrily. The editor's
// header counts an item to answer; his inbox shows it first, marked
// hostile; "Answer" leads to the thread with the firm preselected as the
// one who answers and the answering rules above the box; he answers
// calmly as the firm. Back in his inbox the item has left the open ones
// (it is under "answered") and the header's count went down.
// Screenshots go to e2e/artifacts/inbox-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 node journey-inbox.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);

const texts = {
  fr: {
    firm: "Menuiserie Aubert",
    post: "Nos nouveaux horaires d'ouverture : du lundi au samedi, 8 h – 18 h.",
    angry: "C'est une arnaque, SCANDALEUX ! Trois semaines que j'attends ma commande.",
    calm: "Bonjour, nous sommes désolés de ce retard. Pouvez-vous nous écrire votre numéro de commande ? Nous regardons cela aujourd'hui.",
    hostile: "Hostile",
    answered: "Répondu",
  },
  en: {
    firm: "Aubert Joinery",
    post: "Our new opening hours: Monday to Saturday, 8 am to 6 pm.",
    angry: "This is a scam, OUTRAGEOUS! Three weeks I have been waiting for my order.",
    calm: "Hello, we are sorry for the delay. Could you write us your order number? We will look into it today.",
    hostile: "Hostile",
    answered: "Answered",
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

/** The header's count of items to answer (0 without a badge). */
async function inboxBadge(page) {
  const b = page.locator("[data-testid=nav-inbox] [data-badge=inbox]");
  return (await b.count()) === 0 ? 0 : Number(await b.getAttribute("data-count"));
}

/** The member's pages in `lang` from now on (the header's switch). */
async function speak(m, lang) {
  await m.page.goto(`${base}/`);
  if ((await m.page.getAttribute("html", "lang")) !== lang) {
    await m.page.click("[data-testid=lang-switch]");
    await m.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
}

async function journey(lang, owner, editor, angry) {
  const t = texts[lang];
  for (const m of [owner, editor, angry]) await speak(m, lang);
  check((await editor.page.getAttribute("html", "lang")) === lang, `${lang}: the editor reads his pages in ${lang}`);
  const firm = `firm${lang}_${suffix}`;

  // The owner creates the firm's page and makes the editor an editor.
  await owner.page.goto(`${base}/pages/new`);
  await owner.page.selectOption("select[name=kind]", "organization");
  await owner.page.fill("input[name=name]", t.firm);
  await owner.page.fill("input[name=handle]", firm);
  await owner.page.click("form[action='/pages/new'] button[type=submit]");
  await owner.page.waitForURL(`**/@${firm}`);
  await owner.page.goto(`${base}/@${firm}/manage`);
  await owner.page.fill("form[action$='/manage/managers'] input[name=member]", `@${editor.handle}`);
  await owner.page.selectOption("form[action$='/manage/managers'] select[name=role]", "editor");
  await owner.page.click("form[action$='/manage/managers'] button");
  await owner.page.waitForURL("**/manage");
  check((await owner.page.textContent("main")).includes(editor.name), `${lang}: the editor joins the firm's team`);
  check(await owner.page.isVisible("[data-testid=inbox-settings]"), `${lang}: the owner sees the firm's inbox settings`);
  await look(owner.page, `inbox-${lang}-manage`);

  // The owner publishes as the firm, for everyone.
  await owner.page.goto(`${base}/`);
  await owner.page.fill("[data-testid=composer-text]", t.post);
  await owner.page.selectOption("[data-testid=composer-audience]", "public");
  await owner.page.selectOption("[data-testid=composer-as]", firm);
  await owner.page.click("[data-testid=composer-submit]");
  await owner.page.waitForURL("**/#post-*");
  const postId = owner.page.url().split("#post-")[1];
  check(/^\d+$/.test(postId), `${lang}: the firm's post is published (${postId})`);

  // The editor's header before the comment.
  await editor.page.goto(`${base}/`);
  const before = await inboxBadge(editor.page);

  // A member comments angrily.
  await angry.page.goto(`${base}/posts/${postId}`);
  await angry.page.fill("[data-testid=comment-text]", t.angry);
  await angry.page.click("[data-testid=comment-submit]");
  await angry.page.waitForURL(`**/posts/${postId}#comment-*`);
  check((await angry.page.textContent("[data-testid=comments]")).includes(t.angry), `${lang}: the angry comment is published`);

  // The editor's header counts it without a reload (the live stream),
  // in words by the language's plural rules.
  try {
    await editor.page.waitForFunction(
      (n) => Number(document.querySelector('[data-badge="inbox"]')?.dataset.count ?? 0) === n, before + 1, { timeout: 10_000 });
    check(true, `${lang}: the editor's header counts the new item without a reload`);
    const words = await editor.page.textContent('[data-badge="inbox"] .visually-hidden');
    check(lang === "fr" ? /en attente de réponse/.test(words) : /to answer/.test(words), `${lang}: the live badge says it in words (${words.trim()})`);
  } catch {
    check(false, `${lang}: the editor's header counts the new item without a reload (nothing came within 10 s)`);
  }

  // The editor's inbox: the item first, marked hostile.
  await editor.page.goto(`${base}/inbox`);
  const during = await inboxBadge(editor.page);
  check(during === before + 1, `${lang}: the header counts one more item to answer (${before} → ${during})`);
  const first = editor.page.locator("[data-testid=inbox-item]").first();
  check((await first.textContent()).includes("Trois semaines") || (await first.textContent()).includes("Three weeks"),
    `${lang}: the angry comment is the first item`);
  const badge = first.locator("[data-testid=inbox-hostile]");
  check((await badge.count()) === 1 && (await badge.textContent()).includes(t.hostile), `${lang}: it is marked hostile, in words`);
  check((await first.locator("[data-testid=inbox-page]").textContent()) === t.firm, `${lang}: the firm is to answer it`);
  check((await first.locator("[data-testid=inbox-from]").textContent()) === angry.name, `${lang}: it names who waits`);
  const itemId = await first.getAttribute("data-item-id");
  await look(editor.page, `inbox-${lang}-list`);
  // The team's other acts, unfolded (checked for their labels too).
  await first.locator("[data-testid=inbox-more]").click();
  check(await first.locator("[data-testid=inbox-dismiss-reason]").isVisible(), `${lang}: the other acts unfold`);
  await look(editor.page, `inbox-${lang}-acts`);

  // "Answer": the thread, the firm preselected, the rules above the box.
  await first.locator("[data-testid=inbox-answer]").click();
  await editor.page.waitForURL(`**/posts/${postId}?as=${firm}&reply=*`);
  const open = editor.page.locator("details.reply-form[open]");
  check((await open.count()) === 1, `${lang}: the thread's reply box is open`);
  check((await open.locator("[data-testid=reply-as]").inputValue()) === firm, `${lang}: "answer as" holds the firm`);
  check(await open.locator("[data-testid=answer-rules]").isVisible(), `${lang}: the answering rules stand above the box`);
  check(await editor.page.evaluate(() => document.activeElement?.dataset.testid === "reply-text"), `${lang}: the reply box has the focus`);
  await look(editor.page, `inbox-${lang}-post`);

  await open.locator("[data-testid=reply-text]").fill(t.calm);
  await open.locator("[data-testid=reply-submit]").click();
  await editor.page.waitForURL(`**/posts/${postId}#comment-*`);
  const reply = editor.page.locator("li.comment.reply").last();
  check((await reply.textContent()).includes(t.calm) && (await reply.textContent()).includes(t.firm), `${lang}: the answer is published as the firm`);

  // Back in the inbox: no longer open, under "answered"; the count went down.
  await editor.page.goto(`${base}/inbox`);
  check((await editor.page.locator(`[data-testid=inbox-item][data-item-id="${itemId}"]`).count()) === 0, `${lang}: the item has left the open ones`);
  const after = await inboxBadge(editor.page);
  check(after === during - 1, `${lang}: the header's count went down (${during} → ${after})`);
  await look(editor.page, `inbox-${lang}-after`);
  await editor.page.selectOption("[data-testid=inbox-filter-status]", "answered");
  await editor.page.click("[data-testid=inbox-filter-apply]");
  await editor.page.waitForURL("**/inbox?*status=answered*");
  const answered = editor.page.locator(`[data-testid=inbox-item][data-item-id="${itemId}"]`);
  check((await answered.count()) === 1 && (await answered.locator("[data-testid=inbox-status]").textContent()) === t.answered,
    `${lang}: it is listed as answered`);
  await look(editor.page, `inbox-${lang}-answered`);

  // The owner reads the firm's response times: this week, one answered.
  await owner.page.goto(`${base}/@${firm}/stats`);
  const weeks = owner.page.locator("[data-testid=stats-week]");
  check((await weeks.count()) === 12, `${lang}: the statistics show twelve weeks of response times`);
  const week = await weeks.last().textContent();
  check(week.includes("%"), `${lang}: this week's share within the target is given (${week.replace(/\s+/g, " ").trim()})`);
  check((await owner.page.locator("[data-testid=stats-chart] title").count()) === 13, `${lang}: the chart's bars are titled`);
  await look(owner.page, `inbox-${lang}-stats`);
}

try {
  // Three accounts for both runs (sign-ups per address are limited).
  const owner = await member("iown", "Odile Aubert", "fr-FR");
  const editor = await member("iedi", "Étienne Roux", "fr-FR");
  const angry = await member("iang", "Gérard Lemaire", "fr-FR");
  await journey("fr", owner, editor, angry);
  await journey("en", owner, editor, angry);
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
