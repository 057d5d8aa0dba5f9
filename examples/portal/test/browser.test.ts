// The portal in a real browser: Debian's Chromium, driven by playwright-core (which never
// downloads a browser). Needs a running portal (PORTAL_URL) over a Bantin loaded with
// `bantin seed-demo`; without PORTAL_URL the tests are skipped (CI sets it).
//
//   PORTAL_URL    http://127.0.0.1:3000
//   CHROMIUM      the browser (default /usr/bin/chromium)
//   SCREENSHOTS   where each page's screenshot goes (default ./screenshots)
//
// What the seed article must show comes from the demo fixture itself, so the test checks the
// portal against the original page, not against a copy of it.
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import { chromium, type Browser, type Page } from "playwright-core";

const portal = process.env.PORTAL_URL;
const skip = portal === undefined ? "PORTAL_URL is not set" : false;
/** Each test's limit: a hung page fails the test instead of the run. */
const timeout = 60_000;
const shots = process.env.SCREENSHOTS ?? "screenshots";

interface Fixture {
  site: Record<string, string | number>;
  article: { title: string; summary: string; published_at: string };
  photos: { caption: string; alt_text: string }[];
  agreements: { document_number: string | null; title: string; signed_on: string }[];
  breadcrumb: string[];
}
const fixture = JSON.parse(
  await readFile(new URL("../../../../demo/lai-chau-portal.json", import.meta.url), "utf8"),
) as Fixture;

const SEED_SLUG =
  "hoi-nghi-tong-ket-quy-che-phoi-hop-giua-ban-dan-van-tinh-uy-phoi-hop-voi-dang-doan-hdnd-tinh-nhiem";

let browser: Browser;
let page: Page;
/** Script errors and failed loads seen in the browser: none is expected. */
const problems: string[] = [];

