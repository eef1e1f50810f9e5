// Browser journey of the header, in French (Claire) and English (James):
// at 1280 px it holds on one line, the account's links in their own menu;
// at a phone's width (390 px) its links fold behind "Menu", which opens
// from the keyboard and without JavaScript, the search box keeps its
// width, and the home page shows the composer and the feed before its side
// column. Zoé writes to Claire first, so that Claire's header counts an
// unread message. Screenshots go to e2e/artifacts/header-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 DEMO_ACCOUNTS=… node journey-header.mjs
import { base, launch, check, audit, out, stopped, finish } from "./harness.mjs";
import { readFileSync } from "node:fs";

const browser = await launch();
const accounts = readFileSync(process.env.DEMO_ACCOUNTS, "utf8").split("\n");
const wide = { width: 1280, height: 800 };
const narrow = { width: 390, height: 844 };

async function signIn(handle, locale, viewport, javaScriptEnabled = true) {
  const line = accounts.find((l) => l.trim().startsWith(`${handle} `));
  const [, email, password] = line.trim().split(/\s+/);
  const context = await browser.newContext({ locale, viewport, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("[data-testid=signin-submit]");
  await page.waitForURL(`${base}/`);
  return page;
}

/** A screenshot of what the window shows, and the accessibility audit. */
async function shot(page, name) {
  await page.screenshot({ path: `${out}header-${name}.png` });
  await audit(page, `header-${name}`);
}

/** How the header lays out: its height, whether its items share one row,
 * whether anything sticks out of it or of the page. */
function layout(page) {
  return page.evaluate(() => {
    const top = document.querySelector("header.top");
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    const items = [
      top.querySelector(".brand"),
      top.querySelector(".search-box"),
      ...top.querySelectorAll(".main-nav > ul > li"),
    ].filter(shown);
    const middles = items.map((e) => {
      const r = e.getBoundingClientRect();
      return (r.top + r.bottom) / 2;
    });
    return {
      height: top.getBoundingClientRect().height,
      items: items.length,
      spread: Math.max(...middles) - Math.min(...middles),
      overflows: top.scrollWidth > top.clientWidth + 1 || document.documentElement.scrollWidth > window.innerWidth + 1,
    };
  });
}

/** The header at 1280 px: one line, the badge, the account's menu. */
async function wideHeader(page, lang, where) {
  const l = await layout(page);
  check(l.items >= 5 && l.spread <= 4 && l.height <= 72 && !l.overflows,
    `${lang} ${where} at 1280 px: the header holds on one line (${l.items} items, ${Math.round(l.height)} px high)`);
  check(!(await page.isVisible("[data-testid=menu-summary]")), `${lang} ${where} at 1280 px: no "Menu" toggle`);
  check(await page.isVisible("[data-testid=nav-notifications]"), `${lang} ${where} at 1280 px: the notifications link shows`);
}

/** The header at 390 px: folded, the search box usable, nothing too wide. */
async function narrowHeader(page, lang, where) {
  check(await page.isVisible("[data-testid=menu-summary]"), `${lang} ${where} at 390 px: the "Menu" toggle shows`);
  check(!(await page.isVisible("[data-testid=main-nav]")), `${lang} ${where} at 390 px: the links are folded away`);
  const search = await page.locator("[data-testid=search-box-q]").boundingBox();
  check(search && search.width >= 300, `${lang} ${where} at 390 px: the search box keeps its width (${Math.round(search?.width ?? 0)} px)`);
  const l = await layout(page);
  check(!l.overflows && l.height <= 130, `${lang} ${where} at 390 px: the folded header takes two rows (${Math.round(l.height)} px), nothing wider than the screen`);
}

try {
  // Zoé writes to Claire: Claire's header will count it.
  const zoe = await signIn("zoe", "fr-FR", wide);
  await zoe.goto(`${base}/messages`);
  await zoe.fill("[data-testid=new-conversation-with]", "claire");
  await zoe.click("[data-testid=new-conversation]");
  await zoe.waitForSelector("[data-testid=message-text]");
  await zoe.fill("[data-testid=message-text]", "Claire, as-tu vu le nouvel en-tête ?");
  await zoe.click("[data-testid=send-message]");
  await zoe.waitForLoadState("load");
  await zoe.context().close();

  for (const [handle, locale, lang, words] of [
    ["claire", "fr-FR", "fr", /\d+ messages? non lus?/],
    ["james", "en-GB", "en", /\d+ unread messages?/],
  ]) {
    const page = await signIn(handle, locale, wide);
    check((await page.getAttribute("html", "lang")) === lang, `${handle}'s pages are in ${lang}`);

    // Wide screen: home, the account's menu, a profile.
    await wideHeader(page, lang, "home");
    const badge = page.locator("[data-testid=nav-messages] [data-badge=messages]");
    check((await badge.count()) === 1 && Number(await badge.getAttribute("data-count")) >= 1,
      `${lang}: the header counts ${handle}'s unread messages`);
    check(words.test(await badge.locator(".visually-hidden").textContent()), `${lang}: the badge says it in words, by the plural rules`);
    // The demo's activity notifies its accounts and leaves them items to answer.
    check((await page.locator('[data-badge][data-count="0"]').count()) === 0, `${lang}: no badge for a count of 0`);
    await shot(page, `${lang}-home-1280`);
    await page.click("[data-testid=account-summary]");
    check(await page.isVisible("[data-testid=nav-profile]") && await page.isVisible("[data-testid=signout]"),
      `${lang} at 1280 px: the account's menu opens on its profile and sign-out links`);
    await shot(page, `${lang}-account-menu-1280`);
    await page.keyboard.press("Escape");
    check(!(await page.isVisible("[data-testid=signout]")), `${lang} at 1280 px: Escape closes the account's menu`);
    await page.goto(`${base}/@claire`);
    await wideHeader(page, lang, "profile");
    await shot(page, `${lang}-profile-1280`);

    // A phone: the same pages, folded.
    await page.setViewportSize(narrow);
    await page.goto(`${base}/`);
    await narrowHeader(page, lang, "home");
    const order = await page.evaluate(() => {
      const top = (s) => document.querySelector(s)?.getBoundingClientRect().top ?? -1;
      return { composer: top("[data-testid=composer]"), feed: top("[data-testid=feed]"), side: top(".home-side") };
    });
    check(order.composer >= 0 && order.composer < order.feed && order.feed < order.side,
      `${lang} home at 390 px: the composer, then the feed, then the side column`);
    await shot(page, `${lang}-home-390`);
    await page.screenshot({ path: `${out}header-${lang}-home-390-full.png`, fullPage: true });

    // The keyboard opens the menu: Tab to "Menu", Enter, Tab on to the links.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Tab"); // the brand
    await page.keyboard.press("Tab"); // "Menu"
    const focused = await page.evaluate(() => ({
      testid: document.activeElement?.dataset.testid,
      outline: getComputedStyle(document.activeElement).outlineStyle,
    }));
    check(focused.testid === "menu-summary" && focused.outline !== "none", `${lang} at 390 px: Tab reaches "Menu", its focus visible`);
    await page.keyboard.press("Enter");
    check(await page.isVisible("[data-testid=main-nav]"), `${lang} at 390 px: Enter unfolds the links`);
    check(await page.getAttribute("[data-testid=menu-toggle]", "open") !== null, `${lang} at 390 px: the toggle says it is open`);
    await page.keyboard.press("Tab"); // the search box
    await page.keyboard.press("Tab"); // the first link
    check((await page.evaluate(() => document.activeElement?.dataset.testid)) === "nav-network", `${lang} at 390 px: Tab goes on into the links`);
    check(await page.isVisible("[data-testid=nav-profile]") && await page.isVisible("[data-testid=signout]") && await page.isVisible("[data-testid=lang-switch]"),
      `${lang} at 390 px: the unfolded menu lists the account's links and the language`);
    check(await page.isVisible("[data-testid=nav-messages] [data-badge=messages]"), `${lang} at 390 px: the unfolded menu shows the badge`);
    await shot(page, `${lang}-menu-390`);
    await page.keyboard.press("Escape");
    check(!(await page.isVisible("[data-testid=main-nav]")) &&
      (await page.evaluate(() => document.activeElement?.dataset.testid)) === "menu-summary",
      `${lang} at 390 px: Escape folds the menu and gives the focus back to "Menu"`);
    await page.goto(`${base}/@claire`);
    await narrowHeader(page, lang, "profile");
    await shot(page, `${lang}-profile-390`);
    await page.context().close();
  }

  // Without JavaScript the folded menu still opens, and its links work.
  const bare = await signIn("james", "en-GB", narrow, false);
  check(!(await bare.isVisible("[data-testid=main-nav]")), "without JavaScript at 390 px: the links are folded away");
  await bare.click("[data-testid=menu-summary]");
  check(await bare.isVisible("[data-testid=nav-messages]") && await bare.isVisible("[data-testid=signout]"),
    "without JavaScript at 390 px: \"Menu\" unfolds every link");
  await bare.click("[data-testid=nav-messages]");
  await bare.waitForURL(`${base}/messages`);
  check(true, "without JavaScript at 390 px: a link of the menu opens its page");
  await bare.context().close();

  // A visitor, at both widths.
  const visitor = await (await browser.newContext({ locale: "fr-FR", viewport: wide })).newPage();
  await visitor.goto(`${base}/`);
  const l = await layout(visitor);
  check(l.spread <= 4 && !l.overflows, "a visitor's header holds on one line at 1280 px");
  await shot(visitor, "fr-visitor-1280");
  await visitor.setViewportSize(narrow);
  await visitor.goto(`${base}/`);
  await narrowHeader(visitor, "fr", "visitor's home");
  await visitor.click("[data-testid=menu-summary]");
  check(await visitor.isVisible("[data-testid=nav-signin]") && await visitor.isVisible("[data-testid=nav-signup]"),
    "a visitor's unfolded menu offers to sign in and to sign up");
  await shot(visitor, "fr-visitor-menu-390");
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
