//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/`
//! (`seed-*` files; inputs kept from fuzzing runs sit beside them under
//! other names). Deterministic: run it again after changing a seed, and
//! commit what changed.
//!
//! ```sh
//! cd fuzz && cargo run --example seeds
//! ```

use entremise_media::samples;
use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgb, Rgb32FImage, RgbaImage};
use std::path::{Path, PathBuf};

/// The form token the `web_forms` target's member holds (keep in step with
/// `fuzz_targets/web_forms.rs`).
const CSRF: &str = "fuzzfuzzfuzzfuzzfuzzfuzz";
const BOUNDARY: &str = "xYzZY";

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    images(&root.join("image_intake"));
    values(&root.join("parse_values"));
    forms(&root.join("web_forms"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("create the corpus directory");
    let path = dir.join(format!("seed-{name}"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Small pictures in every accepted format and colour type, and the shapes
/// of trouble the intake refuses (bombs, lying headers, cut-off files).
fn image_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let photo = samples::gradient(24, 16);
    let jpeg = samples::jpeg(photo.clone());
    let half_clear = RgbaImage::from_fn(12, 12, |x, _| {
        image::Rgba([200, 30, 30, if x < 6 { 0 } else { 255 }])
    });
    let gray = GrayImage::from_fn(10, 7, |x, y| Luma([(x * 20 + y) as u8]));
    let wide = DynamicImage::ImageRgb8(samples::gradient(400, 3));
    let sixteen = DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(photo.clone()).into_rgb16());
    let float = DynamicImage::ImageRgb32F(Rgb32FImage::from_pixel(3, 3, Rgb([0.5, 0.2, 0.9])));
    let frames = vec![
        samples::solid_rgba(8, 8, [255, 0, 0, 255]),
        samples::solid_rgba(8, 8, [0, 0, 255, 128]),
    ];
    let mut cut = jpeg.clone();
    cut.truncate(jpeg.len() / 2);
    vec![
        ("photo.jpg", jpeg.clone()),
        ("exif-rotated.jpg", samples::jpeg_with_exif(&jpeg, 6)),
        (
            "claims-huge.jpg",
            samples::jpeg_claiming(&jpeg, 60_000, 60_000),
        ),
        ("cut.jpg", cut),
        (
            "rgb.png",
            samples::png(DynamicImage::ImageRgb8(photo.clone())),
        ),
        (
            "transparent.png",
            samples::png(DynamicImage::ImageRgba8(half_clear.clone())),
        ),
        ("gray.png", samples::png(DynamicImage::ImageLuma8(gray))),
        ("wide.png", samples::png(wide)),
        ("rgb16.png", samples::png(sixteen)),
        (
            "text-chunk.png",
            samples::png_with_chunks(
                &samples::png(DynamicImage::ImageRgb8(photo.clone())),
                &[samples::png_chunk(b"tEXt", b"Comment\0secret")],
            ),
        ),
        ("bomb.png", samples::png_bomb(100_000, 100_000)),
        (
            "lossless.webp",
            samples::webp(DynamicImage::ImageRgb8(photo)),
        ),
        (
            "alpha.webp",
            samples::webp(DynamicImage::ImageRgba8(half_clear)),
        ),
        (
            "float.webp",
            samples::encode(float.to_rgba8().into(), ImageFormat::WebP),
        ),
        ("animated.gif", samples::gif(frames)),
        ("not-an-image.txt", b"GIF87a? no, just text".to_vec()),
    ]
}

fn images(dir: &Path) {
    for (name, bytes) in image_seeds() {
        write(dir, name, &bytes);
    }
}

fn values(dir: &Path) {
    let seeds: &[(&str, &str)] = &[
        ("handle", "ada"),
        ("handle-at", "@Ada_Lovelace"),
        ("handle-reserved", "admin"),
        ("handle-long", "x_________________________y"),
        ("handle-accent", "zoé"),
        ("email", "ada@example.org"),
        ("email-plus", " Ada.L+news@Example.ORG "),
        ("email-idn", "é@exemple.fr"),
        ("email-dotless-i", "x@\u{130}stanbul.example"),
        ("email-two-at", "a@b@example.org"),
        ("email-label", "ada@-x.org"),
        ("cursor-time", "1796029200000000000.42"),
        ("cursor-negative", "-5.1"),
        ("cursor-code", "1796029200123456789.Ab-c_d"),
        ("cursor-huge", "99999999999999999999999999.1"),
        ("cursor-offset", "20"),
        ("cursor-plus", "+7"),
        ("text-bidi", "Ada\u{202E}ecalevoL"),
        ("text-joiner", "\u{1F469}\u{200D}\u{1F4BB} Ada"),
        ("text-crlf", "line one\r\nline two\r\n"),
        ("website", "https://example.org/ada"),
        ("phone", "+33 2 31 00 00 00"),
        ("accept-language", "fr-CA;q=0.8, en;q=0.5, *;q=0.1"),
    ];
    for (name, text) in seeds {
        write(dir, name, text.as_bytes());
    }
}

/// One urlencoded page form.
fn form(path: &str, fields: &str) -> Vec<u8> {
    format!("POST {path}\napplication/x-www-form-urlencoded\ncsrf={CSRF}&{fields}").into_bytes()
}

/// A multipart body of text fields and files `(name, filename, bytes)`.
fn multipart(path: &str, texts: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut out = format!("POST {path}\nmultipart/form-data; boundary={BOUNDARY}\n").into_bytes();
    for (name, value) in texts {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, bytes) in files {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn forms(dir: &Path) {
    let jpeg = samples::jpeg(samples::gradient(16, 16));
    let png = samples::png(DynamicImage::ImageRgba8(samples::solid_rgba(
        4,
        4,
        [0, 128, 0, 64],
    )));
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        (
            "composer",
            multipart(
                "/posts",
                &[("csrf", CSRF), ("text", "Hello"), ("audience", "public")],
                &[],
            ),
        ),
        (
            "composer-images",
            multipart(
                "/posts",
                &[
                    ("csrf", CSRF),
                    ("text", "Two pictures"),
                    ("audience", "contacts"),
                    ("alt", "first\nsecond"),
                ],
                &[("image", "a.jpg", &jpeg), ("image", "b.png", &png)],
            ),
        ),
        (
            "composer-later",
            multipart(
                "/posts",
                &[
                    ("csrf", CSRF),
                    ("text", "Later"),
                    ("audience", "public"),
                    ("publish_at", "2026-12-24T18:30"),
                    ("tz", "-60"),
                ],
                &[],
            ),
        ),
        (
            "composer-empty-file",
            multipart(
                "/posts",
                &[("csrf", CSRF), ("text", "x"), ("audience", "members")],
                &[("image", "", b"")],
            ),
        ),
        (
            "media",
            multipart(
                "/api/v1/media",
                &[("alt", "A gradient")],
                &[("file", "g.jpg", &jpeg)],
            ),
        ),
        (
            "media-text-file",
            multipart(
                "/api/v1/media",
                &[],
                &[("file", "notes.txt", b"plain text")],
            ),
        ),
        ("comment", form("/posts/1/comments", "text=Well+said")),
        ("react", form("/posts/1/react", "kind=like")),
        ("edit-post", form("/posts/1/edit", "text=Edited%20text")),
        ("reshare", form("/posts/1/reshare", "text=")),
        (
            "profile-edit",
            form(
                "/@ada/edit",
                "name=Ada+Lovelace&headline=Analyst&location=London&website=https%3A%2F%2Fexample.org",
            ),
        ),
        (
            "position",
            form(
                "/@ada/positions",
                "title=Engineer&organization=Babbage&start=2020-01&end=",
            ),
        ),
        (
            "contact-request",
            form("/@bob/contact-request", "message=Hello+Bob"),
        ),
        ("follow", form("/@bob/follow", "")),
        ("message", form("/messages", "to=bob&text=Hi")),
        ("language", form("/lang", "lang=fr&back=%2F")),
        (
            "new-page",
            form(
                "/pages/new",
                "kind=organization&handle=babbage&name=Babbage",
            ),
        ),
        ("malformed", form("/posts/1/comments", "text=%ZZ&&=")),
        (
            "no-token",
            b"POST /posts/1/comments\napplication/x-www-form-urlencoded\ntext=hi".to_vec(),
        ),
    ];
    for (name, bytes) in seeds {
        write(dir, name, &bytes);
    }
}
