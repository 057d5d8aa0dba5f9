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

use std::io::{BufRead, Cursor, Read, Seek};

use bytes::Bytes;
use fast_image_resize::{self as fr, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, GenericImageView, ImageBuffer, ImageEncoder, ImageFormat, Luma, LumaA, Pixel,
    PixelWithColorType, Rgb, Rgba,
};
use img_parts::{ImageEXIF, ImageICC};

/// The variants every photo has: name and size of the long side.
pub const VARIANTS: [(&str, u32); 3] = [("thumb", 320), ("medium", 800), ("large", 1600)];

/// JPEG quality of re-encoded files.
const JPEG_QUALITY: u8 = 85;
/// What processing needs beyond the estimated buffers (encoders, rows, tables).
const MEMORY_SLACK: u64 = 8 * 1024 * 1024;
/// Memory a PNG decoder may use for its chunks (text, colour profile), beyond the pixels.
const PNG_CHUNK_LIMIT: usize = 16 * 1024 * 1024;

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

/// What an upload's header says, read without decoding its pixels.
#[derive(Debug, Clone)]
pub struct Header {
    pub kind: Kind,
    /// As stored, before the orientation is applied.
    pub width: u32,
    pub height: u32,
    /// How to turn the stored pixels to show them (EXIF).
    pub orientation: Orientation,
    /// Channels of the decoded pixels, 8 bits each: 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
    pub channels: u8,
    /// What the decoder needs besides the decoded pixels, in bytes per pixel: a progressive
    /// JPEG's coefficients, a lossy WebP's planes.
    decoder_bytes_per_pixel: f64,
    /// The upload's size in bytes.
    pub file_size: u64,
}

impl Header {
    fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    fn turns(&self) -> bool {
        self.orientation != Orientation::NoTransforms
    }

    /// Width and height as shown (after the orientation).
    pub fn shown(&self) -> (u32, u32) {
        if swaps_sides(self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }

    /// An upper estimate of the memory [`process`] needs at its peak, in bytes: the largest of
    /// its steps, each counting what is alive then.
    pub fn memory_needed(&self) -> u64 {
        let file = self.file_size;
        let pixels = self.pixels();
        let decoded = pixels * u64::from(self.channels);
        let decoder = (pixels as f64 * self.decoder_bytes_per_pixel).ceil() as u64;
        // The stored original: the stripped upload, or the image encoded anew when it turns.
        let original = if self.turns() {
            match self.kind {
                // JPEG at quality 85 stays well under a byte per pixel; lossless formats may
                // take as much as the pixels (WebP's encoder also needs a turned copy and
                // 4 bytes a pixel of its own).
                Kind::Jpeg => pixels,
                Kind::Png => decoded,
                Kind::WebP => 2 * decoded + 4 * pixels,
            }
        } else {
            file
        };
        // Reading and stripping: the upload and its stripped copy.
        let strip = 2 * file;
        // Decoding: the upload (or its stripped copy), the decoder's buffers and the pixels.
        let decode = file + decoder + decoded;
        // Encoding a turned original: the pixels and the new file (the upload is dropped).
        let encode = decoded + original;
        // Resizing the largest variant smaller than the image from the full image: the
        // vertical pass's buffer (the image's width × the variant's height), the variant,
        // and its turned copy.
        let shown = self.shown();
        let first = VARIANTS
            .iter()
            .rev()
            .map(|&(_, long_side)| fit(shown.0, shown.1, long_side))
            .find(|&size| size != shown);
        let resize = match first {
            None => 0,
            Some((w, h)) => {
                let (w, h) = if swaps_sides(self.orientation) {
                    (u64::from(h), u64::from(w))
                } else {
                    (u64::from(w), u64::from(h))
                };
                let channels = u64::from(self.channels);
                let pass = u64::from(self.width) * h * channels;
                original + decoded + pass + 2 * w * h * channels
            }
        };
        strip.max(decode).max(encode).max(resize) + MEMORY_SLACK
    }
}

fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), ImageError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels || width == 0 || height == 0 {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            pixels,
            limit: max_pixels,
        });
    }
    Ok(())
}

