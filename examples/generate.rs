//! Generate realistic filled returns: `cargo run --release --features synth --example generate -- --help`.
//!
//! For a registry (`--schools FILE`) or N synthetic schools (`--n N`, which also writes
//! `schools.csv` into the output folder), writes one filled form per school into
//! `OUT/returns/`, seeded and reproducible: most returns clean, some with warnings
//! (numbers typed as text), some with errors (broken control rules, «15 чел.», blanks,
//! half-filled rows, untouched forms), some late, some missing, a few sent twice (an
//! earlier draft next to the final return, under another file name).
//!
//! When LibreOffice (`soffice`) is installed, a share of the returns is re-saved through it
//! (`--libreoffice`, as .xlsx) and a smaller share converted to .ods (`--ods`), the way
//! schools that work in LibreOffice send them. The values stay reproducible; the re-saved
//! files carry LibreOffice's own save time (now), so they are not byte-reproducible and
//! count as late for a past campaign (a warning, not an error). `--libreoffice 0 --ods 0`
//! gives fully byte-reproducible output.
//!
//! Used by `bench/run` (see BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveTime};
use clap::Parser;
use rayon::prelude::*;

use profplan::form::layout::form_file_name;
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};
use profplan::synth::{fill, Defect};

#[derive(Parser)]
struct Args {
    /// Registry of schools (CSV); or use --n.
    #[arg(long)]
    schools: Option<PathBuf>,
    /// Number of synthetic schools.
    #[arg(long)]
    n: Option<usize>,
    /// Campaign (deadline date).
    #[arg(long, default_value = "2025-12-20")]
    campaign: String,
    /// Output folder: returns go to OUT/returns, the registry (with --n) to OUT/schools.csv.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Percent of schools with no return.
    #[arg(long, default_value_t = 5)]
    missing: u64,
    /// Percent of returns with errors.
    #[arg(long, default_value_t = 10)]
    errors: u64,
    /// Percent of returns with warnings only.
    #[arg(long, default_value_t = 10)]
    warnings: u64,
    /// Percent of late returns.
    #[arg(long, default_value_t = 5)]
    late: u64,
    /// Percent of schools that also sent an earlier draft (a duplicate return).
    #[arg(long, default_value_t = 1)]
    duplicates: u64,
    /// Percent of returns re-saved through LibreOffice as .xlsx (when soffice is installed).
    #[arg(long, default_value_t = 10)]
    libreoffice: u64,
    /// Percent of returns converted to .ods through LibreOffice (when soffice is installed).
    #[arg(long, default_value_t = 2)]
    ods: u64,
    /// Parallel LibreOffice processes (each with its own profile).
    #[arg(long, default_value_t = 2)]
    soffice_jobs: usize,
}

/// How a written return is post-processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resave {
    Keep,
    Xlsx,
    Ods,
}

/// A stable pseudo-random number in 0..100 for (seed, school, salt).
fn pct(seed: u64, id: &str, salt: u64) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ seed ^ salt.wrapping_mul(0x0100_0000_01b3);
    for b in id.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        h ^= h >> 29;
    }
    h % 100
}

fn synthetic_registry(n: usize) -> Registry {
    let schools = (1..=n)
        .map(|i| {
            let id = format!("{:05}", i);
            let students = (80 + i * 37 % 800) as f64;
            School {
                id: id.clone(),
                name: format!("МБОУ «Средняя общеобразовательная школа № {i}»"),
                short_name: format!("СОШ {i}"),
                profile: [("oo_students_6_11".to_string(), students)].into_iter().collect(),
                contact_person: format!("Ответственный {i}"),
                email: format!("school{i}@example.ru"),
                phone: String::new(),
            }
        })
        .collect();
    Registry::new(schools)
}

fn registry_csv(r: &Registry) -> String {
    let mut s = String::from("\u{feff}id;name;short_name;oo_students_6_11;email\n");
    for x in &r.schools {
        s.push_str(&format!(
            "{};\"{}\";{};{};{}\n",
            x.id,
            x.name.replace('"', "\"\""),
            x.short_name,
            x.profile.get("oo_students_6_11").copied().unwrap_or(0.0),
            x.email
        ));
    }
    s
}

