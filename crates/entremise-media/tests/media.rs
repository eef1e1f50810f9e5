//! Uploads become clean images: limits, metadata removal, orientation,
//! encodings, variants and storage.

use std::io::Cursor;
use std::time::{Duration, Instant};

use entremise_domain::error::Error;
use entremise_domain::media::{MAX_STORED_SIDE, MediaStore, UploadError, UploadLimits};
use entremise_media::samples::*;
use entremise_media::{ObjectMediaStore, Processed, process};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgba, RgbaImage};

fn limits() -> UploadLimits {
    UploadLimits::default()
}

fn ok(upload: &[u8]) -> Processed {
    process(upload, limits()).expect("the upload is accepted")
}

fn file<'a>(p: &'a Processed, variant: &str) -> &'a [u8] {
    &p.files
        .iter()
        .find(|(name, _)| name == variant)
        .unwrap_or_else(|| panic!("no {variant} copy"))
        .1
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("a stored copy decodes")
}

fn exif_of(bytes: &[u8]) -> Result<exif::Exif, exif::Error> {
    exif::Reader::new().read_from_container(&mut Cursor::new(bytes))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts a stored JPEG has no EXIF (hence no GPS) and no APPn segment but
/// the JFIF header.
fn assert_jpeg_clean(bytes: &[u8]) {
    assert!(exif_of(bytes).is_err(), "EXIF found in a stored copy");
    assert!(!contains(bytes, b"Exif\0\0"));
    for marker in jpeg_markers(bytes) {
        assert!(
            !(0xE1..=0xEF).contains(&marker) && marker != 0xFE,
            "metadata segment FF{marker:02X} in a stored copy"
        );
    }
}

// ------------------------------------------------------- metadata, EXIF ----

#[test]
fn jpeg_exif_and_gps_are_removed_and_orientation_applied() {
    let upload = jpeg_with_exif(&jpeg(red_left_blue_right(40, 20)), 6);
    // The test input really carries what must disappear.
    let input_exif = exif_of(&upload).expect("the crafted EXIF parses");
    assert!(
        input_exif
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    assert_eq!(
        input_exif
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0)),
        Some(6)
    );

    let p = ok(&upload);
    assert_eq!(p.image.content_type, "image/jpeg");
    // Orientation 6: turned a quarter clockwise, so 40×20 becomes 20×40…
    assert_eq!((p.image.width, p.image.height), (20, 40));
    for (_, bytes) in &p.files {
        assert_jpeg_clean(bytes);
    }
    let full = decode(file(&p, "full")).to_rgb8();
    assert_eq!(full.dimensions(), (20, 40));
    // …with the left (red) side on top, the right (blue) side below.
    let top = full.get_pixel(10, 5).0;
    let bottom = full.get_pixel(10, 34).0;
    assert!(top[0] > 200 && top[2] < 60, "top is {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "bottom is {bottom:?}");
}

#[test]
fn jpeg_without_orientation_keeps_its_shape() {
    let p = ok(&jpeg_with_exif(&jpeg(gradient(40, 20)), 1));
    assert_eq!((p.image.width, p.image.height), (40, 20));
    assert_jpeg_clean(file(&p, "full"));
}

#[test]
fn png_text_and_exif_chunks_are_removed() {
    let secret = b"Comment\0home address: 12 rue des Lilas";
    let upload = png_with_chunks(
        &png(DynamicImage::ImageRgb8(gradient(30, 10))),
        &[
            png_chunk(b"tEXt", secret),
            png_chunk(b"eXIf", &tiff_with_gps(1)),
        ],
    );
    assert!(contains(&upload, b"tEXt") && contains(&upload, b"12 rue des Lilas"));
    assert!(exif_of(&upload).is_ok(), "the crafted eXIf chunk parses");

    let p = ok(&upload);
    assert_eq!(p.image.content_type, "image/png");
    assert_eq!((p.image.width, p.image.height), (30, 10));
    for (_, bytes) in &p.files {
        assert!(!contains(bytes, b"12 rue des Lilas"));
        assert!(exif_of(bytes).is_err(), "EXIF found in a stored copy");
        for chunk in png_chunk_types(bytes) {
            assert!(
                ["IHDR", "IDAT", "IEND"].contains(&chunk.as_str()),
                "chunk {chunk} in a stored copy"
            );
        }
    }
}

#[test]
fn png_exif_orientation_is_applied() {
    let upload = png_with_chunks(
        &png(DynamicImage::ImageRgb8(gradient(30, 10))),
        &[png_chunk(b"eXIf", &tiff_with_gps(6))],
    );
    let p = ok(&upload);
    assert_eq!((p.image.width, p.image.height), (10, 30));
}

// ------------------------------------------------------------ refusals ----

#[test]
fn png_decompression_bomb_is_refused_from_its_header() {
    let bomb = png_bomb(100_000, 100_000);
    assert!(bomb.len() < 100);
    let started = Instant::now();
    assert_eq!(
        process(&bomb, limits()),
        Err(UploadError::TooManyPixels {
            max: limits().max_pixels
        })
    );
    // Within the side limit but over the pixel budget.
    let wide = UploadLimits {
        max_side: 100_000,
        ..limits()
    };
    assert_eq!(
        process(&png_bomb(20_000, 20_000), wide),
        Err(UploadError::TooManyPixels {
            max: wide.max_pixels
        })
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_bomb_header_within_limits_is_merely_corrupt() {
    // The same shape, small enough to be decoded: the missing pixel data is
    // reported, nothing panics.
    assert!(matches!(
        process(&png_bomb(64, 64), limits()),
        Err(UploadError::Corrupt(_))
    ));
}

#[test]
fn jpeg_and_gif_bombs_are_refused_from_their_headers() {
    let started = Instant::now();
    let too_many = Err(UploadError::TooManyPixels {
        max: limits().max_pixels,
    });
    let small = jpeg(gradient(16, 16));
    assert_eq!(
        process(&jpeg_claiming(&small, 60_000, 60_000), limits()),
        too_many
    );
    // 10 000 × 10 000: within the side limit, over the pixel budget.
    assert_eq!(
        process(&jpeg_claiming(&small, 10_000, 10_000), limits()),
        too_many
    );

    let mut gif_bomb = gif(vec![solid_rgba(4, 4, [1, 2, 3, 255])]);
    gif_bomb[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]); // logical screen 65535²
    assert_eq!(process(&gif_bomb, limits()), too_many);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn oversize_uploads_are_refused_before_decoding() {
    let small = UploadLimits {
        max_bytes: 100,
        ..limits()
    };
    let upload = png(DynamicImage::ImageRgb8(gradient(64, 64)));
    assert!(upload.len() > 100);
    assert_eq!(
        process(&upload, small),
        Err(UploadError::TooLarge { max: 100 })
    );
    // Size comes first: even garbage is answered by its size.
    assert_eq!(
        process(&[0u8; 101], small),
        Err(UploadError::TooLarge { max: 100 })
    );
    assert!(process(&[0u8; 100], small).is_err_and(|e| e == UploadError::NotAnImage));
}

#[test]
fn what_is_not_a_supported_image_is_refused() {
    for upload in [
        b"Hello, this is a text file.\n".as_slice(),
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b"",
        b"\xFF",
    ] {
        assert_eq!(process(upload, limits()), Err(UploadError::NotAnImage));
    }
    // Image formats outside the four: BMP and TIFF headers.
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 60]);
    assert_eq!(process(&bmp, limits()), Err(UploadError::NotAnImage));
    let tiff = tiff_with_gps(1);
    assert_eq!(process(&tiff, limits()), Err(UploadError::NotAnImage));
}

#[test]
fn truncated_images_are_corrupt() {
    let jpeg = jpeg(gradient(64, 64));
    let png = png(DynamicImage::ImageRgb8(gradient(64, 64)));
    let gif = gif(vec![solid_rgba(16, 16, [9, 9, 9, 255])]);
    let webp = webp(DynamicImage::ImageRgb8(gradient(64, 64)));
    for (name, whole) in [
        ("jpeg", &jpeg),
        ("png", &png),
        ("gif", &gif),
        ("webp", &webp),
    ] {
        assert!(process(whole, limits()).is_ok(), "whole {name}");
        // Cuts inside the pixel data (a PNG cut only in its closing IEND
        // chunk still holds the whole picture, and is accepted).
        for cut in [whole.len() / 2, whole.len() * 9 / 10, 40, 20] {
            let result = process(&whole[..cut], limits()).map(|p| p.image);
            assert!(
                matches!(result, Err(UploadError::Corrupt(_))),
                "{name} cut at {cut}: {result:?}"
            );
        }
    }
}

#[test]
fn a_jpeg_missing_only_its_end_marker_is_corrupt() {
    let whole = jpeg(gradient(64, 64));
    assert!(matches!(
        process(&whole[..whole.len() - 1], limits()),
        Err(UploadError::Corrupt(_))
    ));
    // Bytes after the end marker are tolerated.
    let mut padded = whole.clone();
    padded.extend_from_slice(&[0; 16]);
    assert!(process(&padded, limits()).is_ok());
}

#[test]
fn truncated_jpeg_with_an_exif_thumbnail_end_marker_is_corrupt() {
    // An EXIF block holding a thumbnail's end marker must not make a cut-off
    // JPEG look complete.
    let whole = jpeg(gradient(64, 64));
    let mut app1 = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08];
    app1.extend_from_slice(&[b'x', b'x', 0xFF, 0xD9]);
    app1.extend_from_slice(&whole[2..whole.len() / 2]);
    assert!(matches!(
        process(&app1, limits()),
        Err(UploadError::Corrupt(_))
    ));
}

