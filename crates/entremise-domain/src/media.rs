//! Images: the port to where their bytes live and how uploads become safe
//! images. Who may see an image is not decided here: an image is served
//! with the audience of the post or field that holds it (PRIVACY.md
//! "Media"), which the use cases check before asking for its bytes.

use crate::error::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Limits an upload must respect before anything is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Bytes of the uploaded file.
    pub max_bytes: usize,
    /// Width × height of the decoded image (decompression bombs).
    pub max_pixels: u64,
    /// Longest side of the decoded image.
    pub max_side: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 12_000,
        }
    }
}

/// Widths of the smaller copies kept of every image, besides the
/// re-encoded original (capped at [`MAX_STORED_SIDE`]).
pub const VARIANT_WIDTHS: [u32; 3] = [320, 640, 1280];
/// The name of the full (re-encoded, metadata-free) copy.
pub const FULL_VARIANT: &str = "full";
/// The longest side of the largest copy kept.
pub const MAX_STORED_SIDE: u32 = 2048;

/// One stored copy of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    /// `"320"`, `"640"`, `"1280"` or `"full"`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// An image once stored: its content address and the copies kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredImage {
    /// Hex SHA-256 of the re-encoded full copy: the same picture uploaded
    /// twice is stored once.
    pub key: String,
    /// `image/jpeg`, `image/png` or `image/webp` (the stored encoding).
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Variant>,
}

/// Why an upload was refused; each is a clear 4xx for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("this is not an image in a supported format (JPEG, PNG, WebP, GIF)")]
    NotAnImage,
    #[error("the image could not be read: {0}")]
    Corrupt(String),
    #[error("the image has more than {max} pixels")]
    TooManyPixels { max: u64 },
}

/// Where images live (a local directory now, S3-compatible storage later)
/// and how an upload becomes a clean image.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Validates an upload within `limits`, decodes it off the async workers
    /// (a panic in a decoder is contained and answered as `Corrupt`), applies
    /// its orientation, re-encodes it without any metadata block (EXIF, GPS,
    /// maker notes, XMP, ICC comments), makes the [`VARIANT_WIDTHS`] copies and
    /// stores them all under the content address. Nothing is stored when it
    /// fails.
    async fn store_image(
        &self,
        upload: Vec<u8>,
        limits: UploadLimits,
    ) -> Result<std::result::Result<StoredImage, UploadError>>;

    /// The bytes of one copy (`variant` as in [`Variant::name`]), or `None`.
    async fn read(&self, key: &str, variant: &str) -> Result<Option<Vec<u8>>>;

    /// Removes every copy of an image (when nothing holds it any more).
    async fn delete(&self, key: &str) -> Result<()>;
}