fn orientation_of(exif: Option<&[u8]>) -> Orientation {
    exif.and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms)
}

/// Reads the header of an upload of `file_size` bytes (only the first bytes, up to the pixel
/// data) and checks its width × height against `max_pixels`; nothing is decoded.
pub fn inspect(
    mut reader: impl BufRead + Seek,
    file_size: u64,
    max_pixels: u64,
) -> Result<Header, ImageError> {
    let mut head = [0; 16];
    let n = reader.read(&mut head).map_err(corrupt)?;
    let kind = Kind::sniff(&head[..n]).ok_or(ImageError::Unsupported)?;
    reader.rewind().map_err(corrupt)?;
    let header = match kind {
        Kind::Jpeg => {
            let frame = jpeg_frame(&mut reader).ok_or_else(|| corrupt("no JPEG frame header"))?;
            // Progressive JPEGs keep every coefficient (2 bytes a sample) until the last scan.
            let (h_max, v_max) = frame.sampling.iter().fold((1, 1), |(h, v), &(sh, sv)| {
                (h.max(u32::from(sh)), v.max(u32::from(sv)))
            });
            let samples: f64 = frame
                .sampling
                .iter()
                .map(|&(h, v)| f64::from(u32::from(h) * u32::from(v)) / f64::from(h_max * v_max))
                .sum();
            Header {
                kind,
                width: frame.width,
                height: frame.height,
                orientation: orientation_of(frame.exif.as_deref()),
                channels: if frame.sampling.len() == 1 { 1 } else { 3 },
                decoder_bytes_per_pixel: if frame.progressive {
                    2.0 * samples
                } else {
                    0.0
                },
                file_size,
            }
        }
        Kind::Png => {
            let reader = png_decoder(reader).read_info().map_err(corrupt)?;
            let info = reader.info();
            let (width, height) = (info.width, info.height);
            check_pixels(width, height, max_pixels)?;
            let (color, _) = reader.output_color_type();
            Header {
                kind,
                width,
                height,
                orientation: orientation_of(info.exif_metadata.as_deref()),
                channels: color.samples() as u8,
                decoder_bytes_per_pixel: 0.0,
                file_size,
            }
        }
        Kind::WebP => {
            let mut decoder = image_webp::WebPDecoder::new(reader).map_err(corrupt)?;
            let (width, height) = decoder.dimensions();
            let alpha = decoder.has_alpha();
            let extra = if decoder.is_animated() {
                // The frame, the canvas, and a lossy frame's planes and alpha.
                4.0 + 4.0 + 1.5 + 5.0
            } else if decoder.is_lossy() {
                // Y, U and V planes; an alpha channel is decoded as a lossless image first.
                1.5 + if alpha { 5.0 } else { 0.0 }
            } else if alpha {
                0.0
            } else {
                4.0
            };
            let exif = decoder.exif_metadata().map_err(corrupt)?;
            Header {
                kind,
                width,
                height,
                orientation: orientation_of(exif.as_deref()),
                channels: if alpha { 4 } else { 3 },
                decoder_bytes_per_pixel: extra,
                file_size,
            }
        }
    };
    check_pixels(header.width, header.height, max_pixels)?;
    Ok(header)
}

/// What a JPEG's frame header (SOF) and EXIF say.
struct JpegFrame {
    width: u32,
    height: u32,
    progressive: bool,
    /// Horizontal and vertical sampling factors of each component.
    sampling: Vec<(u8, u8)>,
    /// The EXIF block (after `Exif\0\0`).
    exif: Option<Vec<u8>>,
}

