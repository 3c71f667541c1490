//! Pictures: a business's logo (R9) and a professional's photo (R13).
//!
//! A picture is read from the bytes a person uploaded, which are not
//! trusted: the type is told by content (PNG, JPEG or WebP), not by the
//! name or the declared type; the file, its width and height and its
//! pixels are bounded before anything is decoded, and decoding itself
//! runs under allocation limits, so a decompression bomb is refused rather
//! than unpacked. What is kept is re-encoded by the engine (PNG, or JPEG
//! for a JPEG), at most [`KEPT_SIDE`] pixels on its longest side, so no
//! uploaded byte (metadata, a payload after the image) is ever served back.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::error::{Error, Problem};
use crate::ids::ProfessionalId;

/// The largest upload read, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The widest or tallest picture read, in pixels.
pub const MAX_SIDE: u32 = 8_192;

/// The most pixels a picture read may have.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The longest side of a picture kept, in pixels: larger ones are scaled
/// down.
pub const KEPT_SIDE: u32 = 1_024;

/// Whose picture it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The business's logo.
    Logo,
    /// A professional's photo.
    Professional(ProfessionalId),
}

impl Subject {
    /// The key a store keeps it under: `logo`, `professional:{id}`.
    pub fn key(&self) -> String {
        match self {
            Subject::Logo => "logo".to_owned(),
            Subject::Professional(id) => format!("professional:{id}"),
        }
    }

    /// Reads a store's key.
    ///
    /// # Errors
    /// [`Error::Storage`] for a key this module did not write.
    pub fn from_key(key: &str) -> Result<Subject, Error> {
        match key.split_once(':') {
            None if key == "logo" => Ok(Subject::Logo),
            Some(("professional", id)) => Ok(Subject::Professional(
                ProfessionalId::parse(id).map_err(|_| bad_key(key))?,
            )),
            _ => Err(bad_key(key)),
        }
    }
}

fn bad_key(key: &str) -> Error {
    Error::Storage {
        detail: format!("a picture is kept under an unknown key {key:?}"),
    }
}

/// How a kept picture is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl Encoding {
    /// Its media type: `image/png`, `image/jpeg`.
    pub fn media_type(self) -> &'static str {
        match self {
            Encoding::Png => "image/png",
            Encoding::Jpeg => "image/jpeg",
        }
    }

    /// Reads a media type this module wrote.
    ///
    /// # Errors
    /// [`Error::Storage`] for another.
    pub fn from_media_type(text: &str) -> Result<Encoding, Error> {
        match text {
            "image/png" => Ok(Encoding::Png),
            "image/jpeg" => Ok(Encoding::Jpeg),
            other => Err(Error::Storage {
                detail: format!("a picture is kept as {other:?}"),
            }),
        }
    }
}

/// A picture as the engine keeps it: re-encoded, bounded.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    encoding: Encoding,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Picture({}, {}x{}, {} bytes)",
            self.encoding.media_type(),
            self.width,
            self.height,
            self.bytes.len()
        )
    }
}

