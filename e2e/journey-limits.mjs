// Browser journey of the rate limits: an anonymous visitor who reads
// profiles in a flood (a scraper) is slowed down, and the page he gets says
// so in his language, with the wait in words (CLDR plurals). Run last: it
// spends the anonymous profile reads of the journeys' address.
// Screenshots go to e2e/artifacts/limits-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 node journey-limits.mjs
import { base, launch, check, look, stopped, finish } from "./harness.mjs";

const browser = await launch();
try {
  const expected = {
    fr: { heading: "Trop de tentatives", wait: /Réessayez dans \d+ secondes?\./ },
    en: { heading: "Too many attempts", wait: /Try again in \d+ seconds?\./ },
  };
  for (const locale of ["fr", "en"]) {
    const context = await browser.newContext({ locale, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    // Anonymous profile reads from one address until the server says stop.
    let status = 0;
    for (let i = 0; i < 300 && status !== 429; i += 1) {
      status = (await page.request.get(`${base}/@nobody-${i}`)).status();
    }
    check(status === 429, `a flood of anonymous profile reads is answered 429 (${locale})`);
    const answer = await page.goto(`${base}/@demo`);
    check(answer.status() === 429, `the profile page itself is answered 429 (${locale})`);
    check(Number(answer.headers()["retry-after"]) > 0, `with Retry-After (${locale})`);
    const body = (await page.textContent("main")) ?? "";
    check(body.includes(expected[locale].heading), `the page says “${expected[locale].heading}”`);
    check(expected[locale].wait.test(body), `and the wait in ${locale === "fr" ? "French" : "English"} words`);
    check((await page.getAttribute("html", "lang")) === locale, `in a page whose language is ${locale}`);
    await look(page, `limits-01-profile-429-${locale}`);
    await context.close();
  }
} catch (error) {
  stopped(error);
}
await browser.close();
finish();