/// Reads a JPEG's segments up to its frame header.
fn jpeg_frame(mut r: impl Read) -> Option<JpegFrame> {
    let mut two = [0; 2];
    r.read_exact(&mut two).ok()?;
    if two != [0xFF, 0xD8] {
        return None;
    }
    let mut exif = None;
    loop {
        let mut byte = [0; 1];
        r.read_exact(&mut byte).ok()?;
        if byte[0] != 0xFF {
            return None;
        }
        while byte[0] == 0xFF {
            r.read_exact(&mut byte).ok()?;
        }
        let marker = byte[0];
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue; // no length
        }
        r.read_exact(&mut two).ok()?;
        let length = usize::from(u16::from_be_bytes(two)).checked_sub(2)?;
        let mut segment = vec![0; length];
        r.read_exact(&mut segment).ok()?;
        match marker {
            0xE1 if segment.starts_with(b"Exif\0\0") => exif = Some(segment[6..].to_vec()),
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
                let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
                let components = usize::from(*segment.get(5)?);
                let sampling = (0..components)
                    .map(|i| segment.get(6 + 3 * i + 1).map(|s| (s >> 4, s & 0x0F)))
                    .collect::<Option<Vec<_>>>()?;
                if sampling.is_empty() || sampling.iter().any(|&(h, v)| h == 0 || v == 0) {
                    return None;
                }
                return Some(JpegFrame {
                    width,
                    height,
                    progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
                    sampling,
                    exif,
                });
            }
            0xDA | 0xD9 => return None,
            _ => {}
        }
    }
}

fn png_decoder<R: BufRead + Seek>(reader: R) -> png::Decoder<R> {
    let mut decoder = png::Decoder::new_with_limits(
        reader,
        png::Limits {
            bytes: PNG_CHUNK_LIMIT,
        },
    );
    // 8 bits per channel whatever the file has: 16-bit samples are narrowed, palettes and
    // low bit depths expanded, row by row.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder
}

/// Width and height from the header, checked against `max_pixels`; nothing is decoded.
pub fn check_dimensions(
    bytes: &[u8],
    kind: Kind,
    max_pixels: u64,
) -> Result<(u32, u32), ImageError> {
    let header = inspect(Cursor::new(bytes), bytes.len() as u64, max_pixels)?;
    if header.kind != kind {
        return Err(ImageError::Unsupported);
    }
    Ok((header.width, header.height))
}

/// Decodes the pixels as the header describes them (checked again against the decoder).
fn decode(bytes: &[u8], header: &Header) -> Result<DynamicImage, ImageError> {
    let (width, height) = (header.width, header.height);
    let expected = header.pixels() as usize * usize::from(header.channels);
    let pixels = match header.kind {
        Kind::Jpeg => {
            use zune_core::colorspace::ColorSpace;
            let out = if header.channels == 1 {
                ColorSpace::Luma
            } else {
                ColorSpace::RGB
            };
            let options = zune_core::options::DecoderOptions::default()
                .set_strict_mode(false)
                .set_max_width(width as usize)
                .set_max_height(height as usize)
                .jpeg_set_out_colorspace(out);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
                zune_core::bytestream::ZCursor::new(bytes),
                options,
            );
            decoder.decode_headers().map_err(corrupt)?;
            if decoder.output_buffer_size() != Some(expected) {
                return Err(corrupt("the JPEG's frame differs from its header"));
            }
            decoder.decode().map_err(corrupt)?
        }
        Kind::Png => {
            let mut reader = png_decoder(Cursor::new(bytes))
                .read_info()
                .map_err(corrupt)?;
            if reader.output_buffer_size() != Some(expected) {
                return Err(corrupt("the PNG's frame differs from its header"));
            }
            let mut pixels = vec![0; expected];
            reader.next_frame(&mut pixels).map_err(corrupt)?;
            pixels
        }
        Kind::WebP => {
            let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(corrupt)?;
            if decoder.output_buffer_size() != Some(expected) {
                return Err(corrupt("the WebP's frame differs from its header"));
            }
            let mut pixels = vec![0; expected];
            decoder.read_image(&mut pixels).map_err(corrupt)?;
            pixels
        }
    };
    let image = match header.channels {
        1 => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        2 => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLumaA8),
        3 => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
        4 => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8),
        _ => None,
    };
    image.ok_or_else(|| corrupt("unexpected pixel layout"))
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

