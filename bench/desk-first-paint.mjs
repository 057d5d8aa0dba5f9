// The article editor's time to first paint in Chromium (see bench/desk-first-paint).
// Signs in, opens the seed article's editor 21 times (the first warms up) and reports the
// median and the worst of first contentful paint, of the server's answer (TTFB) and of load.
import { chromium } from "../tests/desk-browser/node_modules/playwright-core/index.mjs";

const base = process.env.BANTIN_URL;
const password = process.env.BANTIN_PASSWORD;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(`${base}/admin/login`);
await page.fill("#email", "admin@localhost");
await page.fill("#password", password);
await Promise.all([page.waitForURL(/\/admin\/articles/), page.click("button[type=submit]")]);
const found = await (await fetch(`${base}/api/v1/articles?limit=1&q=hoi%20nghi%20tong%20ket%20quy%20che`)).json();
const id = found.data[0].id;
const runs = { fcp: [], ttfb: [], load: [] };
for (let i = 0; i < 21; i++) {
  await page.goto(`${base}/admin/articles/${id}`, { waitUntil: "load" });
  await page.waitForTimeout(100);
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
    return { fcp: fcp.startTime, ttfb: nav.responseStart, load: nav.loadEventEnd };
  });
  if (i > 0) for (const k of Object.keys(runs)) runs[k].push(m[k]);
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(1);
const worst = (a) => Math.max(...a).toFixed(1);
for (const [k, label] of [["fcp", "first contentful paint"], ["ttfb", "server answer (TTFB)"], ["load", "load event"]]) {
  console.log(`${label.padEnd(24)} median ${median(runs[k]).padStart(7)} ms   worst ${worst(runs[k]).padStart(7)} ms   (n=${runs[k].length})`);
}
await browser.close();
