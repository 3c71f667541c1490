//! What reading an uploaded picture costs (`Picture::read`): a phone's
//! photo (12 megapixels, JPEG) and a logo (PNG) re-encoded, and a
//! decompression bomb refused. `cargo bench -p agendo-benches --bench
//! pictures`.

use std::hint::black_box;
use std::io::Cursor;

use agendo_core::picture::Picture;
use criterion::{criterion_group, criterion_main, Criterion};

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    // A gradient, so the encoders have something to compress.
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encodes");
    out
}

fn bomb() -> Vec<u8> {
    let mut bytes = encoded(1, 1, image::ImageFormat::Png);
    bytes[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in &bytes[12..29] {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

fn pictures(c: &mut Criterion) {
    let photo = encoded(4000, 3000, image::ImageFormat::Jpeg);
    let logo = encoded(800, 400, image::ImageFormat::Png);
    let bomb = bomb();
    let mut group = c.benchmark_group("picture");
    group.sample_size(10);
    group.bench_function("read a 12 MP JPEG photo", |b| {
        b.iter(|| Picture::read(black_box(&photo)).expect("reads"))
    });
    group.bench_function("read an 800x400 PNG logo", |b| {
        b.iter(|| Picture::read(black_box(&logo)).expect("reads"))
    });
    group.bench_function("refuse a 60000x60000 bomb", |b| {
        b.iter(|| Picture::read(black_box(&bomb)).expect_err("refused"))
    });
    group.finish();
}

criterion_group!(benches, pictures);
criterion_main!(benches);
