//! One error type for the HTTP layer, rendered as `application/problem+json` (RFC 9457).
//!
//! Every 4xx/5xx the service sends has the same shape: `type`, `title`, `status`, `detail`,
//! `request_id` and, for input errors, `errors[]` naming the fields at fault. Internal errors
//! are logged with their cause and answered with a generic 500 that carries no internals.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being served, so that any error can report it.
    pub static REQUEST_ID: String;
}

/// The request id of the current request, or an empty string outside one.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_default()
}

/// One field at fault in a 400 or 422 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"field": "password", "code": "too_short", "message": "at least 12 characters"}))]
pub struct FieldError {
    /// Dotted path of the field (`signatures.1.signatory_id`), or the query parameter.
    pub field: String,
    /// Machine-readable reason (`required`, `too_long`, `invalid`, `unknown_field`, …).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`/problems/not-found`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The `X-Request-Id` of the request, for support.
    pub request_id: String,
    /// The fields at fault, for 400 and 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can answer with, besides success.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request does not fit the schema (JSON shape, query parameters).
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 401: missing or bad credentials.
    Unauthorized(String),
    /// 403: authenticated but not allowed.
    Forbidden(String),
    /// 404: unknown id or slug, or content the caller may not see.
    NotFound(String),
    /// 405: the path exists but not with this method.
    MethodNotAllowed { allow: Vec<String> },
    /// 409: uniqueness or "still in use" conflicts.
    Conflict(String),
    /// 408: the request body did not arrive in time; the connection is closed.
    RequestTimeout(String),
    /// 412: `If-Match` does not match the current representation.
    PreconditionFailed,
    /// 413: body too large.
    PayloadTooLarge(String),
    /// 415: unsupported media type.
    UnsupportedMediaType(String),
    /// 422: well-formed but breaks a rule.
    Validation(Vec<FieldError>),
    /// 429: throttled; the number of seconds until a retry may succeed.
    TooManyRequests {
        retry_after_secs: u64,
        detail: String,
    },
    /// 503: a dependency (the database) is not available.
    Unavailable(String),
    /// 500: a bug or an infrastructure failure; the cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// 400 naming one query parameter or body field.
    pub fn bad_field(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("`{field}`: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// 422 for one field.
    pub fn invalid(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    fn parts(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("/problems/bad-request", "Bad request"),
            ApiError::Unauthorized(_) => ("/problems/unauthorized", "Unauthorized"),
            ApiError::Forbidden(_) => ("/problems/forbidden", "Forbidden"),
            ApiError::NotFound(_) => ("/problems/not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => {
                ("/problems/method-not-allowed", "Method not allowed")
            }
            ApiError::Conflict(_) => ("/problems/conflict", "Conflict"),
            ApiError::RequestTimeout(_) => ("/problems/request-timeout", "Request timeout"),
            ApiError::PreconditionFailed => {
                ("/problems/precondition-failed", "Precondition failed")
            }
            ApiError::PayloadTooLarge(_) => ("/problems/payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("/problems/unsupported-media-type", "Unsupported media type")
            }
            ApiError::Validation(_) => ("/problems/validation", "Invalid request"),
            ApiError::TooManyRequests { .. } => {
                ("/problems/too-many-requests", "Too many requests")
            }
            ApiError::Unavailable(_) => ("/problems/unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("/problems/internal", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest { detail, .. }
            | ApiError::Unauthorized(detail)
            | ApiError::Forbidden(detail)
            | ApiError::NotFound(detail)
            | ApiError::Conflict(detail)
            | ApiError::RequestTimeout(detail)
            | ApiError::PayloadTooLarge(detail)
            | ApiError::UnsupportedMediaType(detail)
            | ApiError::TooManyRequests { detail, .. }
            | ApiError::Unavailable(detail) => detail.clone(),
            ApiError::MethodNotAllowed { allow } => {
                format!("this path accepts {}", allow.join(", "))
            }
            ApiError::PreconditionFailed => {
                "the item changed since you read it (If-Match does not match its ETag)".into()
            }
            ApiError::Validation(errors) => match errors.len() {
                1 => format!("`{}`: {}", errors[0].field, errors[0].message),
                n => format!("{n} fields are invalid"),
            },
            ApiError::Internal(_) => {
                "an unexpected error occurred; the request id identifies it in the logs".into()
            }
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (kind, title) = self.parts();
        let errors = match self {
            ApiError::BadRequest { errors, .. } | ApiError::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            kind: kind.into(),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            request_id: current_request_id(),
            errors,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status_code().as_u16(), self.detail())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(request_id = %current_request_id(), error = %cause, "internal error");
        }
        let mut res = problem_response(self.status_code(), &self.problem());
        let headers = res.headers_mut();
        match self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, v);
                }
            }
            // The rest of the body may still be trickling in: the connection goes.
            ApiError::RequestTimeout(_) => {
                res.head_mut()
                    .set_connection_type(actix_web::http::ConnectionType::Close);
            }
            _ => {}
        }
        res
    }
}

