// What every browser journey shares: where the server is, where screenshots
// go, how Chromium is launched (Debian's, without background networking),
// and the tally printed at the end.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";

export const base = process.env.BASE_URL ?? "http://127.0.0.1:18080";
export const out = new URL("./artifacts/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

let passed = 0;
let failed = 0;

export function check(condition, what) {
  if (condition) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}`);
  }
}

// axe-core's browser build, run in each page audited.
const axeSource = readFileSync(join(dirname(createRequire(import.meta.url).resolve("axe-core")), "axe.min.js"), "utf8");
const wcag = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Runs axe-core on the page as it stands: one check, no WCAG 2 A/AA
/// violation; each violation found is printed with a few of its targets.
export async function audit(page, name) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    // Not page.addScriptTag: the server's Content-Security-Policy
    // (script-src 'self') rightly refuses an inline script; a script
    // evaluated through the DevTools protocol is not subject to it.
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    wcag,
  );
  const violations = result.violations;
  check(violations.length === 0, `no WCAG 2 A/AA violation on ${name}`);
  for (const v of violations) {
    const targets = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
    console.log(`#   ${v.id} (${v.impact}): ${v.help} [${v.nodes.length}] ${targets}`);
    const summary = v.nodes[0]?.failureSummary?.split("\n").slice(0, 3).join(" ");
    if (summary) console.log(`#     ${summary}`);
  }
  return violations;
}

/// A full-page screenshot at a phone's width (390 px) to <name>-390.png;
/// the previous viewport is restored afterwards.
export async function phone(page, name) {
  const previous = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  // Two frames for the new width's layout to be painted (a focused field
  // otherwise leaves parts of the page blank in the capture).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: `${out}${name}-390.png`, fullPage: true });
  // Elements past the right edge, but for those inside a box that scrolls
  // or clips on its own (a wide table in its scroller).
  const wide = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const clipped = (e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") return true;
      }
      return false;
    };
    return [...document.querySelectorAll("body *")]
      .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > limit + 1 && !clipped(e))
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).split(" ").join(".") : ""} (${Math.round(e.getBoundingClientRect().right)} px)`);
  });
  check(wide.length === 0, `nothing wider than 390 px on ${name}`);
  if (wide.length > 0) console.log(`#   overflowing: ${wide.join(", ")}`);
  if (previous) await page.setViewportSize(previous);
}

/// What each page of a journey gets: a screenshot at the context's width
/// to <name>.png, one at a phone's width, and the accessibility audit.
export async function look(page, name) {
  await page.screenshot({ path: `${out}${name}.png`, fullPage: true });
  await phone(page, name);
  await audit(page, name);
}

/// A journey that stopped on an exception counts as one failure.
export function stopped(error) {
  failed += 1;
  console.log(`not ok - journey stopped: ${error.message}`);
}

/// Prints the closing line and exits non-zero on any failure.
export function finish() {
  console.log(`browser journey: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** A PNG drawn in code: a sky, a sea and a sun. */
export function picture(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const i = y * (width * 3 + 1) + 1 + x * 3;
      const sun = (x - width * 0.7) ** 2 + (y - height * 0.3) ** 2 < (height * 0.12) ** 2;
      const sea = y > height * 0.6;
      const [r, g, b] = sun ? [242, 184, 75] : sea ? [31, 78, 121] : [150 + (y % 50), 190, 230];
      raw[i] = r; raw[i + 1] = g; raw[i + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
