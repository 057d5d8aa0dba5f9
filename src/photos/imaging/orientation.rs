//! EXIF orientation: whether it swaps the sides, and a view of the stored pixels as shown.

use image::metadata::Orientation;
use image::{GenericImageView, ImageBuffer, Pixel};

pub(super) fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

pub(super) fn orientation_of(exif: Option<&[u8]>) -> Orientation {
    exif.and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms)
}

/// An image as shown after an EXIF orientation, read from the stored pixels (nothing copied).
pub(super) struct Oriented<'a, P: Pixel> {
    pub(super) image: &'a ImageBuffer<P, Vec<P::Subpixel>>,
    pub(super) orientation: Orientation,
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
#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Rgb};

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
}
