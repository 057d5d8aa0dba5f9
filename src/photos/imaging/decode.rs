//! Decoding an image's pixels, 8 bits per channel in as few channels as it has.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer};

use super::header::{Header, png_decoder};
use super::{ImageError, Kind, corrupt};

/// Decodes the pixels as the header describes them (checked again against the decoder).
pub(super) fn decode(bytes: &[u8], header: &Header) -> Result<DynamicImage, ImageError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgba};

    use crate::photos::imaging::{inspect, process_bytes};

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
}
