// Browser journey of search: a new member gives himself a rare skill (seen
// by members only by default); an anonymous visitor finds him by name in
// the search box's suggestions but not by that skill; Claire, signed in,
// finds him by the skill, types "jam" and picks James (2nd degree) from the
// suggestions with the keyboard, then narrows a search to her contacts.
// Screenshots go to e2e/artifacts/search-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 DEMO_ACCOUNTS=… node journey-search.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";
import { readFileSync } from "node:fs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
const handle = `yves_${suffix}`;
const skill = `Enluminure${suffix}`;
let step = 0;
/** Screenshots (desktop and 390 px) and the accessibility audit. */
async function shot(page, name) {
  step += 1;
  await look(page, `search-${String(step).padStart(2, "0")}-${name}`);
}

/** Types into the search box and waits for the suggestions list. */
async function typeAhead(page, text) {
  await page.fill("[data-testid=search-box-q]", "");
  await page.type("[data-testid=search-box-q]", text, { delay: 40 });
  await page.waitForSelector("[data-testid=search-suggestion]", { timeout: 5000 });
  return page.$$eval("[data-testid=search-suggestion]", (items) => items.map((li) => li.textContent));
}

try {
  // A new member with a rare skill.
  const newcomer = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 900 } })).newPage();
  await newcomer.goto(`${base}/signup`);
  await newcomer.fill("input[name=name]", "Yves Kerguélen");
  await newcomer.fill("input[name=handle]", handle);
  await newcomer.fill("input[name=email]", `${handle}@example.org`);
  await newcomer.fill("input[name=password]", "une phrase de passe bien longue");
  await newcomer.click("[data-testid=signup-submit]");
  await newcomer.waitForURL(`**/@${handle}/edit`);
  await newcomer.fill("#f_skills", skill);
  await newcomer.fill("#f_headline", "Enlumineur et calligraphe");
  await newcomer.click("[data-testid=save-profile]");
  await newcomer.waitForSelector("[data-testid=saved]");

  // Anonymous: the name (public) is found, the skill (members) is not.
  const anonymous = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 900 } })).newPage();
  await anonymous.goto(`${base}/`);
  const byName = await typeAhead(anonymous, "kergue");
  check(byName.some((t) => t.includes("Yves Kerguélen")), "an anonymous visitor's suggestions find the newcomer by his public name, accents folded");
  await shot(anonymous, "anonymous-suggestions");
  await anonymous.goto(`${base}/search?q=${skill}`);
  check(await anonymous.isVisible("[data-testid=search-empty]"), "an anonymous visitor does not find the newcomer by his members-only skill");
  check(!(await anonymous.textContent("main")).includes(skill), "and the skill appears nowhere on his page");
  await shot(anonymous, "anonymous-skill-nothing");

  // Claire, signed in.
  const line = readFileSync(process.env.DEMO_ACCOUNTS, "utf8").split("\n").find((l) => l.trim().startsWith("claire "));
  const [, email, password] = line.trim().split(/\s+/);
  const claire = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 900 } })).newPage();
  await claire.goto(`${base}/signin`);
  await claire.fill("input[name=email]", email);
  await claire.fill("input[name=password]", password);
  await claire.click("[data-testid=signin-submit]");
  await claire.waitForURL(`${base}/`);

  await claire.goto(`${base}/search?q=${skill.toLowerCase()}`);
  const found = await claire.$$eval("[data-testid=search-result]", (items) => items.map((li) => li.dataset.handle));
  check(found.includes(handle), "a signed-in member finds the newcomer by his skill, case folded");
  check((await claire.textContent("[data-testid=search-results]")).includes(skill), "the skill shows in the result's snippet");
  await shot(claire, "member-skill-found");

  const suggestions = await typeAhead(claire, "jam");
  check(suggestions[0].includes("James Walker"), "typing “jam” suggests James Walker first");
  check(suggestions[0].includes("2e"), "the suggestion says he is at 2nd degree");
  await shot(claire, "suggestions-james");
  await claire.press("[data-testid=search-box-q]", "ArrowDown");
  await claire.press("[data-testid=search-box-q]", "Enter");
  await claire.waitForURL(`${base}/@james`);
  check(claire.url().endsWith("/@james"), "Enter on the chosen suggestion opens his profile");

  await claire.goto(`${base}/search`);
  await claire.fill("[data-testid=search-q]", "marchand");
  await claire.selectOption("[data-testid=search-degree]", "1");
  await claire.click("[data-testid=search-submit]");
  await claire.waitForSelector("[data-testid=search-total]");
  const relations = await claire.$$eval("[data-testid=search-result]", (items) => items.map((li) => li.dataset.relation));
  check(relations.length > 0 && relations.every((r) => r === "contact"), "narrowed to 1st degree, only contacts are listed");
  check((await claire.textContent("[data-testid=search-results]")).includes("Zoé Marchand"), "Zoé Marchand, her contact, is among them");
  await shot(claire, "search-contacts");

  await claire.goto(`${base}/search?q=comptables&location=caen`);
  const stemmed = await claire.$$eval("[data-testid=search-result]", (items) => items.length);
  check(stemmed > 0, "“comptables” in Caen finds expert-comptables (French stemming, filter)");
  await shot(claire, "search-stemming");
} catch (error) {
  stopped(error);
} finally {
  await browser.close();
}
finish();
