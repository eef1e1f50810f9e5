// Browser journey of moderation, once in French and once in English:
// James opens a firm's page and publishes for everyone; a member comments
// it with insults; Zoé reports the comment (her reports say it waits for a
// moderator). James, the firm's editor, finds it in the page's moderation
// queue, with the comment as it was, and hides it: Zoé no longer sees it,
// its author still does, marked hidden. Claire, an instance moderator,
// finds the same report open in the instance's queue and suspends the
// author for a week: his session ends and signing in tells him why. The
// moderation log shows both acts, who did them and why; Zoé learns her
// report was handled (never by whom); signing in, the author reads until
// when, why, and how to appeal. Screenshots go to e2e/artifacts/moderation-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 DEMO_ACCOUNTS=… node journey-moderation.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";
import { readFileSync } from "node:fs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
const accounts = readFileSync(process.env.DEMO_ACCOUNTS, "utf8").split("\n");
const password = "une phrase de passe bien longue";

const texts = {
  fr: {
    firm: "Boulangerie Lemoine",
    post: "Nouveau : le pain au levain est disponible le samedi matin.",
    insult: "Bande d'incapables, votre pain est immonde et vous êtes des voleurs",
    note: "Insultes répétées sous nos publications",
    hide: "Propos injurieux envers l'équipe",
    suspend: "Insultes répétées, malgré les règles de l'instance",
    waiting: "En attente d'un modérateur",
    handled: "Traité",
    hidden: "Masqué",
    suspended: "suspendu",
  },
  en: {
    firm: "Lemoine Bakery",
    post: "New: sourdough bread is available on Saturday mornings.",
    insult: "Bunch of incompetents, your bread is vile and you are thieves",
    note: "Repeated insults under our posts",
    hide: "Insulting the team",
    suspend: "Repeated insults, despite the instance's rules",
    waiting: "Waiting for a moderator",
    handled: "Handled",
    hidden: "Hidden",
    suspended: "suspended",
  },
};

