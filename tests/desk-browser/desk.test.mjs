// The editor's desk in a real browser: Debian's Chromium, driven by playwright-core (which
// never downloads a browser). Needs a running Bantin loaded with `bantin seed-demo`; without
// BANTIN_URL the tests are skipped (CI sets it, in .ci/frontends).
//
//   BANTIN_URL        http://127.0.0.1:8080
//   BANTIN_EMAIL      the admin's email (default admin@localhost)
//   BANTIN_PASSWORD   the admin's password
//   CHROMIUM          the browser (default /usr/bin/chromium)
//   SCREENSHOTS       where each page's screenshot goes (default ./screenshots)
//
// The tests run in order and build on each other: the author's draft is the one the editor
// publishes and the two editors then edit at once.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

const base = process.env.BANTIN_URL;
const skip = base === undefined ? "BANTIN_URL is not set" : false;
const adminEmail = process.env.BANTIN_EMAIL ?? "admin@localhost";
const adminPassword = process.env.BANTIN_PASSWORD ?? "";
const shots = process.env.SCREENSHOTS ?? "screenshots";
const timeout = 90_000;

let browser;
/** Script errors, failed loads and CSP violations seen in any page: none is expected. */
const problems = [];
/** What the tests pass on to the next ones. */
const shared = {};

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
});

/** A new browser profile (its own cookies), watched for errors. */
async function person() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message} (${page.url()})`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()} (${page.url()})`);
  });
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

function noProblems() {
  assert.deepEqual(problems.splice(0), []);
}

async function shoot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  noProblems();
}

