//! `/photos` and `/media/…`: uploads checked from their bytes, limits, metadata stripped,
//! orientation applied, variants, shared files, life cycle, roles, and articles' photos.

use std::io::Cursor;

use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::articles::{article, id};
use crate::helpers::{TestApp, fields, problem};

/// EXIF (little-endian TIFF): Orientation = 6 (turn 90° clockwise to show), and a GPS
/// position 21°1'30" N 105°51'0" E.
const EXIF_ROTATED_WITH_GPS: &str = "49492a000800000002001201030001000000060000002588040001000000260000000000000004000100020002000000\
4e00000002000500030000005c0000000300020002000000450000000400050003000000740000000000000015000000\
0100000001000000010000001e00000001000000690000000100000033000000010000000000000001000000";

/// A photo-like test image: a gradient with a bright block in the top-left corner, so
/// orientation can be checked from the pixels.
pub fn picture(width: u32, height: u32) -> DynamicImage {
    let img = RgbImage::from_fn(width, height, |x, y| {
        if x < width / 4 && y < height / 4 {
            Rgb([250, 250, 250])
        } else {
            Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
        }
    });
    DynamicImage::ImageRgb8(img)
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&picture(width, height), ImageFormat::Jpeg)
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG whose pixels are stored lying on their side, with EXIF saying to turn them, and a
/// GPS position.
fn rotated_jpeg_with_gps(stored_width: u32, stored_height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    encoder
        .set_exif_metadata(hex::decode(EXIF_ROTATED_WITH_GPS).unwrap())
        .unwrap();
    let img = picture(stored_width, stored_height).to_rgb8();
    encoder
        .write_image(
            img.as_raw(),
            stored_width,
            stored_height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn form(bytes: Vec<u8>, file_name: &str, mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(mime)
            .unwrap(),
    )
}

pub async fn upload_form(app: &TestApp, token: Option<&str>, form: Form) -> Response {
    app.request(Method::POST, "/photos", token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads a JPEG as `token`; panics unless 201. Returns the photo.
pub async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, caption: &str) -> Value {
    let res = upload_form(
        app,
        Some(token),
        form(bytes, "anh.jpg", "image/jpeg").text("caption", caption.to_string()),
    )
    .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "upload: {text}");
    serde_json::from_str(&text).unwrap()
}

/// `/media/…` of a photo URL (the tests' server listens on another port than the URL's).
fn media_path(url: &Value) -> String {
    let url = url.as_str().unwrap();
    let at = url.find("/media/").expect("a /media/ URL");
    url[at..].to_string()
}

async fn fetch(app: &TestApp, url: &Value) -> Response {
    app.client
        .get(format!("{}{}", app.address, media_path(url)))
        .send()
        .await
        .unwrap()
}

async fn fetch_bytes(app: &TestApp, url: &Value) -> Vec<u8> {
    let res = fetch(app, url).await;
    assert_eq!(res.status(), 200, "{url}");
    res.bytes().await.unwrap().to_vec()
}

fn variant<'a>(photo: &'a Value, name: &str) -> &'a Value {
    photo["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Files stored under the app's local media directory.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        match std::fs::read_dir(dir) {
            Err(_) => 0,
            Ok(entries) => entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { count(&p) } else { 1 })
                .sum(),
        }
    }
    count(&app.data_dir().join("media"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jpeg_upload_gets_three_variants_served_for_a_year() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    let bytes = jpeg(2000, 1500);
    let res = upload_form(
        &app,
        Some(&token),
        form(bytes.clone(), "anh.jpg", "image/jpeg")
            .text("caption", "Quang cảnh hội nghị")
            .text("credit", "Ban Dân vận Tỉnh ủy")
            .text("taken_at", "2021-08-30T08:00:00Z"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(res.headers().contains_key("etag"));
    let photo: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/photos/{}", id(&photo)));
    assert_eq!(photo["mime_type"], "image/jpeg");
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(2000), Some(1500))
    );
    assert_eq!(photo["sha256"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(photo["caption"], "Quang cảnh hội nghị");
    assert_eq!(photo["taken_at"], "2021-08-30T08:00:00Z");
    assert_eq!(photo["version"], 1);
    let names: Vec<&str> = photo["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["thumb", "medium", "large"]);
    for (name, w, h) in [
        ("thumb", 320, 240),
        ("medium", 800, 600),
        ("large", 1600, 1200),
    ] {
        let v = variant(&photo, name);
        assert_eq!(
            (v["width"].as_i64(), v["height"].as_i64()),
            (Some(w), Some(h)),
            "{name}"
        );
        let res = fetch(&app, &v["url"]).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(res.headers().contains_key("etag"));
        let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (w as u32, h as u32), "{name}");
    }
    // The original is served too, and anyone may fetch files (no credentials here).
    let original = image::load_from_memory(&fetch_bytes(&app, &photo["url"]).await).unwrap();
    assert_eq!((original.width(), original.height()), (2000, 1500));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_jpeg_is_turned_upright_and_loses_its_gps_position() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    // Stored 600×400 lying on its side; EXIF orientation 6 means it shows 400×600.
    let bytes = rotated_jpeg_with_gps(600, 400);
    assert!(contains(&bytes, b"Exif\0\0"), "the test file carries EXIF");
    let photo = upload(&app, &token, bytes, "").await;
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(400), Some(600))
    );
    let files = [
        &photo["url"],
        &variant(&photo, "thumb")["url"],
        &variant(&photo, "medium")["url"],
        &variant(&photo, "large")["url"],
    ];
    for url in files {
        let served = fetch_bytes(&app, url).await;
        assert!(!contains(&served, b"Exif"), "{url}: no EXIF block");
        // The GPS rational 21/1 as stored in the EXIF block.
        assert!(
            !contains(&served, &hex::decode("150000000100000001000000").unwrap()),
            "{url}: no GPS data"
        );
        let img = image::load_from_memory(&served).unwrap();
        assert!(img.height() > img.width(), "{url}: upright");
    }
    // Turned clockwise: the bright top-left block of the stored pixels is now top-right.
    let served = image::load_from_memory(&fetch_bytes(&app, &photo["url"]).await)
        .unwrap()
        .to_rgb8();
    let top_right = served.get_pixel(400 - 10, 10);
    let top_left = served.get_pixel(10, 10);
    assert!(
        top_right[0] > 200 && top_left[0] < 200,
        "{top_left:?} {top_right:?}"
    );
    let thumb = variant(&photo, "thumb");
    assert_eq!(
        (thumb["width"].as_i64(), thumb["height"].as_i64()),
        (Some(213), Some(320))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn png_and_webp_are_accepted_and_metadata_leaves_png() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    // A PNG with a text chunk (where tools put XMP and comments).
    let png = encode(&picture(900, 300), ImageFormat::Png);
    let mut parts = img_parts::png::Png::from_bytes(png.into()).unwrap();
    parts.chunks_mut().insert(
        1,
        img_parts::png::PngChunk::new(*b"tEXt", "Comment\0Toa do: 21.025N 105.85E".into()),
    );
    let png = parts.encoder().bytes().to_vec();
    let res = upload_form(&app, Some(&token), form(png, "anh.png", "image/png")).await;
    assert_eq!(res.status(), 201);
    let photo: Value = res.json().await.unwrap();
    assert_eq!(photo["mime_type"], "image/png");
    let served = fetch_bytes(&app, &photo["url"]).await;
    assert!(!contains(&served, b"Toa do"), "text chunks are removed");
    let res = fetch(&app, &variant(&photo, "medium")["url"]).await;
    assert_eq!(res.headers()["content-type"], "image/png");
    // The large variant would be the original's size: it is the original.
    assert_eq!(variant(&photo, "large")["url"], photo["url"]);
    assert_eq!(variant(&photo, "large")["width"], 900);

    let webp = encode(&picture(1000, 500), ImageFormat::WebP);
    let res = upload_form(&app, Some(&token), form(webp, "anh.webp", "image/webp")).await;
    assert_eq!(res.status(), 201);
    let photo: Value = res.json().await.unwrap();
    assert_eq!(photo["mime_type"], "image/webp");
    assert_eq!(
        fetch(&app, &photo["url"]).await.headers()["content-type"],
        "image/webp"
    );
    let medium = variant(&photo, "medium");
    assert_eq!(
        (medium["width"].as_i64(), medium["height"].as_i64()),
        (Some(800), Some(400))
    );
    assert_eq!(
        fetch(&app, &medium["url"]).await.headers()["content-type"],
        "image/jpeg"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_file_named_jpg_is_refused_with_415() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    let res = upload_form(
        &app,
        Some(&token),
        form(
            b"day khong phai la anh, chi la van ban".to_vec(),
            "anh.jpg",
            "image/jpeg",
        ),
    )
    .await;
    problem(res, 415).await;
    // A GIF is an image, but not one Bantin takes.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    problem(
        upload_form(&app, Some(&token), form(gif, "anh.jpg", "image/jpeg")).await,
        415,
    )
    .await;
    // Not multipart at all.
    let res = app
        .request(Method::POST, "/photos", Some(&token))
        .header("content-type", "image/jpeg")
        .body(jpeg(10, 10))
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pixel_bomb_is_refused_from_its_header() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    // A real 1×1 PNG whose header then claims 20000×20000 (400 megapixels).
    let png = encode(&picture(1, 1), ImageFormat::Png);
    let mut parts = img_parts::png::Png::from_bytes(png.into()).unwrap();
    let ihdr = parts.chunk_by_type(*b"IHDR").unwrap().contents().to_vec();
    let mut claimed = ihdr.clone();
    claimed[0..4].copy_from_slice(&20_000u32.to_be_bytes());
    claimed[4..8].copy_from_slice(&20_000u32.to_be_bytes());
    for chunk in parts.chunks_mut() {
        if chunk.kind() == *b"IHDR" {
            *chunk = img_parts::png::PngChunk::new(*b"IHDR", claimed.clone().into());
        }
    }
    let bomb = parts.encoder().bytes().to_vec();
    assert!(bomb.len() < 1000);
    // Its pixels do not exist: only a check of the header can answer `too_many_pixels`.
    let res = upload_form(&app, Some(&token), form(bomb, "bom.png", "image/png")).await;
    let body = problem(res, 422).await;
    assert_eq!(body["errors"][0]["code"], "too_many_pixels");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("400000000")
    );
    // The limit is configurable.
    let app = TestApp::spawn_with(&[("BANTIN_MEDIA_MAX_PIXELS", "10000")]).await;
    let token = app.token_for("author").await;
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(200, 100), "a.jpg", "image/jpeg"),
    )
    .await;
    problem(res, 422).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_needing_more_memory_than_uploads_may_use_is_refused() {
    let app = TestApp::spawn_with(&[("BANTIN_MEDIA_MEMORY_MB", "16")]).await;
    let token = app.token_for("author").await;
    // 3000 × 2000 RGB: 17 MiB of decoded pixels alone.
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(3000, 2000), "lon.jpg", "image/jpeg"),
    )
    .await;
    let body = problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], "file");
    assert_eq!(body["errors"][0]["code"], "too_large_to_decode");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("16 MB"), "{message}");
    assert_eq!(stored_files(&app), 0);
    // A smaller one fits.
    upload(&app, &token, jpeg(600, 400), "Ảnh nhỏ").await;
    assert_eq!(stored_files(&app), 2, "the original and its thumb");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_upload_is_refused_with_413_while_it_is_read() {
    let app = TestApp::spawn_with(&[("BANTIN_MEDIA_MAX_BYTES", "100000")]).await;
    let token = app.token_for("author").await;
    // A JPEG start, then more bytes than the limit.
    let mut big = jpeg(64, 64);
    big.resize(150_000, 0x55);
    let res = upload_form(&app, Some(&token), form(big, "lon.jpg", "image/jpeg")).await;
    let body = problem(res, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("100000"));
    assert_eq!(stored_files(&app), 0);
    // Just under the limit passes.
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(64, 64), "nho.jpg", "image/jpeg"),
    )
    .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_form_is_a_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    let res = upload_form(
        &app,
        Some(&token),
        Form::new().text("caption", "Không có tệp"),
    )
    .await;
    assert_eq!(fields(&problem(res, 400).await), ["file"]);
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(10, 10), "a.jpg", "image/jpeg").text("tieu_de", "x"),
    )
    .await;
    assert_eq!(fields(&problem(res, 400).await), ["tieu_de"]);
    let res = upload_form(&app, Some(&token), form(Vec::new(), "a.jpg", "image/jpeg")).await;
    assert_eq!(fields(&problem(res, 422).await), ["file"]);
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(10, 10), "a.jpg", "image/jpeg").text("taken_at", "hôm qua"),
    )
    .await;
    assert_eq!(fields(&problem(res, 422).await), ["taken_at"]);
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(10, 10), "a.jpg", "image/jpeg").text("credit", "x".repeat(201)),
    )
    .await;
    assert_eq!(fields(&problem(res, 422).await), ["credit"]);
}

