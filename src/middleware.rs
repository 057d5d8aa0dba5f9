//! The per-request envelope: `X-Request-Id` (echoed or new), one log line per request
//! (method, path, status, latency, request id and, for errors, why; never headers, query
//! strings or bodies), `Server-Timing: db;desc="N queries"` (statements sent to the database
//! for it), `X-Content-Type-Options: nosniff`, `Vary: Authorization`, the caching rule of
//! docs/contract.md (a `no-store` default, and never `public` for a read made with credentials), the
//! Content-Security-Policy of the files and the docs, and problem+json for any error response
//! a framework component produced as plain text.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use bytes::Bytes;
use futures_util::Stream;

use crate::db::QUERY_COUNT;
use crate::error::{REQUEST_ID, generic_problem, problem_response};

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Stored files are only ever shown or downloaded: nothing in one may run, load or embed
/// anything (an SVG or HTML disguised as an image stays inert).
const MEDIA_CSP: &str = "default-src 'none'; sandbox";
/// The Swagger UI under `/docs`: its own scripts and styles (it sets inline styles), its
/// icons (data: URIs), calls to this origin only, and it may not be framed.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The editor's desk under `/admin`: its own scripts and styles only (no inline script or
/// style, no `eval`), images from here or any https media store, forms posted here only,
/// never framed.
pub const DESK_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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

/// The desk answers people, not programs: its error pages stay HTML.
fn is_desk_page(res: &ServiceResponse<BoxBody>) -> bool {
    is_desk(res.request().path())
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

fn is_desk(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// Why a request failed, as the error that produced its response says (for the log line).
fn cause_of(res: &ServiceResponse<BoxBody>) -> Option<String> {
    if res.status().as_u16() < 400 {
        return None;
    }
    res.response().error().map(|e| e.to_string())
}

/// Whether the response is the CORS layer refusing the request.
fn is_cors_refusal(res: &ServiceResponse<BoxBody>) -> bool {
    res.response()
        .error()
        .is_some_and(|e| e.as_error::<actix_cors::CorsError>().is_some())
}

/// What a client is told about an error a framework component raised: its own words for a
/// client error (they describe the request, never internals), the generic reason otherwise.
fn framework_detail(status: StatusCode, cause: Option<&str>, cors: bool) -> String {
    let generic = || status.canonical_reason().unwrap_or("Error").to_string();
    match cause {
        Some(cause) if status.is_client_error() && cors => format!(
            "CORS: {cause}; the origins allowed to call this API from a browser are set in BANTIN_CORS_ORIGINS"
        ),
        Some(cause) if status.is_client_error() => cause.to_string(),
        _ => generic(),
    }
}

/// Replaces a non-problem error body (from actix or a middleware) with a problem document,
/// keeping the headers that matter (`Allow`, `WWW-Authenticate`, `Retry-After`, CORS).
fn ensure_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if status.as_u16() < 400 || is_problem(&res) || is_desk_page(&res) {
        return res;
    }
    let cause = cause_of(&res);
    let cors = is_cors_refusal(&res);
    let (req, old) = res.into_parts();
    let mut problem = generic_problem(status);
    problem.detail = framework_detail(status, cause.as_deref(), cors);
    let mut new: HttpResponse = problem_response(status, &problem);
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

/// What the request asked for that the response headers depend on.
struct Asked {
    path: String,
    /// Credentials were sent: the answer is the caller's own.
    authenticated: bool,
}

/// A request body that must have arrived by a deadline: past it, reading yields a
/// `TimedOut` error, which extractors answer with 408 ([`crate::error::ApiError::from_payload`]).
/// A client sending a byte now and then cannot hold a connection (and a worker's attention)
/// for ever.
struct Deadline {
    inner: Payload,
    timer: Pin<Box<tokio::time::Sleep>>,
    secs: u64,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending if this.timer.as_mut().poll(cx).is_ready() => {
                this.expired = true;
                let message = format!("the request body did not arrive within {} s", this.secs);
                let timed_out = std::io::Error::new(std::io::ErrorKind::TimedOut, message);
                Poll::Ready(Some(Err(PayloadError::Io(timed_out))))
            }
            other => other,
        }
    }
}

