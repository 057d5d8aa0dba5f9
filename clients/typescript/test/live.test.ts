// Calls against a running Bantin: BANTIN_URL (http://127.0.0.1:8080), and an admin's
// BANTIN_EMAIL and BANTIN_PASSWORD. Without BANTIN_URL the tests are skipped (CI sets it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { ProblemError, createBantin, ifMatch, items, unwrap } from "../src/index.js";

const baseUrl = process.env.BANTIN_URL;
const email = process.env.BANTIN_EMAIL ?? "admin@localhost";
const password = process.env.BANTIN_PASSWORD ?? "";
const skip = baseUrl === undefined ? "BANTIN_URL is not set" : false;
const url = baseUrl ?? "http://127.0.0.1:8080";

// A 1×1 PNG.
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
  ),
  (c) => c.charCodeAt(0),
);

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function signedIn() {
  const bantin = createBantin({ baseUrl: url });
  await bantin.session.login(email, password);
  return bantin;
}

test("signs in and reads who it is", { skip }, async () => {
  const bantin = await signedIn();
  const me = await unwrap(bantin.api.GET("/api/v1/auth/me"));
  assert.equal(me.email, email);
  assert.equal(me.role, "admin");
});

test("a wrong password is a ProblemError with status 401", { skip }, async () => {
  const bantin = createBantin({ baseUrl: url });
  await assert.rejects(bantin.session.login(email, "not-the-password-at-all"), (e: unknown) => {
    assert.ok(e instanceof ProblemError);
    assert.equal(e.status, 401);
    assert.equal(e.problem.type, "/problems/unauthorized");
    return true;
  });
});

test("If-Match from the ETag read: a write on a stale copy is refused with 412", { skip }, async () => {
  const bantin = await signedIn();
  const title = `Hội nghị phối hợp ${unique()}`;
  const created = await bantin.api.POST("/api/v1/articles", { body: { title } });
  const article = await unwrap(created);
  const path = { id: article.id };

  const updated = await bantin.api.PATCH("/api/v1/articles/{id}", {
    params: { path, header: ifMatch(created) },
    body: { summary: "Tóm tắt mới" },
  });
  assert.equal((await unwrap(updated)).version, article.version + 1);

  // The first answer's ETag is stale now.
  const stale = bantin.api.PATCH("/api/v1/articles/{id}", {
    params: { path, header: ifMatch(created) },
    body: { summary: "Bị từ chối" },
  });
  await assert.rejects(unwrap(stale), (e: unknown) => e instanceof ProblemError && e.status === 412);
  await unwrap(bantin.api.DELETE("/api/v1/articles/{id}", { params: { path } }));
});

test("a 422 names the fields at fault", { skip }, async () => {
  const bantin = await signedIn();
  const bad = bantin.api.POST("/api/v1/articles", { body: { title: "   " } });
  await assert.rejects(unwrap(bad), (e: unknown) => {
    assert.ok(e instanceof ProblemError);
    assert.equal(e.status, 422);
    assert.equal(e.fieldErrors[0]?.field, "title");
    return true;
  });
});

test("items() walks every cursor page", { skip }, async () => {
  const bantin = await signedIn();
  const tag = unique();
  const created: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await unwrap(bantin.api.POST("/api/v1/categories", { body: { name: `Chuyên mục ${tag} ${i}` } }));
    created.push(c.id);
  }
  const seen: string[] = [];
  for await (const category of items((cursor) =>
    unwrap(bantin.api.GET("/api/v1/categories", { params: { query: { cursor, limit: 2, q: tag } } })),
  )) {
    seen.push(category.name);
  }
  assert.equal(seen.length, 5);
  for (const id of created) {
    await unwrap(bantin.api.DELETE("/api/v1/categories/{id}", { params: { path: { id } } }));
  }
});

test("uploads a photo from a Blob with its caption", { skip }, async () => {
  const bantin = await signedIn();
  const photo = await bantin.uploadPhoto(new Blob([PNG], { type: "image/png" }), {
    caption: "Quang cảnh hội nghị",
    alt_text: "Một điểm ảnh",
  }, "diem-anh.png");
  assert.equal(photo.caption, "Quang cảnh hội nghị");
  assert.equal(photo.width, 1);
  assert.deepEqual(photo.variants.map((v) => v.name), ["thumb", "medium", "large"]);
});

test("a 401 is answered by one refresh, then the call is made again", { skip }, async () => {
  const bantin = await signedIn();
  const refreshBefore = bantin.session.refreshToken;
  bantin.session.accessToken = "expired-or-garbage";
  const me = await unwrap(bantin.api.GET("/api/v1/auth/me"));
  assert.equal(me.email, email);
  assert.notEqual(bantin.session.refreshToken, refreshBefore);

  // With a refresh token the server refuses, it gives up after that one try.
  bantin.session.accessToken = "expired-or-garbage";
  bantin.session.refreshToken = "not-a-refresh-token";
  await assert.rejects(
    unwrap(bantin.api.GET("/api/v1/auth/me")),
    (e: unknown) => e instanceof ProblemError && e.status === 401,
  );
  assert.equal(bantin.session.refreshToken, undefined);
});

test("anonymous reads revalidate with If-None-Match and reuse the kept copy on 304", { skip }, async () => {
  const statuses: number[] = [];
  const bantin = createBantin({
    baseUrl: url,
    revalidate: 10,
    fetch: async (request) => {
      const response = await fetch(request);
      statuses.push(response.status);
      return response;
    },
  });
  const first = await unwrap(bantin.api.GET("/api/v1/site"));
  const second = await unwrap(bantin.api.GET("/api/v1/site"));
  assert.deepEqual(statuses, [200, 304]);
  assert.deepEqual(second, first);
});

test("logout revokes the session", { skip }, async () => {
  const bantin = await signedIn();
  const refresh = bantin.session.refreshToken;
  await bantin.session.logout();
  const other = createBantin({ baseUrl: url, refreshToken: refresh, accessToken: "garbage" });
  await assert.rejects(
    unwrap(other.api.GET("/api/v1/auth/me")),
    (e: unknown) => e instanceof ProblemError && e.status === 401,
  );
});