// ----------------------------------------------------------- encodings ----

#[test]
fn transparency_is_kept_as_png() {
    let mut picture = RgbaImage::from_pixel(20, 20, Rgba([0, 128, 0, 255]));
    picture.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
    for upload in [
        png(DynamicImage::ImageRgba8(picture.clone())),
        webp(DynamicImage::ImageRgba8(picture.clone())),
    ] {
        let p = ok(&upload);
        assert_eq!(p.image.content_type, "image/png");
        let full = decode(file(&p, "full"));
        assert!(full.color().has_alpha());
        assert_eq!(full.get_pixel(0, 0).0[3], 0);
        assert_eq!(full.get_pixel(5, 5).0, [0, 128, 0, 255]);
    }
}

#[test]
fn opaque_webp_becomes_jpeg_opaque_png_stays_png() {
    let opaque = DynamicImage::ImageRgba8(solid_rgba(20, 20, [10, 20, 30, 255]));
    let from_webp = ok(&webp(opaque.clone()));
    assert_eq!(from_webp.image.content_type, "image/jpeg");
    assert_eq!(
        image::guess_format(file(&from_webp, "full")).unwrap(),
        ImageFormat::Jpeg
    );
    let from_png = ok(&png(opaque));
    assert_eq!(from_png.image.content_type, "image/png");
    assert!(!decode(file(&from_png, "full")).color().has_alpha());
}

