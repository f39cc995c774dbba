//! Bounded mutation test: valid returns (an .xlsx from the writer and an .ods saved by
//! LibreOffice) mutated a few thousand times with a fixed seed — bytes flipped, the file
//! cut, ranges duplicated, and XML *inside* the zip corrupted and re-zipped with valid
//! checksums, so that the parsers see broken XML and not just CRC failures.
//!
//! Each mutant goes through what `check` does with a file — `read::read_bytes`, the
//! identity, validation, the statuses — on a worker thread with a deadline. Asserted: no
//! panic escapes, no call hangs (10 s per file is a hang detector, not a performance
//! bound), and every file ends accepted, invalid, not used or rejected with a Russian
//! message naming it. The tally must show every kind of ending, or the mutations were
//! too weak to test anything.
//!
//! `PROFPLAN_MUTATIONS=N` changes the number of mutants per input (default 1500 in
//! release builds, 300 in debug ones).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::*;
use profplan::check::intake::{assess, IntakeOptions};
use profplan::check::report::Outcome;
use profplan::read::{self, FileMeta, FileRead, Limits};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const HANG: Duration = Duration::from_secs(10);
const FILE: &str = "мутант.xlsx";

fn mutants_per_input() -> usize {
    std::env::var("PROFPLAN_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 300 } else { 1500 })
}

/// Fragments that break XML in interesting ways (and a few that are valid but hostile).
const XML_BITS: &[&str] = &[
    "<",
    ">",
    "&",
    "&lol;",
    "\"",
    "</row>",
    "</c>",
    "<c r=\"XFD1048576\"><v>1</v></c>",
    "<row r=\"0\">",
    "<c r=\"A0\" t=\"s\"><v>999999</v></c>",
    "<v>NaN</v>",
    "<v>1e309</v>",
    "t=\"s\"",
    "t=\"e\"",
    "<![CDATA[",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "\u{0}",
    "\u{FFFF}",
    "table:number-columns-repeated=\"16384\"",
    "table:number-rows-repeated=\"1048576\"",
];

fn mutate_bytes(rng: &mut ChaCha8Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    match rng.random_range(0..4) {
        0 => {
            for _ in 0..rng.random_range(1..9) {
                let i = rng.random_range(0..b.len());
                b[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => {
            let cut = rng.random_range(0..b.len());
            b.truncate(cut);
        }
        2 => {
            let start = rng.random_range(0..b.len());
            let end = (start + rng.random_range(1..4096)).min(b.len());
            let chunk = b[start..end].to_vec();
            let at = rng.random_range(0..=b.len());
            b.splice(at..at, chunk);
        }
        _ => {
            let bit = XML_BITS[rng.random_range(0..XML_BITS.len())].as_bytes();
            let at = rng.random_range(0..=b.len());
            b.splice(at..at, bit.iter().copied());
        }
    }
}

/// One mutant: the container's bytes, or one entry's content re-zipped.
fn mutant(rng: &mut ChaCha8Rng, good: &[u8], parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    if rng.random_bool(0.4) {
        let mut b = good.to_vec();
        mutate_bytes(rng, &mut b);
        return b;
    }
    // Inside the zip: the XML parts are where the parsers live.
    let mut parts = parts.to_vec();
    let xml: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].0.ends_with(".xml") || parts[i].0 == "mimetype")
        .collect();
    let i = xml[rng.random_range(0..xml.len())];
    mutate_bytes(rng, &mut parts[i].1);
    if rng.random_bool(0.1) {
        parts.remove(rng.random_range(0..parts.len()));
    }
    zip_stored_mimetype_first(&parts)
}

/// Re-zips parts; an ODF `mimetype` entry stays first and stored, as ODF requires, so
/// that the mutant is still sniffed as ODS.
fn zip_stored_mimetype_first(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in parts {
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        w.start_file(name.as_str(), SimpleFileOptions::default().compression_method(method))
            .unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// What `check` does with one file, in memory: read, identity, validation, status.
/// Returns the file's outcome and, when refused, the finding's message.
fn assess_one(bytes: &[u8]) -> (Outcome, Option<String>) {
    let file = FileMeta {
        path: FILE.into(),
        size: bytes.len() as u64,
        sha256: String::new(),
        format: String::new(),
        saved: Some(profplan::clock::SavedTime::Instant(saved_at().and_utc())),
        saved_from_fs: false,
        skipped: false,
    };
    let result =
        read::read_bytes(bytes, FILE, &Limits::default()).map(profplan::read::folder::to_form);
    let as_of = profplan::plan::campaign::parse_date(AS_OF).unwrap();
    let out = assess(
        &campaign(),
        registry(),
        vec![FileRead { file, result }],
        IntakeOptions { as_of, include_invalid: false, district: Default::default(), key: None },
    );
    let rec = &out.report.files[0];
    let msg = out.report.findings.iter().find(|f| f.file == FILE).map(|f| f.message.clone());
    (rec.outcome.clone(), msg)
}

/// Runs every mutant of `good` on a worker thread with a deadline each.
fn run(label: &str, good: &[u8], seed: u64) -> BTreeMap<String, usize> {
    // Parser panics are caught by the reader and reported; keep their backtraces quiet,
    // as the binary does.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !read::in_parser() {
            hook(info);
        }
    }));
    let parts = entries(good);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (to_worker, jobs) = mpsc::channel::<(usize, Vec<u8>)>();
    let (to_main, results) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        for (i, bytes) in jobs {
            let r = std::panic::catch_unwind(|| assess_one(&bytes));
            if to_main.send((i, r.map_err(|_| bytes))).is_err() {
                return;
            }
        }
    });
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut slowest = Duration::ZERO;
    for i in 0..mutants_per_input() {
        let bytes = mutant(&mut rng, good, &parts);
        let start = Instant::now();
        to_worker.send((i, bytes)).unwrap();
        let (j, r) = results.recv_timeout(HANG).unwrap_or_else(|_| {
            panic!("{label}: mutant {i} (seed {seed}) did not finish in {HANG:?}: a hang")
        });
        slowest = slowest.max(start.elapsed());
        assert_eq!(i, j);
        let (outcome, msg) = match r {
            Ok(x) => x,
            Err(bytes) => {
                let keep = std::env::temp_dir().join(format!("profplan-mutant-{label}-{i}.bin"));
                let _ = std::fs::write(&keep, bytes);
                panic!("{label}: mutant {i} (seed {seed}) panicked; saved to {}", keep.display())
            }
        };
        match outcome {
            Outcome::Accepted | Outcome::Invalid => {}
            Outcome::Rejected | Outcome::NotUsed => {
                let msg = msg.unwrap_or_else(|| panic!("{label}: mutant {i} refused silently"));
                assert!(
                    msg.chars().any(|c| ('а'..='я').contains(&c)),
                    "{label}: mutant {i}: message is not Russian: {msg}"
                );
            }
            other => panic!("{label}: mutant {i} ended as {other:?}"),
        }
        *tally.entry(format!("{outcome:?}")).or_default() += 1;
    }
    drop(to_worker);
    worker.join().unwrap();
    eprintln!("{label}: {tally:?}, slowest {slowest:?}");
    tally
}

#[test]
fn mutated_xlsx_returns_end_accepted_invalid_or_rejected_without_panics_or_hangs() {
    let good = valid_return("101");
    assert_eq!(assess_one(&good).0, Outcome::Accepted, "the unmutated return is accepted");
    let tally = run("xlsx", &good, 20251220);
    for kind in ["Accepted", "Invalid", "Rejected"] {
        assert!(tally.contains_key(kind), "no mutant ended {kind}: {tally:?}");
    }
}

#[test]
fn mutated_ods_returns_end_accepted_invalid_or_rejected_without_panics_or_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("101.xlsx");
    std::fs::write(&src, valid_return("101")).unwrap();
    let Some(ods) = crate::lo::convert(&src, "ods", dir.path()) else { return };
    let good = std::fs::read(ods).unwrap();
    assert_eq!(read::sniff(&good), read::Format::Ods);
    assert_eq!(assess_one(&good).0, Outcome::Accepted, "the unmutated ods is accepted");
    let tally = run("ods", &good, 20260525);
    for kind in ["Accepted", "Rejected"] {
        assert!(tally.contains_key(kind), "no mutant ended {kind}: {tally:?}");
    }
}
