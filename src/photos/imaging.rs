//! Turning an uploaded image into the files Bantin serves: the type recognised from the
//! bytes, the pixel limit checked from the header before any decoding, EXIF orientation
//! applied, every metadata block (EXIF with its GPS position, XMP, IPTC, comments) removed,
//! and the three variants resized. Pure and synchronous: callers run it on a blocking thread.

use std::io::Cursor;

use fast_image_resize::{self as fr, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use img_parts::{ImageEXIF, ImageICC};

/// The variants every photo has: name and size of the long side.
pub const VARIANTS: [(&str, u32); 3] = [("thumb", 320), ("medium", 800), ("large", 1600)];

/// JPEG quality of re-encoded files.
const JPEG_QUALITY: u8 = 85;
/// Decoding may allocate this much beyond the pixels themselves.
const ALLOC_SLACK: u64 = 64 * 1024 * 1024;

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

    fn format(self) -> ImageFormat {
        match self {
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::Png => ImageFormat::Png,
            Kind::WebP => ImageFormat::WebP,
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

/// One file to store.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: bytes::Bytes,
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

/// Width and height from the header, checked against `max_pixels`; nothing is decoded.
pub fn check_dimensions(
    bytes: &[u8],
    kind: Kind,
    max_pixels: u64,
) -> Result<(u32, u32), ImageError> {
    let reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels || width == 0 || height == 0 {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            pixels,
            limit: max_pixels,
        });
    }
    Ok((width, height))
}

/// Checks, decodes, orients, strips and resizes an upload.
pub fn process(bytes: &[u8], max_pixels: u64) -> Result<Processed, ImageError> {
    let kind = Kind::sniff(bytes).ok_or(ImageError::Unsupported)?;
    let (width, height) = check_dimensions(bytes, kind, max_pixels)?;

    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(u64::from(width) * u64::from(height) * 8 + ALLOC_SLACK);
    reader.limits(limits.clone());
    let corrupt = |e: image::ImageError| ImageError::Corrupt(e.to_string());
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // `into_decoder` checks the dimensions only; the allocation limit is ours to apply.
    limits.reserve(decoder.total_bytes()).map_err(corrupt)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;

    let original = if orientation == Orientation::NoTransforms {
        Encoded {
            bytes: match strip_metadata(bytes, kind) {
                Some(stripped) => stripped,
                None => encode_as(&image, kind)?,
            },
            kind,
            width: image.width(),
            height: image.height(),
        }
    } else {
        // The pixels must turn; the file is written anew, without its metadata.
        image.apply_orientation(orientation);
        Encoded {
            bytes: encode_as(&image, kind)?,
            kind,
            width: image.width(),
            height: image.height(),
        }
    };

    // Variants in the original's format, except WebP (its encoder here is lossless only, so
    // a lossless variant of a photo would be larger than the original): JPEG, or PNG when the
    // image has an alpha channel.
    let variant_kind = match kind {
        Kind::WebP if image.color().has_alpha() => Kind::Png,
        Kind::WebP => Kind::Jpeg,
        other => other,
    };
    let mut variants = Vec::with_capacity(VARIANTS.len());
    // Each variant is resized from the next larger one: faster, and as sharp at these ratios.
    let mut source = image;
    for &(name, long_side) in VARIANTS.iter().rev() {
        let (w, h) = fit(original.width, original.height, long_side);
        if (w, h) == (original.width, original.height) {
            variants.push(Variant {
                name,
                file: None,
                width: w,
                height: h,
            });
            continue;
        }
        let resized = resize(&source, w, h)?;
        variants.push(Variant {
            name,
            file: Some(Encoded {
                bytes: encode_as(&resized, variant_kind)?,
                kind: variant_kind,
                width: w,
                height: h,
            }),
            width: w,
            height: h,
        });
        source = resized;
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

fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, ImageError> {
    let source = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    };
    let pixel_type = fr::IntoImageView::pixel_type(&source).ok_or(ImageError::Unsupported)?;
    let mut target = fr::images::Image::new(width, height, pixel_type);
    let options =
        ResizeOptions::new().resize_alg(ResizeAlg::Convolution(fr::FilterType::CatmullRom));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    let pixels = target.into_vec();
    let resized = if source.color().has_alpha() {
        image::RgbaImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
    };
    resized.ok_or_else(|| ImageError::Encode("resized buffer has the wrong size".into()))
}

/// Encodes `image` as `kind` (JPEG drops any alpha channel).
fn encode_as(image: &DynamicImage, kind: Kind) -> Result<bytes::Bytes, ImageError> {
    let mut out = Vec::new();
    let failed = |e: image::ImageError| ImageError::Encode(e.to_string());
    match kind {
        Kind::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(failed)?;
        }
        Kind::Png => image
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(failed)?,
        Kind::WebP => {
            let rgba = DynamicImage::ImageRgba8(image.to_rgba8());
            rgba.write_with_encoder(WebPEncoder::new_lossless(&mut out))
                .map_err(failed)?
        }
    }
    Ok(out.into())
}

/// The same file without EXIF, XMP, IPTC and comments (the colour profile is kept: it is how
/// the pixels are meant to look, not data about the photo). `None` when the container cannot
/// be rewritten; the caller then encodes the pixels anew.
fn strip_metadata(bytes: &[u8], kind: Kind) -> Option<bytes::Bytes> {
    let input = bytes::Bytes::copy_from_slice(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    match kind {
        Kind::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(input).ok()?;
            let icc = jpeg.icc_profile();
            // Keep what decoding needs (JFIF, the Adobe colour transform) and the colour
            // profile; drop every other application segment (EXIF, XMP, IPTC, MPF) and comments.
            use img_parts::jpeg::markers::{APP1, APP14, APP15, COM};
            jpeg.segments_mut().retain(|s| {
                let marker = s.marker();
                marker != COM && (!(APP1..=APP15).contains(&marker) || marker == APP14)
            });
            jpeg.set_icc_profile(icc);
            // Everything after the first scan's header is kept as it is, which includes any
            // data after the end-of-image marker (phones append preview images there, each
            // with its own EXIF): cut the file at that marker. Inside the scans, FF D9 can
            // only be the end of the image.
            let scans_at = 2 + jpeg.segments().iter().map(|s| s.len()).sum::<usize>();
            jpeg.encoder().write_to(&mut out).ok()?;
            let end = out
                .get(scans_at..)?
                .windows(2)
                .position(|w| w == [0xFF, 0xD9])?;
            out.truncate(scans_at + end + 2);
        }
        Kind::Png => {
            let mut png = img_parts::png::Png::from_bytes(input).ok()?;
            const KEEP: [&[u8; 4]; 10] = [
                b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
                b"pHYs",
            ];
            png.chunks_mut().retain(|c| KEEP.contains(&&c.kind()));
            png.encoder().write_to(&mut out).ok()?;
        }
        Kind::WebP => {
            let mut webp = img_parts::webp::WebP::from_bytes(input).ok()?;
            // XMP first: removing EXIF last makes the container rewrite its feature flags.
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            webp.set_exif(None);
            webp.encoder().write_to(&mut out).ok()?;
        }
    }
    Some(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        encode_as(&DynamicImage::ImageRgb8(img), Kind::Jpeg)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn variants_fit_the_long_side_and_never_grow() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 320), (240, 320));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(10_000, 1, 320), (320, 1));
    }

    #[test]
    fn formats_are_recognised_from_bytes_only() {
        assert_eq!(Kind::sniff(&jpeg(8, 8)), Some(Kind::Jpeg));
        assert_eq!(Kind::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(Kind::sniff(b"\xff\xd8 not really"), None);
        assert_eq!(Kind::sniff(b"hello, world, plain text"), None);
    }

    #[test]
    fn jpeg_metadata_and_trailing_data_are_removed_losslessly() {
        let plain = jpeg(64, 48);
        // EXIF and a comment after SOI, and a phone-style preview after the end of the image.
        let mut marked = vec![0xFF, 0xD8];
        marked.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x10]);
        marked.extend_from_slice(b"Exif\0\0GPS-DATA");
        marked.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x0A]);
        marked.extend_from_slice(b"toa-do..");
        marked.extend_from_slice(&plain[2..]);
        marked.extend_from_slice(b"\xFF\xD8trailing preview with Exif GPS\xFF\xD9");
        let stripped = strip_metadata(&marked, Kind::Jpeg).unwrap();
        let has = |needle: &[u8]| stripped.windows(needle.len()).any(|w| w == needle);
        assert!(!has(b"Exif") && !has(b"GPS") && !has(b"toa-do") && !has(b"trailing"));
        assert_eq!(&stripped[..], &plain[..], "the pixels' bytes are untouched");
    }

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        let bytes = jpeg(300, 200);
        assert!(check_dimensions(&bytes, Kind::Jpeg, 60_000).is_ok());
        assert!(matches!(
            check_dimensions(&bytes, Kind::Jpeg, 59_999),
            Err(ImageError::TooManyPixels { pixels: 60_000, .. })
        ));
    }

    #[test]
    fn processing_makes_upright_variants() {
        let processed = process(&jpeg(2000, 1000), 50_000_000).unwrap();
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
        let small = process(&jpeg(500, 400), 50_000_000).unwrap();
        assert!(
            small.variants[1].file.is_none(),
            "medium would be the original"
        );
        assert!(matches!(
            process(b"not an image at all", 50_000_000),
            Err(ImageError::Unsupported)
        ));
    }
}