#[test]
fn gif_keeps_its_first_frame_as_png() {
    let upload = gif(vec![
        solid_rgba(12, 8, [255, 0, 0, 255]),
        solid_rgba(12, 8, [0, 0, 255, 255]),
    ]);
    let p = ok(&upload);
    assert_eq!(p.image.content_type, "image/png");
    assert_eq!((p.image.width, p.image.height), (12, 8));
    let full = decode(file(&p, "full")).to_rgb8();
    assert_eq!(full.get_pixel(6, 4).0, [255, 0, 0]);
}

#[test]
fn sixteen_bit_png_is_stored_with_eight_bits() {
    let deep = DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(
        8,
        8,
        image::Rgb([65535u16, 0, 32768]),
    ));
    let p = ok(&png(deep));
    let full = decode(file(&p, "full"));
    assert_eq!(full.color(), image::ColorType::Rgb8);
    assert_eq!(full.get_pixel(1, 1).0, [255, 0, 128, 255]);
}

// ------------------------------------------------------------ variants ----

#[test]
fn a_large_image_gets_every_variant() {
    let p = ok(&png(DynamicImage::ImageRgb8(gradient(2000, 1000))));
    let names: Vec<_> = p.image.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["320", "640", "1280", "full"]);
    let dims: Vec<_> = p
        .image
        .variants
        .iter()
        .map(|v| (v.width, v.height))
        .collect();
    assert_eq!(dims, [(320, 160), (640, 320), (1280, 640), (2000, 1000)]);
    assert_eq!((p.image.width, p.image.height), (2000, 1000));
    assert_eq!(p.files.len(), 4);
    for (variant, (name, bytes)) in p.image.variants.iter().zip(&p.files) {
        assert_eq!(&variant.name, name);
        assert_eq!(variant.bytes, bytes.len() as u64);
        let copy = decode(bytes);
        assert_eq!(
            (copy.width(), copy.height()),
            (variant.width, variant.height)
        );
        assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Png);
    }
}

