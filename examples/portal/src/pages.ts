// The portal's pages. Each reads what it shows from Bantin through @bantin/client, the calls
// of a page made at once, and renders HTML on the server.
import {
  ProblemError,
  unwrap,
  type ArticleSummary,
  type Bantin,
  type Category,
  type Schemas,
} from "@bantin/client";

import * as fmt from "./format.js";
import { html, trusted, type Safe } from "./html.js";
import { breadcrumb, page, type Frame } from "./layout.js";

/** One request's view of Bantin: the client, and the page frame once loaded. */
export interface Context {
  bantin: Bantin;
  frame?: Promise<Frame>;
}

/** A page's answer: its status and HTML. */
export interface Rendered {
  status: number;
  body: Safe;
}

/** Articles on a category page. */
const PER_PAGE = 10;
/** Articles per top category on the home page. */
const HOME_PER_CATEGORY = 4;

export class NotFound extends Error {}

/** A 404 from Bantin is the page's 404. */
function missing(e: unknown): never {
  if (e instanceof ProblemError && e.status === 404) throw new NotFound(e.problem.detail);
  throw e;
}

/** What every page shows around its content; counts the visit, once per request (a page
 * that turns out to be a 404 reuses it). */
function frame(ctx: Context): Promise<Frame> {
  ctx.frame ??= loadFrame(ctx.bantin);
  return ctx.frame;
}

async function loadFrame(bantin: Bantin): Promise<Frame> {
  const [site, top, visit] = await Promise.all([
    unwrap(bantin.api.GET("/api/v1/site")),
    unwrap(bantin.api.GET("/api/v1/categories", { params: { query: { root: true, limit: 20 } } })),
    unwrap(bantin.api.POST("/api/v1/site/visits")),
  ]);
  return { site, topCategories: top.data, visits: visit.visit_count };
}

function articleLink(a: { slug: string; title: string }): Safe {
  return html`<a href="/tin-tuc/${a.slug}">${a.title}</a>`;
}

function thumbnail(a: ArticleSummary): Safe {
  const photo = a.cover_photo;
  if (photo === null) return html``;
  const thumb = photo.variants.find((v) => v.name === "thumb") ?? photo.variants[0];
  if (thumb === undefined) return html``;
  return html`<img class="thumb" src="${thumb.url}" width="${thumb.width}" height="${thumb.height}" alt="${photo.alt_text}" loading="lazy">`;
}

function teaser(a: ArticleSummary, timeZone: string): Safe {
  return html`<article class="teaser">
    ${thumbnail(a)}
    <div>
      <h3>${articleLink(a)}</h3>
      <p class="date">${fmt.dateTime(a.published_at, timeZone)}</p>
      <p class="summary">${a.summary}</p>
    </div>
  </article>`;
}

function titles(list: ArticleSummary[], timeZone: string): Safe {
  return html`<ul class="titles">${list.map(
    (a) => html`<li>${articleLink(a)} <span class="date">(${fmt.date(a.published_at, timeZone)})</span></li>`,
  )}</ul>`;
}

function crumbsOf(path: Schemas["PathItem"][], lastIsLink: boolean) {
  return path.map((p, i) => ({
    name: p.name,
    href: i < path.length - 1 || lastIsLink ? `/chuyen-muc/${p.slug}` : undefined,
  }));
}

