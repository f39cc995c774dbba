//! Generate realistic filled returns: `cargo run --release --example generate -- --help`.
//!
//! For a registry (`--schools FILE`) or N synthetic schools (`--n N`, which also writes
//! `schools.csv` into the output folder), writes one filled form per school into
//! `OUT/returns/`, seeded and reproducible: most returns clean, some with warnings
//! (numbers typed as text), some with errors (broken control rules, «15 чел.», blanks,
//! half-filled rows, untouched forms), some late, some missing.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveTime};
use clap::Parser;
use rayon::prelude::*;

use profplan::campaign::Campaign;
use profplan::form::layout::form_file_name;
use profplan::form::writer::write_filled_form;
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
    Registry { schools }
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
    let written: Vec<usize> = registry
        .schools
        .par_iter()
        .map(|school| -> Result<usize> {
            if pct(a.seed, &school.id, 1) < a.missing {
                return Ok(0);
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
            let bytes = write_filled_form(&campaign, school, &f, saved)?;
            let path = a.out.join("returns").join(form_file_name(&school.id, &school.short_name));
            std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
            Ok(1)
        })
        .collect::<Result<_>>()?;
    eprintln!(
        "Записано отчётов: {} из {} школ в {}",
        written.iter().sum::<usize>(),
        registry.schools.len(),
        a.out.join("returns").display()
    );
    Ok(())
}
