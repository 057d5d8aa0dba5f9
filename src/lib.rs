//! Bantin: a headless CMS for news and official-document portals.
//!
//! `lib` builds the actix `App` (routes, middleware, state) once for `main` and for the tests.

pub mod agreements;
pub mod api_tokens;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod budget;
pub mod cache;
pub mod categories;
pub mod config;
pub mod db;
pub mod desk;
pub mod domain;
pub mod error;
pub mod events;
pub mod feeds;
pub mod health;
pub mod http;
pub mod media;
pub mod middleware;
pub mod openapi;
pub mod organizations;
pub mod paging;
pub mod photos;
pub mod seed;
pub mod signatories;
pub mod site;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod users;
pub mod webhooks;
pub mod wire;

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpRequest, web};
use utoipa::OpenApi as _;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::error::ApiError;
use crate::openapi::RouteTable;
use crate::state::AppState;

/// Every route, for the server and for the spec.
fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(media::media_file)
        .configure(feeds::routes)
        .service(
            scope("/api/v1")
                .configure(auth::handlers::routes)
                .configure(users::routes)
                .configure(api_tokens::routes)
                .configure(categories::routes)
                .configure(articles::routes)
                .configure(photos::routes)
                .configure(organizations::routes)
                .configure(signatories::routes)
                .configure(agreements::routes)
                .configure(site::routes)
                .configure(webhooks::routes)
                .configure(audit::routes),
        );
}

/// The OpenAPI document, generated from the handlers. It does not depend on configuration.
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    openapi::finish(api)
}

/// The spec as the pretty JSON committed at `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = openapi_spec().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

async fn not_found(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    // With no origin configured there is no CORS layer: a browser's preflight arrives here.
    if req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key("access-control-request-method")
    {
        return Err(ApiError::bad_request(
            "CORS: no origin may call this API from a browser; list the allowed ones in BANTIN_CORS_ORIGINS",
        ));
    }
    Err(match table.allowed(req.path()) {
        // The path has this method, but a guard refused the request (an id that is not one).
        Some(allow)
            if allow
                .iter()
                .any(|m| m.eq_ignore_ascii_case(req.method().as_str())) =>
        {
            ApiError::NotFound("no such item".into())
        }
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound(format!("no route for {}", req.path())),
    })
}

async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(http::JSON_LIMIT)
        .error_handler(|e, _| ApiError::bad_request(e.to_string()).into())
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_, _| ApiError::NotFound("no such item".into()).into())
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e, _| ApiError::bad_request(e.to_string()).into())
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "x-request-id",
        ])
        .expose_headers(["etag", "location", "x-request-id", "retry-after"])
        .block_on_origin_mismatch(false)
        .max_age(3600)
}

/// Starts serving on `listener`; the returned server runs until stopped through its
/// [`handle`](Server::handle). It does not watch signals: actix would stop at once on SIGINT,
/// cutting requests in flight, so `bantin serve` handles them itself.
pub fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    serve_all(vec![listener], state)
}

