// Browser journey of posts: Claire posts a photo for her contacts; Zoé, her
// contact, sees it in her feed and reacts; James (2nd degree) finds nothing,
// neither in his feed nor at the post's or the image's address, and neither
// does an anonymous visitor. Screenshots go to e2e/artifacts/posts-*.png.
// Usage: BASE_URL=http://127.0.0.1:18080 DEMO_ACCOUNTS=… node journey-posts.mjs
import { base, launch, check, look, stopped, finish, picture } from "./harness.mjs";
import { readFileSync } from "node:fs";

const browser = await launch();
const suffix = Date.now().toString(36).slice(-5);
const text = `Nos nouveaux bureaux à Caen ${suffix}`;
let step = 0;
/** Screenshots (desktop and 390 px) and the accessibility audit. */
async function shot(page, name) {
  step += 1;
  await look(page, `posts-${String(step).padStart(2, "0")}-${name}`);
}

const accounts = readFileSync(process.env.DEMO_ACCOUNTS, "utf8").split("\n");
async function signIn(handle) {
  const line = accounts.find((l) => l.trim().startsWith(`${handle} `));
  const [, email, password] = line.trim().split(/\s+/);
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/signin`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("[data-testid=signin-submit]");
  await page.waitForURL(`${base}/`);
  return page;
}

try {
  const claire = await signIn("claire");
  await claire.waitForSelector("[data-testid=composer]");
  await claire.fill("[data-testid=composer-text]", text);
  await claire.selectOption("[data-testid=composer-audience]", "contacts");
  await claire.setInputFiles("[data-testid=composer-images]", {
    name: "bureaux.png",
    mimeType: "image/png",
    buffer: picture(480, 320),
  });
  await claire.fill("[data-testid=composer-alt] >> nth=0", "La façade des nouveaux bureaux");
  await shot(claire, "composer");
  await claire.click("[data-testid=composer-submit]");
  await claire.waitForSelector(`[data-testid=post-card]:has-text("${text}")`);
  const card = claire.locator(`[data-testid=post-card]:has-text("${text}")`).first();
  const postId = await card.getAttribute("data-post-id");
  const imageSrc = await card.locator("[data-testid=post-image]").first().getAttribute("src");
  check(Boolean(postId) && Boolean(imageSrc), "Claire's post shows in her feed with its image");
  const loaded = await card.locator("[data-testid=post-image]").first().evaluate((img) => img.complete && img.naturalWidth > 0);
  check(loaded, "the image loads for its author");
  await shot(claire, "feed-claire");
  const imageUrl = new URL(imageSrc, base).toString();

  const zoe = await signIn("zoe");
  const zoeCard = zoe.locator(`[data-testid=post-card][data-post-id="${postId}"]`);
  check((await zoeCard.count()) === 1, "Zoé, Claire's contact, sees the post in her feed");
  const zoeLoaded = await zoeCard.locator("[data-testid=post-image]").first().evaluate((img) => img.complete && img.naturalWidth > 0);
  check(zoeLoaded, "and its image loads for her");
  check((await zoeCard.locator("[data-testid=post-image]").first().getAttribute("alt")) === "La façade des nouveaux bureaux", "the image carries its alt text");
  await zoeCard.locator("[data-testid=react-celebrate]").click();
  await zoe.waitForLoadState("load");
  const after = zoe.locator(`[data-testid=post-card][data-post-id="${postId}"]`).first();
  check((await after.locator("[data-testid=reaction-count]").textContent()).includes("1"), "her reaction is counted");
  await shot(zoe, "feed-zoe-reacted");

  const james = await signIn("james");
  check((await james.locator(`[data-testid=post-card][data-post-id="${postId}"]`).count()) === 0, "James (2nd degree) does not see it in his feed");
  const jamesPost = await james.goto(`${base}/posts/${postId}`);
  check(jamesPost.status() === 404, "nor at its address: 404");
  await shot(james, "post-james-404");
  const jamesImage = await james.request.get(imageUrl);
  check(jamesImage.status() === 404, "nor its image, even knowing the URL");
  const anonymous = await (await browser.newContext()).request.get(imageUrl);
  check(anonymous.status() === 404, "an anonymous visitor gets 404 for the image");

  // James looked at Claire's profile: she sees it (his visits show his name).
  await james.goto(`${base}/@claire`);
  await claire.goto(`${base}/settings/visitors`);
  const visitors = await claire.textContent("[data-testid=visitors]");
  check(visitors.includes("James Walker"), "Claire sees that James viewed her profile");
  await shot(claire, "visitors");
  await claire.goto(`${base}/@bocage_expertise/stats`);
  check((await claire.locator("[data-testid=stats-post]").count()) > 0, "the firm's owner sees its posts' statistics");
  await shot(claire, "page-stats");
  const jamesStats = await james.goto(`${base}/@bocage_expertise/stats`);
  check(jamesStats.status() === 404, "a member without a role on the page gets 404 for its statistics");

  await zoe.goto(`${base}/posts/${postId}`);
  await zoe.fill("[data-testid=comment-text]", "Superbes locaux, bravo !");
  await zoe.click("[data-testid=comment-submit]");
  await zoe.waitForSelector("[data-testid=comment]");
  check((await zoe.textContent("main")).includes("Superbes locaux"), "Zoé's comment shows under the post");
  await shot(zoe, "post-comment");
} catch (error) {
  stopped(error);
} finally {
  await browser.close();
}
finish();
