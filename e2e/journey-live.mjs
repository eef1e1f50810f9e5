// Browser journey of the live pages: two members in two browser contexts
// (Anaïs in English, Bruno in French). Anaïs sends Bruno a contact request:
// Bruno's header shows a notification without a reload, and his
// notifications page names it; he accepts; Anaïs writes to him while his
// conversation is open: the message appears in it without a reload.
// Screenshots go to e2e/artifacts/live-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 node journey-live.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
let step = 0;
async function shot(page, name) {
  step += 1;
  await look(page, `live-${String(step).padStart(2, "0")}-${name}`);
}

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
  return { page, handle, name };
}

/** Waits for a condition in the page, without reloading it. */
async function live(page, fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 10_000 });
    check(true, what);
  } catch {
    check(false, `${what} (nothing came within 10 s)`);
  }
}

try {
  const a = await member("liv", "Anaïs Leroux", "en-GB");
  const b = await member("lib", "Bruno Marchal", "fr-FR");
  await b.page.selectOption("[data-testid=setting-contact_requests]", "everyone");
  await b.page.click("[data-testid=save-profile]");
  await b.page.waitForSelector("[data-testid=saved]");

  // Bruno reads his home page; nothing waits for him yet.
  await b.page.goto(`${base}/`);
  check((await b.page.$('[data-badge="notifications"]')) === null, "Bruno starts without a notification badge");
  const loads = [];
  b.page.on("load", () => loads.push(b.page.url()));

  // Anaïs asks Bruno to be a contact.
  await a.page.goto(`${base}/@${b.handle}`);
  await a.page.click("[data-testid=send-contact-request]");
  await a.page.waitForSelector("[data-testid=reach-notice]");
  check(await a.page.isVisible("[data-testid=reach-notice]"), "Anaïs sends Bruno a contact request");

  await live(
    b.page,
    () => Number(document.querySelector('[data-badge="notifications"]')?.dataset.count ?? 0) >= 1,
    null,
    "Bruno's header shows a notification without a reload",
  );
  const words = (await b.page.textContent('[data-badge="notifications"] .visually-hidden')) ?? "";
  check(/1 notification non lue/.test(words), `the badge says it in French words (${words.trim()})`);
  check(loads.length === 0, "the page was not reloaded");
  await shot(b.page, "badge-fr");

  await b.page.goto(`${base}/notifications`);
  const list = (await b.page.textContent("main")) ?? "";
  check(list.includes("Anaïs Leroux") && list.includes("demande de contact"), "his notifications page names Anaïs's contact request, in French");
  await shot(b.page, "notifications-fr");

  await b.page.goto(`${base}/network`);
  await b.page.click(`[data-testid=incoming-request][data-from=${a.handle}] [data-testid=accept-request]`);
  await b.page.waitForURL("**/network**");

  // Anaïs opens a conversation; Bruno opens it too and waits there.
  await a.page.goto(`${base}/@${b.handle}`);
  await a.page.click("[data-testid=write-message]");
  await a.page.waitForURL("**/messages/*");
  const conversation = a.page.url();
  await b.page.goto(conversation);
  await b.page.waitForSelector("[data-testid=thread]");
  const bLoads = [];
  b.page.on("load", () => bLoads.push(b.page.url()));

  await a.page.fill("[data-testid=message-text]", "Bonjour Bruno, ravie de vous compter parmi mes contacts !");
  await a.page.click("[data-testid=send-message]");
  await a.page.waitForURL("**/messages/*");
  await shot(a.page, "message-sent-en");

  await live(
    b.page,
    () => document.querySelector("[data-testid=thread]")?.textContent.includes("ravie de vous compter"),
    null,
    "Anaïs's message appears in Bruno's open conversation without a reload",
  );
  check(bLoads.length === 0, "Bruno's conversation page was not reloaded");
  await shot(b.page, "message-received-fr");

  // Anaïs's header, in English, once Bruno accepted.
  await a.page.goto(`${base}/notifications`);
  const aList = (await a.page.textContent("main")) ?? "";
  check(aList.includes("Bruno Marchal") && aList.includes("accepted your contact request"), "Anaïs is told, in English, that Bruno accepted");
  await shot(a.page, "notifications-en");
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
