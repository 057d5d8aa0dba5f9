//! `GET /health/live` and `GET /health/ready` for orchestrators and load balancers.

use actix_web::{HttpResponse, get, web};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// `ok`.
    pub status: String,
}

/// The process is up.
#[utoipa::path(
    operation_id = "getLiveness",tag = "health", responses((status = 200, description = "The process is up", body = HealthStatus)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    })
}

#[derive(QueryableByName)]
struct Applied {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    version: Option<String>,
}

/// The database is reachable and every migration of this build is applied.
#[utoipa::path(
    operation_id = "getReadiness",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "Database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let unavailable = |what: &str| ApiError::Unavailable(what.to_string());
    let mut conn = state
        .pool
        .get()
        .await
        .map_err(|_| unavailable("the database is not reachable"))?;
    let applied: Applied =
        diesel::sql_query("SELECT max(version) AS version FROM __diesel_schema_migrations")
            .get_result(&mut conn)
            .await
            .map_err(|_| unavailable("the database has no migrations applied"))?;
    let latest = crate::db::latest_migration_version();
    // A newer replica may already have applied later migrations; older ones stay ready.
    if applied
        .version
        .as_deref()
        .is_none_or(|v| v < latest.as_str())
    {
        return Err(unavailable("migrations are pending"));
    }
    Ok(HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    }))
}
