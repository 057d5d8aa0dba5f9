// The portal's HTTP server: node:http, a few routes, HTML rendered from Bantin's answers.
//
//   BANTIN_URL   where Bantin answers (default http://127.0.0.1:8080)
//   PORT, HOST   where the portal listens (default 127.0.0.1:3000)
//
// Anonymous reads revalidate with If-None-Match (the client keeps the last answer of each
// URL): Bantin answers 304 without a body when nothing changed.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

import { createBantin } from "@bantin/client";

import { toString } from "./html.js";
import * as pages from "./pages.js";

const BANTIN_URL = (process.env.BANTIN_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? "127.0.0.1";

const bantin = createBantin({ baseUrl: BANTIN_URL, revalidate: 2000 });
const stylesheet = readFile(new URL("../../public/style.css", import.meta.url));

/** Bantin's content, and the portal's own stylesheet and Bantin's images and files. */
const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  `img-src 'self' ${BANTIN_URL}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
  });
  res.end(body);
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://portal.invalid");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  if (url.pathname === "/static/style.css") {
    send(res, 200, "text/css; charset=utf-8", await stylesheet);
    return;
  }
  if (url.pathname === "/favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === "/rss") {
    res.writeHead(302, { Location: `${BANTIN_URL}/feeds/articles.xml` }).end();
    return;
  }
  const pageNumber = Math.max(1, Number.parseInt(url.searchParams.get("trang") ?? "1", 10) || 1);
  const ctx: pages.Context = { bantin };
  let rendered: pages.Rendered;
  try {
    const [first, second, extra] = parts;
    if (first === undefined) rendered = await pages.home(ctx);
    else if (first === "tin-tuc" && second && !extra) rendered = await pages.article(ctx, second);
    else if (first === "chuyen-muc" && second && !extra)
      rendered = await pages.category(ctx, second, pageNumber);
    else if (first === "tim-kiem" && !second)
      rendered = await pages.search(ctx, url.searchParams.get("q") ?? "");
    else if (first === "van-ban" && second && !extra) rendered = await pages.agreement(ctx, second);
    else if (first === "nguoi-ky" && second && !extra) rendered = await pages.signatory(ctx, second);
    else rendered = await pages.notFound(ctx);
  } catch (e) {
    if (!(e instanceof pages.NotFound)) throw e;
    rendered = await pages.notFound(ctx);
  }
  send(res, rendered.status, "text/html; charset=utf-8", toString(rendered.body));
}

const server = createServer((req, res) => {
  route(req, res).catch((e: unknown) => {
    console.error(`${req.method} ${req.url}:`, e);
    if (!res.headersSent) send(res, 502, "text/plain; charset=utf-8", "Bantin could not be read; try again.\n");
    else res.end();
  });
});

server.listen(PORT, HOST, () => {
  console.log(`portal at http://${HOST}:${PORT}/ reading ${BANTIN_URL}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