/// `image` resized to `width` × `height`, in the same pixel layout. `premultiplied`: its
/// alpha is already multiplied in (and stays so in the result).
fn resize(
    image: &DynamicImage,
    width: u32,
    height: u32,
    premultiplied: bool,
) -> Result<DynamicImage, ImageError> {
    let mut target = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(fr::FilterType::CatmullRom))
        .use_alpha(!premultiplied);
    Resizer::new()
        .resize(image, &mut target, &options)
        .map_err(encode_failed)?;
    Ok(target)
}

/// An image as shown after an EXIF orientation, read from the stored pixels (nothing copied).
struct Oriented<'a, P: Pixel> {
    image: &'a ImageBuffer<P, Vec<P::Subpixel>>,
    orientation: Orientation,
}

impl<P: Pixel> GenericImageView for Oriented<'_, P> {
    type Pixel = P;

    fn dimensions(&self) -> (u32, u32) {
        let (w, h) = self.image.dimensions();
        if swaps_sides(self.orientation) {
            (h, w)
        } else {
            (w, h)
        }
    }

    fn get_pixel(&self, x: u32, y: u32) -> P {
        let (w, h) = self.image.dimensions();
        let (sx, sy) = match self.orientation {
            Orientation::NoTransforms => (x, y),
            Orientation::Rotate90 => (y, h - 1 - x),
            Orientation::Rotate180 => (w - 1 - x, h - 1 - y),
            Orientation::Rotate270 => (w - 1 - y, x),
            Orientation::FlipHorizontal => (w - 1 - x, y),
            Orientation::FlipVertical => (x, h - 1 - y),
            Orientation::Rotate90FlipH => (y, x),
            Orientation::Rotate270FlipH => (w - 1 - y, h - 1 - x),
        };
        *self.image.get_pixel(sx, sy)
    }
}

/// Encodes `image` turned by `orientation` as `kind`, without a turned copy where the encoder
/// allows (JPEG, PNG). JPEG drops any alpha channel.
fn encode(image: &DynamicImage, orientation: Orientation, kind: Kind) -> Result<Bytes, ImageError> {
    match image {
        DynamicImage::ImageLuma8(b) => encode_oriented::<Luma<u8>>(b, orientation, kind),
        DynamicImage::ImageLumaA8(b) => encode_oriented::<LumaA<u8>>(b, orientation, kind),
        DynamicImage::ImageRgb8(b) => encode_oriented::<Rgb<u8>>(b, orientation, kind),
        DynamicImage::ImageRgba8(b) => encode_oriented::<Rgba<u8>>(b, orientation, kind),
        _ => Err(encode_failed("unexpected pixel layout")),
    }
}