/// The codes of a problem's `errors[]`.
fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_with_the_image_under_another_name_is_one_400_naming_both() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    let image = || {
        Part::bytes(jpeg(10, 10))
            .file_name("a.jpg")
            .mime_str("image/jpeg")
            .unwrap()
    };
    // `image` instead of `file`: the unknown part and the missing `file`, in one answer.
    let res = upload_form(&app, Some(&token), Form::new().part("image", image())).await;
    let body = problem(res, 400).await;
    assert_eq!(fields(&body), ["image", "file"]);
    assert_eq!(codes(&body), ["unknown_field", "required"]);
    // Wherever the unknown part is, and with every unknown part named once.
    let res = upload_form(
        &app,
        Some(&token),
        Form::new()
            .text("caption", "Ảnh")
            .part("image", image())
            .text("ghi_chu", "x")
            .text("ghi_chu", "y"),
    )
    .await;
    assert_eq!(
        fields(&problem(res, 400).await),
        ["image", "ghi_chu", "file"]
    );
    // Beside a `file`, before or after it, only the unknown part is wrong.
    let res = upload_form(
        &app,
        Some(&token),
        Form::new().part("image", image()).part("file", image()),
    )
    .await;
    assert_eq!(fields(&problem(res, 400).await), ["image"]);
    let res = upload_form(
        &app,
        Some(&token),
        Form::new().part("file", image()).part("image", image()),
    )
    .await;
    assert_eq!(fields(&problem(res, 400).await), ["image"]);
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identical_upload_shares_the_files_until_the_last_photo_goes() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let bytes = jpeg(1000, 800);
    let first = upload(&app, &token, bytes.clone(), "Lần một").await;
    let files = stored_files(&app);
    assert_eq!(files, 3, "original (also the large variant), thumb, medium");
    let second = upload(&app, &token, bytes, "Lần hai").await;
    assert_ne!(id(&first), id(&second));
    assert_eq!(first["sha256"], second["sha256"]);
    assert_eq!(first["url"], second["url"]);
    assert_eq!(stored_files(&app), files, "nothing stored twice");

    let res = app
        .delete(&format!("/photos/{}", id(&first)), Some(&token))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        fetch(&app, &second["url"]).await.status(),
        200,
        "still used"
    );
    assert_eq!(
        app.get(&format!("/photos/{}", id(&first)), Some(&token))
            .await
            .status(),
        404
    );
    let res = app
        .delete(&format!("/photos/{}", id(&second)), Some(&token))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(stored_files(&app), 0, "the last photo took its files");
    problem(fetch(&app, &second["url"]).await, 404).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_upload_leaves_no_row_and_no_file() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    // The database refuses the photo after its files were stored.
    app.sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$",
    )
    .await;
    app.sql("CREATE TRIGGER refuse BEFORE INSERT ON photos FOR EACH ROW EXECUTE FUNCTION refuse()")
        .await;
    let res = upload_form(
        &app,
        Some(&token),
        form(jpeg(900, 600), "a.jpg", "image/jpeg"),
    )
    .await;
    let body = problem(res, 500).await;
    assert!(
        !body.to_string().contains("refused for the test"),
        "no internals"
    );
    assert_eq!(stored_files(&app), 0, "the stored files were removed");
    app.sql("DROP TRIGGER refuse ON photos").await;
    let token = app.token_for("editor").await;
    let page: Value = app.get("/photos", Some(&token)).await.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_are_for_authors_and_above_and_files_for_everyone() {
    let app = TestApp::spawn().await;
    let author = app.token_for("author").await;
    let photo = upload(&app, &author, jpeg(400, 300), "Ảnh").await;
    let path = format!("/photos/{}", id(&photo));
    problem(app.get("/photos", None).await, 401).await;
    problem(app.get(&path, None).await, 401).await;
    problem(
        upload_form(&app, None, form(jpeg(10, 10), "a.jpg", "image/jpeg")).await,
        401,
    )
    .await;
    assert_eq!(fetch(&app, &photo["url"]).await.status(), 200);
    assert_eq!(app.get(&path, Some(&author)).await.status(), 200);

    // Another author may not change or delete it; an editor may.
    let other = app.token_for("author").await;
    problem(
        app.patch(&path, Some(&other), &json!({"caption": "x"}))
            .await,
        403,
    )
    .await;
    problem(app.delete(&path, Some(&other)).await, 403).await;
    problem(
        app.delete(&format!("{path}?force=true"), Some(&author))
            .await,
        403,
    )
    .await;
    let editor = app.token_for("editor").await;
    let res = app
        .patch(
            &path,
            Some(&editor),
            &json!({"credit": "Văn phòng HĐND tỉnh"}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // A read-only API token reads but does not upload.
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "doc", "scope": "read"}),
        )
        .await;
    let read: Value = res.json().await.unwrap();
    let read = read["token"].as_str().unwrap();
    assert_eq!(app.get("/photos", Some(read)).await.status(), 200);
    problem(
        upload_form(&app, Some(read), form(jpeg(10, 10), "a.jpg", "image/jpeg")).await,
        403,
    )
    .await;
    // Paths outside the media directory are never served.
    for bad in [
        "/media/../jwt-secret",
        "/media/%2e%2e/jwt-secret",
        "/media/x.txt",
    ] {
        let res = app
            .client
            .get(format!("{}{bad}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn media_files_answer_304_and_byte_ranges() {
    let app = TestApp::spawn().await;
    let token = app.token_for("author").await;
    let photo = upload(&app, &token, jpeg(1000, 700), "").await;
    let url = format!(
        "{}{}",
        app.address,
        media_path(&variant(&photo, "medium")["url"])
    );
    let res = app.client.get(&url).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let whole = res.bytes().await.unwrap();
    let res = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = app
        .client
        .get(&url)
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"].to_str().unwrap(),
        format!("bytes 0-99/{}", whole.len())
    );
    assert_eq!(res.bytes().await.unwrap(), whole.slice(0..100));
}

#[tokio::test(flavor = "multi_thread")]
async fn descriptions_are_edited_with_if_match_and_searched_without_diacritics() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let a = upload(&app, &token, jpeg(300, 200), "Quang cảnh hội nghị").await;
    let _b = upload(
        &app,
        &token,
        jpeg(301, 200),
        "Hai bên ký kết chương trình phối hợp",
    )
    .await;
    let path = format!("/photos/{}", id(&a));
    let res = app.get(&path, Some(&token)).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    // NFD input is stored as NFC.
    let nfd = "Đại biểu dự hội nghị";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfd).collect();
    let res = app
        .request(Method::PATCH, &path, Some(&token))
        .header("if-match", &etag)
        .json(&json!({"alt_text": nfd, "taken_at": "2021-08-30T08:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["alt_text"], "Đại biểu dự hội nghị");
    assert_eq!(updated["version"], 2);
    let res = app
        .request(Method::PATCH, &path, Some(&token))
        .header("if-match", &etag)
        .json(&json!({"caption": "cũ"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let res = app
        .patch(&path, Some(&token), &json!({"taken_at": null}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["taken_at"], Value::Null);
    problem(
        app.patch(&path, Some(&token), &json!({"width": 5})).await,
        400,
    )
    .await;

    for q in ["quang canh", "QUANG CẢNH", "dai bieu"] {
        let page: Value = app
            .get(&format!("/photos?q={}", urlencode(q)), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<String> = page["data"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(ids, [id(&a)], "{q}");
    }
    let page: Value = app
        .get("/photos?limit=1&with_total=true", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["meta"]["total"], 2);
    let cursor = page["meta"]["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(&format!("/photos?limit=1&cursor={cursor}"), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        id(&next["data"][0]),
        id(&a),
        "newest first, then the older one"
    );
    problem(app.get("/photos?sort=caption", Some(&token)).await, 400).await;
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_show_their_cover_and_captioned_gallery() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let cover = upload(&app, &editor, jpeg(1200, 800), "Quang cảnh hội nghị").await;
    let signing = upload(&app, &editor, jpeg(1000, 800), "Ký kết").await;
    let created = article(
        &app,
        &editor,
        json!({
            "title": "Hội nghị tổng kết Quy chế phối hợp", "status": "published",
            "cover_photo_id": id(&cover),
            "photos": [
                {"photo_id": id(&signing), "caption": "Hai bên ký kết chương trình phối hợp hoạt động giai đoạn 2021 - 2026", "position": 2},
                {"photo_id": id(&cover), "caption": "Quang cảnh hội nghị", "position": 1}
            ]
        }),
    )
    .await;
    assert_eq!(created["cover_photo"]["id"], id(&cover));
    assert_eq!(created["cover_photo"]["variants"][1]["name"], "medium");
    let gallery = created["photos"].as_array().unwrap();
    assert_eq!(gallery.len(), 2);
    assert_eq!(gallery[0]["caption"], "Quang cảnh hội nghị");
    assert_eq!(gallery[0]["position"], 1);
    assert_eq!(gallery[1]["photo"]["id"], id(&signing));
    assert_eq!(
        gallery[1]["photo"]["caption"], "Ký kết",
        "the photo keeps its own caption"
    );

    // Anonymous readers see them; lists embed the cover only.
    let path = format!("/articles/{}", id(&created));
    let public: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(public["photos"], created["photos"]);
    let list: Value = app.get("/articles", None).await.json().await.unwrap();
    assert_eq!(list["data"][0]["cover_photo"]["id"], id(&cover));
    assert!(list["data"][0].get("photos").is_none());

    // Unknown photos are named; duplicate positions too.
    let res = app
        .patch(&path, Some(&editor), &json!({"cover_photo_id": uuid::Uuid::now_v7(), "photos": [
            {"photo_id": id(&cover), "position": 1}, {"photo_id": uuid::Uuid::now_v7(), "position": 2}]}))
        .await;
    assert_eq!(
        fields(&problem(res, 422).await),
        ["cover_photo_id", "photos.1.photo_id"]
    );
    let res = app
        .patch(
            &path,
            Some(&editor),
            &json!({"photos": [
            {"photo_id": id(&cover), "position": 1}, {"photo_id": id(&signing), "position": 1}]}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["photos.1.position"]);

    // A revision keeps the photos; removing them is a new version.
    let res = app
        .patch(
            &path,
            Some(&editor),
            &json!({"cover_photo_id": null, "photos": []}),
        )
        .await;
    let now: Value = res.json().await.unwrap();
    assert_eq!(now["cover_photo"], Value::Null);
    assert_eq!(now["photos"], json!([]));
    let old: Value = app
        .get(&format!("{path}/revisions/1"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["cover_photo"]["id"], id(&cover));
    assert_eq!(old["photos"].as_array().unwrap().len(), 2);
    let res = app
        .post(
            &format!("{path}/revisions/1/restore"),
            Some(&editor),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let restored: Value = res.json().await.unwrap();
    assert_eq!(restored["photos"], created["photos"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_in_use_is_deleted_only_by_force_which_takes_it_off() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let photo = upload(&app, &editor, jpeg(500, 400), "Ảnh").await;
    let a = article(
        &app,
        &editor,
        json!({"title": "Bìa", "status": "published", "cover_photo_id": id(&photo)}),
    )
    .await;
    let b = article(
        &app,
        &editor,
        json!({"title": "Thư viện", "photos": [{"photo_id": id(&photo), "caption": "Ảnh"}]}),
    )
    .await;
    let path = format!("/photos/{}", id(&photo));
    let body = problem(app.delete(&path, Some(&editor)).await, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("2 article"));
    assert_eq!(fetch(&app, &photo["url"]).await.status(), 200);

    assert_eq!(
        app.delete(&format!("{path}?force=true"), Some(&editor))
            .await
            .status(),
        204
    );
    let a: Value = app
        .get(&format!("/articles/{}", id(&a)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["cover_photo"], Value::Null);
    let b: Value = app
        .get(&format!("/articles/{}", id(&b)), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(b["photos"], json!([]));
    problem(fetch(&app, &photo["url"]).await, 404).await;
    // Restoring a version that used it leaves the deleted photo out.
    let res = app
        .patch(
            &format!("/articles/{}", id(&b)),
            Some(&editor),
            &json!({"title": "Thư viện mới"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_of_articles_embeds_covers_in_the_same_number_of_queries() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let photo = upload(&app, &editor, jpeg(400, 300), "Bìa").await;
    let mut counts = Vec::new();
    for n in [2, 12] {
        while count_articles(&app).await < n {
            article(
                &app,
                &editor,
                json!({"title": format!("Tin {}", uuid::Uuid::now_v7()), "status": "published", "cover_photo_id": id(&photo)}),
            )
            .await;
        }
        let res = app.get("/articles?limit=50", Some(&editor)).await;
        let timing = res.headers()["server-timing"].to_str().unwrap().to_string();
        let page: Value = res.json().await.unwrap();
        assert!(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["cover_photo"]["id"] == id(&photo))
        );
        counts.push(timing);
    }
    assert_eq!(counts[0], counts[1]);
}

async fn count_articles(app: &TestApp) -> usize {
    let page: Value = app
        .get("/articles?limit=100", None)
        .await
        .json()
        .await
        .unwrap();
    page["data"].as_array().unwrap().len()
}