/** `/`: the newest articles of each top category, and the newest documents. */
export async function home(ctx: Context): Promise<Rendered> {
  const api = ctx.bantin.api;
  const [f, agreements] = await Promise.all([
    frame(ctx),
    unwrap(api.GET("/api/v1/agreements", { params: { query: { limit: 5 } } })),
  ]);
  const tz = f.site.time_zone;
  const sections = await Promise.all(
    f.topCategories.map(async (c: Category) => ({
      category: c,
      articles: (
        await unwrap(
          api.GET("/api/v1/articles", {
            params: { query: { category: c.id, limit: HOME_PER_CATEGORY } },
          }),
        )
      ).data,
    })),
  );
  const main = html`<h1 class="visually-hidden">${f.site.name}</h1>
    ${sections.map(
      (s) => html`<section class="home-category">
        <h2><a href="/chuyen-muc/${s.category.slug}">${s.category.name}</a></h2>
        ${s.articles.length === 0 ? html`<p>Chưa có tin.</p>` : s.articles.map((a) => teaser(a, tz))}
      </section>`,
    )}
    <section class="home-documents">
      <h2>Văn bản mới</h2>
      <ul class="titles">${agreements.data.map(
        (d) => html`<li><a href="/van-ban/${d.id}">${d.document_number ?? d.doc_type_label}</a>: ${d.title}</li>`,
      )}</ul>
    </section>`;
  return { status: 200, body: page(f, "", main) };
}

/** `/chuyen-muc/{slug}?trang=N`: a category's articles, ten to a page, with page numbers. */
export async function category(ctx: Context, slug: string, pageNumber: number): Promise<Rendered> {
  const api = ctx.bantin.api;
  const [f, c] = await Promise.all([
    frame(ctx),
    unwrap(api.GET("/api/v1/categories/slug/{slug}", { params: { path: { slug } } })).catch(missing),
  ]);
  const list = await unwrap(
    api.GET("/api/v1/articles", {
      params: { query: { category: c.id, limit: PER_PAGE, page: pageNumber } },
    }),
  );
  const pages = Math.max(1, Math.ceil((list.meta.total ?? 0) / PER_PAGE));
  if (pageNumber > pages) throw new NotFound(`trang ${pageNumber}`);
  const tz = f.site.time_zone;
  const numbers = Array.from({ length: pages }, (_, i) => i + 1);
  const main = html`${breadcrumb(crumbsOf(c.path, false))}
    <h1>${c.name}</h1>
    ${c.description ? html`<p class="lead">${c.description}</p>` : ""}
    ${list.data.length === 0 ? html`<p>Chưa có tin.</p>` : list.data.map((a) => teaser(a, tz))}
    ${pages > 1
      ? html`<nav class="pages" aria-label="Trang"><ol>${numbers.map((n) =>
          n === pageNumber
            ? html`<li><span aria-current="page">${n}</span></li>`
            : html`<li><a href="/chuyen-muc/${c.slug}?trang=${n}">${n}</a></li>`,
        )}</ol></nav>`
      : ""}`;
  return { status: 200, body: page(f, c.name, main) };
}

/** `/tin-tuc/{slug}`: an article with its photos, documents, related and newest articles. */
export async function article(ctx: Context, slug: string): Promise<Rendered> {
  const api = ctx.bantin.api;
  const [f, a] = await Promise.all([
    frame(ctx),
    unwrap(api.GET("/api/v1/articles/slug/{slug}", { params: { path: { slug } } })).catch(missing),
  ]);
  const path = { id: a.id };
  const [related, latest, views] = await Promise.all([
    unwrap(api.GET("/api/v1/articles/{id}/related", { params: { path, query: { limit: 5 } } })),
    unwrap(api.GET("/api/v1/articles", { params: { query: { limit: 6 } } })),
    unwrap(api.POST("/api/v1/articles/{id}/views", { params: { path } })),
  ]);
  const tz = f.site.time_zone;
  const newest = latest.data.filter((x) => x.id !== a.id).slice(0, 5);
  const crumbs = a.category === null ? [] : crumbsOf(a.category.path, true);
  const main = html`${breadcrumb(crumbs)}
    <div class="columns">
    <article class="article">
      <h1 class="title">${a.title}</h1>
      <p class="meta"><span class="date">${fmt.dateTime(a.published_at, tz)}</span>
        <span class="views">Lượt xem: ${fmt.number(views.view_count)}</span></p>
      ${a.summary ? html`<p class="summary">${a.summary}</p>` : ""}
      <div class="body">${trusted(a.body)}</div>
      ${a.agreements.length > 0
        ? html`<section class="documents"><h2>Văn bản liên quan</h2><ul>${a.agreements.map(
            (d) => html`<li><a href="/van-ban/${d.id}">${d.document_number ? html`<strong>${d.document_number}</strong>: ` : ""}${d.title}</a></li>`,
          )}</ul></section>`
        : ""}
      ${a.author ? html`<p class="author">${a.author.display_name}</p>` : ""}
    </article>
    <aside>
      <section class="related"><h2>Tin liên quan</h2>${titles(related.data, tz)}</section>
      <section class="latest"><h2>Tin mới nhất</h2>${titles(newest, tz)}</section>
    </aside>
    </div>`;
  return { status: 200, body: page(f, a.title, main) };
}

