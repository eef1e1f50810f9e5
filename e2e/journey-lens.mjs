// Browser journey of the lens: what a member may see and do toward people
// he is shown. Ana (English) and Béa (French) both become contacts of
// Xavier, who then keeps his contact list to himself. Ana is shown Béa
// among the people she may know, with no mutual contact she may see and an
// introduction to ask for (Béa takes no direct request); on Béa's profile
// the path hides Xavier as "a contact of" hers. Béa reads the same in
// French, with French plurals. Ana views her profile as anonymous; Béa's
// own try at "view as" shows her the profile as herself and is recorded as
// a visit. Every page is audited (WCAG 2 A/AA) and shot at 390 px too.
// Screenshots go to e2e/artifacts/lens-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 node journey-lens.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
let step = 0;
/** Screenshots (desktop and 390 px) and the accessibility audit. */
async function shot(m, name) {
  step += 1;
  await look(m.page, `lens-${String(step).padStart(2, "0")}-${name}`);
}

/** Signs a new member up through the pages; returns his page and handle. */
async function member(letter, name, locale) {
  const handle = `${letter}_${suffix}`;
  const context = await browser.newContext({ locale, viewport: { width: 1200, height: 900 } });
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

const text = async (m, selector) => (await m.page.textContent(selector)) ?? "";
const html = async (m, selector) => (await m.page.innerHTML(selector)) ?? "";

try {
  const ana = await member("ana", "Ana Ferreira", "en-GB");
  const xav = await member("xav", "Xavier Morel", "en-GB");
  const bea = await member("bea", "Béatrice Lemaire", "fr-FR");
  check([ana, xav, bea].every((m) => m.page.url().endsWith(`/@${m.handle}/edit`)), "Ana, Xavier and Béa signed up through the pages");
  check((await bea.page.getAttribute("html", "lang")) === "fr", "Béa's pages are in French");

  // Xavier takes contact requests from everyone; Ana and Béa send him one.
  await xav.page.selectOption("[data-testid=setting-contact_requests]", "everyone");
  await xav.page.click("[data-testid=save-profile]");
  await xav.page.waitForSelector("[data-testid=saved]");
  check(await xav.page.isVisible("[data-testid=saved]"), "Xavier lets everyone send him a contact request");
  await shot(xav, "edit-en");
  for (const m of [ana, bea]) {
    await m.page.goto(`${base}/@${xav.handle}`);
    await m.page.click("[data-testid=connection] [data-testid=send-contact-request]");
    await m.page.waitForSelector("[data-testid=reach-notice]");
    check(await m.page.isVisible("[data-testid=reach-notice]"), `${m.name} sends Xavier a contact request`);
  }
  await shot(bea, "profile-request-sent-fr");
  await xav.page.goto(`${base}/network`);
  await shot(xav, "network-incoming-en");
  for (const m of [ana, bea]) {
    await xav.page.click(`[data-testid=incoming-request][data-from=${m.handle}] [data-testid=accept-request]`);
    await xav.page.waitForURL("**/network**");
  }
  check((await text(xav, "[data-testid=contact-count]")).includes("2"), "Xavier accepts both: two contacts");

  // Xavier keeps his contact list to himself.
  await xav.page.goto(`${base}/@${xav.handle}/edit`);
  await xav.page.selectOption("[data-testid=setting-contact_list]", "only_me");
  await xav.page.click("[data-testid=save-profile]");
  await xav.page.waitForSelector("[data-testid=saved]");
  check((await xav.page.inputValue("[data-testid=setting-contact_list]")) === "only_me", "Xavier shows his contact list to himself only");

  // Ana is shown Béa: an introduction to ask for, no mutual contact she may see.
  await ana.page.goto(`${base}/network`);
  const anaCard = ana.page.locator("[data-testid=suggestions] li", { has: ana.page.locator(`a[href="/@${bea.handle}"]`) });
  check((await anaCard.count()) === 1, "Béa is among the people Ana may know");
  check((await anaCard.locator("[data-testid=pymk-introduction]").count()) === 1, "her card offers to ask for an introduction");
  check((await anaCard.locator("[data-testid=pymk-request]").count()) === 0, "and no direct contact request");
  check((await anaCard.locator("[data-testid=pymk-introduction]").textContent()).includes("Ask for an introduction"), "the button reads “Ask for an introduction”");
  check((await anaCard.locator("[data-testid=pymk-mutual]").textContent()).trim() === "0 mutual contacts", "“0 mutual contacts”: the Xavier–Béa contact is in no list Ana may see");
  check((await text(ana, "[data-testid=contact-count]")).trim() === "1 contact", "her one contact is counted in the singular");
  await shot(ana, "network-en");

  // On Béa's profile the path goes through a hidden hop.
  await ana.page.goto(`${base}/@${bea.handle}`);
  check((await text(ana, "[data-testid=degree]")).includes("2nd degree"), "Ana sees Béa at 2nd degree");
  const path = ana.page.locator("[data-testid=intro-path]").first();
  check((await ana.page.locator("[data-testid=intro-path]").count()) >= 1, "an introduction path is offered");
  check((await path.textContent()).includes("You → a contact of yours → Béatrice Lemaire"), "the hidden hop reads “a contact of yours”");
  const pathHtml = await html(ana, "[data-testid=connection]");
  check(!pathHtml.includes(`href="/@${xav.handle}"`) && !pathHtml.includes(xav.handle) && !pathHtml.includes("Xavier"), "nothing in the connection box names or links to Xavier");
  check(await ana.page.isVisible("[data-testid=connection] [data-testid=proof-only]"), "the note says Béa takes requests with a proof or an introduction only");
  check((await ana.page.locator("[data-testid=write-message]").count()) === 0, "and there is no button to write to her");
  check(await ana.page.isVisible("[data-testid=mutual-contacts]") === false, "no mutual contact is listed");
  await shot(ana, "profile-bea-en");

  // Béa, in French: the people she may know, with French plurals.
  await bea.page.goto(`${base}/network`);
  const beaCard = bea.page.locator("[data-testid=suggestions] li", { has: bea.page.locator(`a[href="/@${ana.handle}"]`) });
  check((await beaCard.count()) === 1, "Ana is among the people Béa may know");
  check((await beaCard.locator("[data-testid=pymk-mutual]").textContent()).trim() === "0 contact en commun", "“0 contact en commun”: the French singular for zero");
  check((await beaCard.locator("[data-testid=pymk-introduction]").textContent()).includes("Demander une mise en relation"), "the button reads “Demander une mise en relation”");
  check((await text(bea, "main h1")).includes("Mon réseau") && (await text(bea, "main")).includes("Vous connaissez peut-être"), "the network page reads in French");
  await shot(bea, "network-fr");

  // Ana views her profile as anonymous.
  await ana.page.goto(`${base}/@${ana.handle}?as=anonymous`);
  check(await ana.page.isVisible("[data-testid=view-as-notice]"), "Ana views her own profile as anonymous");
  await shot(ana, "profile-self-as-anonymous-en");

  // Nobody has visited Ana yet; Béa tries to view her profile "as a contact".
  await ana.page.goto(`${base}/settings/visitors`);
  check(!(await text(ana, "main")).includes(bea.name), "Béa is not yet among Ana's visitors");
  await bea.page.goto(`${base}/@${ana.handle}?as=contact`);
  check((await text(bea, "[data-testid=profile-name]")).includes(ana.name), "Béa opens Ana's profile");
  check((await bea.page.locator("[data-testid=view-as], [data-testid=view-as-notice]").count()) === 0, "Béa sees it as herself: no view-as bar nor banner");
  check((await text(bea, "[data-testid=degree]")).includes("2e niveau"), "the connection box reads in French: 2nd degree");
  check((await text(bea, "[data-testid=intro-path]")).includes("Vous → un de vos contacts → Ana Ferreira"), "the hidden hop reads in French: “un de vos contacts”");
  check(await bea.page.isVisible("[data-testid=proof-only]"), "the proof-only note shows in French too");
  check((await bea.page.locator("[data-testid=write-message]").count()) === 0, "Béa may not write to Ana");
  await shot(bea, "profile-ana-fr");
  await ana.page.goto(`${base}/settings/visitors`);
  check((await text(ana, "[data-testid=visitors]")).includes(bea.name), "Ana's visitors list Béa: her “view as” was recorded as a visit");
  await shot(ana, "visitors-en");

  // The same pages in the other language.
  await ana.page.click("[data-testid=lang-switch]");
  await ana.page.waitForSelector("html[lang=fr]");
  await shot(ana, "visitors-fr");
  await ana.page.goto(`${base}/network`);
  const anaCardFr = ana.page.locator("[data-testid=suggestions] li", { has: ana.page.locator(`a[href="/@${bea.handle}"]`) });
  check((await anaCardFr.locator("[data-testid=pymk-mutual]").textContent()).trim() === "0 contact en commun", "Ana's page in French says “0 contact en commun” too");
  await shot(ana, "network-ana-fr");
  await ana.page.goto(`${base}/@${bea.handle}`);
  await shot(ana, "profile-bea-fr");
  await bea.page.click("[data-testid=lang-switch]");
  await bea.page.waitForSelector("html[lang=en]");
  await bea.page.goto(`${base}/@${bea.handle}/edit`);
  await shot(bea, "edit-bea-en");
  await bea.page.goto(`${base}/network`);
  check((await text(bea, "[data-testid=suggestions]")).includes("0 mutual contacts"), "Béa's page in English says “0 mutual contacts”");
  await shot(bea, "network-bea-en");
  await bea.page.goto(`${base}/@${ana.handle}`);
  await shot(bea, "profile-ana-en");
  await xav.page.click("[data-testid=lang-switch]");
  await xav.page.waitForSelector("html[lang=fr]");
  await xav.page.goto(`${base}/@${xav.handle}/edit`);
  await shot(xav, "edit-fr");
} catch (error) {
  stopped(error);
} finally {
  await browser.close();
}
finish();
