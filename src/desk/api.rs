//! The desk is a client of Bantin's own HTTP API, as the admin apps of Directus, Strapi and
//! Ghost are of theirs, except that it renders on the server. Every read and every change a
//! page makes is a request to `/api/v1` on this process, authenticated with an access token
//! of the signed-in browser's login session. So the API's rules apply as they are (roles,
//! validation, `If-Match`, events, audit, cache invalidation): nothing the API refuses is
//! possible in the desk, and no rule has a second home.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::DeskError;

/// Where the API is reached from the desk: the first address this process listens on.
#[derive(Clone)]
pub struct ApiClient {
    client: reqwest::Client,
    base: String,
}

impl ApiClient {
    pub fn new(listening: SocketAddr) -> Result<ApiClient, String> {
        // An unspecified address (0.0.0.0, ::) is reached on the loopback of its family.
        let ip = match listening.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| format!("cannot build the desk's API client: {e}"))?;
        Ok(ApiClient {
            client,
            base: format!("http://{}/api/v1", SocketAddr::new(ip, listening.port())),
        })
    }

    /// The client for one desk request: its session's access token and request id.
    pub fn with(&self, token: String, request_id: Option<String>) -> Api {
        Api {
            client: self.client.clone(),
            base: self.base.clone(),
            token,
            request_id,
        }
    }
}

/// An API answer that succeeded (2xx or 304).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Value,
}

impl Answer {
    /// The `data` of a list answer.
    pub fn items(&self) -> &[Value] {
        self.body["data"].as_array().map_or(&[], Vec::as_slice)
    }

    pub fn next_cursor(&self) -> Option<&str> {
        self.body["meta"]["next_cursor"].as_str()
    }
}

/// The API as one signed-in user sees it.
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
    request_id: Option<String>,
}

impl Api {
    pub async fn get(&self, path: &str) -> Result<Answer, DeskError> {
        self.send(Method::GET, path, None, None::<&()>).await
    }

    pub async fn post(&self, path: &str, body: &impl Serialize) -> Result<Answer, DeskError> {
        self.send(Method::POST, path, None, Some(body)).await
    }

    /// A POST based on a version read (`If-Match`).
    pub async fn post_if(
        &self,
        path: &str,
        if_match: Option<&str>,
        body: &impl Serialize,
    ) -> Result<Answer, DeskError> {
        self.send(Method::POST, path, if_match, Some(body)).await
    }

    pub async fn patch(
        &self,
        path: &str,
        if_match: Option<&str>,
        body: &impl Serialize,
    ) -> Result<Answer, DeskError> {
        self.send(Method::PATCH, path, if_match, Some(body)).await
    }

    pub async fn put(
        &self,
        path: &str,
        if_match: Option<&str>,
        body: &impl Serialize,
    ) -> Result<Answer, DeskError> {
        self.send(Method::PUT, path, if_match, Some(body)).await
    }

    pub async fn delete(&self, path: &str, if_match: Option<&str>) -> Result<Answer, DeskError> {
        self.send(Method::DELETE, path, if_match, None::<&()>).await
    }

    /// A request with a body made elsewhere (an upload streamed through).
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(id) = &self.request_id {
            builder = builder.header("x-request-id", id);
        }
        builder
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        if_match: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<Answer, DeskError> {
        let mut builder = self.raw(method, path);
        if let Some(tag) = if_match {
            builder = builder.header("if-match", tag);
        }
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| DeskError::Internal(e.to_string()))?;
            builder = builder
                .header("content-type", "application/json")
                .body(bytes);
        }
        answer(builder.send().await).await
    }
}

/// An API response as the desk sees it: an [`Answer`], or the problem as a [`DeskError`].
pub async fn answer(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<Answer, DeskError> {
    let response =
        response.map_err(|e| DeskError::Internal(format!("the API did not answer: {e}")))?;
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let bytes = response
        .bytes()
        .await
        .map_err(|e| DeskError::Internal(format!("the API's answer was cut: {e}")))?;
    let body = match bytes.is_empty() {
        true => Value::Null,
        false => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    };
    match status {
        200..=399 => Ok(Answer { status, etag, body }),
        _ => Err(DeskError::Api {
            status,
            problem: body,
        }),
    }
}
