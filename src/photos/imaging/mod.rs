//! Turning an uploaded image into the files Bantin serves: the type recognised from the
//! bytes, the pixel limit checked from the header before any decoding, EXIF orientation
//! applied, every metadata block (EXIF with its GPS position, XMP, IPTC, comments) removed,
//! and the three variants resized. Pure and synchronous: callers run it on a blocking thread.
//!
//! Memory is what bounds how many images can be worked on at once, so the header also tells
//! how much an image will need ([`Header::memory_needed`]), and the work keeps that small:
//! pixels are decoded to 8 bits per channel (16-bit PNGs are narrowed row by row while they
//! are decoded) in as few channels as the image has; the full-size image is never copied
//! (not converted, not turned: a turned original is encoded from a turned view of it, the
//! variants are turned once small; alpha is premultiplied in place); the variants are resized
//! in a cascade, large from the full image, which is dropped at once, then medium from large
//! and thumb from medium; and the upload's bytes are dropped once decoded.

mod decode;
mod encode;
mod header;
mod memory;
mod orientation;
mod strip;

use std::io::Cursor;

use bytes::Bytes;
use fast_image_resize as fr;
use image::metadata::Orientation;
use image::{DynamicImage, ImageFormat};

pub use header::{Header, check_dimensions, inspect};

use decode::decode;
use encode::{encode, resize};
use orientation::swaps_sides;
use strip::strip_metadata;

/// The variants every photo has: name and size of the long side.
pub const VARIANTS: [(&str, u32); 3] = [("thumb", 320), ("medium", 800), ("large", 1600)];

/// A format Bantin accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    WebP,
}

impl Kind {
    /// Recognises the format from the first bytes (the name and declared type are ignored).
    pub fn sniff(head: &[u8]) -> Option<Kind> {
        match image::guess_format(head).ok()? {
            ImageFormat::Jpeg => Some(Kind::Jpeg),
            ImageFormat::Png => Some(Kind::Png),
            ImageFormat::WebP => Some(Kind::WebP),
            _ => None,
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::WebP => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::WebP => "webp",
        }
    }
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    #[error("the image is {width}×{height} = {pixels} pixels, more than the limit of {limit}")]
    TooManyPixels {
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
    #[error("encoding failed: {0}")]
    Encode(String),
}

fn corrupt(e: impl std::fmt::Display) -> ImageError {
    ImageError::Corrupt(e.to_string())
}

fn encode_failed(e: impl std::fmt::Display) -> ImageError {
    ImageError::Encode(e.to_string())
}

/// One file to store.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Bytes,
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
}

/// A variant: its own file, or the original's when it would be as large.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: &'static str,
    /// `None`: the original's file.
    pub file: Option<Encoded>,
    pub width: u32,
    pub height: u32,
}

/// What an upload becomes.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The original without metadata, upright.
    pub original: Encoded,
    pub variants: Vec<Variant>,
}

impl Processed {
    /// The bytes of the files it holds.
    pub fn size(&self) -> u64 {
        let variants: usize = self
            .variants
            .iter()
            .filter_map(|v| v.file.as_ref())
            .map(|f| f.bytes.len())
            .sum();
        (self.original.bytes.len() + variants) as u64
    }
}

/// [`inspect`] and [`process`] in one, for an upload already in memory.
pub fn process_bytes(bytes: Bytes, max_pixels: u64) -> Result<Processed, ImageError> {
    let header = inspect(Cursor::new(&bytes), bytes.len() as u64, max_pixels)?;
    process(bytes, &header)
}

/// Decodes, orients, strips and resizes an upload whose header is `header`.
pub fn process(bytes: Bytes, header: &Header) -> Result<Processed, ImageError> {
    let kind = header.kind;
    let orientation = header.orientation;
    // The stored original is the upload without its metadata, unless it must turn.
    let stripped = if header.turns() {
        None
    } else {
        strip_metadata(&bytes, kind)
    };
    // Decoded from the stripped copy when there is one, so the upload can go first.
    let source = stripped.clone().unwrap_or(bytes);
    let mut image = decode(&source, header)?;
    drop(source);
    let (width, height) = header.shown();
    let original = Encoded {
        bytes: match stripped {
            Some(stripped) => stripped,
            None => encode(&image, orientation, kind)?,
        },
        kind,
        width,
        height,
    };

    // Variants in the original's format, except WebP (its encoder here is lossless only, so
    // a lossless variant of a photo would be larger than the original): JPEG, or PNG when the
    // image has an alpha channel.
    let has_alpha = image.color().has_alpha();
    let variant_kind = match kind {
        Kind::WebP if has_alpha => Kind::Png,
        Kind::WebP => Kind::Jpeg,
        other => other,
    };
    let mut variants = Vec::with_capacity(VARIANTS.len());
    // Large from the full image, then each from the next larger one: faster, as sharp at these
    // ratios, and the full image goes as soon as large is made.
    let mut full = Some(&mut image);
    let mut previous: Option<DynamicImage> = None;
    for &(name, long_side) in VARIANTS.iter().rev() {
        let (w, h) = fit(width, height, long_side);
        if (w, h) == (width, height) {
            variants.push(Variant {
                name,
                file: None,
                width: w,
                height: h,
            });
            continue;
        }
        let resized = match (&previous, full.take()) {
            (Some(previous), _) => resize(previous, w, h, false)?,
            (None, Some(full)) => {
                // Resized as stored, then turned: only the small image is copied to turn it.
                let (sw, sh) = if swaps_sides(orientation) {
                    (h, w)
                } else {
                    (w, h)
                };
                // Alpha is premultiplied in place (the resizer would copy the image to do it);
                // the full image is not used afterwards.
                let premultiplied = has_alpha;
                if premultiplied {
                    fr::MulDiv::default()
                        .multiply_alpha_inplace(full)
                        .map_err(encode_failed)?;
                }
                let mut resized = resize(full, sw, sh, premultiplied)?;
                *full = DynamicImage::new(0, 0, full.color());
                if premultiplied {
                    fr::MulDiv::default()
                        .divide_alpha_inplace(&mut resized)
                        .map_err(encode_failed)?;
                }
                resized.apply_orientation(orientation);
                resized
            }
            (None, None) => return Err(encode_failed("no image to resize")),
        };
        variants.push(Variant {
            name,
            file: Some(Encoded {
                bytes: encode(&resized, Orientation::NoTransforms, variant_kind)?,
                kind: variant_kind,
                width: w,
                height: h,
            }),
            width: w,
            height: h,
        });
        previous = Some(resized);
    }
    variants.reverse();
    Ok(Processed { original, variants })
}

