//! Resizing, and encoding pixels (turned as they are shown) as a file.

use bytes::Bytes;
use fast_image_resize::{self as fr, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, GenericImageView, ImageBuffer, ImageEncoder, Luma, LumaA, Pixel,
    PixelWithColorType, Rgb, Rgba,
};

use super::orientation::Oriented;
use super::{ImageError, Kind, encode_failed};

/// JPEG quality of re-encoded files.
const JPEG_QUALITY: u8 = 85;

/// `image` resized to `width` × `height`, in the same pixel layout. `premultiplied`: its
/// alpha is already multiplied in (and stays so in the result).
pub(super) fn resize(
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

pub(super) fn encode(
    image: &DynamicImage,
    orientation: Orientation,
    kind: Kind,
) -> Result<Bytes, ImageError> {
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