async function open(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** A demo member signed in (the demo's accounts file gives passwords). */
async function demo(handle) {
  const line = accounts.find((l) => l.trim().startsWith(`${handle} `));
  const [, email, pw] = line.trim().split(/\s+/);
  const page = await open("fr-FR");
  await page.goto(`${base}/signin`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", pw);
  await page.click("[data-testid=signin-submit]");
  await page.waitForURL(`${base}/`);
  return { page, handle };
}

/** A new member, signed up through the form. */
async function member(letter, name) {
  const handle = `${letter}_${suffix}`;
  const page = await open("fr-FR");
  await page.goto(`${base}/signup`);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=handle]", handle);
  await page.fill("input[name=email]", `${handle}@example.org`);
  await page.fill("input[name=password]", password);
  await page.click("[data-testid=signup-submit]");
  await page.waitForURL(`**/@${handle}/edit`);
  return { page, handle, name };
}

/** The member's pages in `lang` from now on (the header's switch). */
async function speak(m, lang) {
  await m.page.goto(`${base}/`);
  if ((await m.page.getAttribute("html", "lang")) !== lang) {
    await m.page.click("[data-testid=lang-switch]");
    await m.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
}

async function journey(lang, james, zoe, claire, author) {
  const t = texts[lang];
  for (const m of [james, zoe, claire, author]) await speak(m, lang);
  const firm = `bake${lang}_${suffix}`;

  // James opens the firm's page and publishes as the firm, for everyone.
  await james.page.goto(`${base}/pages/new`);
  await james.page.selectOption("select[name=kind]", "organization");
  await james.page.fill("input[name=name]", t.firm);
  await james.page.fill("input[name=handle]", firm);
  await james.page.click("form[action='/pages/new'] button[type=submit]");
  await james.page.waitForURL(`**/@${firm}`);
  await james.page.goto(`${base}/`);
  await james.page.fill("[data-testid=composer-text]", t.post);
  await james.page.selectOption("[data-testid=composer-audience]", "public");
  await james.page.selectOption("[data-testid=composer-as]", firm);
  await james.page.click("[data-testid=composer-submit]");
  await james.page.waitForURL("**/#post-*");
  const postId = james.page.url().split("#post-")[1];
  check(/^\d+$/.test(postId), `${lang}: the firm's post is published (${postId})`);

  // The author insults the firm under its post.
  await author.page.goto(`${base}/posts/${postId}`);
  await author.page.fill("[data-testid=comment-text]", t.insult);
  await author.page.click("[data-testid=comment-submit]");
  await author.page.waitForURL(`**/posts/${postId}#comment-*`);
  const commentId = author.page.url().split("#comment-")[1];

  // Zoé reports the comment, with a reason and a note.
  await zoe.page.goto(`${base}/posts/${postId}`);
  const hostile = zoe.page.locator(`[data-testid=comment][data-comment-id="${commentId}"]`);
  check((await hostile.count()) === 1, `${lang}: Zoé sees the hostile comment`);
  await hostile.locator("[data-testid=comment-report]").click();
  await zoe.page.waitForURL("**/report?kind=comment*");
  await zoe.page.check("[data-testid=reason-harassment]");
  await zoe.page.fill("[data-testid=report-note]", t.note);
  await look(zoe.page, `moderation-${lang}-report`);
  await zoe.page.click("[data-testid=report-submit]");
  await zoe.page.waitForURL("**/reports?filed=1");
  const first = zoe.page.locator("[data-testid=my-report]").first();
  check((await first.locator("[data-testid=my-report-status]").textContent()).includes(t.waiting), `${lang}: her report waits for a moderator`);
  await look(zoe.page, `moderation-${lang}-my-reports`);

  // James, the firm's editor, works the page's queue and hides it.
  await james.page.goto(`${base}/@${firm}/manage`);
  await james.page.click("[data-testid=page-moderation-link]");
  await james.page.waitForURL(`**/moderation?queue=page:${firm}`);
  const item = james.page.locator("[data-testid=queue-item]").first();
  check((await item.locator("[data-testid=snapshot]").textContent()).includes(t.insult), `${lang}: the page's queue shows the comment as reported`);
  check(!(await item.textContent()).includes(zoe.handle), `${lang}: the page's queue does not name the reporter`);
  await item.locator("[data-testid=decision-action]").selectOption("hide");
  await item.locator("[data-testid=decision-reason]").fill(t.hide);
  await look(james.page, `moderation-${lang}-page-queue`);
  await item.locator("[data-testid=decision-submit]").click();
  await james.page.waitForURL("**/moderation?*decided=1");
  check(await james.page.isVisible("[data-testid=decided]"), `${lang}: the page's decision is taken`);

  // Zoé no longer sees it; its author does, marked hidden.
  await zoe.page.goto(`${base}/posts/${postId}`);
  check((await zoe.page.locator(`[data-testid=comment][data-comment-id="${commentId}"]`).count()) === 0, `${lang}: the hidden comment is gone for Zoé`);
  await author.page.goto(`${base}/posts/${postId}`);
  const own = author.page.locator(`[data-testid=comment][data-comment-id="${commentId}"]`);
  check((await own.count()) === 1 && (await own.locator("[data-testid=comment-state]").textContent()).includes(t.hidden), `${lang}: its author still sees it, marked hidden`);
  await look(author.page, `moderation-${lang}-hidden`);

  // Claire, an instance moderator, suspends the author for a week.
  await claire.page.goto(`${base}/`);
  await claire.page.click("[data-testid=account-summary]");
  await claire.page.click("[data-testid=nav-moderation]");
  await claire.page.waitForURL("**/moderation");
  const open_ = claire.page.locator("[data-testid=queue-item]", { hasText: t.insult }).first();
  check((await open_.count()) === 1, `${lang}: the instance's queue still has the report open`);
  check((await open_.textContent()).includes(zoe.handle) || (await open_.textContent()).includes("Zo"), `${lang}: the instance's queue names the reporter`);
  await open_.locator("[data-testid=decision-action]").selectOption("suspend_for");
  await open_.locator("[data-testid=decision-days]").fill("7");
  await open_.locator("[data-testid=decision-reason]").fill(t.suspend);
  await look(claire.page, `moderation-${lang}-instance-queue`);
  await open_.locator("[data-testid=decision-submit]").click();
  await claire.page.waitForURL("**/moderation?*decided=1");

  // The log shows both acts, who and why.
  await claire.page.click("[data-testid=log-link]");
  await claire.page.waitForURL("**/moderation/log*");
  const entries = claire.page.locator("[data-testid=log-entry]");
  const top = [await entries.nth(0).textContent(), await entries.nth(1).textContent()].join(" | ");
  check(top.includes(t.suspend) && top.includes(t.hide), `${lang}: the log shows the suspension and the hiding`);
  check((await entries.nth(1).locator("[data-testid=log-actor]").textContent()).includes("James"), `${lang}: the log names James for the hiding`);
  await look(claire.page, `moderation-${lang}-log`);

  // The author's session ended; signing in says he is suspended.
  await author.page.goto(`${base}/`);
  check(await author.page.isVisible("[data-testid=nav-signin]"), `${lang}: the suspended author is signed out`);
  await author.page.goto(`${base}/signin`);
  await author.page.fill("input[name=email]", `${author.handle}@example.org`);
  await author.page.fill("input[name=password]", password);
  await author.page.click("[data-testid=signin-submit]");
  await author.page.waitForSelector(".errors");
  const refused = await author.page.textContent(".errors");
  check(refused.toLowerCase().includes(t.suspended), `${lang}: signing in tells him he is suspended`);
  check(refused.includes(t.suspend), `${lang}: and why, in the moderator's words`);
  await look(author.page, `moderation-${lang}-suspended`);

  // Zoé learns her report was handled; nobody is named.
  await zoe.page.goto(`${base}/reports`);
  const status = await zoe.page.locator("[data-testid=my-report]").first().locator("[data-testid=my-report-status]").textContent();
  check(status.includes(t.handled), `${lang}: Zoé's report is handled (${status.trim()})`);
  await zoe.page.goto(`${base}/notifications`);
  await look(zoe.page, `moderation-${lang}-notifications`);
}

try {
  const james = await demo("james");
  const zoe = await demo("zoe");
  const claire = await demo("claire");
  // One author per run: the first is suspended by the end of it.
  const fr = await member("mfr", "Gérard Lemaire");
  await journey("fr", james, zoe, claire, fr);
  const en = await member("men", "Gary Lemon");
  await journey("en", james, zoe, claire, en);

  // Zoé's muted members and words.
  await zoe.page.goto(`${base}/@james`);
  await zoe.page.click("[data-testid=mute]");
  await zoe.page.waitForURL("**/@james");
  check(await zoe.page.isVisible("[data-testid=unmute]"), "Zoé muted James from his profile");
  await zoe.page.goto(`${base}/settings/mutes`);
  await zoe.page.fill("[data-testid=muted-words]", "crypto\n#nft");
  await zoe.page.click("[data-testid=muted-words-save]");
  await zoe.page.waitForURL("**/settings/mutes?saved=1");
  check((await zoe.page.locator("[data-testid=muted-member]").count()) === 1, "her muted members list James");
  await look(zoe.page, "moderation-en-mutes");
  await zoe.page.click("[data-testid=unmute-james]");
  await zoe.page.waitForURL("**/settings/mutes");

  // Claire administers the instance: the dashboard, then sign-up by
  // approval with a question, as a visitor sees it, then open again.
  await speak(claire, "fr");
  await claire.page.click("[data-testid=account-summary]");
  await claire.page.click("[data-testid=nav-admin]");
  await claire.page.waitForURL("**/admin");
  check(Number(await claire.page.textContent("[data-testid=dash-members]")) > 0, "fr: the dashboard counts the members");
  await look(claire.page, "moderation-fr-admin");
  await claire.page.check("[data-testid=mode-approval]");
  await claire.page.fill("[data-testid=admin-question]", "Quelle est votre entreprise ?");
  await claire.page.fill("[data-testid=admin-rules_fr]", "Pas d'insultes.\n\nPas de démarchage.");
  await claire.page.click("[data-testid=admin-settings-save]");
  await claire.page.waitForURL("**/admin?done=1*");
  const visitor = await open("fr-FR");
  await visitor.goto(`${base}/signup`);
  check(await visitor.isVisible("[data-testid=signup-answer]"), "fr: a visitor is asked the instance's question");
  check((await visitor.textContent("main")).includes("Quelle est votre entreprise ?"), "fr: in the administrator's words");
  await look(visitor, "moderation-fr-signup-approval");
  await visitor.click("[data-testid=signup-rules]");
  await visitor.waitForURL("**/about/rules");
  check((await visitor.textContent("[data-testid=about-text]")).includes("Pas de démarchage"), "fr: the rules are published");
  await look(visitor, "moderation-fr-rules");
  await claire.page.check("[data-testid=mode-open]");
  await claire.page.click("[data-testid=admin-settings-save]");
  await claire.page.waitForURL("**/admin?done=1*");
  await speak(claire, "en");
  await claire.page.goto(`${base}/admin`);
  await look(claire.page, "moderation-en-admin");
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