fn encode_oriented<P>(
    image: &ImageBuffer<P, Vec<u8>>,
    orientation: Orientation,
    kind: Kind,
) -> Result<Bytes, ImageError>
where
    P: Pixel<Subpixel = u8> + PixelWithColorType,
{
    let view = Oriented { image, orientation };
    let (width, height) = view.dimensions();
    let mut out = Vec::new();
    match kind {
        Kind::Jpeg => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&view)
            .map_err(encode_failed)?,
        Kind::Png if orientation == Orientation::NoTransforms => PngEncoder::new(&mut out)
            .write_image(image.as_raw(), width, height, P::COLOR_TYPE)
            .map_err(encode_failed)?,
        Kind::Png => {
            // Row by row, each read through the view.
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(match P::CHANNEL_COUNT {
                1 => png::ColorType::Grayscale,
                2 => png::ColorType::GrayscaleAlpha,
                3 => png::ColorType::Rgb,
                _ => png::ColorType::Rgba,
            });
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().map_err(encode_failed)?;
            let mut stream = writer.stream_writer().map_err(encode_failed)?;
            let mut row = Vec::with_capacity(width as usize * usize::from(P::CHANNEL_COUNT));
            for y in 0..height {
                row.clear();
                for x in 0..width {
                    row.extend_from_slice(view.get_pixel(x, y).channels());
                }
                std::io::Write::write_all(&mut stream, &row).map_err(encode_failed)?;
            }
            stream.finish().map_err(encode_failed)?;
            writer.finish().map_err(encode_failed)?;
        }
        Kind::WebP => {
            // The encoder takes whole buffers only: a turned image is copied once.
            let turned;
            let pixels = if orientation == Orientation::NoTransforms {
                image.as_raw()
            } else {
                turned =
                    ImageBuffer::<P, Vec<u8>>::from_fn(width, height, |x, y| view.get_pixel(x, y));
                turned.as_raw()
            };
            WebPEncoder::new_lossless(&mut out)
                .write_image(pixels, width, height, P::COLOR_TYPE)
                .map_err(encode_failed)?
        }
    }
    Ok(out.into())
}

