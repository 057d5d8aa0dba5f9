//! The demo's photos: a generated placeholder image for each, stored as an upload would be.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::ApiError;
use crate::events::{self, Actor, Verb};
use crate::photos::imaging;
use crate::photos::model::{self as model, Description};
use crate::storage::MediaStore;

use super::Tally;
use super::fixture::DemoPhoto;

/// Where the demo's photos go.
pub(super) struct Media<'a> {
    pub(super) store: &'a dyn MediaStore,
    pub(super) max_pixels: u64,
}

/// A placeholder for a demo photo: a 1200×800 JPEG, the same bytes on every run (so a
/// second run finds the stored file by its hash), its colours drawn from the photo's key.
fn placeholder(key: &str) -> Result<Vec<u8>, ApiError> {
    let seed = key
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let tint = [
        (seed % 160) as u8 + 60,
        (seed / 7 % 160) as u8 + 60,
        (seed / 49 % 160) as u8 + 60,
    ];
    let (width, height) = (1200u32, 800u32);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let shade = |c: u8, t: u32| (u32::from(c) * (200 + t) / 400) as u8;
        image::Rgb([
            shade(tint[0], x * 200 / width),
            shade(tint[1], y * 200 / height),
            shade(tint[2], (x + y) * 100 / (width + height)),
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .map_err(ApiError::internal)?;
    Ok(out)
}

/// The demo's photos, found by their placeholder's hash and caption, or uploaded as the API
/// would (metadata-free original, three variants). Returns their ids by key.
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &[DemoPhoto],
    author: Uuid,
    media: &Media<'_>,
    url: &str,
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = HashMap::new();
    for photo in demo {
        let bytes = placeholder(&photo.key)?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let description = Description {
            caption: photo.caption.trim().to_string(),
            alt_text: photo.alt_text.trim().to_string(),
            credit: String::new(),
            taken_at: None,
        };
        if let Some(id) = model::find_described(conn, &sha256, &description.caption).await? {
            tally.unchanged += 1;
            ids.insert(photo.key.clone(), id);
            continue;
        }
        let reused = if model::file_exists(conn, &sha256).await? {
            model::create_reusing(conn, &sha256, &description, author).await?
        } else {
            None
        };
        let id = match reused {
            Some(id) => id,
            None => {
                let processed =
                    imaging::process_bytes(bytes::Bytes::from(bytes.clone()), media.max_pixels)
                        .map_err(ApiError::internal)?;
                let (row, files) = model::files_of(&sha256, processed);
                model::create_with_files(conn, media.store, &row, files, &description, author)
                    .await?
            }
        };
        let view = model::find(conn, id, url)
            .await?
            .ok_or_else(model::no_such_photo)?;
        events::record_one(conn, Actor::SYSTEM, Verb::Created, &view).await?;
        tally.created += 1;
        ids.insert(photo.key.clone(), id);
    }
    Ok((tally, ids))
}
