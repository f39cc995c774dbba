//! Fuzz target for the return reader: any bytes in, a `RawReturn` or a finding out.
//!
//! `read_bytes` catches parser panics and turns them into `file_parser_failed` findings,
//! so a panic never takes `check` down. libFuzzer's panic hook aborts on *any* panic,
//! caught or not, so here a parser panic is still reported as a crash: those are bugs
//! (ours or calamine's) worth knowing even though users are protected from them.
//! Hangs and memory blow-ups are caught by libFuzzer's `-timeout` and `-rss_limit_mb`.
//!
//! Run from the repository root (nightly toolchain):
//!
//! ```sh
//! cargo install cargo-fuzz
//! mkdir -p fuzz/corpus/read_return
//! cargo run --release --example generate -- --n 3 --out /tmp/seed && cp /tmp/seed/returns/*.xlsx fuzz/corpus/read_return/
//! cargo +nightly fuzz run read_return -- -max_total_time=600 -timeout=10 -rss_limit_mb=1024
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;
use profplan::read::{read_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = read_bytes(data, "fuzz.xlsx", &Limits::default()) {
        // The step `check` takes next: what the reader hands to validation must hold up.
        let _ = profplan::read::folder::to_form(raw);
    }
});
