// Browser journey: sign up, edit a field's audience, view the profile as
// anonymous, switch language, visit an organization page. Screenshots go to
// e2e/artifacts/. Usage: BASE_URL=http://127.0.0.1:18080 node journey.mjs
import { base, out, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
const handle = `lea_${suffix}`;
try {
  const context = await browser.newContext({ locale: "en-GB", viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());

  await page.goto(`${base}/`);
  check((await page.getAttribute("html", "lang")) === "en", "home page is in English for an English browser");
  await look(page, "01-home");

  await page.click("[data-testid=nav-signup]");
  await page.fill("input[name=name]", "Léa Fontaine");
  await page.fill("input[name=handle]", handle);
  await page.fill("input[name=email]", `${handle}@example.org`);
  await page.fill("input[name=password]", "une phrase de passe bien longue");
  await look(page, "02-signup");
  await page.click("[data-testid=signup-submit]");
  await page.waitForURL(`**/@${handle}/edit`);
  check(page.url().endsWith(`/@${handle}/edit`), "sign-up leads to the edit page");

  await page.fill("#f_headline", "Expert-comptable à Caen");
  await page.fill("#f_phone", "+33 2 31 12 34 56");
  await page.fill("#f_skills", "Audit, Fiscalité");
  await page.selectOption("[data-testid=audience-headline]", "members");
  await page.selectOption("[data-testid=audience-phone]", "public");
  await look(page, "03-edit");
  await page.click("[data-testid=save-profile]");
  await page.waitForSelector("[data-testid=saved]");
  check(await page.isVisible("[data-testid=saved]"), "the profile is saved");

  await page.goto(`${base}/@${handle}`);
  check((await page.textContent("[data-testid=profile-headline]")).includes("Expert-comptable"), "the member sees his headline");
  await look(page, "04-profile-self");
  await page.click("[data-testid=view-as-anonymous]");
  await page.waitForSelector("[data-testid=view-as-notice]");
  const asAnonymous = await page.textContent("main");
  check(!asAnonymous.includes("Expert-comptable"), "viewed as anonymous, the members-only headline is hidden");
  check(asAnonymous.includes("+33 2 31 12 34 56"), "viewed as anonymous, the public phone shows");
  check(!asAnonymous.includes("Audit"), "viewed as anonymous, the members-only skills are hidden");
  await look(page, "05-view-as-anonymous");

  await page.click("[data-testid=lang-switch]");
  await page.waitForSelector("html[lang=fr]");
  check((await page.textContent("[data-testid=view-as]")).includes("Voir mon profil en tant que"), "the switcher turns the page French");
  await look(page, "06-view-as-anonymous-fr");

  await page.goto(`${base}/@bocage_expertise`);
  const firm = await page.textContent("main");
  check(firm.includes("Bureaux") && firm.includes("Caen"), "the firm's page lists its offices, in French");
  await look(page, "07-organization-fr");
  await page.goto(`${base}/@margot_du_bocage`);
  check(await page.isVisible("[data-testid=persona-label]"), "a persona is labelled as such");
  await look(page, "08-persona-fr");

  await page.goto(`${base}/settings/sessions`);
  check((await page.locator("[data-testid=session-row]").count()) >= 1, "the member lists his sessions");
  await look(page, "09-sessions-fr");

  // Signing out is in the account's menu.
  await page.click("[data-testid=account-summary]");
  await page.click("[data-testid=signout]");
  await page.waitForURL(`${base}/`);
  // A real anonymous visitor in a new browser sees exactly what "view as" showed.
  const stranger = await (await browser.newContext({ locale: "en-GB" })).newPage();
  await stranger.goto(`${base}/@${handle}`);
  const seen = await stranger.textContent("main");
  check(!seen.includes("Expert-comptable") && seen.includes("+33 2 31 12 34 56"), "an anonymous visitor sees what view-as showed");
  check(!(await stranger.isVisible("[data-testid=view-as]")), "an anonymous visitor has no view-as bar");
  const missing = await stranger.goto(`${base}/@nobody_here`);
  check(missing.status() === 404, "a missing profile is a 404 page");
  await look(stranger, "10-not-found");
  await stranger.goto(`${base}/api/docs/`);
  await stranger.waitForSelector(".swagger-ui .opblock", { timeout: 15000 });
  check(await stranger.isVisible(".swagger-ui"), "the API explorer renders the OpenAPI document");
  await stranger.screenshot({ path: `${out}11-api-docs.png` });

  // The firm's owner (a demo account) runs its page: roles, offices, executives, audit.
  if (process.env.DEMO_ACCOUNTS) {
    const { readFileSync } = await import("node:fs");
    const line = readFileSync(process.env.DEMO_ACCOUNTS, "utf8").split("\n").find((l) => l.trim().startsWith("claire "));
    const [, email, password] = line.trim().split(/\s+/);
    const owner = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 900 } })).newPage();
    owner.on("dialog", (d) => d.accept());
    await owner.goto(`${base}/signin`);
    await owner.fill("input[name=email]", email);
    await owner.fill("input[name=password]", password);
    await owner.click("[data-testid=signin-submit]");
    await owner.waitForURL(`${base}/`);
    await owner.goto(`${base}/@bocage_expertise/manage`);
    const manage = await owner.textContent("main");
    check(manage.includes("Gestionnaires") && manage.includes("Journal des actions"), "the owner manages the firm's page");
    await owner.fill("input[name=member]", handle);
    await owner.selectOption("select[name=role]", "analyst");
    await owner.click("form[action$='/manage/managers'] button");
    await owner.waitForURL(`**/manage`);
    check((await owner.textContent("main")).includes("Léa Fontaine"), "a role granted on the page appears with its holder");
    await look(owner, "12-manage-fr");
  }
} catch (error) {
  stopped(error);
} finally {
  await browser.close();
}
finish();
