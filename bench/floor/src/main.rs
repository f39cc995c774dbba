//! The floor: the least work any reader of the returns must do — read each file, open its
//! zip directory, inflate the parts that hold cell values and names, and tokenize their
//! XML. Nothing is interpreted: no shared-string table is built, no cell is converted, no
//! name resolved, nothing validated or written.
//!
//! Parts read: `.xlsx` — `xl/workbook.xml` (names), `xl/sharedStrings.xml`,
//! `xl/worksheets/*.xml`; `.ods` — `content.xml`. Other parts (styles, theme, document
//! properties, [Content_Types]) are not even inflated, so this is a strict floor.
//!
//! Usage: `profplan-floor DIR [--threads N]`; prints files, inflated bytes and XML events
//! (so that nothing is optimised away) on stderr.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::events::Event;
use rayon::prelude::*;

fn wanted(name: &str) -> bool {
    name == "xl/workbook.xml"
        || name == "xl/sharedStrings.xml"
        || (name.starts_with("xl/worksheets/") && name.ends_with(".xml"))
        || name == "content.xml"
}

/// Inflates and tokenizes one return; returns (inflated bytes, XML events).
fn probe(path: &Path, part: &mut Vec<u8>, buf: &mut Vec<u8>) -> (u64, u64) {
    let Ok(bytes) = std::fs::read(path) else { return (0, 0) };
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(&bytes[..])) else { return (0, 0) };
    let (mut inflated, mut events) = (0u64, 0u64);
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        if !wanted(entry.name()) {
            continue;
        }
        part.clear();
        if entry.read_to_end(part).is_err() {
            continue;
        }
        inflated += part.len() as u64;
        let mut xml = quick_xml::Reader::from_reader(&part[..]);
        loop {
            buf.clear();
            match xml.read_event_into(buf) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => events += 1,
            }
        }
    }
    (inflated, events)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a readable folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx" || e == "ods"))
        .collect();
    v.sort();
    v
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().expect("usage: profplan-floor DIR [--threads N]");
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n: usize = args[i + 1].parse().expect("--threads N");
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().expect("thread pool");
    }
    let files = files(Path::new(dir));
    let (inflated, events) = (AtomicU64::new(0), AtomicU64::new(0));
    files.par_iter().for_each_init(
        || (Vec::new(), Vec::new()),
        |(part, buf), path| {
            let (i, e) = probe(path, part, buf);
            inflated.fetch_add(i, Ordering::Relaxed);
            events.fetch_add(e, Ordering::Relaxed);
        },
    );
    eprintln!(
        "floor: {} files, {} MB inflated, {} XML events",
        files.len(),
        inflated.load(Ordering::Relaxed) / 1_000_000,
        events.load(Ordering::Relaxed)
    );
}