/// The size that fits `long_side` on the longer side, keeping the aspect ratio; never larger
/// than the image.
pub fn fit(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side {
        return (width, height);
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(long_side) + u64::from(long) / 2) / u64::from(long)).max(1)
            as u32
    };
    (scale(width), scale(height))
}

/// A `width` × `height` JPEG of a gradient, for the tests of every part.
#[cfg(test)]
fn test_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    encode(
        &DynamicImage::ImageRgb8(img),
        Orientation::NoTransforms,
        Kind::Jpeg,
    )
    .unwrap()
    .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{GenericImageView, ImageEncoder, Rgba};

    #[test]
    fn variants_fit_the_long_side_and_never_grow() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 320), (240, 320));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(10_000, 1, 320), (320, 1));
    }

    #[test]
    fn formats_are_recognised_from_bytes_only() {
        assert_eq!(Kind::sniff(&test_jpeg(8, 8)), Some(Kind::Jpeg));
        assert_eq!(Kind::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(Kind::sniff(b"\xff\xd8 not really"), None);
        assert_eq!(Kind::sniff(b"hello, world, plain text"), None);
    }

    #[test]
    fn processing_makes_upright_variants() {
        let processed = process_bytes(test_jpeg(2000, 1000).into(), 50_000_000).unwrap();
        let sizes: Vec<(&str, u32, u32, bool)> = processed
            .variants
            .iter()
            .map(|v| (v.name, v.width, v.height, v.file.is_some()))
            .collect();
        assert_eq!(
            sizes,
            [
                ("thumb", 320, 160, true),
                ("medium", 800, 400, true),
                ("large", 1600, 800, true)
            ]
        );
        let small = process_bytes(test_jpeg(500, 400).into(), 50_000_000).unwrap();
        assert!(
            small.variants[1].file.is_none(),
            "medium would be the original"
        );
        assert!(matches!(
            process_bytes(Bytes::from_static(b"not an image at all"), 50_000_000),
            Err(ImageError::Unsupported)
        ));
    }

    #[test]
    fn a_turned_png_with_alpha_is_turned_and_its_variants_too() {
        // 2000 × 1000 stored, EXIF says turn 90°: shown 1000 × 2000.
        let img = image::RgbaImage::from_fn(2000, 1000, |x, y| {
            Rgba([
                (x / 8) as u8,
                (y / 4) as u8,
                0,
                if x < 1000 { 255 } else { 0 },
            ])
        });
        let mut bytes = Vec::new();
        let mut encoder = PngEncoder::new(&mut bytes);
        image::ImageEncoder::set_exif_metadata(
            &mut encoder,
            hex::decode("4d4d002a00000008000101120003000000010006000000000000").unwrap(),
        )
        .unwrap();
        encoder
            .write_image(img.as_raw(), 2000, 1000, image::ExtendedColorType::Rgba8)
            .unwrap();
        let processed = process_bytes(bytes.into(), 50_000_000).unwrap();
        assert_eq!(
            (processed.original.width, processed.original.height),
            (1000, 2000)
        );
        let original = image::load_from_memory(&processed.original.bytes).unwrap();
        assert_eq!(original.dimensions(), (1000, 2000));
        // Stored (1999, 0), transparent, is shown at (999, 1999).
        assert_eq!(original.get_pixel(999, 1999).0[3], 0);
        assert_eq!(original.get_pixel(0, 0).0[3], 255);
        let thumb = &processed.variants[0];
        assert_eq!((thumb.width, thumb.height), (160, 320));
        let thumb = image::load_from_memory(&thumb.file.as_ref().unwrap().bytes).unwrap();
        assert_eq!(thumb.dimensions(), (160, 320));
        assert_eq!(thumb.get_pixel(150, 310).0[3], 0);
        assert_eq!(thumb.get_pixel(10, 10).0[3], 255);
    }
}
