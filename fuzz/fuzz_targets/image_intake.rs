//! Image intake: any bytes uploaded as an image, through the media crate's
//! `process` with the limits the server applies (`UploadLimits::default()`).
//!
//! It must never panic (libFuzzer's panic hook aborts even on a panic that
//! `process` would contain, so a decoder bug shows here), never allocate
//! without bound (libFuzzer's `-rss_limit_mb` / `-malloc_limit_mb`), and
//! either refuse with a reason or hand back copies that are real images:
//! each decodes in its stated format to its stated size, the full copy
//! fits `MAX_STORED_SIDE`, the smaller ones are the `VARIANT_WIDTHS` below
//! it, and the key is the SHA-256 of the full copy.

#![no_main]

use entremise_domain::media::{MAX_STORED_SIDE, UploadError, UploadLimits, VARIANT_WIDTHS};
use entremise_media::{FULL, process};
use image::ImageFormat;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let limits = UploadLimits::default();
    match process(data, limits) {
        Err(refused) => check_refusal(&refused),
        Ok(processed) => {
            let image = &processed.image;
            let format = match image.content_type.as_str() {
                "image/jpeg" => ImageFormat::Jpeg,
                "image/png" => ImageFormat::Png,
                other => panic!("stored as an unexpected type {other:?}"),
            };
            assert!(image.width > 0 && image.height > 0, "{image:?}");
            assert!(
                image.width.max(image.height) <= MAX_STORED_SIDE,
                "full copy too large: {image:?}"
            );
            assert_eq!(processed.files.len(), image.variants.len());
            let (last, full_bytes) = processed.files.last().expect("at least the full copy");
            assert_eq!(last, FULL);
            let digest: String = Sha256::digest(full_bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(image.key, digest, "the key is the full copy's address");
            for ((name, bytes), variant) in processed.files.iter().zip(&image.variants) {
                assert_eq!(name, &variant.name);
                assert_eq!(bytes.len() as u64, variant.bytes);
                if name != FULL {
                    let w: u32 = name.parse().expect("a variant is named by its width");
                    assert!(VARIANT_WIDTHS.contains(&w) && w < image.width, "{name}");
                    assert_eq!(variant.width, w);
                }
                let decoded = image::load_from_memory_with_format(bytes, format)
                    .unwrap_or_else(|e| panic!("variant {name} does not decode: {e}"));
                assert_eq!(
                    (decoded.width(), decoded.height()),
                    (variant.width, variant.height),
                    "variant {name}"
                );
            }
        }
    }
});

/// A refusal names its reason, and stays within the limits it quotes.
fn check_refusal(refused: &UploadError) {
    let message = refused.to_string();
    assert!(!message.trim().is_empty());
    if let UploadError::Corrupt(why) = refused {
        assert!(!why.trim().is_empty(), "a corrupt file is told why");
    }
}
