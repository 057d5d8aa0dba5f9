//! The per-request envelope: `X-Request-Id` (echoed or new), one log line per request
//! (method, path, status, latency, request id; never headers, query strings or bodies),
//! `Server-Timing: db;desc="N queries"` (statements sent to the database for it),
//! `X-Content-Type-Options: nosniff`, `Vary: Authorization`, a `no-store` default for
//! responses that set no caching policy, and problem+json for any error response a framework
//! component produced as plain text.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use crate::db::QUERY_COUNT;
use crate::error::{REQUEST_ID, generic_problem, problem_response};

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// An incoming request id is echoed only when it is short and made of safe characters, so it
/// cannot forge log lines.
fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID_HEADER)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| value.to_string())
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// Replaces a non-problem error body (from actix or a middleware) with a problem document,
/// keeping the headers that matter (`Allow`, `WWW-Authenticate`, `Retry-After`, CORS).
fn ensure_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if status.as_u16() < 400 || is_problem(&res) {
        return res;
    }
    let (req, old) = res.into_parts();
    let mut new: HttpResponse = problem_response(status, &generic_problem(status));
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::CACHE_CONTROL
        {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}

/// The middleware; wrap the whole app with `from_fn(request_context)`.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().clone();
    let path = req.path().to_string();
    let request_id_for_scope = request_id.clone();

    // Errors that escape the services (rare: most become responses inside them) have no
    // request left to build a `ServiceResponse` with, so they travel on as a ready response.
    let queries = std::cell::Cell::new(0u32);
    let (outcome, queries) = QUERY_COUNT
        .scope(queries, async move {
            let outcome = REQUEST_ID
                .scope(request_id_for_scope, async move {
                    match next.call(req).await {
                        Ok(res) => Ok(ensure_problem(res.map_into_boxed_body())),
                        Err(err) => {
                            let status = err.as_response_error().status_code();
                            Err((
                                err.to_string(),
                                problem_response(status, &generic_problem(status)),
                            ))
                        }
                    }
                })
                .await;
            (outcome, QUERY_COUNT.with(|n| n.get()))
        })
        .await;

    let status = match &outcome {
        Ok(res) => res.status().as_u16(),
        Err((_, res)) => res.status().as_u16(),
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "bantin::http",
        %method, %path, status, latency_ms = format_args!("{latency_ms:.2}"), queries, %request_id,
        "request"
    );
    match outcome {
        Ok(mut res) => {
            decorate(res.headers_mut(), &request_id);
            if let Ok(v) = HeaderValue::from_str(&format!("db;desc=\"{queries} queries\"")) {
                res.headers_mut().insert(SERVER_TIMING, v);
            }
            Ok(res)
        }
        Err((cause, mut res)) => {
            decorate(res.headers_mut(), &request_id);
            Err(actix_web::error::InternalError::from_response(cause, res).into())
        }
    }
}

fn decorate(headers: &mut actix_web::http::header::HeaderMap, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
