//! The desk's static files, compiled into the binary: its stylesheet, its one small script,
//! and htmx 2.0.11 (vendored from the `htmx.org` npm package, BSD Zero Clause licence in
//! `assets/htmx.LICENSE`). URLs carry a hash of the content, so browsers keep them for a year.

use std::sync::LazyLock;

use actix_web::{HttpResponse, get, web};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "desk.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/desk.css"),
    },
    Asset {
        name: "desk.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/desk.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/htmx.min.js"),
    },
];

/// Each asset's short content hash.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| hex::encode(&Sha256::digest(a.bytes)[..6]))
        .collect()
});

/// The URL of an asset, with its content hash.
pub fn url(name: &str) -> String {
    let version = ASSETS
        .iter()
        .position(|a| a.name == name)
        .map(|i| VERSIONS[i].as_str())
        .unwrap_or("0");
    format!("/admin/assets/{name}?v={version}")
}

#[get("/assets/{name}")]
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == name.as_str()) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header(("cache-control", "public, max-age=31536000, immutable"))
            .body(a.bytes),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file"),
    }
}
