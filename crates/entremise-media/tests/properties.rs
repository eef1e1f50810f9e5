//! Whatever the bytes, `process` answers: a clean image or an
//! `UploadError`, never a panic (nor a contained decoder panic).

use std::sync::OnceLock;

use entremise_domain::media::{UploadError, UploadLimits};
use entremise_media::process;
use entremise_media::samples::*;
use image::DynamicImage;
use proptest::prelude::*;

/// Small enough that a mutated header cannot make a case slow.
const LIMITS: UploadLimits = UploadLimits {
    max_bytes: 64 * 1024,
    max_pixels: 1 << 20,
    max_side: 2048,
};

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        vec![
            jpeg_with_exif(&jpeg(gradient(24, 16)), 6),
            png_with_chunks(
                &png(DynamicImage::ImageRgb8(gradient(24, 16))),
                &[png_chunk(b"tEXt", b"k\0v")],
            ),
            png(DynamicImage::ImageRgba8(solid_rgba(9, 7, [1, 2, 3, 4]))),
            gif(vec![
                solid_rgba(10, 6, [200, 0, 0, 255]),
                solid_rgba(10, 6, [0, 0, 200, 255]),
            ]),
            webp(DynamicImage::ImageRgb8(gradient(24, 16))),
        ]
    })
}

/// The answer is an image whose files decode to the advertised sizes, or a
/// refusal that is not a contained panic.
fn check(upload: &[u8]) -> Result<(), TestCaseError> {
    match process(upload, LIMITS) {
        Ok(p) => {
            prop_assert_eq!(p.files.len(), p.image.variants.len());
            for ((name, bytes), v) in p.files.iter().zip(&p.image.variants) {
                prop_assert_eq!(name, &v.name);
                let copy = image::load_from_memory(bytes);
                prop_assert!(copy.is_ok(), "copy {} does not decode", name);
                let copy = copy.unwrap();
                prop_assert_eq!((copy.width(), copy.height()), (v.width, v.height));
            }
        }
        Err(UploadError::Corrupt(reason)) => {
            prop_assert!(
                !reason.starts_with("the decoder failed"),
                "a decoder panicked on {:?}",
                upload
            );
        }
        Err(_) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn random_bytes_behind_a_magic_never_panic(
        magic in 0usize..4,
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let prefix: &[u8] = match magic {
            0 => &[0xFF, 0xD8, 0xFF],
            1 => &PNG_SIGNATURE,
            2 => b"GIF89a",
            _ => b"RIFF\0\0\0\0WEBPVP8 ",
        };
        let mut upload = prefix.to_vec();
        upload.extend_from_slice(&bytes);
        check(&upload)?;
    }

    #[test]
    fn damaged_images_never_panic(
        seed in 0usize..5,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        keep in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut upload = seeds()[seed].clone();
        for (at, byte) in flips {
            let i = at.index(upload.len());
            upload[i] = byte;
        }
        if truncate {
            upload.truncate(keep.index(upload.len() + 1));
        }
        check(&upload)?;
    }
}
