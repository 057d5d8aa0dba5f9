//! The OpenAPI document: collected from the handlers by utoipa-actix-web, completed here with
//! the bearer scheme and the error answers every operation can give, so the spec states every
//! status the service sends.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi, RefOr, Required, Response, ResponseBuilder, Type,
};

use crate::error::{ApiError, FieldError, Problem};

mod constraints;

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

/// The error answers any operation may give, shared under `components/responses`:
/// (name, status, description).
const SHARED_PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "BadBody",
        "400",
        "The body is not JSON or does not fit the schema (the field is named)",
    ),
    (
        "BadQuery",
        "400",
        "A query parameter is invalid (it is named)",
    ),
    (
        "Unauthorized",
        "401",
        "Missing, invalid, expired or revoked credentials",
    ),
    ("Forbidden", "403", "Authenticated but not allowed"),
    ("PayloadTooLarge", "413", "The body is larger than 1 MiB"),
    (
        "UnsupportedMediaType",
        "415",
        "The body is not `application/json`",
    ),
    (
        "Invalid",
        "422",
        "A field breaks a rule (the fields are named)",
    ),
    (
        "InternalError",
        "500",
        "Unexpected error (details are in the logs under the request id)",
    ),
    ("Unavailable", "503", "The database is not available"),
];

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(utoipa::openapi::Ref::from_schema_name("Problem"))),
        )
        .build()
}

/// Answers `name` (one of [`SHARED_PROBLEMS`]) unless the operation says more of its status.
fn add(op: &mut Operation, name: &str) {
    let Some((_, status, _)) = SHARED_PROBLEMS.iter().find(|(n, _, _)| *n == name) else {
        return;
    };
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::Ref(utoipa::openapi::Ref::from_response_name(name)));
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
    let components = openapi.components.get_or_insert_with(Default::default);
    for (name, status, description) in SHARED_PROBLEMS {
        let mut response = problem(description);
        if let Some(RefOr::T(content)) = response.content.get_mut("application/problem+json") {
            content.example = problem_example(status, "item");
        }
        components
            .responses
            .insert(name.to_string(), RefOr::T(response));
    }
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
                add(op, "BadBody");
                add(op, "PayloadTooLarge");
                add(op, "UnsupportedMediaType");
                add(op, "Invalid");
            } else if has_params {
                add(op, "BadQuery");
            }
            if secured {
                add(op, "Unauthorized");
                add(op, "Forbidden");
            }
            add(op, "InternalError");
            add(op, "Unavailable");
            declare_conditional_headers(op);
            give_problem_examples(op);
        }
    }
}

/// A GET that can answer 304 takes `If-None-Match`: said here once rather than on every
/// handler. (Feeds and sitemaps also honour `If-Modified-Since`, which their descriptions say;
/// it is not declared, as a malformed date must be ignored, not refused, and a declared
/// header with a free-form value would be fuzzed as if it were refused.)
fn declare_conditional_headers(op: &mut Operation) {
    if !op.responses.responses.contains_key("304") {
        return;
    }
    let params = op.parameters.get_or_insert_with(Vec::new);
    let declared = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("If-None-Match")));
    if !declared {
        params.push(RefOr::T(
            ParameterBuilder::new()
                .name("If-None-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The `ETag` of the copy you hold: 304 with no body when it is still current",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ));
    }
}

/// Each problem answer shows an example of its own status, made by the code that makes the
/// real ones.
fn give_problem_examples(op: &mut Operation) {
    let resource = op
        .tags
        .as_ref()
        .and_then(|tags| tags.first())
        .map(|tag| singular(tag))
        .unwrap_or_else(|| "item".into());
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let Some(RefOr::T(content)) = response.content.get_mut("application/problem+json") else {
            continue;
        };
        content.example = problem_example(status, &resource);
    }
}

/// `categories` → `category`, `api-tokens` → `api token`: the thing a tag is about.
fn singular(tag: &str) -> String {
    let tag = tag.replace('-', " ");
    if let Some(stem) = tag.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        tag.strip_suffix('s').unwrap_or(&tag).to_string()
    }
}

/// The example of a problem answer with this status, as the service would send it.
fn problem_example(status: &str, resource: &str) -> Option<serde_json::Value> {
    let mut problem = match example_error(status, resource) {
        Some(error) => error.problem(),
        None => {
            let code = status.parse::<u16>().ok()?;
            crate::error::generic_problem(actix_web::http::StatusCode::from_u16(code).ok()?)
        }
    };
    problem.request_id = EXAMPLE_REQUEST_ID.into();
    serde_json::to_value(problem).ok()
}

const EXAMPLE_REQUEST_ID: &str = "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10";

/// A typical error for a status, as the service words it.
fn example_error(status: &str, resource: &str) -> Option<ApiError> {
    Some(match status {
        "400" => ApiError::bad_field("limit", "out_of_range", "must be between 1 and 100"),
        "401" => ApiError::Unauthorized("the access token has expired".into()),
        "403" => ApiError::Forbidden("editors and admins only".into()),
        "404" => ApiError::NotFound(format!("no such {resource}")),
        "408" => ApiError::RequestTimeout("the body did not arrive in time".into()),
        "409" => ApiError::Conflict("the slug `hoi-nghi-phoi-hop` is taken".into()),
        "412" => ApiError::PreconditionFailed,
        "413" => ApiError::PayloadTooLarge("the body is larger than 1 MiB".into()),
        "415" => ApiError::UnsupportedMediaType("send `application/json`".into()),
        "422" => ApiError::Validation(vec![FieldError::new(
            "title",
            "too_long",
            "at most 500 characters",
        )]),
        "429" => ApiError::TooManyRequests {
            retry_after_secs: 60,
            detail: "too many failed sign-ins; try again in 60 s".into(),
        },
        "500" => ApiError::internal("example"),
        "503" => ApiError::Unavailable("the database is not available".into()),
        _ => return None,
    })
}

/// Completes the document collected from the handlers.
pub fn finish(mut collected: OpenApi) -> OpenApi {
    complete_operations(&mut collected);
    constraints::apply(&mut collected);
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