/** `/tim-kiem?q=`: articles and documents, accents optional. */
export async function search(ctx: Context, q: string): Promise<Rendered> {
  const api = ctx.bantin.api;
  const query = q.trim().slice(0, 200);
  const [f, articles, agreements] = await Promise.all([
    frame(ctx),
    query
      ? unwrap(api.GET("/api/v1/articles", { params: { query: { q: query, limit: 20, with_total: true } } }))
      : undefined,
    query
      ? unwrap(api.GET("/api/v1/agreements", { params: { query: { q: query, limit: 10 } } }))
      : undefined,
  ]);
  const tz = f.site.time_zone;
  const main = html`${breadcrumb([{ name: "Tìm kiếm" }])}
    <h1>Tìm kiếm</h1>
    ${articles === undefined || agreements === undefined
      ? html`<p>Nhập từ cần tìm, có dấu hoặc không dấu.</p>`
      : html`<p class="found">Tìm thấy ${fmt.number(articles.meta.total ?? articles.data.length)} tin cho “${query}”.</p>
        <section class="results">${articles.data.map((a) => teaser(a, tz))}</section>
        ${agreements.data.length > 0
          ? html`<section class="documents"><h2>Văn bản</h2><ul>${agreements.data.map(
              (d) => html`<li><a href="/van-ban/${d.id}">${d.document_number ?? d.doc_type_label}</a>: ${d.title}</li>`,
            )}</ul></section>`
          : ""}`}`;
  return { status: 200, body: page(f, `Tìm kiếm: ${query}`, main, query) };
}

