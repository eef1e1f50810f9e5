//! The entremise [`MediaStore`]: an upload becomes a clean image, stored by
//! its content address on object storage (a local directory now, any
//! S3-compatible bucket later behind the same [`ObjectStore`] trait).
//!
//! # What happens to an upload
//!
//! 1. More than [`UploadLimits::max_bytes`] is refused before any parsing.
//! 2. The format is sniffed from the magic bytes: only JPEG, PNG, WebP and
//!    GIF are accepted, whatever the client claims.
//! 3. The dimensions are read from the header, and an image over
//!    [`UploadLimits::max_pixels`] or [`UploadLimits::max_side`] is refused
//!    before its pixels are allocated (decompression bombs). The decoder also
//!    carries [`image::Limits`] as a second guard.
//! 4. The pixels are decoded (first frame of an animation), the EXIF
//!    orientation is applied, and the picture is re-encoded from raw pixels:
//!    no metadata block of the upload (EXIF, GPS, maker notes, XMP, ICC,
//!    text chunks, comments) survives (PRIVACY.md, "Media").
//! 5. The full copy is scaled down to [`MAX_STORED_SIDE`], and a copy is made
//!    for every [`VARIANT_WIDTHS`] width smaller than it.
//!
//! # Encodings
//!
//! - JPEG uploads are stored as JPEG (quality [`JPEG_QUALITY`]).
//! - Any image that really uses transparency is stored as PNG.
//! - PNG and GIF uploads without transparency stay PNG: they are mostly
//!   screenshots, diagrams and logos, which JPEG would blur.
//! - WebP uploads without transparency are stored as JPEG (they are mostly
//!   lossy photographs; the `image` crate only encodes lossless WebP).
//!
//! All the copies of one image share its encoding. Colour profiles are not
//! kept: pixels are taken as sRGB.
//!
//! # Layout
//!
//! The key is the hex SHA-256 of the full copy; the copies live at
//! `images/<k0k1>/<k2k3>/<key>/<variant>` with variant `320`, `640`, `1280`
//! or `full`. `full` is written last, so its presence means the image is
//! complete; storing the same picture again writes nothing.

pub mod samples;

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use entremise_domain::error::{Error, Result};
use entremise_domain::media::{
    MAX_STORED_SIDE, MediaStore, StoredImage, UploadError, UploadLimits, VARIANT_WIDTHS, Variant,
};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

/// Quality of every JPEG written.
pub const JPEG_QUALITY: u8 = 82;

/// Name of the re-encoded original among the variants.
pub const FULL: &str = "full";

/// Every variant name, smallest first; `full` last (it is written last).
const VARIANT_NAMES: [&str; 4] = ["320", "640", "1280", FULL];

/// Resampling filter for every downscale.
const FILTER: FilterType = FilterType::Lanczos3;

/// An upload processed in memory, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// What the store will answer once the files are written.
    pub image: StoredImage,
    /// `(variant name, encoded bytes)`, smallest first, `full` last.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Validates an upload within `limits`, decodes it, applies its orientation,
/// re-encodes it without metadata and makes the variants. Pure (no I/O) and
/// synchronous: call it off the async workers. A panic inside a decoder is
/// caught and answered as [`UploadError::Corrupt`].
pub fn process(upload: &[u8], limits: UploadLimits) -> Result<Processed, UploadError> {
    contain_panics(|| process_unguarded(upload, limits))
}

/// Runs `f`, turning a panic into [`UploadError::Corrupt`].
fn contain_panics(
    f: impl FnOnce() -> Result<Processed, UploadError>,
) -> Result<Processed, UploadError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(UploadError::Corrupt(
            "the decoder failed on this file".to_owned(),
        ))
    })
}

/// How the copies of one image are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Jpeg,
    Png,
}

