//! How much memory processing an image will take at its peak, told from its header.

use super::header::Header;
use super::orientation::swaps_sides;
use super::{Kind, VARIANTS, fit};

/// What processing needs beyond the estimated buffers (encoders, rows, tables).
const MEMORY_SLACK: u64 = 8 * 1024 * 1024;

impl Header {
    /// An upper estimate of the memory [`process`](super::process) needs at its peak, in bytes: the largest of
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

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use crate::photos::imaging::inspect;

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
        // The estimate for an upload of `file_size` bytes whose header is `header`.
        let needed_for = |header: Vec<u8>, file_size: u64| {
            inspect(Cursor::new(header), file_size, 50_000_000)
                .unwrap()
                .memory_needed()
        };
        let needed = needed_for(png16_header(7000, 7000), max_bytes);
        assert!(needed > 7000 * 7000 * 4, "{needed}");
        assert!(needed < 7000 * 7000 * 4 + 100 * MB, "{needed}");
        assert!(needed < budget, "{needed} fits the default budget");
        // A progressive JPEG keeps its coefficients (2 bytes × 1.5 samples a pixel at 4:2:0)
        // while it is decoded; a baseline one does not.
        let baseline = needed_for(jpeg_header(7000, 7000, false), max_bytes);
        let progressive = needed_for(jpeg_header(7000, 7000, true), max_bytes);
        assert!(progressive > 7000 * 7000 * (3 + 3), "{progressive}");
        assert!(progressive > baseline, "{baseline} {progressive}");
        assert!(progressive < budget, "{progressive}");
        // 8 concurrent 12-megapixel photos (4 MB each) take a fraction of it each.
        let photo = needed_for(jpeg_header(4000, 3000, false), 4 * MB);
        assert!(photo < 80 * MB, "{photo}");
    }
}