/** `/van-ban/{id}`: a document: number, type, dates, status, parties, signatures, files. */
export async function agreement(ctx: Context, id: string): Promise<Rendered> {
  const api = ctx.bantin.api;
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFound(id);
  const [f, d] = await Promise.all([
    frame(ctx),
    unwrap(api.GET("/api/v1/agreements/{id}", { params: { path: { id } } })).catch(missing),
  ]);
  const tz = f.site.time_zone;
  const period = fmt.term(d.term_start_year, d.term_end_year);
  const row = (label: string, value: Safe | string) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  const main = html`${breadcrumb([{ name: "Văn bản" }, { name: d.document_number ?? d.title }])}
    <article class="agreement">
      <p class="doc-type">${d.doc_type_label}</p>
      <h1>${d.title}</h1>
      <table class="facts">
        ${row("Số, ký hiệu", d.document_number ?? "Không số")}
        ${row("Loại văn bản", d.doc_type_label)}
        ${d.signed_on ? row("Ngày ký", fmt.date(d.signed_on, tz)) : ""}
        ${d.place ? row("Nơi ký", d.place) : ""}
        ${d.effective_from ? row("Hiệu lực từ", fmt.date(d.effective_from, tz)) : ""}
        ${d.effective_to ? row("Hiệu lực đến", fmt.date(d.effective_to, tz)) : ""}
        ${period ? row("Thời kỳ", period) : ""}
        ${row("Tình trạng", html`<span class="status status-${d.status}">${fmt.STATUS[d.status]}</span>`)}
      </table>
      ${d.summary ? html`<p class="summary">${d.summary}</p>` : ""}
      <section class="parties"><h2>Các bên</h2><ul>${d.parties.map(
        (p) => html`<li>${p.organization.name} <span class="role">(${fmt.PARTY_ROLE[p.role]})</span></li>`,
      )}</ul></section>
      ${d.signatures.length > 0
        ? html`<section class="signatures"><h2>Người ký</h2><ul>${d.signatures.map(
            (s) => html`<li class="signature">
              <span class="signing-title">${s.authority_prefix ? `${s.authority_prefix} ` : ""}${s.signing_title}</span>
              <a class="signatory" href="/nguoi-ky/${s.signatory.id}">${s.signatory.full_name}</a>
              ${s.organization ? html`<span class="organization">${s.organization.name}</span>` : ""}
              <span class="position-at-signing">Chức vụ khi ký: ${s.positions_at_signing}</span>
            </li>`,
          )}</ul></section>`
        : ""}
      ${d.body ? html`<div class="body">${trusted(d.body)}</div>` : ""}
      ${d.relations.length > 0
        ? html`<section class="relations"><h2>Văn bản có liên quan</h2><ul>${d.relations.map(
            (r) => html`<li>${fmt.RELATION[r.kind]}: ${r.agreement
              ? html`<a href="/van-ban/${r.agreement.id}">${r.agreement.document_number ?? r.agreement.title}</a>`
              : r.reference_text}</li>`,
          )}</ul></section>`
        : ""}
      ${d.attachments.length > 0
        ? html`<section class="attachments"><h2>Tệp đính kèm</h2><ul>${d.attachments.map(
            (file) => html`<li><a class="download" href="${file.url}" download="${file.file_name}">Tải về ${file.file_name}</a> <span>(${fmt.bytes(file.size_bytes)})</span></li>`,
          )}</ul></section>`
        : ""}
      ${d.articles.length > 0
        ? html`<section class="reported"><h2>Tin bài về văn bản</h2><ul class="titles">${d.articles.map((a) => html`<li>${articleLink(a)}</li>`)}</ul></section>`
        : ""}
    </article>`;
  return { status: 200, body: page(f, d.document_number ?? d.title, main) };
}

/** `/nguoi-ky/{id}`: a signatory and what they signed, with the position held each time. */
export async function signatory(ctx: Context, id: string): Promise<Rendered> {
  const api = ctx.bantin.api;
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFound(id);
  const path = { id };
  const [f, person, signed] = await Promise.all([
    frame(ctx),
    unwrap(api.GET("/api/v1/signatories/{id}", { params: { path } })).catch(missing),
    unwrap(api.GET("/api/v1/signatories/{id}/agreements", { params: { path } })).catch(missing),
  ]);
  const tz = f.site.time_zone;
  const main = html`${breadcrumb([{ name: "Người ký" }, { name: person.full_name }])}
    <h1>${person.full_name}</h1>
    ${person.current_position ? html`<p class="lead">${person.current_position}</p>` : ""}
    <h2>Văn bản đã ký</h2>
    <ul class="signed">${signed.data.map(
      (s) => html`<li>
        <a href="/van-ban/${s.agreement.id}">${s.agreement.document_number ? html`<strong>${s.agreement.document_number}</strong>: ` : ""}${s.agreement.title}</a>
        ${s.signed_on ? html`<span class="date">ngày ${fmt.date(s.signed_on, tz)}</span>` : ""}
        <span class="position-at-signing">Chức vụ khi ký: ${s.positions_at_signing}</span>
      </li>`,
    )}</ul>`;
  return { status: 200, body: page(f, person.full_name, main) };
}

/** The page of a 404. */
export async function notFound(ctx: Context): Promise<Rendered> {
  const f = await frame(ctx);
  const main = html`<h1>Không tìm thấy trang</h1><p><a href="/">Về trang chủ</a></p>`;
  return { status: 404, body: page(f, "Không tìm thấy trang", main) };
}
