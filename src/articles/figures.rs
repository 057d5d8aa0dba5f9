//! Photos inside article bodies.
//!
//! A body places a photo with `<figure data-photo="<photo id>"><figcaption>…</figcaption>
//! </figure>`: editors name the photo, not a file. On every read Bantin fills each such figure
//! with an `<img>` of that photo (`src` the `medium` variant, `srcset`/`sizes` over the
//! variants, `width`, `height`, `alt` from the photo, `loading="lazy"`), so a frontend can
//! render the body as it comes; an `<img>` stored inside such a figure is replaced, and a
//! figure whose photo is gone keeps its caption only.

use std::collections::HashMap;

use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::{ModelError, ModelResult};
use crate::photos;
use crate::photos::views::PhotoView;

/// How an opening figure tag that names a photo starts, as the sanitiser writes it (it keeps
/// no other attribute on `figure`).
const FIGURE_OPEN: &str = "<figure data-photo=\"";
const FIGURE_CLOSE: &str = "</figure>";

/// The variant whose file is the `src`, and whose size the `width`/`height`.
const SRC_VARIANT: &str = "medium";

#[derive(diesel::QueryableByName)]
struct PhotoJson {
    #[diesel(sql_type = Text)]
    json: String,
}

/// The `body` with its photo figures filled, reading the photos it names (one query, only
/// when it names any).
pub async fn fill(conn: &mut AsyncPgConnection, body: String, media: &str) -> ModelResult<String> {
    let ids = photo_ids(&body);
    if ids.is_empty() {
        return Ok(body);
    }
    let mut sql = photos::model::select_json(media);
    sql.push(" WHERE p.id = ANY(")
        .bind::<Array<SqlUuid>, _>(ids)
        .push(")");
    let mut images = HashMap::new();
    let rows: Vec<PhotoJson> = diesel_async::RunQueryDsl::load(sql, conn).await?;
    for found in rows {
        let photo: PhotoView = serde_json::from_str(&found.json).map_err(ModelError::internal)?;
        images.insert(photo.id.to_string(), img_tag(&photo));
    }
    Ok(fill_with(&body, |id| images.get(id).map(String::as_str)))
}