/// Renders a problem document with its content type.
pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The problem for a status produced outside our handlers (a framework error).
pub fn generic_problem(status: StatusCode) -> Problem {
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    let slug = title.to_lowercase().replace(' ', "-");
    Problem {
        kind: format!("/problems/{slug}"),
        detail: title.clone(),
        title,
        status: status.as_u16(),
        request_id: current_request_id(),
        errors: Vec::new(),
    }
}

impl ApiError {
    /// The answer to a request body that could not be read: 408 when it did not arrive in
    /// time (the request middleware sets the deadline), else 400.
    pub fn from_payload(e: actix_web::error::PayloadError) -> ApiError {
        match e {
            actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                ApiError::RequestTimeout(io.to_string())
            }
            other => ApiError::bad_request(format!("could not read the body: {other}")),
        }
    }
}

/// What the database layer of a resource (its `model.rs`) answers besides its result, in the
/// terms of the data, not of HTTP. Handlers pass it on with `?`; `From<ModelError> for
/// ApiError` below is the one place that turns it into a status and a problem document.
/// Diesel's errors become one in `db::constraints`, which knows the constraints by name.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No such row, or one the caller may not see.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// A uniqueness rule, or a row still in use, refuses the write.
    #[error("{0}")]
    Conflict(String),
    /// The write names rows that do not exist, or breaks a rule of the data.
    #[error("{} field(s) at fault", .0.len())]
    Invalid(Vec<FieldError>),
    /// The caller's role does not allow this change to this row.
    #[error("{0}")]
    Forbidden(String),
    /// `If-Match` named another version of the row.
    #[error("the row changed since it was read")]
    Stale,
    /// A concurrent transaction interfered (serialisation failure); a retry may succeed.
    #[error("a concurrent change interfered")]
    Contention,
    /// The connection to the database was lost.
    #[error("lost the database connection: {0}")]
    Disconnected(String),
    /// A paging cursor whose value does not fit the list it was given to (a 400).
    #[error("not a cursor returned by this API")]
    BadCursor,
    /// Anything else: a bug or an infrastructure failure (logged, never shown).
    #[error("{0}")]
    Internal(String),
}

impl ModelError {
    /// 422 for one field.
    pub fn invalid(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        ModelError::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        ModelError::Internal(cause.to_string())
    }
}

/// Result type of the models.
pub type ModelResult<T> = Result<T, ModelError>;

impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::NotFound(what) => ApiError::NotFound(format!("no such {what}")),
            ModelError::Conflict(detail) => ApiError::Conflict(detail),
            ModelError::Invalid(errors) => ApiError::Validation(errors),
            ModelError::Forbidden(detail) => ApiError::Forbidden(detail),
            ModelError::Stale => ApiError::PreconditionFailed,
            ModelError::Contention => {
                ApiError::Conflict("a concurrent change interfered; retry the request".into())
            }
            ModelError::Disconnected(cause) => {
                tracing::warn!(error = %cause, "lost the database connection");
                ApiError::Unavailable("the database connection was lost; retry the request".into())
            }
            ModelError::BadCursor => {
                ApiError::bad_field("cursor", "invalid", "not a cursor returned by this API")
            }
            ModelError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("no such item".into()),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("a concurrent change interfered; retry the request".into())
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                tracing::warn!(error = %info.message(), "lost the database connection");
                ApiError::Unavailable("the database connection was lost; retry the request".into())
            }
            other => ApiError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        ApiError::Unavailable(format!(
            "the database is not available ({})",
            pool_error_kind(&e)
        ))
    }
}

fn pool_error_kind(e: &diesel_async::pooled_connection::deadpool::PoolError) -> &'static str {
    use diesel_async::pooled_connection::deadpool::PoolError;
    match e {
        PoolError::Timeout(_) => "timed out waiting for a connection",
        PoolError::Backend(_) => "connection failed",
        _ => "pool error",
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task: {e}"))
    }
}

/// Result type of handlers and of everything they call.
pub type ApiResult<T> = Result<T, ApiError>;
