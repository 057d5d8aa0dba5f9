/**
 * @bantin/client: a typed client for the Bantin headless CMS.
 *
 * The types come from Bantin's OpenAPI document (`src/schema.ts`, generated); calls go through
 * openapi-fetch, so every path, parameter and body is checked by the compiler. Around it, the
 * few things a frontend needs and would otherwise write again: sign-in with one refresh on
 * 401, `If-Match` from a previous `ETag`, cursor pages as an async iterator, photo upload,
 * revalidation of anonymous reads with `If-None-Match`, and problem+json errors as
 * {@link ProblemError}.
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

/** Every schema of the API by name: `Schemas["ArticleView"]`. */
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];
export type Article = Schemas["ArticleView"];
export type ArticleSummary = Schemas["ArticleSummary"];
export type Category = Schemas["CategoryView"];
export type Photo = Schemas["PhotoView"];
export type Agreement = Schemas["AgreementView"];
export type AgreementSummary = Schemas["AgreementSummary"];
export type Signatory = Schemas["SignatoryView"];
export type SignedAgreement = Schemas["SignedAgreement"];
export type Site = Schemas["SiteView"];
export type Tokens = Schemas["TokenResponse"];
export type Meta = Schemas["Meta"];

/** The typed openapi-fetch client: `bantin.GET("/api/v1/articles/slug/{slug}", …)`. */
export type BantinClient = Client<paths>;

/** A problem+json answer (RFC 9457) as an exception: what failed, and which fields. */
export class ProblemError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "ProblemError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** The fields at fault (400 and 422), empty otherwise. */
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }

  /** The request id to quote to the service's operators. */
  get requestId(): string {
    return this.problem.request_id;
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === "string" && typeof v.status === "number" && typeof v.title === "string";
}

/** The problem a failed answer carries; a non-problem body (a proxy's page) is wrapped. */
export function problemOf(error: unknown, response: Response): Problem {
  if (isProblem(error)) return error;
  return {
    type: "about:blank",
    title: response.statusText || "Error",
    status: response.status,
    detail: typeof error === "string" ? error.slice(0, 500) : "",
    request_id: response.headers.get("X-Request-Id") ?? "",
  };
}

/** What openapi-fetch answers: data on success, error otherwise. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; a failed one throws {@link ProblemError}. */
export async function unwrap<T>(answer: Answer<T> | Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await answer;
  if (!response.ok || error !== undefined) throw new ProblemError(problemOf(error, response));
  return data as T;
}

/** `If-Match` with the `ETag` of an earlier answer: the write fails (412) if someone else saved since. */
export function ifMatch(earlier: Response | { response: Response }): { "If-Match": string } {
  const response = earlier instanceof Response ? earlier : earlier.response;
  const etag = response.headers.get("ETag");
  if (etag === null) throw new Error("the earlier answer has no ETag");
  return { "If-Match": etag };
}

/** One page of a collection. */
export interface Page<T> {
  data: T[];
  meta: Meta;
}

/**
 * Every item of a collection, page after page: `fetchPage` is called with the cursor of the
 * next page (`undefined` first) until the last page.
 *
 * ```ts
 * for await (const a of items((cursor) =>
 *   unwrap(bantin.GET("/api/v1/articles", { params: { query: { cursor, limit: 100 } } })))) { … }
 * ```
 */
export async function* items<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.meta.next_cursor ?? undefined;
  } while (cursor !== undefined);
}

/** Options of {@link createBantin}. */
export interface BantinOptions {
  /** Where Bantin answers: `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Tokens of a session (after {@link Session.login}); or an API token `bt_…` as `accessToken`. */
  accessToken?: string;
  refreshToken?: string;
  /** Told of each new pair of tokens (after a login or a refresh), to keep them. */
  onTokens?: (tokens: Tokens | null) => void;
  /**
   * Keep anonymous GET answers that carry an `ETag` and ask again with `If-None-Match`: a
   * 304 is answered from the copy kept. The number of answers kept (0: off, the default).
   */
  revalidate?: number;
  /** The fetch to use (the global one by default). */
  fetch?: (request: Request) => Promise<Response>;
}