impl Encoding {
    fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

fn process_unguarded(upload: &[u8], limits: UploadLimits) -> Result<Processed, UploadError> {
    if upload.len() > limits.max_bytes {
        return Err(UploadError::TooLarge {
            max: limits.max_bytes,
        });
    }
    let format = match image::guess_format(upload) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => f,
        _ => return Err(UploadError::NotAnImage),
    };
    if format == ImageFormat::Jpeg && !has_jpeg_end(upload) {
        // The JPEG decoder is lenient and would fill a cut-off image with grey.
        return Err(UploadError::Corrupt("the JPEG data is cut off".to_owned()));
    }
    let too_many = UploadError::TooManyPixels {
        max: limits.max_pixels,
    };

    // Headers only: no pixel buffer is allocated until the checks pass.
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(decoder_limits(limits, false));
    let mut decoder = reader.into_decoder().map_err(|e| upload_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(UploadError::Corrupt("the image has no pixels".to_owned()));
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_many);
    }
    // Second guard: the decoder itself refuses larger images and allocations.
    let guard = decoder_limits(limits, true);
    let max_alloc = guard.max_alloc.unwrap_or(u64::MAX);
    decoder
        .set_limits(guard)
        .map_err(|e| upload_error(e, limits))?;
    if decoder.total_bytes() > max_alloc {
        return Err(too_many);
    }
    // A broken orientation tag is no reason to refuse the picture.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);

    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| upload_error(e, limits))?;
    picture.apply_orientation(orientation);

    let transparent = uses_transparency(&picture);
    let encoding = match format {
        _ if transparent => Encoding::Png,
        ImageFormat::Png | ImageFormat::Gif => Encoding::Png,
        _ => Encoding::Jpeg,
    };
    // Raw pixels only, 8 bits per channel: nothing of the upload but its
    // picture goes further.
    let picture = match (encoding, transparent) {
        (Encoding::Png, true) => DynamicImage::ImageRgba8(picture.into_rgba8()),
        _ => DynamicImage::ImageRgb8(picture.into_rgb8()),
    };
    let full = if picture.width().max(picture.height()) > MAX_STORED_SIDE {
        picture.resize(MAX_STORED_SIDE, MAX_STORED_SIDE, FILTER)
    } else {
        picture
    };

    let mut copies: Vec<(String, DynamicImage)> = VARIANT_WIDTHS
        .iter()
        .filter(|&&w| w < full.width())
        .map(|&w| {
            let h = scaled_height(full.width(), full.height(), w);
            (w.to_string(), full.resize_exact(w, h, FILTER))
        })
        .collect();
    copies.push((FULL.to_owned(), full));

    let mut files = Vec::with_capacity(copies.len());
    let mut variants = Vec::with_capacity(copies.len());
    for (name, copy) in &copies {
        let bytes = encode(copy, encoding)?;
        variants.push(Variant {
            name: name.clone(),
            width: copy.width(),
            height: copy.height(),
            bytes: bytes.len() as u64,
        });
        files.push((name.clone(), bytes));
    }
    let (_, full_bytes) = files.last().expect("the full copy is always made");
    let key = hex(&Sha256::digest(full_bytes));
    let (_, full) = copies.last().expect("the full copy is always made");
    Ok(Processed {
        image: StoredImage {
            key,
            content_type: encoding.content_type().to_owned(),
            width: full.width(),
            height: full.height(),
            variants,
        },
        files,
    })
}

/// The limits handed to the decoder. Header reading gets no width/height
/// limit, so that an oversized image is told apart from a broken one.
fn decoder_limits(limits: UploadLimits, strict: bool) -> image::Limits {
    let mut l = image::Limits::default();
    if strict {
        l.max_image_width = Some(limits.max_side);
        l.max_image_height = Some(limits.max_side);
    }
    // 8 bytes a pixel (RGBA, 16 bits a channel) plus room for the decoder's
    // own tables.
    l.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(8)
            .saturating_add(64 * 1024 * 1024),
    );
    l
}

fn upload_error(e: ImageError, limits: UploadLimits) -> UploadError {
    match e {
        ImageError::Limits(_) => UploadError::TooManyPixels {
            max: limits.max_pixels,
        },
        ImageError::Unsupported(_) => UploadError::NotAnImage,
        other => UploadError::Corrupt(other.to_string()),
    }
}

