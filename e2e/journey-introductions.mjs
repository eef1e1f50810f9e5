// Browser journey of an introduction: four members sign up; A and B, then
// B and C become contacts (B's setting, then C's invitation code); A finds C
// at 2nd degree, is told an introduction is needed, asks B, B passes it on,
// C accepts; A and C are contacts and write to each other; D, a stranger,
// neither sees C's phone nor may write to C. Screenshots go to
// e2e/artifacts/intro-*.png. Usage: BASE_URL=http://127.0.0.1:18080 node journey-introductions.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
const phone = "+33 6 12 34 56 78";
let step = 0;
/** Screenshots (desktop and 390 px) and the accessibility audit. */
async function shot(page, name) {
  step += 1;
  await look(page, `intro-${String(step).padStart(2, "0")}-${name}`);
}

/** Signs a new member up through the pages; returns his page and handle. */
async function member(letter, name) {
  const handle = `${letter}_${suffix}`;
  const context = await browser.newContext({ locale: "en-GB", viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/signup`);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=handle]", handle);
  await page.fill("input[name=email]", `${handle}@example.org`);
  await page.fill("input[name=password]", "une phrase de passe bien longue");
  await page.click("[data-testid=signup-submit]");
  await page.waitForURL(`**/@${handle}/edit`);
  return { page, handle, name };
}

async function main(m) {
  return (await m.page.textContent("main")) ?? "";
}

try {
  const a = await member("ana", "Anaïs Leroux");
  const b = await member("bru", "Bruno Marchal");
  const c = await member("cam", "Camille Roussel");
  const d = await member("dav", "David Stern");
  check([a, b, c, d].every((m) => m.page.url().endsWith(`/@${m.handle}/edit`)), "four members signed up through the pages");

  // B accepts contact requests from everyone; C shows her phone to contacts only.
  await b.page.selectOption("[data-testid=setting-contact_requests]", "everyone");
  await b.page.click("[data-testid=save-profile]");
  check(await b.page.isVisible("[data-testid=saved]"), "B lets everyone send him a contact request");
  await c.page.fill("#f_phone", phone);
  await c.page.selectOption("[data-testid=audience-phone]", "contacts");
  await c.page.click("[data-testid=save-profile]");
  await c.page.waitForSelector("[data-testid=saved]");
  check(await c.page.isVisible("[data-testid=saved]"), "C sets a contacts-only phone");

  // A and B become contacts: a direct request, accepted on /network.
  await a.page.goto(`${base}/@${b.handle}`);
  await a.page.click("[data-testid=send-contact-request]");
  await a.page.waitForSelector("[data-testid=reach-notice]");
  check(await a.page.isVisible("[data-testid=reach-notice]"), "A sends B a contact request");
  await b.page.goto(`${base}/network`);
  await shot(b.page, "network-incoming");
  await b.page.click(`[data-testid=incoming-request][data-from=${a.handle}] [data-testid=accept-request]`);
  await b.page.waitForURL("**/network**");
  check((await b.page.textContent("[data-testid=contact-count]")).includes("1"), "B accepts: one contact");

  // B and C become contacts through C's invitation code.
  await c.page.goto(`${base}/network`);
  await c.page.click("[data-testid=create-code]");
  await c.page.waitForSelector("[data-testid=invitation-code]");
  const code = await c.page.getAttribute("[data-testid=invitation-code]", "data-code");
  check(Boolean(code), "C creates an invitation code");
  const qr = await c.page.request.get(`${base}/invite/${code}/qr.svg`);
  check(qr.status() === 200 && qr.headers()["content-type"].startsWith("image/svg+xml"), "its QR code is an SVG image");
  await shot(c.page, "invitation-code");
  await b.page.goto(`${base}/invite/${code}`);
  check((await main(b)).includes(c.name), "the invitation page names who handed the code out");
  await shot(b.page, "invite-page");
  await b.page.click("[data-testid=invite-send]");
  await b.page.waitForURL(`**/@${c.handle}?requested=1*`);
  await c.page.goto(`${base}/network`);
  await c.page.click(`[data-testid=incoming-request][data-from=${b.handle}] [data-testid=accept-request]`);
  await c.page.waitForURL("**/network**");
  check((await c.page.textContent("[data-testid=contact-count]")).includes("1"), "C accepts B's request sent with her code");

  // A finds C at 2nd degree, through B; a direct request is refused.
  await a.page.goto(`${base}/@${c.handle}`);
  check((await a.page.textContent("[data-testid=degree]")).includes("2nd degree"), "A sees C at 2nd degree");
  check((await a.page.textContent("[data-testid=intro-path]")).includes(b.handle), "the introduction path goes through B");
  check((await a.page.textContent("[data-testid=mutual-contacts]")).includes(b.handle), "B is a mutual contact");
  check(!(await main(a)).includes(phone), "A does not see C's contacts-only phone");
  await shot(a.page, "profile-2nd-degree");
  await a.page.click("[data-testid=send-contact-request]");
  await a.page.waitForSelector("[data-testid=reach-problem]");
  check((await a.page.textContent("[data-testid=reach-problem]")).includes("only through an introduction"), "a direct request is refused with the introduction explanation");
  await shot(a.page, "introduction-required");

  // A asks B to introduce him.
  await a.page.fill("[data-testid=intro-path] textarea[name=note]", "Camille and I both work on rural broadband; I would value her advice.");
  await a.page.click("[data-testid=intro-path] [data-testid=ask-introduction]");
  await a.page.waitForURL("**/introductions?asked=1");
  check(await a.page.isVisible("[data-testid=intro-asked]"), "A's introduction request is on its way");
  await shot(a.page, "introduction-asked");

  // B passes it on.
  await b.page.goto(`${base}/introductions`);
  const toAct = await b.page.textContent("[data-testid=intros-to-act]");
  check(toAct.includes(a.name) && toAct.includes("rural broadband"), "B has A's request to act on, with A's note");
  await shot(b.page, "intermediary-to-act");
  await b.page.fill("[data-testid=intros-to-act] textarea[name=note]", "Anaïs is a serious engineer, I vouch for her.");
  await b.page.click("[data-testid=intros-to-act] [data-testid=intro-forward]");
  await b.page.waitForURL("**/introductions");
  check((await b.page.textContent("[data-testid=intros-others]")).includes("passed on"), "B passed it on");

  // C accepts; a conversation opens.
  await c.page.goto(`${base}/introductions`);
  check((await c.page.textContent("[data-testid=intros-to-act]")).includes("I vouch for her"), "C reads B's word");
  await shot(c.page, "recipient-to-act");
  await c.page.click("[data-testid=intros-to-act] [data-testid=intro-accept]");
  await c.page.waitForSelector("[data-testid=intro-opened]");
  check(await c.page.isVisible("[data-testid=open-conversation]"), "C accepts and a conversation is open");
  await shot(c.page, "accepted");

  // A now sees C as a contact, with her phone, and writes to her.
  await a.page.goto(`${base}/@${c.handle}`);
  check((await a.page.textContent("[data-testid=degree]")).includes("1st degree"), "A sees C at 1st degree");
  check((await main(a)).includes(phone), "A now sees C's contacts-only phone");
  await shot(a.page, "profile-1st-degree");
  await a.page.click("[data-testid=write-message]");
  await a.page.waitForURL("**/messages/*");
  await a.page.fill("[data-testid=message-text]", "Thank you for accepting, Camille!");
  await a.page.click("[data-testid=send-message]");
  await a.page.waitForURL("**/messages/*");
  check((await a.page.textContent("[data-testid=thread]")).includes("Thank you for accepting"), "A's message is in the thread");
  await shot(a.page, "thread");
  await c.page.goto(`${base}/messages`);
  check((await c.page.textContent("main")).includes("unread"), "C sees an unread message");
  await shot(c.page, "messages-unread");
  await c.page.click(`[data-testid=conversations] a`);
  check((await c.page.textContent("[data-testid=thread]")).includes("Thank you for accepting"), "C reads A's message");

  // D, a stranger, sees neither C's phone nor may write to her.
  await d.page.goto(`${base}/@${c.handle}`);
  check((await d.page.textContent("[data-testid=degree]")).includes("Outside your network"), "D is outside C's network");
  check(!(await main(d)).includes(phone), "D does not see C's phone");
  await shot(d.page, "stranger-profile");
  await d.page.goto(`${base}/messages`);
  await d.page.fill("[data-testid=new-conversation-with]", c.handle);
  await d.page.click("[data-testid=new-conversation]");
  await d.page.waitForSelector("[data-testid=messages-problem]");
  check((await d.page.textContent("[data-testid=messages-problem]")).includes("does not accept messages"), "D gets the messages-closed answer");
  await shot(d.page, "messages-closed");

  // The same page in French.
  await a.page.goto(`${base}/introductions`);
  await a.page.click("[data-testid=lang-switch]");
  await a.page.waitForSelector("html[lang=fr]");
  check((await main(a)).includes("Mises en relation"), "the introductions page reads in French");
  await shot(a.page, "introductions-fr");
} catch (error) {
  stopped(error);
} finally {
  await browser.close();
}
finish();
