//! The S3 media backend against an S3-compatible server the test starts itself: moto's
//! server (PyPI `moto[s3,server]`), installed into `target/moto-venv` when the machine has
//! no `moto` yet.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use object_store::{ObjectStoreExt, aws::AmazonS3Builder, path::Path as ObjectPath};
use serde_json::Value;

use crate::articles::id;
use crate::helpers::{TestApp, problem};
use crate::photos::{jpeg, upload};

/// A Python with moto importable: the machine's, or a virtualenv made for the tests.
fn python_with_moto() -> PathBuf {
    let has_moto = |python: &std::path::Path| {
        Command::new(python)
            .args(["-c", "import moto.server"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let system = PathBuf::from("python3");
    if has_moto(&system) {
        return system;
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv");
    let python = venv.join("bin/python");
    if !has_moto(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(made.success(), "could not make {}", venv.display());
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "moto[s3,server]"])
            .status()
            .expect("pip install moto");
        assert!(installed.success(), "pip install 'moto[s3,server]' failed");
    }
    python
}

/// moto's server on a free port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python_with_moto())
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("{}/moto-api/", moto.endpoint))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return moto;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start on {}", moto.endpoint);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_s3_backend_stores_files_in_the_bucket_and_removes_them_with_the_photo() {
    let moto = start_moto().await;
    let bucket = "anh-hdnd";
    let res = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "create the bucket");
    let app = TestApp::spawn_with(&[
        ("BANTIN_MEDIA_BACKEND", "s3"),
        ("BANTIN_S3_BUCKET", bucket),
        ("BANTIN_S3_ENDPOINT", &moto.endpoint),
        ("BANTIN_S3_ACCESS_KEY_ID", "test"),
        ("BANTIN_S3_SECRET_ACCESS_KEY", "test-secret"),
        ("BANTIN_MEDIA_PUBLIC_URL", "https://cdn.laichau.gov.vn/anh"),
    ])
    .await;
    let token = app.token_for("editor").await;
    let bytes = jpeg(1800, 1200);
    let photo = upload(&app, &token, bytes.clone(), "Quang cảnh hội nghị").await;

    // URLs point at the configured public base; the objects are in the bucket.
    let prefix = "https://cdn.laichau.gov.vn/anh/";
    let store = AmazonS3Builder::new()
        .with_endpoint(&moto.endpoint)
        .with_allow_http(true)
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test-secret")
        .build()
        .unwrap();
    let mut keys = Vec::new();
    for url in std::iter::once(&photo["url"]).chain(
        photo["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["url"]),
    ) {
        let url = url.as_str().unwrap();
        let key = url.strip_prefix(prefix).unwrap_or_else(|| panic!("{url}"));
        let object = store.get(&ObjectPath::from(key)).await.unwrap();
        let content_type = object
            .attributes
            .get(&object_store::Attribute::ContentType)
            .cloned();
        let stored = object.bytes().await.unwrap();
        let img = image::load_from_memory(&stored).unwrap();
        assert!(img.width() <= 1800);
        assert_eq!(content_type.as_deref(), Some("image/jpeg"));
        keys.push(key.to_string());
    }
    let large = &photo["variants"][2];
    assert_eq!(large["width"], 1600);
    // Bantin does not serve files of the S3 backend itself.
    let local = format!("{}/media/{}", app.address, keys[0]);
    assert_eq!(app.client.get(&local).send().await.unwrap().status(), 404);

    // An identical upload shares the objects; deleting both photos removes them.
    let again: Value = upload(&app, &token, bytes, "Lần hai").await;
    assert_eq!(again["url"], photo["url"]);
    for p in [&photo, &again] {
        let res = app
            .delete(&format!("/photos/{}", id(p)), Some(&token))
            .await;
        assert_eq!(res.status(), 204);
    }
    for key in &keys {
        let gone = store.get(&ObjectPath::from(key.as_str())).await;
        assert!(
            matches!(gone, Err(object_store::Error::NotFound { .. })),
            "{key} was removed"
        );
    }
    problem(
        app.get(&format!("/photos/{}", id(&photo)), Some(&token))
            .await,
        404,
    )
    .await;

    // An agreement's PDF goes to the bucket too, its object carrying the download name.
    let res = app
        .post(
            "/agreements",
            Some(&token),
            &serde_json::json!({"doc_type": "quy_che", "title": "Quy chế phối hợp"}),
        )
        .await;
    let agreement: Value = res.json().await.unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
            .file_name("Quy chế 31B.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/agreements/{}/attachments", id(&agreement)),
            Some(&token),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let attachment: Value = res.json().await.unwrap();
    let key = attachment["url"]
        .as_str()
        .unwrap()
        .strip_prefix(prefix)
        .unwrap()
        .to_string();
    let object = store.get(&ObjectPath::from(key.as_str())).await.unwrap();
    let disposition = object
        .attributes
        .get(&object_store::Attribute::ContentDisposition)
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(
        disposition.contains("filename*=UTF-8''Quy%20ch%E1%BA%BF%2031B.pdf"),
        "{disposition}"
    );
}