/// Whether a JPEG has its end-of-image marker after the start of its first
/// scan (trailing bytes after it are tolerated, as some cameras and editors
/// append some). The segments before the scan are skipped by their lengths,
/// so the end marker of an embedded EXIF thumbnail does not count.
fn has_jpeg_end(data: &[u8]) -> bool {
    let scan = first_scan(data).unwrap_or(0);
    data.get(scan..)
        .is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// Offset just after the first start-of-scan marker, if the segments up to
/// it are well formed.
fn first_scan(data: &[u8]) -> Option<usize> {
    let mut at = 2; // after SOI
    loop {
        if *data.get(at)? != 0xFF {
            return None;
        }
        let marker = *data.get(at + 1)?;
        match marker {
            0xFF => at += 1, // fill byte
            0xDA => return Some(at + 2),
            0x01 | 0xD0..=0xD7 => at += 2, // markers without a length
            _ => {
                let len = usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
                at += 2 + len;
            }
        }
    }
}

/// Whether any pixel is not fully opaque.
fn uses_transparency(picture: &DynamicImage) -> bool {
    if !picture.color().has_alpha() {
        return false;
    }
    match picture {
        DynamicImage::ImageRgba8(b) => b.pixels().any(|p| p.0[3] != u8::MAX),
        DynamicImage::ImageLumaA8(b) => b.pixels().any(|p| p.0[1] != u8::MAX),
        DynamicImage::ImageRgba16(b) => b.pixels().any(|p| p.0[3] != u16::MAX),
        DynamicImage::ImageLumaA16(b) => b.pixels().any(|p| p.0[1] != u16::MAX),
        _ => true,
    }
}

fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let h = (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(h).unwrap_or(u32::MAX).max(1)
}

fn encode(picture: &DynamicImage, encoding: Encoding) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    let result = match encoding {
        Encoding::Jpeg => {
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(picture)
        }
        Encoding::Png => PngEncoder::new(&mut out).write_image(
            picture.as_bytes(),
            picture.width(),
            picture.height(),
            picture.color().into(),
        ),
    };
    result.map_err(|e| UploadError::Corrupt(format!("the image could not be re-encoded: {e}")))?;
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    s
}

/// Whether `key` is a content address: 64 lowercase hex digits.
fn valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where one copy lives. Only called with a valid key and variant name.
fn object_path(key: &str, variant: &str) -> ObjectPath {
    ObjectPath::from(format!(
        "images/{}/{}/{key}/{variant}",
        &key[..2],
        &key[2..4]
    ))
}

/// Images on any [`ObjectStore`].
#[derive(Debug, Clone)]
pub struct ObjectMediaStore {
    objects: Arc<dyn ObjectStore>,
    /// Decodes at once: each may take up to [`UploadLimits::max_pixels`]
    /// × 4 bytes and more while scaling, so uploads beyond these wait
    /// their turn rather than all hold their pixels together.
    decodes: Arc<tokio::sync::Semaphore>,
}

impl ObjectMediaStore {
    /// Over any object store (an S3-compatible bucket, for instance).
    pub fn new(objects: Arc<dyn ObjectStore>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            objects,
            decodes: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// Decodes allowed at once (one per core by default).
    pub fn with_decodes_at_once(mut self, decodes: usize) -> Self {
        self.decodes = Arc::new(tokio::sync::Semaphore::new(decodes.max(1)));
        self
    }

    /// In the directory `dir`, created if missing. Writes are synced to disk,
    /// and emptied directories are removed on delete.
    pub fn local(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::internal(format!(
                "cannot create the media directory {}: {e}",
                dir.display()
            ))
        })?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| {
                Error::internal(format!(
                    "cannot open the media directory {}: {e}",
                    dir.display()
                ))
            })?
            .with_automatic_cleanup(true)
            .with_fsync(true);
        Ok(Self::new(Arc::new(objects)))
    }

    /// In memory, for tests and demos.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(object_store::memory::InMemory::new()))
    }

    /// Writes every copy, `full` last; on a failure, removes what this call
    /// wrote so that nothing is left half-way.
    async fn write_all(&self, processed: &Processed) -> Result<()> {
        let key = &processed.image.key;
        if self.exists(&object_path(key, FULL)).await? {
            return Ok(());
        }
        let mut written = Vec::with_capacity(processed.files.len());
        for (name, bytes) in &processed.files {
            let path = object_path(key, name);
            if let Err(e) = self
                .objects
                .put(&path, PutPayload::from(bytes.clone()))
                .await
            {
                for done in &written {
                    // Best effort: the write error is the one reported.
                    let _ = self.objects.delete(done).await;
                }
                return Err(Error::internal(format!("cannot store image {key}: {e}")));
            }
            written.push(path);
        }
        Ok(())
    }

    async fn exists(&self, path: &ObjectPath) -> Result<bool> {
        match self.objects.head(path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(Error::internal(format!("cannot look up {path}: {e}"))),
        }
    }
}

