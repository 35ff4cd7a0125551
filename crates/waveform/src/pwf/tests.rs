use super::*;
use crate::SignalKind;
use crate::waveforms::RecordError;

fn sample() -> Waveforms {
    let mut metadata = BTreeMap::new();
    metadata.insert("solver".to_owned(), "radau5".to_owned());
    Waveforms::new(
        vec![
            SignalInfo::new("i_L", "A", SignalKind::State),
            SignalInfo::new("gate_hs", "", SignalKind::Gate),
        ],
        vec![0.0, 1e-6, 1e-6, 2e-6],
        vec![vec![0.5, -1.25, f64::NAN, 3.0], vec![0.0, 1.0, 1.0, 0.0]],
    )
    .unwrap()
    .with_metadata(metadata)
}

fn encode(waveforms: &Waveforms) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_pwf(&mut bytes, waveforms).unwrap();
    bytes
}

/// Builds a file by hand from a version, a header and raw column bytes.
fn build(version: u32, header: &str, data: &[f64]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&version.to_le_bytes());
    bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for value in data {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}

const ONE_SIGNAL: &str = r#"{"sample_count":2,"signals":[{"name":"v","unit":"V","kind":"state"}]}"#;

#[test]
fn round_trip_keeps_everything() {
    let original = sample();
    let bytes = encode(&original);
    let read = read_pwf_bytes(&bytes).unwrap();
    assert_eq!(read.signals(), original.signals());
    assert_eq!(read.metadata(), original.metadata());
    assert_eq!(read.time(), original.time());
    for k in 0..2 {
        let a = original.column(k).unwrap();
        let b = read.column(k).unwrap();
        let a_bits: Vec<u64> = a.iter().map(|x| x.to_bits()).collect();
        let b_bits: Vec<u64> = b.iter().map(|x| x.to_bits()).collect();
        assert_eq!(a_bits, b_bits);
    }
    let streamed = read_pwf(bytes.as_slice()).unwrap();
    assert_eq!(streamed.len(), 4);
}

#[test]
fn columns_are_aligned_and_sized() {
    let bytes = encode(&sample());
    let header_length = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    assert_eq!((PREAMBLE_BYTES + header_length) % 8, 0);
    assert_eq!(bytes.len(), PREAMBLE_BYTES + header_length + 3 * 4 * 8);
    assert_eq!(&bytes[..8], b"PELABWF\0");
    let header: serde_json::Value = serde_json::from_slice(&bytes[16..16 + header_length]).unwrap();
    assert_eq!(header["sample_count"], 4);
    assert_eq!(header["signals"][1]["kind"], "gate");
}

#[test]
fn empty_waveforms_round_trip() {
    let empty = Waveforms::new(vec![], vec![], vec![]).unwrap();
    let read = read_pwf_bytes(&encode(&empty)).unwrap();
    assert!(read.is_empty());
    assert_eq!(read.signal_count(), 0);
}

#[test]
fn large_file_round_trip() {
    let n = 20_000;
    let time: Vec<f64> = (0..n).map(|k| k as f64 * 1e-7).collect();
    let values: Vec<f64> = time.iter().map(|t| (t * 1e5).sin()).collect();
    let waves = Waveforms::new(
        vec![SignalInfo::new("x", "V", SignalKind::Output)],
        time,
        vec![values],
    )
    .unwrap();
    let read = read_pwf(encode(&waves).as_slice()).unwrap();
    assert_eq!(read, waves);
}