async function api(path, { token, method = "GET", body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function adminToken() {
  const res = await api("/auth/login", { method: "POST", body: { email: adminEmail, password: adminPassword } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token;
}

async function newUser(role, name) {
  const email = `${role}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@hdnd.laichau.gov.vn`;
  const password = "mật-khẩu-thử-trình-duyệt";
  const res = await api("/users", {
    token: await adminToken(),
    method: "POST",
    body: { email, display_name: name, role, password },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { email, password };
}

async function signIn(page, { email, password }) {
  await page.goto(`${base}/admin/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/admin\/articles/), page.click("button[type=submit]")]);
}

test("the sign-in page, in Vietnamese, under its CSP", { skip, timeout }, async () => {
  const page = await person();
  await page.goto(`${base}/admin/`);
  assert.match(page.url(), /\/admin\/login\?next=/);
  assert.equal(await page.locator("h1").innerText(), "Đăng nhập");
  assert.equal(await page.locator("label[for=email]").innerText(), "Email");
  await shoot(page, "01-sign-in");
  await page.fill("#email", adminEmail);
  await page.fill("#password", "sai-mật-khẩu");
  await page.click("button[type=submit]");
  assert.match(await page.locator(".notice.fail").innerText(), /Sai email hoặc mật khẩu/);
  problems.splice(0); // the 401 answer of the refused sign-in is logged by the browser
  await page.context().close();
});

test("an author writes a draft with a photo uploaded in the page and a captioned figure, and cannot publish", { skip, timeout }, async () => {
  const author = await newUser("author", "Lò Thị Mai");
  const page = await person();
  await signIn(page, author);
  await shoot(page, "02-articles-list");
  await page.click("a[href='/admin/articles/new']");
  assert.equal(await page.locator("h1").innerText(), "Viết bài mới");
  // No status to choose: authors save drafts.
  assert.equal(await page.locator("select#status").count(), 0);
  assert.match(await page.locator("#status-hint").innerText(), /bản nháp/);

  const title = `Đoàn giám sát HĐND tỉnh làm việc tại huyện Tam Đường ${Date.now()}`;
  await page.fill("#title", title);
  await page.locator("#slug-preview code").waitFor();
  assert.match(await page.locator("#slug-preview").innerText(), /doan-giam-sat-hdnd-tinh/);
  await page.fill("#summary", "Sáng 5/12, Đoàn giám sát của Thường trực HĐND tỉnh làm việc với UBND huyện Tam Đường.");
  await page.click("#body-editor");
  await page.keyboard.type("Tham dự buổi làm việc có lãnh đạo huyện và các phòng, ban chuyên môn.");
  await page.keyboard.press("Enter");

  // A photo uploaded from the editor's own picker, placed as a figure with a caption.
  await page.click("button[data-figure]");
  await page.locator("#photo-picker .dropzone").waitFor();
  const before = await page.$$eval("#photo-picker [data-choose-photo]", (bs) => bs.map((b) => b.dataset.choosePhoto));
  const image = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 320 } });
  await page.setInputFiles("#photo-picker input[type=file]", {
    name: "lam-viec-tam-duong.png",
    mimeType: "image/png",
    buffer: image,
  });
  // Once uploaded, the picker reloads and shows the new photo.
  const handle = await page.waitForFunction(
    (known) => [...document.querySelectorAll("#photo-picker [data-choose-photo]")]
      .map((b) => b.dataset.choosePhoto)
      .find((id) => !known.includes(id)),
    before,
    { timeout: 30_000 },
  );
  const photoId = await handle.jsonValue();
  const choose = page.locator(`#photo-picker [data-choose-photo="${photoId}"]`);
  await choose.click();
  const caption = page.locator("#body-editor figure figcaption");
  await caption.waitFor();
  await caption.click();
  await page.keyboard.type("Quang cảnh buổi làm việc");
  await shoot(page, "03-editor-author-draft");
  await Promise.all([page.waitForURL(/done=created/), page.click("form#article-form button.primary")]);
  assert.match(await page.locator(".notice.done").innerText(), /Đã tạo/);
  const id = page.url().match(/articles\/([0-9a-f-]{36})/)[1];

  const stored = await api(`/articles/${id}`, { token: await adminToken() });
  assert.equal(stored.body.status, "draft");
  assert.equal(stored.body.author.display_name, "Lò Thị Mai");
  assert.match(stored.body.body, new RegExp(`<figure data-photo="${photoId}">`));
  assert.match(stored.body.body, /<figcaption>Quang cảnh buổi làm việc<\/figcaption><\/figure>/);
  assert.match(stored.body.body, /^<p>Tham dự buổi làm việc[^<]*<\/p>/);
  // Not public.
  assert.equal((await api(`/articles/${id}`)).status, 404);
  shared.article = { id, title, slug: stored.body.slug };
  await shoot(page, "04-editor-saved");
  await page.context().close();
});

test("an editor publishes the draft and it is on the public API", { skip, timeout }, async () => {
  const { id, slug } = shared.article;
  const editor = await newUser("editor", "Nguyễn Thị Hòa");
  const page = await person();
  await signIn(page, editor);
  await page.fill("#q", "doan giam sat tam duong");
  await page.locator(`#results a[href='/admin/articles/${id}']`).waitFor();
  await shoot(page, "05-articles-search-without-accents");
  await page.click(`#results a[href='/admin/articles/${id}']`);
  await page.selectOption("select#status", "published");
  await Promise.all([page.waitForURL(/done=saved/), page.click("form#article-form button.primary")]);
  const res = await api(`/articles/slug/${slug}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.status, "published");
  // The figure is filled with its photo for readers.
  assert.match(res.body.body, /<figure data-photo="[0-9a-f-]+"><img [^>]*src="[^"]+"/);
  // Preview as readers see it, with the photo loaded.
  const [preview] = await Promise.all([
    page.context().waitForEvent("page"),
    page.click("a[href$='/preview']"),
  ]);
  await preview.waitForLoadState("load");
  const broken = await preview.$$eval("article img", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).length);
  assert.equal(broken, 0);
  assert.match(await preview.locator("figcaption").first().innerText(), /Quang cảnh buổi làm việc/);
  await shoot(preview, "06-preview");
  shared.editor = editor;
  await page.context().close();
});

test("two editors edit the same article: the second sees the conflict and keeps the text typed", { skip, timeout }, async () => {
  const { id } = shared.article;
  const second = await newUser("editor", "Trần Văn Bình");
  const a = await person();
  const b = await person();
  await signIn(a, shared.editor);
  await signIn(b, second);
  await a.goto(`${base}/admin/articles/${id}`);
  await b.goto(`${base}/admin/articles/${id}`);
  await a.fill("#summary", "Bản tóm tắt của người thứ nhất.");
  await Promise.all([a.waitForURL(/done=saved/), a.click("form#article-form button.primary")]);
  const typed = "Bản tóm tắt người thứ hai gõ trong lúc đó.";
  await b.fill("#summary", typed);
  await b.click("form#article-form button.primary");
  await b.locator(".conflict").waitFor();
  assert.match(await b.locator(".conflict h2").innerText(), /Người khác đã lưu bài này/);
  assert.equal(await b.inputValue("#summary"), typed, "the text typed is kept");
  assert.match(await b.locator(".conflict dl.diff").innerText(), /người thứ nhất/);
  // Nothing was overwritten.
  const stored = await api(`/articles/${id}`);
  assert.equal(stored.body.summary, "Bản tóm tắt của người thứ nhất.");
  problems.splice(0); // the browser logs the 409 of the page itself
  await shoot(b, "07-conflict");
  // The second chooses to save theirs over; the history keeps both.
  await Promise.all([b.waitForURL(/done=saved/), b.click("button[name=overwrite]")]);
  assert.equal((await api(`/articles/${id}`)).body.summary, typed);
  await b.click(`a[href='/admin/articles/${id}/revisions']`);
  await shoot(b, "08-revisions");
  await b.locator("table.list tbody a").first().click();
  await b.locator("dl.diff").waitFor();
  await shoot(b, "09-revision-diff");
  await a.context().close();
  await b.context().close();
});

test("the photo library shows the upload, warns about its missing alt text", { skip, timeout }, async () => {
  const page = await person();
  await signIn(page, shared.editor);
  await page.click("a[href='/admin/photos']");
  await page.locator(".photo-grid li").first().waitFor();
  assert.ok((await page.locator(".photo-grid .warn").count()) >= 1);
  await shoot(page, "10-photo-library");
  await page.locator(".photo-grid li a").first().click();
  await page.fill("#alt_text", "Các đại biểu tại buổi làm việc");
  await page.click("form.card button.primary");
  await page.locator(".notice.done").waitFor();
  await shoot(page, "11-photo");
  await page.click("a[href='/admin/account']");
  await shoot(page, "12-account");
  await page.click("a[lang=en]");
  assert.equal(await page.locator("h1").innerText(), "My account");
  await page.goto(`${base}/admin/articles/${shared.article.id}`);
  assert.equal(await page.locator("label[for=summary]").innerText(), "Summary");
  await shoot(page, "12b-editor-in-english");
  await page.click("a[lang=vi]");
  await page.click("a[href='/admin/trash']");
  await shoot(page, "12c-trash");
  await page.context().close();
});

/** A small PDF (one empty page), as a browser would pick it from disk. */
function pdf() {
  const text = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
`;
  return Buffer.from(text, "latin1");
}

test("an editor records the 2021–2026 coordination programme with two signatures and a PDF", { skip, timeout }, async () => {
  const page = await person();
  await signIn(page, shared.editor);
  await page.click("a[href='/admin/agreements']");
  await shoot(page, "13-agreements");
  await page.click("a[href='/admin/agreements/new']");
  const number = `${Date.now() % 100000}-CTr/BDV-ĐĐHĐND`;
  await page.fill("#document_number", number);
  await page.selectOption("#doc_type", "chuong_trinh");
  await page.fill("#title", "Chương trình phối hợp công tác dân vận giai đoạn 2021 - 2026");
  await page.fill("#summary", "Ban Dân vận Tỉnh ủy và Đảng đoàn HĐND tỉnh phối hợp thực hiện công tác dân vận.");
  await page.fill("#place", "Lai Châu");
  await page.fill("#signed_on", "30/08/2021");
  await page.fill("#effective_from", "30/08/2021");
  await page.fill("#term_start_year", "2021");
  await page.fill("#term_end_year", "2026");
  // Two parties and two signatures, from the seeded organisations and signatories.
  const orgs = await page.$$eval("#party-org-0 option", (os) => os.map((o) => o.value).filter(Boolean));
  const people = await page.$$eval("#sig-who-0 option", (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(orgs.length >= 2 && people.length >= 2, "the seed has organisations and signatories");
  await page.selectOption("#party-org-0", orgs[0]);
  await page.selectOption("#party-role-0", "lead");
  await page.selectOption("#party-org-1", orgs[1]);
  await page.selectOption("#party-role-1", "partner");
  await page.selectOption("#sig-who-0", people[0]);
  await page.selectOption("#sig-org-0", orgs[0]);
  await page.selectOption("#sig-prefix-0", "TM.");
  await page.fill("#sig-title-0", "Trưởng ban");
  await page.fill("#sig-positions-0", "Phó Bí thư Tỉnh ủy");
  await page.selectOption("#sig-who-1", people[1]);
  await page.selectOption("#sig-org-1", orgs[1]);
  await page.selectOption("#sig-prefix-1", "TM.");
  await page.fill("#sig-title-1", "Bí thư Đảng đoàn");
  await Promise.all([page.waitForURL(/done=created/), page.click("form#agreement-form button.primary")]);
  const id = page.url().match(/agreements\/([0-9a-f-]{36})/)[1];
  // The derived status is shown (in effect since 30/08/2021, no end date).
  assert.match(await page.locator(".heading .badge").innerText(), /Đang có hiệu lực/);
  // The PDF, uploaded on the agreement's page.
  await page.setInputFiles("#pdf-files", { name: "chuong-trinh-phoi-hop.pdf", mimeType: "application/pdf", buffer: pdf() });
  await page.locator("#attachments a[href$='.pdf'], #attachments a:has-text('chuong-trinh-phoi-hop.pdf')").first().waitFor({ timeout: 30_000 });
  await shoot(page, "14-agreement");

  const stored = (await api(`/agreements/${id}`)).body;
  assert.equal(stored.document_number, number);
  assert.equal(stored.term_start_year, 2021);
  assert.equal(stored.term_end_year, 2026);
  assert.equal(stored.signed_on, "2021-08-30");
  assert.equal(stored.status, "in_effect");
  assert.equal(stored.parties.length, 2);
  assert.equal(stored.signatures.length, 2);
  assert.deepEqual(stored.signatures.map((s) => s.authority_prefix), ["TM.", "TM."]);
  assert.equal(stored.signatures[0].signing_title, "Trưởng ban");
  assert.equal(stored.signatures[0].positions_at_signing, "Phó Bí thư Tỉnh ủy");
  assert.equal(stored.attachments.length, 1);
  assert.equal(stored.attachments[0].mime_type, "application/pdf");
  // The signatory's page lists it among what they signed.
  await page.goto(`${base}/admin/signatories/${people[0]}`);
  await page.locator(`a[href='/admin/agreements/${id}']`).waitFor();
  await shoot(page, "15-signatory");
  await page.goto(`${base}/admin/signatories`);
  await shoot(page, "15b-signatories");
  await page.goto(`${base}/admin/organizations`);
  await shoot(page, "16-organizations");
  await page.context().close();
});

test("an admin creates a user and an API token; an editor cannot reach either", { skip, timeout }, async () => {
  const page = await person();
  await signIn(page, { email: adminEmail, password: adminPassword });
  await page.click("a[href='/admin/users']");
  const email = `bien-tap-${Date.now()}@hdnd.laichau.gov.vn`;
  await page.fill("#email", email);
  await page.fill("#display_name", "Phạm Thị Lan");
  await page.selectOption("#role", "editor");
  await page.fill("#password", "mật-khẩu-của-Lan-2026");
  await Promise.all([page.waitForURL(/done=created/), page.click("form[action='/admin/users'] button.primary")]);
  assert.match(await page.locator("table.list").innerText(), /Phạm Thị Lan/);
  await shoot(page, "17-users");
  const login = await api("/auth/login", { method: "POST", body: { email, password: "mật-khẩu-của-Lan-2026" } });
  assert.equal(login.status, 200, "the new user can sign in");

  await page.click("a[href='/admin/tokens']");
  await page.fill("#name", "Cổng thông tin tỉnh (đọc)");
  await page.selectOption("#scope", "read");
  await page.click("form[action='/admin/tokens'] button.primary");
  const secret = (await page.locator("#token-secret").innerText()).trim();
  assert.match(secret, /^bt_/);
  await shoot(page, "18-token-created");
  const me = await api("/auth/me", { token: secret });
  assert.equal(me.status, 200);
  assert.equal(me.body.credential.kind, "api_token");
  assert.equal(me.body.credential.scope, "read");
  // Shown once: the list shows the token, never its secret.
  await page.goto(`${base}/admin/tokens`);
  assert.equal((await page.content()).includes(secret), false);

  await page.click("a[href='/admin/site']");
  await page.locator("#responsible_person").waitFor();
  await Promise.all([page.waitForURL(/done=saved/), page.click("form[action='/admin/site'] button.primary")]);
  await shoot(page, "19-site");
  await page.context().close();

  // Editors see no admin menu, and the pages refuse them.
  const editor = await person();
  await signIn(editor, shared.editor);
  assert.equal(await editor.locator("a[href='/admin/users']").count(), 0);
  const res = await editor.goto(`${base}/admin/users`);
  assert.equal(res.status(), 403);
  problems.splice(0); // the browser logs the 403 itself
  await editor.context().close();
});