/// [`serve`] on several listeners: every address a host name in `BANTIN_BIND` resolves to.
///
/// The server is assembled from actix's parts rather than with `HttpServer`, so that each
/// connection can be wrapped in [`wire::ProblemIo`]: the errors the HTTP layer answers by
/// itself (an unparseable request line, slow or oversized headers) become problem documents
/// too.
pub fn serve_all(listeners: Vec<TcpListener>, state: AppState) -> std::io::Result<Server> {
    use actix_http::{HttpService, Protocol};
    use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};

    let spec = openapi_spec();
    let table = web::Data::new(RouteTable::from_spec(&spec));
    let origins = Arc::new(state.config.cors_origins.clone());
    let header_timeout = std::time::Duration::from_secs(state.config.header_timeout_secs);
    // Background work of every replica: forgetting kept answers when any replica commits an
    // event, and announcing scheduled articles when their time comes.
    events::listener::spawn(
        state.pool.clone(),
        state.public_cache.clone(),
        state.wake_deliveries.clone(),
    );
    webhooks::worker::spawn(
        state.pool.clone(),
        state.config.events.clone(),
        state.wake_deliveries.clone(),
    );
    articles::schedule::spawn(state.pool.clone(), state.media_url().to_string());
    // The desk calls the API of this process on the first address it listens on.
    let first = listeners
        .first()
        .map(TcpListener::local_addr)
        .transpose()?
        .ok_or_else(|| std::io::Error::other("no address to listen on"))?;
    let desk = web::Data::new(desk::DeskState {
        api: desk::api::ApiClient::new(first).map_err(std::io::Error::other)?,
        secure_cookies: state.config.public_url.starts_with("https://"),
        session_secs: i64::try_from(state.config.refresh_token_ttl_secs).unwrap_or(i64::MAX),
    });
    let authenticator = web::Data::new(auth::Authenticator {
        pool: state.pool.clone(),
        jwt: state.jwt.clone(),
    });
    let state = web::Data::new(state);
    let app = move || {
        App::new()
            .into_utoipa_app()
            .configure(routes)
            .into_app()
            .route("/docs", web::get().to(docs_redirect))
            .configure(desk::routes)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
            .default_service(web::to(not_found))
            .app_data(state.clone())
            .app_data(authenticator.clone())
            .app_data(desk.clone())
            .app_data(table.clone())
            .app_data(json_config())
            .app_data(path_config())
            .app_data(query_config())
            .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
            .wrap(from_fn(middleware::request_context))
    };
    let mut builder = actix_server::Server::build()
        .shutdown_timeout(30)
        .disable_signals();
    // On a graceful stop, connections kept alive between requests close at once.
    let shutdown = builder.graceful_shutdown_signal();
    for listener in listeners {
        let addr = listener.local_addr()?;
        let (app, shutdown) = (app.clone(), shutdown.clone());
        builder = builder.listen(format!("bantin-{addr}"), listener, move || {
            let shutdown = shutdown.clone();
            let factory = app()
                .into_factory()
                .map_err(|err: actix_web::Error| err.as_response_error().error_response());
            let http = HttpService::build()
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .client_request_timeout(header_timeout)
                .local_addr(addr)
                .finish(map_config(factory, |()| {
                    actix_web::dev::AppConfig::default()
                }));
            fn_service(|io: actix_web::rt::net::TcpStream| async move {
                // Responses leave in more than one write (headers, then a file's chunks);
                // without TCP_NODELAY, Nagle's algorithm holds the last one back until the
                // client's delayed ACK, up to 40 ms per response.
                if let Err(e) = io.set_nodelay(true) {
                    tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                }
                let peer = io.peer_addr().ok();
                Ok::<_, actix_http::error::DispatchError>((
                    wire::ProblemIo::new(io),
                    Protocol::Http1,
                    peer,
                ))
            })
            .and_then(http)
        })?;
    }
    Ok(builder.run())
}

/// Builds the shared state from settings and a database URL.
pub fn state(
    config: Config,
    database_url: &str,
    jwt_secret: &config::Secret,
) -> Result<AppState, String> {
    let pool = db::pool(database_url, config.db_pool_size)?;
    let jwt = auth::jwt::JwtKeys::new(jwt_secret, config.access_token_ttl_secs);
    let public_cache = Arc::new(cache::PublicCache::new(config.public_cache_ttl_secs));
    let media_store = storage::from_config(&config.media, &config.data_dir)?;
    let image_slots = Arc::new(tokio::sync::Semaphore::new(config.media.workers));
    let image_memory = Arc::new(budget::MemoryBudget::new(config.media.memory_mib));
    Ok(AppState {
        csrf: auth::csrf::CsrfKeys::new(jwt_secret),
        wake_deliveries: Arc::new(tokio::sync::Notify::new()),
        pool,
        jwt,
        config: Arc::new(config),
        public_cache,
        media_store,
        image_slots,
        image_memory,
    })
}