#[test]
fn file_round_trip() {
    let dir = std::env::temp_dir().join(format!("pelab-waveform-pwf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.pwf");
    let original = sample();
    write_pwf_file(&path, &original).unwrap();
    let read = read_pwf_file(&path).unwrap();
    assert_eq!(read.signals(), original.signals());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = encode(&sample());
    for length in 0..bytes.len() {
        let prefix = &bytes[..length];
        let from_slice = read_pwf_bytes(prefix);
        assert!(
            matches!(from_slice, Err(PwfError::Truncated { .. })),
            "length {length}: {from_slice:?}"
        );
        let streamed = read_pwf(prefix);
        assert!(
            matches!(streamed, Err(PwfError::Truncated { .. })),
            "length {length}: {streamed:?}"
        );
    }
}

#[test]
fn bad_magic_is_rejected() {
    let mut bytes = encode(&sample());
    bytes[0] = b'X';
    let error = read_pwf_bytes(&bytes).unwrap_err();
    assert!(matches!(error, PwfError::BadMagic { .. }));
    assert!(error.to_string().contains("PELABWF"), "{error}");
    let short = read_pwf_bytes(b"time[s],v\n").unwrap_err();
    assert!(matches!(short, PwfError::BadMagic { .. }));
}

#[test]
fn unsupported_version_is_rejected() {
    let bytes = build(2, ONE_SIGNAL, &[0.0, 1.0, 5.0, 6.0]);
    let error = read_pwf_bytes(&bytes).unwrap_err();
    assert!(matches!(error, PwfError::UnsupportedVersion { found: 2 }));
    assert!(error.to_string().contains("version 2"), "{error}");
}

#[test]
fn well_formed_manual_file_is_read() {
    let bytes = build(1, ONE_SIGNAL, &[0.0, 1.0, 5.0, 6.0]);
    let read = read_pwf_bytes(&bytes).unwrap();
    assert_eq!(read.signal("v"), Some(&[5.0, 6.0][..]));
    assert!(read.metadata().is_empty());
}

#[test]
fn sample_count_mismatch_is_rejected() {
    let too_few = build(1, ONE_SIGNAL, &[0.0, 1.0, 5.0]);
    assert!(matches!(
        read_pwf_bytes(&too_few),
        Err(PwfError::Truncated { .. })
    ));
    assert!(matches!(
        read_pwf(too_few.as_slice()),
        Err(PwfError::Truncated { .. })
    ));
    let too_many = build(1, ONE_SIGNAL, &[0.0, 1.0, 5.0, 6.0, 7.0]);
    assert!(matches!(
        read_pwf_bytes(&too_many),
        Err(PwfError::TrailingBytes { .. })
    ));
    assert!(matches!(
        read_pwf(too_many.as_slice()),
        Err(PwfError::TrailingBytes { .. })
    ));
}

#[test]
fn absurd_sizes_are_rejected() {
    let huge_header = {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes
    };
    assert!(matches!(
        read_pwf(huge_header.as_slice()),
        Err(PwfError::HeaderTooLarge { .. })
    ));

    let overflow = build(
        1,
        r#"{"sample_count":18446744073709551615,"signals":[]}"#,
        &[],
    );
    assert!(matches!(
        read_pwf(overflow.as_slice()),
        Err(PwfError::DataSizeOverflow { .. })
    ));

    // 2^40 samples would need 8 TiB; the stream reader must fail on the
    // missing data instead of allocating it.
    let claims_more = build(1, r#"{"sample_count":1099511627776,"signals":[]}"#, &[0.0]);
    let error = read_pwf(claims_more.as_slice()).unwrap_err();
    assert!(
        matches!(error, PwfError::Truncated { found: 8, .. }),
        "{error:?}"
    );
    assert!(matches!(
        read_pwf_bytes(&claims_more),
        Err(PwfError::Truncated { .. })
    ));
}

#[test]
fn invalid_header_is_rejected() {
    let cases = [
        r#"{"sample_count":1}"#,
        r#"{"sample_count":-1,"signals":[]}"#,
        r#"{"sample_count":1,"signals":[{"name":"v","unit":"V","kind":"voltage"}]}"#,
        "not json",
        "\u{0}",
    ];
    for header in cases {
        let error = read_pwf_bytes(&build(1, header, &[0.0])).unwrap_err();
        assert!(
            matches!(error, PwfError::InvalidHeader { .. }),
            "{header}: {error:?}"
        );
    }
}

#[test]
fn invalid_data_is_rejected() {
    let duplicate = r#"{"sample_count":1,"signals":[{"name":"v","unit":"V","kind":"state"},{"name":"v","unit":"A","kind":"state"}]}"#;
    let error = read_pwf_bytes(&build(1, duplicate, &[0.0, 1.0, 2.0])).unwrap_err();
    assert!(matches!(
        error,
        PwfError::InvalidData(RecordError::DuplicateSignal { .. })
    ));
    let decreasing = build(1, ONE_SIGNAL, &[1.0, 0.0, 5.0, 6.0]);
    let error = read_pwf_bytes(&decreasing).unwrap_err();
    assert!(matches!(
        error,
        PwfError::InvalidData(RecordError::TimeDecreasing { index: 1, .. })
    ));
    let nan_time = build(1, ONE_SIGNAL, &[0.0, f64::NAN, 5.0, 6.0]);
    assert!(matches!(
        read_pwf_bytes(&nan_time),
        Err(PwfError::InvalidData(RecordError::NonFiniteTime { .. }))
    ));
}

#[test]
fn unknown_header_keys_are_ignored() {
    let header = r#"{"sample_count":0,"signals":[],"created_by":"a later writer"}"#;
    let read = read_pwf_bytes(&build(1, header, &[])).unwrap();
    assert!(read.is_empty());
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    file
}

#[test]
fn blocks_concatenate_to_file() {
    let n = 10_007;
    let time: Vec<f64> = (0..n).map(|i| i as f64 * 1e-6).collect();
    let a: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let b: Vec<f64> = (0..n).map(|i| -(i as f64)).collect();
    let waves = Waveforms::new(
        vec![
            SignalInfo::new("a", "V", SignalKind::State),
            SignalInfo::new("b", "A", SignalKind::Output),
        ],
        time.clone(),
        vec![a.clone(), b.clone()],
    )
    .unwrap();
    let file = temp_file(&encode(&waves));
    let mut pwf = PwfFile::open(file.path()).unwrap();
    assert_eq!(pwf.sample_count(), n as u64);
    assert_eq!(pwf.signals()[1].name, "b");
    let (mut t, mut ca, mut cb): (Vec<f64>, Vec<f64>, Vec<f64>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut blocks = 0;
    while let Some(block) = pwf.next_block(1000) {
        let block = block.unwrap();
        assert_eq!(block.start, t.len() as u64);
        t.extend(block.time);
        ca.extend_from_slice(&block.columns[0]);
        cb.extend_from_slice(&block.columns[1]);
        blocks += 1;
    }
    assert_eq!(blocks, 11, "10 full blocks and one of 7 rows");
    assert_eq!(t, time);
    assert_eq!(ca, a);
    assert_eq!(cb, b);

    // Random access, clipped at the end.
    let tail = pwf.read_rows(10_000, 50).unwrap();
    assert_eq!(tail.time.len(), 7);
    assert_eq!(tail.columns[1][0], -10_000.0);
}

#[test]
fn open_rejects_short_file() {
    let bytes = encode(&sample());
    let file = temp_file(&bytes[..bytes.len() - 8]);
    let error = PwfFile::open(file.path()).unwrap_err();
    assert!(matches!(error, PwfError::Truncated { .. }), "{error}");
}

#[test]
fn blocks_reject_decreasing_time() {
    let header = r#"{"sample_count":4,"signals":[{"name":"v","unit":"V","kind":"state"}]}"#;
    // Time 0, 1, 2 | 1.5: each block of 3 rows is ordered, the file is not.
    let bytes = build(
        VERSION,
        header,
        &[0.0, 1.0, 2.0, 1.5, 10.0, 11.0, 12.0, 13.0],
    );
    let file = temp_file(&bytes);
    let mut pwf = PwfFile::open(file.path()).unwrap();
    assert!(pwf.next_block(3).unwrap().is_ok());
    let error = pwf.next_block(3).unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            PwfError::InvalidData(RecordError::TimeDecreasing { index: 3, .. })
        ),
        "{error}"
    );
    assert!(pwf.next_block(3).is_none(), "an error ends the sequence");
}

#[test]
fn decimate_file_matches_memory() {
    // Uneven steps with repeated times, as switching events record them.
    let mut time = Vec::new();
    let mut t = 0.0;
    for i in 0..5_000 {
        time.push(t);
        if i % 7 != 3 {
            t += 1e-6 * (1.0 + (i % 5) as f64);
        }
    }
    let a: Vec<f64> = time.iter().map(|t| (t * 3e4).sin()).collect();
    let b: Vec<f64> = time.iter().map(|t| (t * 7e3).cos() * 2.0).collect();
    let waves = Waveforms::new(
        vec![
            SignalInfo::new("a", "V", SignalKind::State),
            SignalInfo::new("b", "A", SignalKind::Output),
        ],
        time.clone(),
        vec![a, b],
    )
    .unwrap();
    let file = temp_file(&encode(&waves));
    let mut pwf = PwfFile::open(file.path()).unwrap();
    let end = *time.last().unwrap();
    for (from, to, buckets) in [
        (0.0, end, 100),
        (1e-3, 2e-3, 37),
        (time[10], time[10], 5),
        (end * 0.5, end * 2.0, 1000),
        (-1.0, 1e-4, 3),
    ] {
        let expected = crate::decimate_waveforms(&waves, from, to, buckets).unwrap();
        for block_rows in [1, 64, 100_000] {
            let got = pwf.decimate(from, to, buckets, block_rows).unwrap();
            assert_eq!(
                got, expected,
                "[{from}, {to}] in {buckets}, blocks of {block_rows}"
            );
        }
    }
    assert!(pwf.decimate(1.0, 0.0, 10, 64).is_err());
    assert!(pwf.decimate(0.0, 1.0, 0, 64).is_err());
}