/// The same file without EXIF, XMP, IPTC and comments (the colour profile is kept: it is how
/// the pixels are meant to look, not data about the photo). `None` when the container cannot
/// be rewritten; the caller then encodes the pixels anew.
fn strip_metadata(bytes: &Bytes, kind: Kind) -> Option<Bytes> {
    let input = bytes.clone();
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
        encode(
            &DynamicImage::ImageRgb8(img),
            Orientation::NoTransforms,
            Kind::Jpeg,
        )
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
        let stripped = strip_metadata(&Bytes::from(marked), Kind::Jpeg).unwrap();
        let has = |needle: &[u8]| stripped.windows(needle.len()).any(|w| w == needle);
        assert!(!has(b"Exif") && !has(b"GPS") && !has(b"toa-do") && !has(b"trailing"));
        assert_eq!(&stripped[..], &plain[..], "the pixels' bytes are untouched");
    }

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        let bytes = jpeg(300, 200);
        let header = inspect(Cursor::new(&bytes), bytes.len() as u64, 60_000).unwrap();
        assert_eq!(
            (header.kind, header.width, header.height),
            (Kind::Jpeg, 300, 200)
        );
        assert!(matches!(
            inspect(Cursor::new(&bytes), bytes.len() as u64, 59_999),
            Err(ImageError::TooManyPixels { pixels: 60_000, .. })
        ));
    }

    #[test]
    fn processing_makes_upright_variants() {
        let processed = process_bytes(jpeg(2000, 1000).into(), 50_000_000).unwrap();
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
        let small = process_bytes(jpeg(500, 400).into(), 50_000_000).unwrap();
        assert!(
            small.variants[1].file.is_none(),
            "medium would be the original"
        );
        assert!(matches!(
            process_bytes(Bytes::from_static(b"not an image at all"), 50_000_000),
            Err(ImageError::Unsupported)
        ));
    }

    /// A 16-bit RGBA PNG of `width` × `height`, its pixels from `pixel`.
    fn png16(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u16; 4]) -> Vec<u8> {
        let img = image::ImageBuffer::<Rgba<u16>, Vec<u16>>::from_fn(width, height, |x, y| {
            Rgba(pixel(x, y))
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba16(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn sixteen_bit_pngs_are_narrowed_to_eight_bits_while_decoded() {
        let bytes = png16(40, 30, |x, y| {
            [(x * 1000) as u16, (y * 2000) as u16, 0xFFFF, 0x8000]
        });
        let header = inspect(Cursor::new(&bytes), bytes.len() as u64, 50_000_000).unwrap();
        assert_eq!(header.channels, 4, "RGBA, 8 bits each");
        let image = decode(&bytes, &header).unwrap();
        let DynamicImage::ImageRgba8(image) = image else {
            panic!("decoded as {:?}", image.color());
        };
        assert_eq!(image.get_pixel(39, 29).0, [152, 226, 255, 128]);
        let processed = process_bytes(bytes.into(), 50_000_000).unwrap();
        assert_eq!(
            (processed.original.width, processed.original.height),
            (40, 30)
        );
    }

    /// The header of a `width` × `height` 16-bit RGBA PNG, up to its (empty) pixel data.
    fn png16_header(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        let mut writer = encoder.write_header().unwrap();
        writer.write_chunk(png::chunk::IDAT, &[]).unwrap();
        drop(writer);
        out
    }

    /// The first segments of a JPEG: its frame header (progressive or not) with 4:2:0
    /// sampling, no pixels.
    fn jpeg_header(width: u16, height: u16, progressive: bool) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, if progressive { 0xC2 } else { 0xC0 }];
        out.extend_from_slice(&17u16.to_be_bytes());
        out.push(8);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        out.extend_from_slice(&[0xFF, 0xDA]);
        out
    }

    #[test]
    fn the_memory_estimate_counts_narrowed_pixels_and_the_decoders_buffers() {
        const MB: u64 = 1024 * 1024;
        let max_bytes = 20 * MB;
        let budget = crate::config::DEFAULT_MEDIA_MEMORY_MB * MB;
        // A 49-megapixel 16-bit RGBA PNG, 20 MB: decoded as 8-bit RGBA (196 MB, not 392),
        // plus the file, the large variant's resizing buffers and a margin.
        let header = inspect(Cursor::new(png16_header(7000, 7000)), max_bytes, 50_000_000).unwrap();
        let needed = header.memory_needed();
        assert!(needed > 7000 * 7000 * 4, "{needed}");
        assert!(needed < 7000 * 7000 * 4 + 100 * MB, "{needed}");
        assert!(needed < budget, "{needed} fits the default budget");
        // A progressive JPEG keeps its coefficients (2 bytes × 1.5 samples a pixel at 4:2:0)
        // while it is decoded; a baseline one does not.
        let baseline = inspect(
            Cursor::new(jpeg_header(7000, 7000, false)),
            max_bytes,
            50_000_000,
        )
        .unwrap()
        .memory_needed();
        let progressive = inspect(
            Cursor::new(jpeg_header(7000, 7000, true)),
            max_bytes,
            50_000_000,
        )
        .unwrap()
        .memory_needed();
        assert!(progressive > 7000 * 7000 * (3 + 3), "{progressive}");
        assert!(progressive > baseline, "{baseline} {progressive}");
        assert!(progressive < budget, "{progressive}");
        // 8 concurrent 12-megapixel photos (4 MB each) take a fraction of it each.
        let photo = inspect(
            Cursor::new(jpeg_header(4000, 3000, false)),
            4 * MB,
            50_000_000,
        )
        .unwrap()
        .memory_needed();
        assert!(photo < 80 * MB, "{photo}");
    }

    #[test]
    fn a_turned_view_shows_what_turning_the_pixels_would() {
        let stored = image::RgbImage::from_fn(5, 3, |x, y| Rgb([x as u8, y as u8, 0]));
        for exif in 1..=8 {
            let orientation = Orientation::from_exif(exif).unwrap();
            let view = Oriented {
                image: &stored,
                orientation,
            };
            let mut turned = DynamicImage::ImageRgb8(stored.clone());
            turned.apply_orientation(orientation);
            let turned = turned.to_rgb8();
            assert_eq!(view.dimensions(), turned.dimensions(), "{orientation:?}");
            let (w, h) = view.dimensions();
            for (x, y) in (0..h).flat_map(|y| (0..w).map(move |x| (x, y))) {
                assert_eq!(
                    view.get_pixel(x, y),
                    *turned.get_pixel(x, y),
                    "{orientation:?}"
                );
            }
        }
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
