// The frame of every page: the site's name, the top categories, search, and the footer
// with the publisher, the person responsible, the address, contacts and the visit counter.
import type { Category, Site } from "@bantin/client";

import { number } from "./format.js";
import { html, type Safe } from "./html.js";

export interface Frame {
  site: Site;
  topCategories: Category[];
  visits: number;
}

export interface Crumb {
  name: string;
  href?: string;
}

export function breadcrumb(crumbs: Crumb[]): Safe {
  return html`<nav class="breadcrumb" aria-label="Đường dẫn"><ol>
    <li><a href="/">Trang chủ</a></li>
    ${crumbs.map((c) => html`<li>${c.href ? html`<a href="${c.href}">${c.name}</a>` : html`<span aria-current="page">${c.name}</span>`}</li>`)}
  </ol></nav>`;
}

export function page(frame: Frame, title: string, main: Safe, query = ""): Safe {
  const { site } = frame;
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title ? `${title} - ${site.name}` : site.name}</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="application/rss+xml" title="${site.name}" href="/rss">
</head>
<body>
<header class="site-header">
  <div class="wrap">
    <a class="site-name" href="/">${site.name}</a>
    <form class="search" action="/tim-kiem" method="get" role="search">
      <label for="q" class="visually-hidden">Tìm kiếm</label>
      <input id="q" name="q" type="search" placeholder="Tìm kiếm (không cần dấu)" value="${query}">
      <button type="submit">Tìm</button>
    </form>
  </div>
  <nav class="menu" aria-label="Chuyên mục"><div class="wrap">
    <a href="/">Trang chủ</a>
    ${frame.topCategories.map((c) => html`<a href="/chuyen-muc/${c.slug}">${c.name}</a>`)}
  </div></nav>
</header>
<main class="wrap">
${main}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p class="publisher"><strong>Cơ quan chủ quản:</strong> ${site.publisher}</p>
    <p class="responsible"><strong>Chịu trách nhiệm nội dung:</strong> ${site.responsible_person}</p>
    ${site.address ? html`<p class="address"><strong>Địa chỉ:</strong> ${site.address}</p>` : ""}
    <p class="contacts">
      ${site.phone ? html`<span class="phone"><strong>Điện thoại:</strong> ${site.phone}</span>` : ""}
      ${site.fax ? html`<span class="fax"><strong>Fax:</strong> ${site.fax}</span>` : ""}
      ${site.email ? html`<span class="email"><strong>Email:</strong> <a href="mailto:${site.email}">${site.email}</a></span>` : ""}
    </p>
    ${site.attribution_notice ? html`<p class="attribution">${site.attribution_notice}</p>` : ""}
    <p class="visits">Lượt truy cập: <strong id="visit-count">${number(frame.visits)}</strong></p>
  </div>
</footer>
</body>
</html>`;
}
