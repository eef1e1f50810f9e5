// What every browser journey shares: where the server is, where screenshots
// go, how Chromium is launched (Debian's, without background networking),
// and the tally printed at the end.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

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