function noProblems(): void {
  assert.deepEqual(problems.splice(0), []);
}

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "vi-VN",
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()} (${page.url()})`);
  });
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
});

async function text(selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, " ").trim();
}

/** Keeps a screenshot of the whole page; the page must have shown no error. */
async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  noProblems();
}

/** Every image of the page has loaded (none broken). */
async function imagesLoaded(): Promise<number> {
  return page.evaluate(async () => {
    const images = Array.from(document.images);
    // Lazy images below the fold would wait for a scroll: load them now.
    for (const i of images) i.loading = "eager";
    await Promise.all(images.map((i) => (i.complete ? undefined : new Promise((r) => (i.onload = i.onerror = r)))));
    const broken = images.filter((i) => i.naturalWidth === 0).map((i) => i.src);
    if (broken.length > 0) throw new Error(`broken images: ${broken.join(", ")}`);
    return images.length;
  });
}

test("the seed article shows everything the original page shows", { skip, timeout }, async () => {
  const response = await page.goto(`${portal}/tin-tuc/${SEED_SLUG}`);
  assert.equal(response?.status(), 200);

  // Breadcrumb: Trang chủ › Tin tức hoạt động › Hội đồng nhân dân.
  const crumbs = await page.locator(".breadcrumb li").allInnerTexts();
  assert.deepEqual(crumbs.map((c) => c.trim()), fixture.breadcrumb);

  assert.equal(await text("h1.title"), fixture.article.title);
  // 31/08/2021 09:52 in Asia/Ho_Chi_Minh (the original shows 31/08/2021 9:52:45 SA).
  assert.match(await text(".meta .date"), /^31\/08\/2021 09:52$/);
  assert.equal(await text(".article .summary"), fixture.article.summary.replace(/\s+/g, " ").trim());

  // Both captioned photos, in place in the body, loaded.
  const figures = page.locator(".article .body figure");
  assert.equal(await figures.count(), 2);
  for (const [i, photo] of fixture.photos.entries()) {
    assert.equal((await figures.nth(i).locator("figcaption").innerText()).trim(), photo.caption);
    assert.equal(await figures.nth(i).locator("img").getAttribute("alt"), photo.alt_text);
  }
  assert.ok((await imagesLoaded()) >= 2);
  // The first photo comes before the first paragraph, the second further down, as on the original.
  const order = await page.evaluate(() =>
    Array.from(document.querySelectorAll(".article .body > *")).map((e) => e.tagName),
  );
  assert.equal(order[0], "FIGURE");
  assert.ok(order.lastIndexOf("FIGURE") > 3);

  // The linked agreements.
  const documents = await page.locator(".documents li").allInnerTexts();
  for (const d of fixture.agreements) {
    assert.ok(documents.some((line) => line.includes(d.title)), `document ${d.title}`);
  }
  assert.ok(documents.some((line) => line.includes("31B-QCPH/BDV-ĐĐHĐND")));

  // "Tin liên quan" and "Tin mới nhất".
  assert.equal(await text(".related h2"), "Tin liên quan".toUpperCase());
  assert.ok((await page.locator(".related li a").count()) >= 1);
  assert.equal(await text(".latest h2"), "Tin mới nhất".toUpperCase());
  assert.equal(await page.locator(".latest li a").count(), 5);

  // The visit counter and the footer from /site.
  const visits = Number((await text("#visit-count")).replace(/\D/g, ""));
  assert.ok(visits > Number(fixture.site.visit_count), `visits ${visits}`);
  const footer = await text(".site-footer");
  for (const key of ["publisher", "responsible_person", "address", "phone", "fax", "email", "attribution_notice"]) {
    assert.ok(footer.includes(String(fixture.site[key])), `footer ${key}`);
  }
  await shoot("1-article");
});

test("a related article opens from its link", { skip, timeout }, async () => {
  await page.goto(`${portal}/tin-tuc/${SEED_SLUG}`);
  const link = page.locator(".related li a").first();
  const title = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(/\/tin-tuc\//);
  assert.equal(await text("h1.title"), title);
  await imagesLoaded();
  await shoot("2-related-article");
});

test("searching `hoi nghi` without accents finds the seed article", { skip, timeout }, async () => {
  await page.goto(`${portal}/`);
  await page.fill("#q", "hoi nghi");
  await page.press("#q", "Enter");
  await page.waitForURL(/\/tim-kiem\?q=hoi/);
  const titles = await page.locator(".results h3").allInnerTexts();
  assert.ok(titles.some((t) => t.trim() === fixture.article.title), titles.join(" | "));
  assert.match(await text(".found"), /Tìm thấy \d+ tin/);
  await shoot("3-search");
});

test("the agreement 31B-QCPH/BDV-ĐĐHĐND opens and its PDF downloads", { skip, timeout }, async () => {
  await page.goto(`${portal}/tin-tuc/${SEED_SLUG}`);
  await page.locator(".documents a", { hasText: "31B-QCPH/BDV-ĐĐHĐND" }).click();
  await page.waitForURL(/\/van-ban\//);
  const facts = await text(".facts");
  assert.ok(facts.includes("31B-QCPH/BDV-ĐĐHĐND"));
  assert.ok(facts.includes("Quy chế"));
  assert.ok(facts.includes("16/05/2013"));
  assert.ok(facts.includes("Còn hiệu lực"));
  const parties = await text(".parties");
  assert.ok(parties.includes("Ban Dân vận Tỉnh ủy (Chủ trì)"));
  assert.ok(parties.includes("Đảng Đoàn HĐND tỉnh (Phối hợp)"));
  assert.ok((await text(".relations")).includes("Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị"));
  await shoot("4-agreement");

  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a.download").first().click()]);
  const path = await download.path();
  const bytes = await readFile(path);
  assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.match(download.suggestedFilename(), /\.pdf$/);
  noProblems();
});

test("the 2021–2026 programme shows each signature with the position held when signing", { skip, timeout }, async () => {
  await page.goto(`${portal}/tin-tuc/${SEED_SLUG}`);
  await page.locator(".documents a", { hasText: "giai đoạn 2021 - 2026" }).click();
  await page.waitForURL(/\/van-ban\//);
  assert.ok((await text(".facts")).includes("giai đoạn 2021 - 2026"));
  const signatures = await page.locator(".signature").allInnerTexts();
  assert.equal(signatures.length, 2);
  // Chu Lê Chinh signed as Phó Bí thư Đảng Đoàn; today he is Phó Chủ tịch HĐND tỉnh.
  const chinh = signatures.find((s) => s.includes("Chu Lê Chinh")) ?? "";
  assert.ok(chinh.includes("Chức vụ khi ký: Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng Đoàn HĐND tỉnh"), chinh);
  await shoot("5-programme");

  await page.locator(".signature a.signatory", { hasText: "Chu Lê Chinh" }).click();
  await page.waitForURL(/\/nguoi-ky\//);
  assert.equal(await text("h1"), "Chu Lê Chinh");
  assert.equal(await text(".lead"), "Phó Chủ tịch HĐND tỉnh");
  assert.ok((await text(".signed")).includes("Phó Bí thư Đảng Đoàn HĐND tỉnh"));
  await shoot("6-signatory");
});

test("home and category pages: newest per top category, breadcrumb, numbered pages", { skip, timeout }, async () => {
  await page.goto(`${portal}/`);
  assert.ok((await page.locator(".home-category .teaser").count()) >= 1);
  await imagesLoaded();
  await shoot("7-home");

  await page.locator(".menu a", { hasText: "Tin tức hoạt động" }).click();
  await page.waitForURL(/\/chuyen-muc\/tin-tuc-hoat-dong/);
  assert.deepEqual(
    (await page.locator(".breadcrumb li").allInnerTexts()).map((c) => c.trim()),
    ["Trang chủ", "Tin tức hoạt động"],
  );
  assert.equal(await page.locator(".teaser").count(), 10);
  await page.locator(".pages a", { hasText: "2" }).click();
  await page.waitForURL(/trang=2/);
  assert.ok((await page.locator(".teaser").count()) >= 1);
  assert.equal(await text(".pages [aria-current]"), "2");
  await shoot("8-category-page-2");
});

test("an unknown page is a 404 page in the portal's frame", { skip, timeout }, async () => {
  const response = await page.goto(`${portal}/tin-tuc/khong-co-bai-nay`);
  assert.equal(response?.status(), 404);
  assert.equal(await text("h1"), "Không tìm thấy trang");
  problems.splice(0); // the browser reports the 404 itself
});
