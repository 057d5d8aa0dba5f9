//! The OpenAPI document: collected from the handlers by utoipa-actix-web, completed here with
//! the bearer scheme and the error answers every operation can give, so the spec states every
//! status the service sends.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, RefOr, Response, ResponseBuilder};

use crate::error::Problem;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Bantin",
        description = "Headless CMS for news and official-document portals. Errors are \
            `application/problem+json` (RFC 9457) with a `request_id`. Write with a bearer token: \
            an access token from `POST /api/v1/auth/login`, or an API token (`bt_…`). \
            Text fields are plain text, stored and returned as written (NFC): escape them when \
            you render HTML (a title may contain `<` or `&`). Only fields named `body` hold HTML, \
            sanitised on write and safe to insert as is.",
    ),
    components(schemas(Problem, crate::error::FieldError)),
    modifiers(&Completion),
    tags(
        (name = "auth", description = "Login sessions and the caller"),
        (name = "users", description = "Accounts (admins)"),
        (name = "api-tokens", description = "Tokens for integrators (admins)"),
        (name = "articles", description = "News articles: drafts, publishing, search, revisions"),
        (name = "categories", description = "The category tree with breadcrumbs"),
        (name = "photos", description = "Uploaded photos and their files under /media (stripped of metadata, upright, in three sizes)"),
        (name = "media", description = "Stored files: photos and attachments (local backend)"),
        (name = "organizations", description = "The bodies that issue and sign documents (Ban Dân vận Tỉnh ủy, Đảng đoàn HĐND tỉnh…)"),
        (name = "signatories", description = "The people who sign documents, with their current positions"),
        (name = "agreements", description = "Official documents between bodies (quy chế, chương trình phối hợp…): parties, signatures, relations"),
        (name = "site", description = "The portal's settings, footer and visit counter"),
        (name = "audit", description = "Who did what, when (admins); never changed"),
        (name = "webhooks", description = "Endpoints that hear about every change, signed as Standard Webhooks (admins)"),
        (name = "feeds", description = "RSS feeds and the sitemap, linking to the portal's pages"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct Completion;

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(utoipa::openapi::Ref::from_schema_name("Problem"))),
        )
        .build()
        .into()
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| problem(description));
}

impl Modify for Completion {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or bt_ API token")
                    .description(Some(
                        "An access token from /api/v1/auth/login, or an API token (bt_…)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds the error answers that any operation may give, depending on what it takes.
fn complete_operations(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if op.request_body.is_some() {
                add(
                    op,
                    "400",
                    "The body is not JSON or does not fit the schema (the field is named)",
                );
                add(op, "413", "The body is larger than 1 MiB");
                add(op, "415", "The body is not `application/json`");
                add(op, "422", "A field breaks a rule (the fields are named)");
            } else if has_params {
                add(op, "400", "A query parameter is invalid (it is named)");
            }
            if secured {
                add(
                    op,
                    "401",
                    "Missing, invalid, expired or revoked credentials",
                );
                add(op, "403", "Authenticated but not allowed");
            }
            add(
                op,
                "500",
                "Unexpected error (details are in the logs under the request id)",
            );
            add(op, "503", "The database is not available");
        }
    }
}

/// Completes the document collected from the handlers.
pub fn finish(mut collected: OpenApi) -> OpenApi {
    complete_operations(&mut collected);
    collected
}

/// Path templates with their methods, to tell 405 from 404.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<String>, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &OpenApi) -> RouteTable {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(String::from)
                    .collect();
                let mut methods = Vec::new();
                for (name, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(name.to_string());
                    }
                }
                (segments, methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods a path accepts, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let given: Vec<&str> = path.trim_matches('/').split('/').collect();
        // The templates that match, the most literal first: `/agreements/doc-types` is that
        // path, not `/agreements/{id}`.
        let mut best: Option<(usize, Vec<String>)> = None;
        for (segments, methods) in &self.0 {
            let matches = segments.len() == given.len()
                && segments
                    .iter()
                    .zip(&given)
                    .all(|(t, g)| (t.starts_with('{') && !g.is_empty()) || t == g);
            if !matches {
                continue;
            }
            let literal = segments.iter().filter(|t| !t.starts_with('{')).count();
            match &mut best {
                Some((n, found)) if *n == literal => found.extend(methods.iter().cloned()),
                Some((n, _)) if *n > literal => {}
                _ => best = Some((literal, methods.clone())),
            }
        }
        best.map(|(_, found)| found)
    }
}