#[test]
fn the_full_copy_is_capped() {
    let p = ok(&jpeg(gradient(3000, 1500)));
    assert_eq!((p.image.width, p.image.height), (MAX_STORED_SIDE, 1024));
    let dims: Vec<_> = p
        .image
        .variants
        .iter()
        .map(|v| (v.width, v.height))
        .collect();
    assert_eq!(dims, [(320, 160), (640, 320), (1280, 640), (2048, 1024)]);
    let full = decode(file(&p, "full"));
    assert_eq!((full.width(), full.height()), (2048, 1024));

    // A tall picture is capped on its height; its variants follow its width.
    let p = ok(&jpeg(gradient(500, 4000)));
    assert_eq!((p.image.width, p.image.height), (256, MAX_STORED_SIDE));
    assert_eq!(p.image.variants.len(), 1);
}

#[test]
fn a_small_image_gets_only_full() {
    let p = ok(&jpeg(gradient(300, 200)));
    let names: Vec<_> = p.image.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["full"]);
    assert_eq!(
        (p.image.variants[0].width, p.image.variants[0].height),
        (300, 200)
    );
    // Exactly a variant width: no copy of the same size.
    let p = ok(&jpeg(gradient(640, 100)));
    let names: Vec<_> = p.image.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["320", "full"]);
}

#[test]
fn the_key_is_the_hash_of_the_full_copy() {
    let upload = jpeg(gradient(100, 50));
    let a = ok(&upload);
    let b = ok(&upload);
    assert_eq!(a.image.key, b.image.key);
    assert_eq!(a.image.key.len(), 64);
    let other = ok(&jpeg(gradient(100, 51)));
    assert_ne!(a.image.key, other.image.key);
    // The same picture with and without its metadata is one image.
    let with_exif = ok(&jpeg_with_exif(&upload, 1));
    assert_eq!(with_exif.image.key, a.image.key);
}

// --------------------------------------------------------------- store ----

#[tokio::test]
async fn stored_images_are_read_back_and_deduplicated() {
    let store = ObjectMediaStore::in_memory();
    let upload = png(DynamicImage::ImageRgb8(gradient(700, 350)));
    let first = store
        .store_image(upload.clone(), limits())
        .await
        .unwrap()
        .unwrap();
    let again = store
        .store_image(upload.clone(), limits())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, again);
    let expected = ok(&upload);
    assert_eq!(first, expected.image);
    for (name, bytes) in &expected.files {
        assert_eq!(
            store.read(&first.key, name).await.unwrap().as_deref(),
            Some(bytes.as_slice()),
            "{name}"
        );
    }
    // 700 wide: no 1280 copy.
    assert_eq!(store.read(&first.key, "1280").await.unwrap(), None);

    store.delete(&first.key).await.unwrap();
    for name in ["320", "640", "full"] {
        assert_eq!(store.read(&first.key, name).await.unwrap(), None);
    }
    // Deleting twice, or something never stored, is fine.
    store.delete(&first.key).await.unwrap();
    store.delete("not a key").await.unwrap();
}