#[async_trait]
impl MediaStore for ObjectMediaStore {
    async fn store_image(
        &self,
        upload: Vec<u8>,
        limits: UploadLimits,
    ) -> Result<std::result::Result<StoredImage, UploadError>> {
        let turn = self
            .decodes
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("image decoding closed"))?;
        let work = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            process(&upload, limits)
        });
        let processed = match work.await {
            Ok(Ok(processed)) => processed,
            Ok(Err(refused)) => return Ok(Err(refused)),
            Err(e) => return Err(Error::internal(format!("image processing failed: {e}"))),
        };
        self.write_all(&processed).await?;
        Ok(Ok(processed.image))
    }

    async fn read(&self, key: &str, variant: &str) -> Result<Option<Vec<u8>>> {
        if !valid_key(key) || !VARIANT_NAMES.contains(&variant) {
            return Ok(None);
        }
        let path = object_path(key, variant);
        let found = match self.objects.get(&path).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(Error::internal(format!("cannot read {path}: {e}"))),
        };
        let bytes = found
            .bytes()
            .await
            .map_err(|e| Error::internal(format!("cannot read {path}: {e}")))?;
        Ok(Some(bytes.to_vec()))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        if !valid_key(key) {
            return Ok(());
        }
        // `full` first: once it is gone the image counts as absent, and a
        // later upload of the same picture rewrites every copy.
        for variant in VARIANT_NAMES.iter().rev() {
            let path = object_path(key, variant);
            match self.objects.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(Error::internal(format!("cannot delete {path}: {e}"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_corrupt() {
        let result = contain_panics(|| panic!("decoder bug"));
        assert!(matches!(result, Err(UploadError::Corrupt(_))), "{result:?}");
    }

    #[test]
    fn keys_are_64_lowercase_hex_digits() {
        assert!(valid_key(&"a".repeat(64)));
        assert!(valid_key(&hex(&Sha256::digest(b"x"))));
        assert!(!valid_key(&"A".repeat(64)));
        assert!(!valid_key(&"a".repeat(63)));
        assert!(!valid_key(&format!("../{}", "a".repeat(61))));
        assert!(!valid_key(""));
    }

    #[test]
    fn scaled_height_keeps_the_ratio() {
        assert_eq!(scaled_height(2000, 1000, 320), 160);
        assert_eq!(scaled_height(1000, 1, 320), 1);
        assert_eq!(scaled_height(3, 2, 2), 1);
    }

    #[test]
    fn jpeg_end_marker_is_found_despite_trailing_bytes() {
        assert!(has_jpeg_end(&[0xFF, 0xD8, 0xFF, 0xDA, 7, 0xFF, 0xD9, 0, 0]));
        assert!(!has_jpeg_end(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2]));
        // An APP1 segment holding a thumbnail's end marker, then a cut scan.
        let cut = [0xFF, 0xD8, 0xFF, 0xE1, 0, 4, 0xFF, 0xD9, 0xFF, 0xDA, 1, 2];
        assert!(!has_jpeg_end(&cut));
    }
}