/// The photo ids the body's figures name (values that are not ids name nothing).
fn photo_ids(body: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = body
        .match_indices(FIGURE_OPEN)
        .filter_map(|(at, _)| {
            let value = &body[at + FIGURE_OPEN.len()..];
            let value = &value[..value.find('"')?];
            Uuid::parse_str(value).ok()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The `<img>` that shows `photo` in a body.
fn img_tag(photo: &PhotoView) -> String {
    let attr = |v: &str| html_escape::encode_double_quoted_attribute(v).into_owned();
    let src = photo
        .variants
        .iter()
        .find(|v| v.name == SRC_VARIANT)
        .or(photo.variants.first());
    let (url, width, height) = match src {
        Some(v) => (v.url.as_str(), v.width, v.height),
        None => (photo.url.as_str(), photo.width, photo.height),
    };
    // A small photo's variants share one file: each file once, by width.
    let mut candidates: Vec<(&str, i32)> = Vec::new();
    for v in &photo.variants {
        if !candidates.iter().any(|(u, _)| *u == v.url) {
            candidates.push((&v.url, v.width));
        }
    }
    let srcset: Vec<String> = candidates
        .iter()
        .map(|(u, w)| format!("{} {w}w", attr(u)))
        .collect();
    format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"(max-width: {width}px) 100vw, {width}px\" width=\"{width}\" height=\"{height}\" alt=\"{}\" loading=\"lazy\">",
        attr(url),
        srcset.join(", "),
        attr(&photo.alt_text),
    )
}

/// Fills each photo figure of a sanitised body with `image_of(id)`; any `<img>` inside a
/// photo figure is dropped.
fn fill_with<'a>(body: &str, image_of: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    let mut rest = body;
    while let Some(at) = rest.find(FIGURE_OPEN) {
        out.push_str(&rest[..at]);
        let figure = &rest[at..];
        // Not what the serialiser writes: leave the rest as it is.
        let Some(open_end) = tag_end(figure) else {
            out.push_str(figure);
            return out;
        };
        let (open, after_open) = figure.split_at(open_end);
        let Some(inner_len) = figure_content_len(after_open) else {
            out.push_str(figure);
            return out;
        };
        let id = &open[FIGURE_OPEN.len()..open.rfind('"').unwrap_or(FIGURE_OPEN.len())];
        out.push_str(open);
        if let Some(img) = image_of(id) {
            out.push_str(img);
        }
        out.push_str(&without_images(&after_open[..inner_len]));
        out.push_str(FIGURE_CLOSE);
        rest = &after_open[inner_len + FIGURE_CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

/// The length of a tag starting at `html[0] == '<'`, up to and including its `>` (a `>` inside
/// a double-quoted attribute value does not end it; the serialiser always double-quotes).
fn tag_end(html: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in html.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The length of a figure's content, up to its matching `</figure>` (figures may nest).
fn figure_content_len(html: &str) -> Option<usize> {
    let mut depth = 1;
    let mut at = 0;
    while at < html.len() {
        let next = html[at..].find('<')? + at;
        let tail = &html[next..];
        if tail.starts_with(FIGURE_CLOSE) {
            depth -= 1;
            if depth == 0 {
                return Some(next);
            }
            at = next + FIGURE_CLOSE.len();
        } else if tail.starts_with("<figure") {
            depth += 1;
            at = next + tag_end(tail)?;
        } else {
            at = next + tag_end(tail).unwrap_or(1);
        }
    }
    None
}

/// `html` without its `<img …>` tags.
fn without_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        let after = rest.as_bytes().get(at + 4).copied();
        let is_img = matches!(after, Some(b' ' | b'>' | b'/'));
        let end = if is_img { tag_end(&rest[at..]) } else { None };
        match end {
            Some(len) => {
                out.push_str(&rest[..at]);
                rest = &rest[at + len..];
            }
            None => {
                out.push_str(&rest[..at + 4]);
                rest = &rest[at + 4..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photos::views::PhotoVariant;

    const ID: &str = "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b30";

    fn photo() -> PhotoView {
        let variant = |name: &str, width, height| PhotoVariant {
            name: name.into(),
            width,
            height,
            url: format!("https://cdn.vn/media/3f/{name}.jpg"),
        };
        PhotoView {
            id: Uuid::parse_str(ID).unwrap(),
            url: "https://cdn.vn/media/3f/original.jpg".into(),
            mime_type: "image/jpeg".into(),
            width: 4000,
            height: 2667,
            size_bytes: 1,
            sha256: "3f".into(),
            caption: "Quang cảnh hội nghị".into(),
            alt_text: "Đại biểu dự \"hội nghị\" <phòng 1>".into(),
            credit: String::new(),
            taken_at: None,
            variants: vec![
                variant("thumb", 320, 213),
                variant("medium", 800, 533),
                variant("large", 1600, 1067),
            ],
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_photo_figure_gets_its_image_before_the_caption() {
        let img = img_tag(&photo());
        assert_eq!(
            img,
            "<img src=\"https://cdn.vn/media/3f/medium.jpg\" srcset=\"https://cdn.vn/media/3f/thumb.jpg 320w, https://cdn.vn/media/3f/medium.jpg 800w, https://cdn.vn/media/3f/large.jpg 1600w\" sizes=\"(max-width: 800px) 100vw, 800px\" width=\"800\" height=\"533\" alt=\"Đại biểu dự &quot;hội nghị&quot; &lt;phòng 1&gt;\" loading=\"lazy\">"
        );
        let body = format!(
            "<p>Trước</p><figure data-photo=\"{ID}\"><figcaption>Quang cảnh</figcaption></figure><p>Sau</p>"
        );
        let filled = fill_with(&body, |id| (id == ID).then_some(img.as_str()));
        assert_eq!(
            filled,
            format!(
                "<p>Trước</p><figure data-photo=\"{ID}\">{img}<figcaption>Quang cảnh</figcaption></figure><p>Sau</p>"
            )
        );
        assert_eq!(photo_ids(&body), [Uuid::parse_str(ID).unwrap()]);
    }

    #[test]
    fn a_stored_image_is_replaced_and_a_missing_photo_keeps_the_caption() {
        let body = format!(
            "<figure data-photo=\"{ID}\"><img src=\"x.jpg\" alt=\"a>b\"><figcaption>Ảnh</figcaption></figure><figure data-photo=\"gone\"><img src=\"y.jpg\"><figcaption>Mất</figcaption></figure><figure><img src=\"z.jpg\"></figure>"
        );
        let filled = fill_with(&body, |id| (id == ID).then_some("<img src=\"m.jpg\">"));
        assert_eq!(
            filled,
            format!(
                "<figure data-photo=\"{ID}\"><img src=\"m.jpg\"><figcaption>Ảnh</figcaption></figure><figure data-photo=\"gone\"><figcaption>Mất</figcaption></figure><figure><img src=\"z.jpg\"></figure>"
            )
        );
    }

    #[test]
    fn nested_figures_and_unclosed_ones_do_not_lose_text() {
        let body = format!(
            "<figure data-photo=\"{ID}\"><figure><p>trong</p></figure><figcaption>ngoài</figcaption></figure><p>cuối</p>"
        );
        let filled = fill_with(&body, |_| Some("<img>"));
        assert_eq!(
            filled,
            format!(
                "<figure data-photo=\"{ID}\"><img><figure><p>trong</p></figure><figcaption>ngoài</figcaption></figure><p>cuối</p>"
            )
        );
        let broken = format!("<p>a</p><figure data-photo=\"{ID}\"><figcaption>b");
        assert_eq!(fill_with(&broken, |_| Some("<img>")), broken);
    }

    #[test]
    fn the_same_file_is_listed_once_in_srcset() {
        let mut small = photo();
        for v in &mut small.variants {
            v.url = "https://cdn.vn/media/3f/original.jpg".into();
            v.width = 300;
            v.height = 200;
        }
        let img = img_tag(&small);
        assert!(
            img.contains("srcset=\"https://cdn.vn/media/3f/original.jpg 300w\""),
            "{img}"
        );
    }
}