/** The signed-in state of a client: tokens, login, logout, and one refresh on 401. */
export class Session {
  accessToken: string | undefined;
  refreshToken: string | undefined;
  private refreshing: Promise<boolean> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly send: (request: Request) => Promise<Response>,
    private readonly onTokens: ((tokens: Tokens | null) => void) | undefined,
    accessToken?: string,
    refreshToken?: string,
  ) {
    this.accessToken = accessToken;
    this.refreshToken = refreshToken;
  }

  private async post(path: string, body: object): Promise<Response> {
    return this.send(
      new Request(new URL(path, this.baseUrl), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      }),
    );
  }

  private async take(response: Response): Promise<Tokens> {
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw new ProblemError(problemOf(body, response));
    const tokens = body as Tokens;
    this.accessToken = tokens.access_token;
    this.refreshToken = tokens.refresh_token;
    this.onTokens?.(tokens);
    return tokens;
  }

  /** Signs in with an email and password; later calls carry the access token. */
  async login(email: string, password: string): Promise<Tokens> {
    return this.take(await this.post("/api/v1/auth/login", { email, password }));
  }

  /** Ends the session on the server (the refresh token is revoked) and forgets the tokens. */
  async logout(): Promise<void> {
    const refresh = this.refreshToken;
    this.forget();
    if (refresh !== undefined) {
      const response = await this.post("/api/v1/auth/logout", { refresh_token: refresh });
      if (!response.ok && response.status !== 401) {
        throw new ProblemError(problemOf(await response.json().catch(() => undefined), response));
      }
    }
  }

  private forget(): void {
    this.accessToken = undefined;
    this.refreshToken = undefined;
    this.onTokens?.(null);
  }

  /**
   * Trades the refresh token for new tokens, once for any number of callers waiting at the
   * same time; `false` (and signed out) when the server refuses it.
   */
  async refresh(): Promise<boolean> {
    if (this.refreshToken === undefined) return false;
    this.refreshing ??= (async () => {
      try {
        const response = await this.post("/api/v1/auth/refresh", {
          refresh_token: this.refreshToken,
        });
        if (response.status === 401 || response.status === 400) {
          this.forget();
          return false;
        }
        await this.take(response);
        return true;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}

/** Kept answers for revalidation, the least recently used dropped first. */
class EtagCache {
  private readonly kept = new Map<string, { etag: string; headers: Headers; body: ArrayBuffer }>();

  constructor(private readonly size: number) {}

  get(url: string) {
    const entry = this.kept.get(url);
    if (entry !== undefined) {
      this.kept.delete(url);
      this.kept.set(url, entry);
    }
    return entry;
  }

  async keep(url: string, response: Response): Promise<void> {
    const etag = response.headers.get("ETag");
    if (etag === null || response.status !== 200) return;
    const body = await response.clone().arrayBuffer();
    this.kept.set(url, { etag, headers: new Headers(response.headers), body });
    while (this.kept.size > this.size) {
      const oldest = this.kept.keys().next().value;
      if (oldest === undefined) break;
      this.kept.delete(oldest);
    }
  }
}

/** A client with its session. */
export interface Bantin {
  /** The typed calls: `GET`, `POST`, `PATCH`, `PUT`, `DELETE`. */
  api: BantinClient;
  session: Session;
  /** Uploads a photo (authors and above) with its optional description. */
  uploadPhoto(file: Blob, fields?: PhotoFields, fileName?: string): Promise<Photo>;
}

/** What may go with an uploaded photo. */
export interface PhotoFields {
  caption?: string;
  alt_text?: string;
  credit?: string;
  /** RFC 3339. */
  taken_at?: string;
}

/** A client for one Bantin. */
export function createBantin(options: BantinOptions): Bantin {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const session = new Session(
    options.baseUrl,
    baseFetch,
    options.onTokens,
    options.accessToken,
    options.refreshToken,
  );
  const cache = (options.revalidate ?? 0) > 0 ? new EtagCache(options.revalidate ?? 0) : undefined;

  const withAuth = (request: Request): Request => {
    if (session.accessToken === undefined || request.headers.has("Authorization")) return request;
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${session.accessToken}`);
    return new Request(request, { headers });
  };

  const revalidating = async (request: Request): Promise<Response> => {
    const anonymous = session.accessToken === undefined && !request.headers.has("Authorization");
    if (cache === undefined || request.method !== "GET" || !anonymous) return baseFetch(request);
    const kept = cache.get(request.url);
    let sent = request;
    if (kept !== undefined && !request.headers.has("If-None-Match")) {
      const headers = new Headers(request.headers);
      headers.set("If-None-Match", kept.etag);
      sent = new Request(request, { headers });
    }
    const response = await baseFetch(sent);
    if (response.status === 304 && kept !== undefined && sent !== request) {
      return new Response(kept.body.slice(0), { status: 200, headers: kept.headers });
    }
    await cache.keep(request.url, response);
    return response;
  };

  const send = async (request: Request): Promise<Response> => {
    const retry = session.refreshToken !== undefined ? request.clone() : undefined;
    const response = await revalidating(withAuth(request));
    if (response.status !== 401 || retry === undefined) return response;
    if (!(await session.refresh())) return response;
    return revalidating(withAuth(retry));
  };

  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: send });

  return {
    api,
    session,
    async uploadPhoto(file: Blob, fields: PhotoFields = {}, fileName = "photo"): Promise<Photo> {
      return unwrap(
        api.POST("/api/v1/photos", {
          body: { file, ...fields },
          bodySerializer(body) {
            const form = new FormData();
            for (const [name, value] of Object.entries(body)) {
              if (value instanceof Blob) form.append(name, value, fileName);
              else if (typeof value === "string") form.append(name, value);
            }
            return form;
          },
        }),
      );
    },
  };
}