fn main() -> Result<()> {
    let a = Args::parse();
    let plan = Plan::default_plan();
    let campaign = Campaign::parse(&plan, &a.campaign)?;
    std::fs::create_dir_all(a.out.join("returns"))?;
    let registry = match (&a.schools, a.n) {
        (Some(path), _) => Registry::load(path, &plan)?,
        (None, Some(n)) => {
            let r = synthetic_registry(n);
            std::fs::write(a.out.join("schools.csv"), registry_csv(&r))?;
            r
        }
        (None, None) => anyhow::bail!("укажите --schools FILE или --n N"),
    };
    let defects = [
        Defect::RuleBroken,
        Defect::Units,
        Defect::Fraction,
        Defect::Blank,
        Defect::HalfRow,
        Defect::Untouched,
    ];
    let written: Vec<Vec<(PathBuf, Resave)>> = registry
        .schools
        .par_iter()
        .map(|school| -> Result<Vec<(PathBuf, Resave)>> {
            if pct(a.seed, &school.id, 1) < a.missing {
                return Ok(vec![]);
            }
            let roll = pct(a.seed, &school.id, 2);
            let defect = if roll < a.errors {
                Some(defects[pct(a.seed, &school.id, 3) as usize % defects.len()])
            } else if roll < a.errors + a.warnings {
                Some(Defect::NumberAsText)
            } else {
                None
            };
            let f = fill(&campaign, school, a.seed, defect);
            let late = pct(a.seed, &school.id, 4) < a.late;
            let day = if late {
                campaign.deadline + Duration::days(1 + (pct(a.seed, &school.id, 5) % 5) as i64)
            } else {
                campaign.deadline - Duration::days((pct(a.seed, &school.id, 5) % 10) as i64)
            };
            let saved = day.and_time(
                NaiveTime::from_hms_opt(7 + (pct(a.seed, &school.id, 6) % 10) as u32, 15, 0)
                    .expect("valid"),
            );
            let bytes = write_filled_form(&campaign, school, &f, saved, None)?;
            let name = form_file_name(&school.id, &school.short_name);
            let path = a.out.join("returns").join(&name);
            std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
            let lo = pct(a.seed, &school.id, 7);
            let resave = if lo < a.ods {
                Resave::Ods
            } else if lo < a.ods + a.libreoffice {
                Resave::Xlsx
            } else {
                Resave::Keep
            };
            let mut out = vec![(path, resave)];
            if pct(a.seed, &school.id, 8) < a.duplicates {
                // An earlier draft (other values, saved two days before): the later file wins.
                let draft = fill(&campaign, school, a.seed ^ 0xd4af7, None);
                let bytes =
                    write_filled_form(&campaign, school, &draft, saved - Duration::days(2), None)?;
                let path = a.out.join("returns").join(name.replace(".xlsx", "_черновик.xlsx"));
                std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
                out.push((path, Resave::Keep));
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let written: Vec<(PathBuf, Resave)> = written.into_iter().flatten().collect();
    let resaved = if soffice_available() {
        let mut n = 0;
        for (kind, ext) in [(Resave::Xlsx, "xlsx"), (Resave::Ods, "ods")] {
            let files: Vec<&Path> =
                written.iter().filter(|(_, r)| *r == kind).map(|(p, _)| p.as_path()).collect();
            n += resave(&files, ext, a.soffice_jobs.max(1))?;
        }
        n
    } else {
        eprintln!("LibreOffice (soffice) не найден: все отчёты записаны библиотекой");
        0
    };
    eprintln!(
        "Записано отчётов: {} (из них через LibreOffice: {resaved}) для {} школ в {}",
        written.len(),
        registry.schools.len(),
        a.out.join("returns").display()
    );
    Ok(())
}

fn soffice_available() -> bool {
    Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Files per soffice run: a single run over a thousand files was seen to stop converting
/// part-way (exit status 0, files missing), so batches are small and failures retried.
const SOFFICE_BATCH: usize = 100;

/// Re-save `files` through LibreOffice as `ext` (xlsx or ods), in place: an .xlsx re-saved
/// as .xlsx replaces the original, an .ods replaces the .xlsx it came from. Runs `jobs`
/// soffice processes at a time, each with its own profile (two instances sharing a
/// profile block each other), over batches of [`SOFFICE_BATCH`] files; files a batch did
/// not convert are tried once more. Returns how many files were converted.
fn resave(files: &[&Path], ext: &str, jobs: usize) -> Result<usize> {
    let tmp = tempfile::tempdir()?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let mut todo: Vec<&Path> = files.to_vec();
    let mut done = 0;
    for _attempt in 0..2 {
        if todo.is_empty() {
            break;
        }
        let left: Vec<Vec<&Path>> = pool.install(|| {
            todo.par_chunks(SOFFICE_BATCH)
                .enumerate()
                .map(|(i, batch)| convert_batch(tmp.path(), i, batch, ext))
                .collect::<Result<_>>()
        })?;
        let left: Vec<&Path> = left.into_iter().flatten().collect();
        done += todo.len() - left.len();
        todo = left;
    }
    if !todo.is_empty() {
        eprintln!(
            "LibreOffice не пересохранил {} файл(ов) в .{ext}; они остались как есть",
            todo.len()
        );
    }
    Ok(done)
}

/// One soffice run over `batch`; returns the files it did not convert.
fn convert_batch<'a>(tmp: &Path, i: usize, batch: &[&'a Path], ext: &str) -> Result<Vec<&'a Path>> {
    let worker = rayon::current_thread_index().unwrap_or(0);
    let profile = tmp.join(format!("profile-{worker}"));
    let outdir = tmp.join(format!("out-{i}"));
    std::fs::create_dir_all(&outdir)?;
    let status = Command::new("soffice")
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--convert-to", ext, "--outdir"])
        .arg(&outdir)
        .args(batch)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .context("soffice")?;
    if !status.success() {
        eprintln!("soffice завершился с ошибкой: {status}");
    }
    let mut left = Vec::new();
    for src in batch {
        let mut name = src.file_stem().expect("a file name").to_os_string();
        name.push(format!(".{ext}"));
        let converted = outdir.join(name);
        if !converted.exists() {
            left.push(*src);
            continue;
        }
        let target = src.with_extension(ext);
        // rename() may cross file systems (/tmp → OUT): copy, then remove.
        std::fs::copy(&converted, &target).with_context(|| target.display().to_string())?;
        std::fs::remove_file(&converted)?;
        if target != *src {
            std::fs::remove_file(src)?;
        }
    }
    Ok(left)
}
