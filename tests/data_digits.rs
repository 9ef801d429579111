//! The packed digit format: round trips, corrupt buffers, subsets, files.

use eslt::data::digits::{HEADER_LEN, MAGIC};
use eslt::data::Digits;
use eslt::Error;
use proptest::prelude::*;

fn sample(count: usize, rows: usize, cols: usize) -> Digits {
    let labels = (0..count).map(|i| (i * 3 % 10) as u8).collect();
    let pixels = (0..count * rows * cols)
        .map(|i| (i * 37 % 251) as u8)
        .collect();
    Digits::new(rows, cols, labels, pixels).unwrap()
}

fn assert_data_error(result: eslt::Result<Digits>, needle: &str) {
    match result {
        Err(Error::Data { why, .. }) => {
            assert!(why.contains(needle), "'{why}' should mention '{needle}'")
        }
        other => panic!("expected Error::Data mentioning '{needle}', got {other:?}"),
    }
}

#[test]
fn header_layout_is_as_documented() {
    let d = sample(3, 2, 5);
    let b = d.to_bytes();
    assert_eq!(&b[..8], MAGIC);
    assert_eq!(u32::from_le_bytes(b[8..12].try_into().unwrap()), 3);
    assert_eq!(u16::from_le_bytes(b[12..14].try_into().unwrap()), 2);
    assert_eq!(u16::from_le_bytes(b[14..16].try_into().unwrap()), 5);
    assert_eq!(&b[HEADER_LEN..HEADER_LEN + 3], d.labels.as_slice());
    assert_eq!(&b[HEADER_LEN + 3..], d.pixels.as_slice());
}

proptest! {
    #[test]
    fn packed_round_trip(count in 0usize..20, rows in 1usize..12, cols in 1usize..12, salt: u8) {
        let mut d = sample(count, rows, cols);
        for p in &mut d.pixels { *p ^= salt; }
        let back = Digits::from_bytes(&d.to_bytes()).unwrap();
        prop_assert_eq!(back, d);
    }
}

#[test]
fn corrupt_buffers_are_rejected() {
    let good = sample(4, 3, 3).to_bytes();
    assert_data_error(
        Digits::from_bytes(&good[..HEADER_LEN - 1]),
        "truncated header",
    );
    let mut bad = good.clone();
    bad[0] = b'X';
    assert_data_error(Digits::from_bytes(&bad), "bad magic");
    assert_data_error(Digits::from_bytes(&good[..good.len() - 1]), "truncated");
    let mut long = good.clone();
    long.push(0);
    assert_data_error(Digits::from_bytes(&long), "1 trailing bytes");
    let mut zero_rows = good.clone();
    zero_rows[12..14].copy_from_slice(&0u16.to_le_bytes());
    assert_data_error(Digits::from_bytes(&zero_rows), "empty digit shape");
    // A header claiming the largest possible set must not overflow or allocate.
    let mut huge = good;
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[12..16].copy_from_slice(&[0xff; 4]);
    assert!(Digits::from_bytes(&huge).is_err());
}

#[test]
fn new_checks_buffer_sizes() {
    assert!(matches!(
        Digits::new(2, 2, vec![1, 2], vec![0; 7]),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        Digits::new(0, 2, vec![], vec![]),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn subset_takes_contiguous_digits_and_clamps() {
    let d = sample(10, 2, 3);
    let s = d.subset(2..5);
    assert_eq!(s.count, 3);
    assert_eq!(s.labels, d.labels[2..5].to_vec());
    for i in 0..3 {
        assert_eq!(s.image(i), d.image(i + 2));
    }
    assert_eq!(d.subset(8..100).count, 2);
    assert_eq!(d.subset(20..30).count, 0);
}

#[test]
fn save_and_load_plain_and_gzipped() {
    let dir = std::env::temp_dir().join(format!("eslt-data-digits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let d = sample(50, 28, 28);
    for name in ["set.digits", "set.digits.gz"] {
        let path = dir.join(name);
        d.save(&path).unwrap();
        assert_eq!(Digits::load(&path).unwrap(), d, "{name}");
    }
    let plain = std::fs::metadata(dir.join("set.digits")).unwrap().len();
    let gz = std::fs::metadata(dir.join("set.digits.gz")).unwrap().len();
    assert!(gz < plain, "gzip should shrink {plain} bytes, got {gz}");
    // A gzip name over plain bytes is a clear error, not garbage.
    std::fs::copy(dir.join("set.digits"), dir.join("fake.digits.gz")).unwrap();
    assert_data_error(Digits::load(&dir.join("fake.digits.gz")), "gunzip");
    assert_data_error(Digits::load(&dir.join("missing.digits")), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

/// Regression (gzip bombs): `Digits::load` used to inflate a `.gz` to the
/// end whatever its header said, so a 256 kB file could take 256 MB. Now
/// it reads at most what the header claims (+1 byte), and never more than
/// the cap the caller gives.
#[test]
fn gzip_reads_no_more_than_the_header_claims() {
    let d = sample(3, 28, 28);
    let ok = gz(&d.to_bytes());
    assert_eq!(Digits::from_gzip(&ok, 1 << 20).unwrap(), d);
    // 3 digits, then 256 MiB of zeros (a ~256 kB file).
    let mut bomb = d.to_bytes();
    bomb.resize(256 << 20, 0);
    let bomb = gz(&bomb);
    assert!(bomb.len() < 1 << 20);
    let start = std::time::Instant::now();
    assert_data_error(Digits::from_gzip(&bomb, 1 << 30), "trailing");
    assert!(start.elapsed().as_secs_f64() < 0.5, "{:?}", start.elapsed());
    // A header claiming 4 billion digits, over the cap: refused at once.
    let mut huge = d.to_bytes();
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_data_error(Digits::from_gzip(&gz(&huge), 64 << 20), "more than");
    // Truncated streams and headers, and not gzip at all.
    assert_data_error(Digits::from_gzip(&ok[..ok.len() / 2], 1 << 20), "");
    assert_data_error(
        Digits::from_gzip(&gz(&d.to_bytes()[..10]), 1 << 20),
        "header",
    );
    assert_data_error(Digits::from_gzip(&d.to_bytes(), 1 << 20), "gunzip");
    assert_data_error(Digits::from_gzip(&[], 1 << 20), "");
}