#[tokio::test]
async fn refused_uploads_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ObjectMediaStore::local(dir.path()).unwrap();
    let refused = store
        .store_image(b"not an image".to_vec(), limits())
        .await
        .unwrap();
    assert_eq!(refused, Err(UploadError::NotAnImage));
    let refused = store
        .store_image(png_bomb(100_000, 100_000), limits())
        .await
        .unwrap();
    assert!(matches!(refused, Err(UploadError::TooManyPixels { .. })));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn reads_outside_the_layout_find_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    std::fs::write(dir.path().join("secret"), b"outside").unwrap();
    let store = ObjectMediaStore::local(&media).unwrap();
    let stored = store
        .store_image(jpeg(gradient(50, 50)), limits())
        .await
        .unwrap()
        .unwrap();
    let key = stored.key.as_str();
    assert!(store.read(key, "full").await.unwrap().is_some());

    let traversal = format!("../../../../{}", &key[12..]);
    for (k, variant) in [
        (key, "../full"),
        (key, "../../../../../secret"),
        (key, "2048"),
        (key, ""),
        (key, "FULL"),
        (&key[..63], "full"),
        ("../../secret", "full"),
        (traversal.as_str(), "full"),
        (&key.to_uppercase(), "full"),
        ("", "full"),
    ] {
        assert_eq!(
            store.read(k, variant).await.unwrap(),
            None,
            "{k:?} {variant:?}"
        );
    }
    let missing = "0".repeat(64);
    assert_eq!(store.read(&missing, "full").await.unwrap(), None);
    store.delete("../../secret").await.unwrap();
    assert!(dir.path().join("secret").exists());
}

#[tokio::test]
async fn local_store_writes_under_its_directory_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("created").join("on demand");
    let store = ObjectMediaStore::local(&root).unwrap();
    assert!(root.is_dir());
    let stored = store
        .store_image(jpeg(gradient(800, 600)), limits())
        .await
        .unwrap()
        .unwrap();
    let key = &stored.key;
    let folder = root
        .join("images")
        .join(&key[..2])
        .join(&key[2..4])
        .join(key);
    let mut names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["320", "640", "full"]);
    for v in &stored.variants {
        let on_disk = std::fs::read(folder.join(&v.name)).unwrap();
        assert_eq!(on_disk.len() as u64, v.bytes);
        assert_eq!(store.read(key, &v.name).await.unwrap(), Some(on_disk));
    }

    // A second store on the same directory sees the same files.
    let reopened = ObjectMediaStore::local(&root).unwrap();
    assert!(reopened.read(key, "full").await.unwrap().is_some());

    store.delete(key).await.unwrap();
    assert!(!folder.exists());
    assert!(!root.join("images").exists(), "emptied folders are removed");
    assert_eq!(reopened.read(key, "320").await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = ObjectMediaStore::local(dir.path()).unwrap();
    let upload = jpeg(gradient(1500, 300));
    let key = ok(&upload).image.key;
    let folder = dir
        .path()
        .join("images")
        .join(&key[..2])
        .join(&key[2..4])
        .join(&key);
    // A directory where the 1280 copy must go: that write fails after 320
    // and 640 were written.
    std::fs::create_dir_all(folder.join("1280").join("blocked")).unwrap();

    let result = store.store_image(upload, limits()).await;
    assert!(matches!(result, Err(Error::Internal(_))), "{result:?}");
    for name in ["320", "640", "full"] {
        assert!(!folder.join(name).exists(), "{name} left behind");
        assert_eq!(store.read(&key, name).await.unwrap(), None);
    }
}