impl Picture {
    /// Reads an uploaded picture and re-encodes it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `image`: more than [`MAX_BYTES`], not a PNG,
    /// JPEG or WebP by its content, wider or taller than [`MAX_SIDE`] or
    /// with more than [`MAX_PIXELS`], or not decodable.
    pub fn read(upload: &[u8]) -> Result<Picture, Error> {
        let field = "image";
        if upload.len() > MAX_BYTES {
            return Err(Error::invalid(
                field,
                Problem::FileTooLarge {
                    bytes: upload.len(),
                    max: MAX_BYTES,
                },
            ));
        }
        let format = match image::guess_format(upload) {
            Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
            _ => return Err(Error::invalid(field, Problem::NotAnImage)),
        };
        let unreadable = |e: image::ImageError| {
            Error::invalid(
                field,
                Problem::Unreadable {
                    detail: crate::error::clip(&e.to_string()),
                },
            )
        };
        let (width, height) = ImageReader::with_format(Cursor::new(upload), format)
            .into_dimensions()
            .map_err(unreadable)?;
        if width > MAX_SIDE
            || height > MAX_SIDE
            || u64::from(width) * u64::from(height) > MAX_PIXELS
        {
            return Err(Error::invalid(
                field,
                Problem::TooManyPixels {
                    width,
                    height,
                    max_side: MAX_SIDE,
                    max_pixels: MAX_PIXELS,
                },
            ));
        }
        let mut reader = ImageReader::with_format(Cursor::new(upload), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        // Four bytes a pixel and room for the decoder's own buffers.
        limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
        reader.limits(limits);
        let decoded = reader.decode().map_err(unreadable)?;
        let decoded = if decoded.width().max(decoded.height()) > KEPT_SIDE {
            decoded.thumbnail(KEPT_SIDE, KEPT_SIDE)
        } else {
            decoded
        };
        let (encoding, out) = if format == ImageFormat::Jpeg {
            (
                Encoding::Jpeg,
                image::DynamicImage::ImageRgb8(decoded.to_rgb8()),
            )
        } else {
            (
                Encoding::Png,
                image::DynamicImage::ImageRgba8(decoded.to_rgba8()),
            )
        };
        let mut bytes = Vec::new();
        let written = match encoding {
            Encoding::Png => out.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png),
            Encoding::Jpeg => out.write_with_encoder(
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85),
            ),
        };
        written.map_err(unreadable)?;
        Ok(Picture {
            encoding,
            width: out.width(),
            height: out.height(),
            bytes,
        })
    }

    /// Rebuilds a picture a store kept (written by [`Picture::read`]).
    pub fn from_parts(encoding: Encoding, width: u32, height: u32, bytes: Vec<u8>) -> Picture {
        Picture {
            encoding,
            width,
            height,
            bytes,
        }
    }

    /// How it is encoded.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }
    /// Its width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Its height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// The encoded bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A digest of the bytes (FNV-1a), to tell two pictures apart: the
    /// same upload always makes the same digest. It is also the picture's
    /// version in addresses that serve it (`?v=`), so a changed logo is
    /// not served from a cache.
    pub fn digest(&self) -> u64 {
        self.bytes
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(width, height, image::Rgba([26, 127, 60, 255]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_png_is_kept_as_a_png_without_trailing_bytes() {
        let mut upload = png(40, 20);
        upload.extend_from_slice(b"<script>alert(1)</script>");
        let picture = Picture::read(&upload).unwrap();
        assert_eq!(picture.encoding(), Encoding::Png);
        assert_eq!((picture.width(), picture.height()), (40, 20));
        assert!(!picture.bytes().windows(8).any(|w| w == b"<script>"));
    }

    #[test]
    fn a_large_picture_is_scaled_down() {
        let picture = Picture::read(&png(2048, 1024)).unwrap();
        assert_eq!((picture.width(), picture.height()), (1024, 512));
    }

    #[test]
    fn not_an_image_is_refused_by_content() {
        for bytes in [
            &b"GIF89a......"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"",
        ] {
            let err = Picture::read(bytes).unwrap_err();
            assert_eq!(err.field(), Some("image"));
            assert!(
                matches!(
                    err,
                    Error::Invalid {
                        problem: Problem::NotAnImage,
                        ..
                    }
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn a_bomb_is_refused_before_decoding() {
        // A PNG that claims 60000 x 60000 pixels in a few hundred bytes.
        let mut bomb = png(1, 1);
        // The IHDR width and height are at bytes 16..24, its CRC (over
        // the chunk's type and data, bytes 12..29) at 29..33.
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = Picture::read(&bomb).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Invalid {
                    problem: Problem::TooManyPixels { width: 60_000, .. },
                    ..
                }
            ),
            "{err}"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn too_many_bytes_are_refused_unread() {
        let err = Picture::read(&vec![0u8; MAX_BYTES + 1]).unwrap_err();
        assert!(matches!(
            err,
            Error::Invalid {
                problem: Problem::FileTooLarge { .. },
                ..
            }
        ));
    }

    #[test]
    fn subjects_round_trip_their_keys() {
        for subject in [
            Subject::Logo,
            Subject::Professional(ProfessionalId::random()),
        ] {
            assert_eq!(Subject::from_key(&subject.key()).unwrap(), subject);
        }
        assert!(Subject::from_key("professional:x").is_err());
    }
}
