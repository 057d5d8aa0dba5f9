//! Access tokens: only HS256 with our secret, issuer and audience, and not expired.

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp, problem};

/// A valid token's claims, for tampering with.
async fn claims(app: &TestApp) -> Value {
    let token = app.admin_token().await;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn sign(alg: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn refused(app: &TestApp, token: &str) {
    let res = app.get("/auth/me", Some(token)).await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correctly_signed_token_is_accepted() {
    let app = TestApp::spawn().await;
    let c = claims(&app).await;
    assert_eq!(
        app.get("/auth/me", Some(&sign(Algorithm::HS256, &c, JWT_SECRET)))
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alg_none_is_refused() {
    let app = TestApp::spawn().await;
    let c = claims(&app).await;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&c)
    );
    refused(&app, &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_algorithms_are_refused() {
    let app = TestApp::spawn().await;
    let c = claims(&app).await;
    refused(&app, &sign(Algorithm::HS512, &c, JWT_SECRET)).await;
    refused(&app, &sign(Algorithm::HS384, &c, JWT_SECRET)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_is_refused() {
    let app = TestApp::spawn().await;
    let c = claims(&app).await;
    refused(
        &app,
        &sign(
            Algorithm::HS256,
            &c,
            "another-secret-that-is-long-enough-42",
        ),
    )
    .await;
    // The signature's last character changed (to another one that carries signature bits:
    // a token already ending in `A` would otherwise stay valid one time in sixteen).
    let mut token = sign(Algorithm::HS256, &c, JWT_SECRET);
    let last = token.pop();
    token.push(if last == Some('A') { 'E' } else { 'A' });
    refused(&app, &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_issuer_or_audience_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = claims(&app).await;
    c["iss"] = json!("someone-else");
    refused(&app, &sign(Algorithm::HS256, &c, JWT_SECRET)).await;
    let mut c = claims(&app).await;
    c["aud"] = json!("another-api");
    refused(&app, &sign(Algorithm::HS256, &c, JWT_SECRET)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = claims(&app).await;
    let now = jsonwebtoken::get_current_timestamp();
    c["iat"] = json!(now - 3600);
    c["exp"] = json!(now - 5);
    refused(&app, &sign(Algorithm::HS256, &c, JWT_SECRET)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_other_schemes_are_refused() {
    let app = TestApp::spawn().await;
    refused(&app, "not-a-jwt").await;
    let res = app
        .client
        .get(app.url("/auth/me"))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    problem(res, 401).await;
}
