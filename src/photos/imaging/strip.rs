//! Removing the metadata of a file without decoding it.

use bytes::Bytes;
use img_parts::{ImageEXIF, ImageICC};

use super::Kind;

/// The same file without EXIF, XMP, IPTC and comments (the colour profile is kept: it is how
/// the pixels are meant to look, not data about the photo). `None` when the container cannot
/// be rewritten; the caller then encodes the pixels anew.
pub(super) fn strip_metadata(bytes: &Bytes, kind: Kind) -> Option<Bytes> {
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

    #[test]
    fn jpeg_metadata_and_trailing_data_are_removed_losslessly() {
        let plain = crate::photos::imaging::test_jpeg(64, 48);
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
}