/// Puts a deadline on the request's body, if it has one: `BANTIN_UPLOAD_TIMEOUT` for
/// multipart uploads, `BANTIN_BODY_TIMEOUT` for anything else.
fn limit_body_time(req: &mut ServiceRequest) {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let Some(state) = req.app_data::<actix_web::web::Data<crate::state::AppState>>() else {
        return;
    };
    if !has_body {
        return;
    }
    let upload = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let secs = match upload {
        true => state.config.upload_timeout_secs,
        false => state.config.body_timeout_secs,
    };
    let inner = req.take_payload();
    let deadline = Deadline {
        inner,
        timer: Box::pin(tokio::time::sleep(std::time::Duration::from_secs(secs))),
        secs,
        expired: false,
    };
    let stream: actix_http::BoxedPayloadStream = Box::pin(deadline);
    req.set_payload(Payload::from(stream));
}

/// The middleware; wrap the whole app with `from_fn(request_context)`.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    limit_body_time(&mut req);
    let public_cache = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|state| state.public_cache.clone());
    let request_id = incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().clone();
    let asked = Asked {
        path: req.path().to_string(),
        authenticated: req.headers().contains_key(header::AUTHORIZATION),
    };
    let request_id_for_scope = request_id.clone();

    // Errors that escape the services (rare: most become responses inside them; CORS refusals
    // are one) have no request left to build a `ServiceResponse` with, so they travel on as a
    // ready response.
    let queries = std::cell::Cell::new(0u32);
    let (outcome, queries) = QUERY_COUNT
        .scope(queries, async move {
            let outcome = REQUEST_ID
                .scope(request_id_for_scope, async move {
                    match next.call(req).await {
                        Ok(res) => {
                            let res = res.map_into_boxed_body();
                            let cause = cause_of(&res);
                            Ok((ensure_problem(res), cause))
                        }
                        Err(err) => {
                            let status = err.as_response_error().status_code();
                            let cause = err.to_string();
                            let cors = err.as_error::<actix_cors::CorsError>().is_some();
                            let mut problem = generic_problem(status);
                            problem.detail = framework_detail(status, Some(&cause), cors);
                            Err((cause, problem_response(status, &problem)))
                        }
                    }
                })
                .await;
            (outcome, QUERY_COUNT.with(|n| n.get()))
        })
        .await;

    let (status, error) = match &outcome {
        Ok((res, cause)) => (res.status().as_u16(), cause.clone()),
        Err((cause, res)) => (res.status().as_u16(), Some(cause.clone())),
    };
    if let Some(cache) = &public_cache {
        cache.after_request(&method, &asked.path, (200..300).contains(&status));
    }
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let path = &asked.path;
    tracing::info!(
        target: "bantin::http",
        %method, %path, status, latency_ms = format_args!("{latency_ms:.2}"), queries, %request_id,
        error = error.as_deref(), "request"
    );
    match outcome {
        Ok((mut res, _)) => {
            decorate(res.headers_mut(), &request_id, &asked);
            if let Ok(v) = HeaderValue::from_str(&format!("db;desc=\"{queries} queries\"")) {
                res.headers_mut().insert(SERVER_TIMING, v);
            }
            Ok(res)
        }
        Err((cause, mut res)) => {
            decorate(res.headers_mut(), &request_id, &asked);
            Err(actix_web::error::InternalError::from_response(cause, res).into())
        }
    }
}

fn decorate(headers: &mut actix_web::http::header::HeaderMap, request_id: &str, asked: &Asked) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    let is_media = asked.path.starts_with("/media/");
    let shared = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.contains("public"));
    match shared {
        None => {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        // A stored file is the same for everyone; any other answer to a caller with
        // credentials is that caller's alone.
        Some(true) if asked.authenticated && !is_media => {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
        Some(_) => {}
    }
    if is_media {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(MEDIA_CSP),
        );
    } else if asked.path == "/docs" || asked.path.starts_with("/docs/") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    } else if is_desk(&asked.path) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DESK_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
}
