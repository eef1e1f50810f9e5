//! Images built in code, for tests and the demo network: no fixture
//! files, no downloads. Some carry what uploads must lose (EXIF with GPS,
//! PNG text chunks) or claim what they are not (decompression bombs).

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::{DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A photo-like RGB picture: smooth gradients, no flat areas.
pub fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// Left half red, right half blue.
pub fn red_left_blue_right(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

pub fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

pub fn jpeg(image: RgbImage) -> Vec<u8> {
    encode(DynamicImage::ImageRgb8(image), ImageFormat::Jpeg)
}

pub fn png(image: DynamicImage) -> Vec<u8> {
    encode(image, ImageFormat::Png)
}

/// Lossless WebP (the only WebP `image` writes).
pub fn webp(image: DynamicImage) -> Vec<u8> {
    encode(image, ImageFormat::WebP)
}

/// An animated GIF of the given frames.
pub fn gif(frames: Vec<RgbaImage>) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder
            .encode_frames(frames.into_iter().map(Frame::new))
            .expect("encode gif");
    }
    out
}

pub fn solid_rgba(width: u32, height: u32, color: [u8; 4]) -> RgbaImage {
    RgbaImage::from_pixel(width, height, Rgba(color))
}

// ---------------------------------------------------------------- EXIF ----

/// A little-endian TIFF structure as found in an EXIF block: IFD0 with the
/// given Orientation and a GPSInfo pointer, and a GPS IFD with a version,
/// latitude and longitude (48°51'29.6" N, 2°17'40.2" E).
pub fn tiff_with_gps(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const BYTE: u16 = 1;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;

    let ifd0 = 8u32;
    let ifd0_len = 2 + 2 * 12 + 4;
    let gps = ifd0 + ifd0_len;
    let gps_len = 2 + 5 * 12 + 4;
    let latitude = gps + gps_len;
    let longitude = latitude + 24;

    let mut t = Vec::new();
    t.extend_from_slice(b"II");
    t.extend_from_slice(&42u16.to_le_bytes());
    t.extend_from_slice(&ifd0.to_le_bytes());
    // IFD0
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, gps.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, gps);
    // GPS IFD
    t.extend_from_slice(&5u16.to_le_bytes());
    entry(&mut t, 0x0000, BYTE, 4, [2, 2, 0, 0]);
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, latitude.to_le_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, longitude.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, latitude);
    for (num, den) in [(48, 1), (51, 1), (296, 10), (2, 1), (17, 1), (402, 10)] {
        t.extend_from_slice(&(num as u32).to_le_bytes());
        t.extend_from_slice(&(den as u32).to_le_bytes());
    }
    t
}

/// `jpeg` with an APP1 EXIF segment (the TIFF above) right after its SOI.
pub fn jpeg_with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff_with_gps(orientation));
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The markers of a JPEG's segments up to its first scan.
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut at = 2;
    loop {
        assert_eq!(jpeg[at], 0xFF, "segment structure broken at {at}");
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            return markers;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        at += 2 + len;
    }
}

/// Overwrites the height and width of a JPEG's SOF0 segment.
pub fn jpeg_claiming(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline JPEG");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

// ----------------------------------------------------------------- PNG ----

pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// `png` with extra chunks inserted right after IHDR.
pub fn png_with_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    assert_eq!(&png[..8], &PNG_SIGNATURE);
    assert_eq!(&png[12..16], b"IHDR");
    let after_ihdr = 8 + 8 + 13 + 4;
    let mut out = png[..after_ihdr].to_vec();
    for c in chunks {
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&png[after_ihdr..]);
    out
}

/// The chunk types of a PNG, in order.
pub fn png_chunk_types(png: &[u8]) -> Vec<String> {
    assert_eq!(&png[..8], &PNG_SIGNATURE, "not a PNG");
    let mut types = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        types.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    types
}

/// A complete, valid PNG whose header claims `width`×`height` RGB pixels,
/// with an IDAT holding an empty zlib stream: a decompression bomb's shape
/// in 60-odd bytes.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive, no interlace
    let mut out = PNG_SIGNATURE.to_vec();
    out.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    // zlib header, one empty final stored block, Adler-32 of nothing.
    out.extend_from_slice(&png_chunk(
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
        ],
    ));
    out.extend_from_slice(&png_chunk(b"IEND", &[]));
    out
}
