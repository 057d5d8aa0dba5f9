//! What an upload's header says (format, size, orientation, channels), read without decoding
//! its pixels, and the pixel limit checked from it.

use std::io::{BufRead, Cursor, Read, Seek};

use image::metadata::Orientation;

use super::orientation::{orientation_of, swaps_sides};
use super::{ImageError, Kind, corrupt};

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
    pub(super) decoder_bytes_per_pixel: f64,
    /// The upload's size in bytes.
    pub file_size: u64,
}

impl Header {
    pub(super) fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    pub(super) fn turns(&self) -> bool {
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

/// Memory a PNG decoder may use for its chunks (text, colour profile), beyond the pixels.
const PNG_CHUNK_LIMIT: usize = 16 * 1024 * 1024;

pub(super) fn png_decoder<R: BufRead + Seek>(reader: R) -> png::Decoder<R> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        let bytes = crate::photos::imaging::test_jpeg(300, 200);
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
}
