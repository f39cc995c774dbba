//! From files read to statuses: resolve each return's identity, pick one return per school,
//! validate it, decide who is missing, late, invalid or accepted.
//!
//! The file name is never trusted: a return belongs to the school its identity names, and
//! the identity must agree with itself (hidden sheet, document properties, check value).
//! With a district key, the check value also proves that the district issued the form:
//! a keyed check the key does not confirm is refused, and a return whose check is the old
//! public hash (which anyone can compute) never replaces a return with a confirmed one.
//! Two returns of one school: the one saved last is taken (a school that re-sends a
//! corrected form means the new one), the others are listed as superseded, and the
//! conflict is reported to the methodologist naming every file.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use rayon::prelude::*;

use crate::check::report::{CheckReport, Counts, FileRecord, Outcome, SchoolStatus, Status};
use crate::check::validate::{validate, Form, Validated};
use crate::check::values::SchoolData;
use crate::clock::District;
use crate::finding::{Code, Finding, Severity};
use crate::form::layout::{self, key, Identity, Seal, SealBroken, FORM_MARKER, LAYOUT_VERSION};
use crate::key::DistrictKey;
use crate::plan::campaign::{ru_date, Campaign};
use crate::read::{FileRead, FormInput, ReadForm};

/// A file of the returns folder as the intake takes it: what the reader made of it, and
/// its return already validated when [`validate_early`] could do it during the read.
#[derive(Debug, Clone)]
pub struct Returned {
    pub read: FileRead,
    pub validated: Option<Validated>,
}

impl From<FileRead> for Returned {
    fn from(read: FileRead) -> Returned {
        Returned { read, validated: None }
    }
}

impl From<(FileRead, Option<Validated>)> for Returned {
    fn from((read, validated): (FileRead, Option<Validated>)) -> Returned {
        Returned { read, validated }
    }
}
use crate::schools::{Registry, School};

/// «21.12.2025 10:05»: a time as shown to people (already in the district's offset).
pub fn ru_datetime(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.format("%d.%m.%Y %H:%M").to_string()
}

/// The identity of a form and how its check stands against `key` (this run's district
/// key), or why it has none that can be trusted.
pub fn resolve_identity(
    form: &ReadForm,
    file: &str,
    key: Option<&DistrictKey>,
) -> Result<(Identity, Seal, Vec<Finding>), Finding> {
    let parse = |m: &BTreeMap<String, String>| -> Option<(Identity, String)> {
        if m.get(key::FORM).map(|s| s.trim()) != Some(FORM_MARKER) {
            return None;
        }
        let g = |k: &str| m.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        let layout = g(key::LAYOUT).parse::<f64>().ok().map(|x| x as u32).unwrap_or(0);
        Some((
            Identity {
                plan_id: g(key::PLAN_ID),
                plan_version: g(key::PLAN_VERSION),
                campaign: g(key::CAMPAIGN),
                school_id: g(key::SCHOOL_ID),
                school_name: g(key::SCHOOL_NAME),
                layout,
            },
            g(key::CHECK),
        ))
    };
    let sheet = form.identity_sheet.as_ref().and_then(parse);
    let props = form.identity_props.as_ref().and_then(parse);
    let mut notes = Vec::new();
    let (id, check) = match (sheet, props) {
        (None, None) => {
            return Err(Finding::error(
                Code::IdentityMissing,
                file,
                "в файле нет отметки формы profplan (скрытый лист «_profplan» и свойства документа): это не выданная форма или отметка удалена; заполните форму, выданную отделом образования",
            ))
        }
        (Some(s), None) => s,
        (None, Some(p)) => {
            notes.push(Finding::warning(
                Code::IdentityMissing,
                file,
                "скрытый лист «_profplan» удалён; форма опознана по свойствам документа",
            ));
            p
        }
        (Some(s), Some(p)) => {
            if s.0 != p.0 {
                let what = if s.0.school_id != p.0.school_id {
                    format!(
                        "лист «_profplan» указывает ОО {}, свойства документа — ОО {}: вероятно, лист скопирован из формы другой школы",
                        s.0.school_id, p.0.school_id
                    )
                } else {
                    "лист «_profplan» и свойства документа не совпадают".to_string()
                };
                return Err(Finding::error(
                    Code::IdentityContradictory,
                    file,
                    format!("отметка формы противоречива: {what}; заполните форму, выданную вашей школе"),
                ));
            }
            s
        }
    };
    // The school id of an identity that does not stand is untrusted: the finding is about
    // the file, not about the school it names (which did nothing, and must not get a
    // letter about it — nor have it hidden under its own clean return).
    match layout::verify_check(&id, &check, key) {
        Ok(seal) => Ok((id, seal, notes)),
        Err(SealBroken::Edited) => Err(Finding::error(
            Code::IdentityContradictory,
            file,
            format!(
                "отметка формы изменена вручную (указана ОО {}, но не совпадает контрольная сумма): заполните форму, выданную вашей школе, не меняя скрытый лист",
                id.school_id
            ),
        )),
        Err(SealBroken::WrongKey) => Err(Finding::error(
            Code::IdentityContradictory,
            file,
            format!(
                "отметка формы не подтверждается ключом района (указана ОО {}): форму выдал не этот отдел образования (другая рабочая папка profplan) или отметка подделана. Файл не используется; если форму выдали вы, проверьте, что рабочая папка та же и файл {} в ней не заменён",
                id.school_id,
                crate::key::KEY_FILE_NAME
            ),
        )),
    }
}

/// Validate a return inside the parallel read, as soon as it is read, and drop its cells:
/// a read form holds ~50 KB of cells (every one with its sheet and address), its
/// validated values a fraction of that, so holding every read form until [`assess`]
/// made memory grow with the number of returns (issue 13, BENCHMARKS.md). Only a return
/// that [`assess`] could take is validated — its identity stands and names this plan,
/// campaign, form layout and a school of the registry — with the same inputs `assess`
/// would give it (the registry's first listing of the school), so the report is the same.
/// A draft superseded later costs one validation that is not used. Given to
/// [`crate::read::folder::read_folder_then`]; what it returns goes to [`assess`] beside
/// the file (as a [`Returned`]).
pub fn validate_early(
    prepared: &Form,
    registry: &Registry,
    key: Option<&DistrictKey>,
    f: &mut FileRead,
) -> Option<Validated> {
    let c = prepared.campaign();
    let form = f.result.as_mut().ok()?;
    // Resolved once, here, with the run's key (the one `assess` is given): the identity's
    // sources, two maps of strings, are not kept for every file until the report.
    let resolved = resolve_identity(form, &f.file.path, key);
    form.identity_sheet = None;
    form.identity_props = None;
    let school = match &resolved {
        Ok((id, _, _))
            if id.plan_id == c.plan.id
                && id.campaign == c.id()
                && id.layout == LAYOUT_VERSION
                && id.plan_version == c.plan.version =>
        {
            registry.get(&id.school_id)
        }
        _ => None,
    };
    let validated = school.map(|school| {
        let mut input = std::mem::take(&mut form.input);
        input.file = f.file.path.clone();
        input.school_id = school.id.clone();
        input.school_name = school.name.clone();
        prepared.validate(&input)
    });
    form.resolved = Some(resolved);
    validated
}

/// Options of an intake run.
#[derive(Debug, Clone, Copy)]
pub struct IntakeOptions {
    /// «Today» for deciding missing (after the deadline) versus expected (before it).
    pub as_of: NaiveDate,
    /// Take returns with errors into the figures (marked).
    pub include_invalid: bool,
    /// The district's time zone: where a deadline day ends, how times are read and shown.
    pub district: District,
    /// The district key of the work folder, when there is one: keyed checks are verified
    /// with it, and a return with a confirmed check is preferred to one without.
    pub key: Option<DistrictKey>,
}

/// The outcome of an intake: the report and the values that go into the figures.
#[derive(Debug, Clone)]
pub struct Intake {
    pub report: CheckReport,
    /// Schools in the figures, registry order.
    pub data: Vec<SchoolData>,
    /// Returns with a keyed check that this run had no key to verify (said once by the
    /// command, not per file).
    pub unverifiable: usize,
}

struct Candidate {
    file_index: usize,
    /// Why its cells cannot be trusted (an older form layout, another edition of the
    /// plan), found when it was admitted: of its identity only this is needed again (the
    /// school is its key in `by_school`), and a candidate is kept for every return.
    version_problem: Option<Box<Finding>>,
    seal: Seal,
    /// What validation reads, when the return was not validated during the read (then
    /// its cells are gone: `None`). Boxed: a candidate is kept for every return until the
    /// report, most of them without it.
    input: Option<Box<FormInput>>,
    /// The reader's structural notes about the form.
    form_notes: Vec<Finding>,
    /// The return validated during the read ([`validate_early`]); its cells are gone.
    validated: Option<Kept>,
    notes: Vec<Finding>,
}

/// A return validated during the read ([`validate_early`]), as the reading thread hands
/// it to the intake: whole, or — in a folder run, which has spilled its values or has no
/// use for them — only its findings.
#[derive(Debug, Clone)]
pub enum Early {
    Whole(Validated),
    /// Its values are gone: it goes into the figures as a mark on its school's status
    /// ([`SchoolStatus::in_figures`]), not in [`Intake::data`].
    ValuesGone(Vec<Finding>),
}

impl From<Validated> for Early {
    fn from(v: Validated) -> Early {
        Early::Whole(v)
    }
}

/// A return validated during the read as its candidate keeps it until the report: its
/// findings, and its values while it has them (boxed: a folder run has none). Not the
/// [`Validated`] itself: its emptied values (~130 bytes) and names were kept for every
/// return (issue 13).
#[derive(Debug)]
struct Kept {
    findings: Vec<Finding>,
    data: Option<Box<SchoolData>>,
}

/// Resolve identities, pick one return per school, validate, and build the report.
/// `files` are [`FileRead`]s, or pairs of a file and its early validation (see
/// [`Returned`]).
pub fn assess<F: Into<Returned>>(
    c: &Campaign,
    registry: &Registry,
    files: Vec<F>,
    opts: IntakeOptions,
) -> Intake {
    let admitted: Vec<Admission> = files
        .into_iter()
        .map(|f| {
            let Returned { read, validated } = f.into();
            admit_file(c, registry, &opts, read, validated.map(Early::Whole))
        })
        .collect();
    assess_admitted(c, registry, admitted, opts)
}

/// [`assess`] of files already admitted one by one ([`admit_file`], on the reading
/// thread of a folder run): pick one return per school, validate what was not validated
/// yet, and build the report. The files may come in any order: they are taken in order of
/// path, so the report does not depend on it.
pub fn assess_admitted(
    c: &Campaign,
    registry: &Registry,
    mut files: Vec<Admission>,
    opts: IntakeOptions,
) -> Intake {
    if !files.is_sorted_by(|a, b| a.record.path <= b.record.path) {
        files.sort_by(|a, b| a.record.path.cmp(&b.record.path));
    }
    assess_admissions(c, registry, admit(files), opts)
}

/// [`assess_admitted`] of files already sorted into [`Admitted`] one by one, in order of
/// path (a folder run, as each file is read: no list of the files is kept).
pub fn assess_admissions(
    c: &Campaign,
    registry: &Registry,
    admitted: Admitted,
    opts: IntakeOptions,
) -> Intake {
    let Admitted { mut records, mut by_school, mut findings } = admitted;
    let unverifiable =
        by_school.values().flatten().filter(|k| k.seal == Seal::Unverifiable).count();
    drop_unconfirmed(&mut by_school, &mut records, &mut findings);
    // The return saved last wins; ties (same second) by path, for determinism.
    for cands in by_school.values_mut() {
        cands.sort_by(|a, b| {
            let (ra, rb) = (&records[a.file_index], &records[b.file_index]);
            ra.saved_at.cmp(&rb.saved_at).then_with(|| ra.path.cmp(&rb.path))
        });
    }
    let mut validated = validate_chosen(c, registry, &by_school, &records);

    // At their size from the start: grown by doubling, up to half of each list was
    // spare room (issue 13).
    let mut statuses = Vec::with_capacity(registry.schools.len());
    // Not at its size: in a folder run, whose returns' values are gone, it stays empty.
    let mut data = Vec::new();
    for school in &registry.schools {
        let cands = by_school.remove(&school.id).unwrap_or_default();
        let settled = settle(c, school, cands, &mut records, &mut validated, &opts);
        if let Some(d) = settled.data {
            data.push(d);
        }
        findings.extend(settled.findings);
        statuses.push(settled.status);
    }

    // Order: registry schools first (registry order), then findings of no known school by file.
    let rank =
        |f: &Finding| f.school.as_deref().and_then(|s| registry.position(s)).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.file.cmp(&b.file)));

    let report = CheckReport {
        plan_id: c.plan.id.clone(),
        plan_version: c.plan.version.clone(),
        campaign: c.id(),
        campaign_title: c.def.title.clone(),
        deadline: c.deadline,
        district: opts.district,
        as_of: opts.as_of,
        counts: count(&statuses, &records),
        schools: statuses,
        findings,
        files: records,
    };
    Intake { report, data, unverifiable }
}

/// Files sorted into candidates per school, and the records and findings of the rest:
/// [`Admission`]s taken one by one, in order of path ([`Admitted::push`]).
pub struct Admitted {
    /// One record per file, in path order (indexed by `Candidate::file_index`).
    records: Vec<FileRecord>,
    by_school: BTreeMap<String, Vec<Candidate>>,
    findings: Vec<Finding>,
}

impl Admitted {
    /// Room for the records of `files` files.
    pub fn with_capacity(files: usize) -> Admitted {
        Admitted {
            records: Vec::with_capacity(files),
            by_school: BTreeMap::new(),
            findings: Vec::new(),
        }
    }

    /// Take the next file. The files must come in order of path (the report lists them
    /// so, and a candidate is known by its file's place); a file out of order is a bug of
    /// the caller.
    pub fn push(&mut self, a: Admission) {
        let Admission { record, finding, candidate } = a;
        assert!(
            self.records.last().is_none_or(|last| last.path <= record.path),
            "files admitted out of order of path: {}",
            record.path
        );
        self.findings.extend(finding.map(|f| *f));
        if let Some(b) = candidate {
            let (school, mut k) = *b;
            k.file_index = self.records.len();
            // Most schools send one return: room for one candidate, not four.
            self.by_school.entry(school).or_insert_with(|| Vec::with_capacity(1)).push(k);
        }
        self.records.push(record);
    }
}

/// A file of the returns folder once admitted: its record, and the finding that refuses
/// it or the return it is (for its school). Made by [`admit_file`] as soon as the file is
/// read, on its reading thread: of a file's read result (~700 bytes inline, its identity's
/// strings, the names of its validated return) only this is kept until the report
/// (issue 13: memory flat in the number of files).
pub struct Admission {
    record: FileRecord,
    /// Why the file is not used (not for a skipped file, which is only recorded).
    finding: Option<Box<Finding>>,
    /// The return it is: its school's id and the candidate (its place in the folder not
    /// known yet).
    candidate: Option<Box<(String, Candidate)>>,
}

impl Admission {
    /// The file's path relative to the returns folder.
    pub fn path(&self) -> &str {
        &self.record.path
    }
}

/// The file's saved time in the district, its identity, and whether it is a return of
/// this plan, this campaign and a school of the registry: such a file becomes a
/// candidate of its school, the others are recorded as rejected or not used, with the
/// finding that says why. A return validated during the read keeps its findings, not its
/// names (the school's, which the registry holds, and the file's, which its record holds:
/// given back when it is taken, in [`settle`]).
pub fn admit_file(
    c: &Campaign,
    registry: &Registry,
    opts: &IntakeOptions,
    read: FileRead,
    mut validated: Option<Early>,
) -> Admission {
    let district = opts.district;
    let mut rec = FileRecord::of(read.file, district);
    let mut finding = None;
    let mut candidate = None;
    match read.result {
        Err(f) => {
            rec.reason = f.message.clone();
            if rec.outcome != Outcome::Skipped {
                finding = Some(Box::new(f));
            }
        }
        Ok(mut form) => match form
            .resolved
            .take()
            .unwrap_or_else(|| resolve_identity(&form, &rec.path, opts.key.as_ref()))
        {
            Err(f) => {
                rec.outcome = Outcome::NotUsed;
                rec.reason = f.message.clone();
                rec.school = f.school.clone();
                finding = Some(Box::new(f));
            }
            Ok((id, seal, notes)) => {
                rec.school = Some(id.school_id.clone());
                match not_ours(c, registry, &id) {
                    Some((code, sev, msg)) => {
                        rec.outcome = Outcome::NotUsed;
                        rec.reason = msg.clone();
                        finding = Some(Box::new(
                            Finding::new(code, sev, &rec.path, msg).school(&id.school_id),
                        ));
                    }
                    None => {
                        // Resolved: of the form, only its notes and (when it was not
                        // validated during the read, and can be) its input are needed
                        // again.
                        let version_problem = version_problem(c, &id, &rec.path).map(Box::new);
                        let input = (validated.is_none() && version_problem.is_none())
                            .then(|| Box::new(form.input));
                        let validated = validated.take().map(|v| match v {
                            Early::Whole(mut v) => {
                                v.data.school_id = String::new();
                                v.data.school_name = String::new();
                                v.data.file = String::new();
                                Kept { findings: v.findings, data: Some(Box::new(v.data)) }
                            }
                            Early::ValuesGone(findings) => Kept { findings, data: None },
                        });
                        let k = Candidate {
                            file_index: usize::MAX,
                            version_problem,
                            seal,
                            input,
                            form_notes: form.notes,
                            validated,
                            notes,
                        };
                        candidate = Some(Box::new((id.school_id, k)));
                    }
                }
            }
        },
    }
    Admission { record: rec, finding, candidate }
}

/// The admitted files (in path order) sorted into candidates per school, and the records
/// and findings of the rest.
fn admit(files: Vec<Admission>) -> Admitted {
    let mut out = Admitted::with_capacity(files.len());
    // Taken from the end (hence reversed first) and the list shrunk as it empties, so
    // that the files and their records are not held twice.
    let mut files = files;
    files.reverse();
    while let Some(a) = files.pop() {
        if files.capacity() - files.len() > files.capacity() / 8 {
            files.shrink_to_fit();
        }
        out.push(a);
    }
    out
}

/// Why a form with a trusted identity is still not a return of this campaign: another
/// plan, another campaign, or a school the registry does not list.
fn not_ours(c: &Campaign, registry: &Registry, id: &Identity) -> Option<(Code, Severity, String)> {
    if id.plan_id != c.plan.id {
        Some((
            Code::OtherPlan,
            Severity::Error,
            format!("форма другого плана («{}»), а не «{}»", id.plan_id, c.plan.id),
        ))
    } else if id.campaign != c.id() {
        let shown = crate::plan::campaign::parse_date(&id.campaign)
            .map(ru_date)
            .unwrap_or(id.campaign.clone());
        Some((Code::OtherCampaign, Severity::Error, format!("форма другой отчётной кампании (срок {shown}), а проверяется кампания со сроком {}: заполните форму текущей кампании", ru_date(c.deadline))))
    } else if registry.get(&id.school_id).is_none() {
        Some((
            Code::UnknownSchool,
            Severity::Error,
            format!(
                "форма ОО с кодом «{}» ({}), которой нет в реестре школ",
                id.school_id, id.school_name
            ),
        ))
    } else {
        None
    }
}

/// A school with a return whose keyed check this run confirmed: returns of it without
/// such a check are not used. Their public check can be computed by anyone, so one of
/// them, saved later, must not replace the confirmed return (a forged form claiming
/// another school). They are named, as files, to the methodologist — not to the school
/// they claim, which did nothing.
fn drop_unconfirmed(
    by_school: &mut BTreeMap<String, Vec<Candidate>>,
    records: &mut [FileRecord],
    findings: &mut Vec<Finding>,
) {
    for (school_id, cands) in by_school.iter_mut() {
        if !cands.iter().any(|k| k.seal == Seal::Keyed) {
            continue;
        }
        let (keyed, others): (Vec<Candidate>, Vec<Candidate>) =
            std::mem::take(cands).into_iter().partition(|k| k.seal == Seal::Keyed);
        *cands = keyed;
        let confirmed: Vec<&str> =
            cands.iter().map(|k| records[k.file_index].path.as_str()).collect();
        let confirmed = confirmed.join(", ");
        for k in others {
            let rec = &mut records[k.file_index];
            let msg = format!(
                "отметка формы (ОО {}) без ключа района, а от этой ОО есть отчёт с подтверждённой отметкой ({confirmed}): этот файл не используется. Форма без ключа — либо выданная до появления ключа, либо подделанная; выясните, кто её прислал",
                school_id
            );
            rec.outcome = Outcome::NotUsed;
            rec.reason = msg.clone();
            findings.push(Finding::error(Code::IdentityUnverified, &rec.path, msg));
        }
    }
}

/// The chosen return of a school as validation sees it: the file's path, and the school's
/// id and name from the registry.
fn input_of(k: &Candidate, rec: &FileRecord, school: &School) -> FormInput {
    let mut input = k.input.as_deref().cloned().unwrap_or_default();
    input.file = rec.path.clone();
    input.school_id = school.id.clone();
    input.school_name = school.name.clone();
    input
}

/// Validation is the costly part of an intake and every return's is independent:
/// validate each school's chosen return (the last of its candidates, sorted by save
/// time) in parallel (on a 2-core machine this stage ran on one core; see BENCHMARKS.md).
/// Results are keyed by file index, so the report does not depend on the thread count.
fn validate_chosen(
    c: &Campaign,
    registry: &Registry,
    by_school: &BTreeMap<String, Vec<Candidate>>,
    records: &[FileRecord],
) -> HashMap<usize, Validated> {
    let chosen: Vec<(&School, &Candidate)> = registry
        .schools
        .iter()
        .filter_map(|s| by_school.get(&s.id).and_then(|k| k.last()).map(|k| (s, k)))
        .filter(|(_, k)| k.validated.is_none() && k.version_problem.is_none())
        .collect();
    chosen
        .par_iter()
        .map(|(school, k)| {
            (k.file_index, validate(c, &input_of(k, &records[k.file_index], school)))
        })
        .collect()
}

/// One school of the registry after the intake.
struct Settled {
    status: SchoolStatus,
    /// Its values, when they go into the figures.
    data: Option<SchoolData>,
    /// Findings about its return, marked with the school.
    findings: Vec<Finding>,
}

/// The status of one school from its candidates (sorted by save time): missing or
/// expected without any, otherwise the last saved one is taken (the others superseded),
/// checked for its form version, validated, and judged late or on time.
fn settle(
    c: &Campaign,
    school: &School,
    mut cands: Vec<Candidate>,
    records: &mut [FileRecord],
    validated: &mut HashMap<usize, Validated>,
    opts: &IntakeOptions,
) -> Settled {
    // In file (path) order, as read — `cands` is sorted by save time.
    let mut in_file_order: Vec<usize> = cands.iter().map(|k| k.file_index).collect();
    in_file_order.sort_unstable();
    let files_of: Vec<String> = in_file_order.iter().map(|&i| records[i].path.clone()).collect();
    let Some(mut chosen) = cands.pop() else {
        let status = if opts.as_of > c.deadline { Status::Missing } else { Status::Expected };
        return Settled {
            status: SchoolStatus {
                id: school.id.clone(),
                name: school.name.clone(),
                status,
                late: false,
                file: None,
                files: files_of,
                saved_at: None,
                errors: 0,
                warnings: 0,
                in_figures: false,
            },
            data: None,
            findings: Vec::new(),
        };
    };
    let mut school_findings: Vec<Finding> = Vec::new();
    if !cands.is_empty() {
        school_findings.push(supersede(&chosen, &cands, &files_of, records));
    }
    let rec = &records[chosen.file_index];
    let mut inner_findings = chosen.notes.clone();
    if opts.key.is_some() && chosen.seal == Seal::Public {
        inner_findings.push(Finding::warning(
            Code::IdentityUnverified,
            &rec.path,
            "форма выдана без ключа района (до его появления или без рабочей папки profplan): подлинность отметки формы проверить нельзя. Отчёт принят; следующие формы получите новые, с ключом",
        ));
    }
    inner_findings.extend(chosen.form_notes.iter().cloned());
    // Whether it was validated, and its values when they are at hand.
    let mut school_data = None;
    let mut checked = false;
    if let Some(p) = chosen.version_problem.take() {
        inner_findings.push(*p);
    } else if let Some(Kept { findings, data }) = chosen.validated.take() {
        inner_findings.extend(findings);
        checked = true;
        school_data = data.map(|d| SchoolData {
            school_id: school.id.clone(),
            school_name: school.name.clone(),
            file: rec.path.clone(),
            ..*d
        });
    } else {
        // Validated in `validate_chosen` (same school, same file; a registry listing a
        // school twice finds its return taken by the first listing, as before).
        let v = validated
            .remove(&chosen.file_index)
            .unwrap_or_else(|| validate(c, &input_of(&chosen, rec, school)));
        inner_findings.extend(v.findings);
        checked = true;
        school_data = Some(v.data);
    }
    let (late, timing) = timing(c, rec, opts.district);
    school_findings.extend(timing);
    school_findings.extend(inner_findings);
    let errors = school_findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = school_findings.len() - errors;
    let status = if errors > 0 { Status::Invalid } else { Status::Accepted };
    let rec = &mut records[chosen.file_index];
    rec.outcome = if errors > 0 { Outcome::Invalid } else { Outcome::Accepted };
    rec.reason = match status {
        Status::Accepted if warnings > 0 => format!("принят, предупреждений: {warnings}"),
        Status::Accepted => "принят".into(),
        _ => format!("ошибок: {errors}, предупреждений: {warnings}"),
    };
    let in_figures = checked && (errors == 0 || opts.include_invalid);
    let data = school_data.filter(|_| in_figures).map(|mut d| {
        d.invalid = errors > 0;
        d
    });
    for f in &mut school_findings {
        f.school = Some(school.id.clone());
    }
    Settled {
        status: SchoolStatus {
            id: school.id.clone(),
            name: school.name.clone(),
            status,
            late,
            file: Some(rec.path.clone()),
            files: files_of,
            saved_at: rec.saved_at,
            errors,
            warnings,
            in_figures,
        },
        data,
        findings: school_findings,
    }
}

/// Several returns of one school: the others are marked superseded by the chosen one,
/// and one warning names every file and says which was taken and why.
fn supersede(
    chosen: &Candidate,
    others: &[Candidate],
    files_of: &[String],
    records: &mut [FileRecord],
) -> Finding {
    let mut all = files_of.to_vec();
    all.sort();
    let chosen_path = records[chosen.file_index].path.clone();
    let chosen_saved = records[chosen.file_index].saved_at;
    // Ties (same saved time, to the second) are broken by file name: say so.
    let tied = others.iter().any(|k| records[k.file_index].saved_at == chosen_saved);
    let how = if tied {
        "последний по имени файла (файлы сохранены в одно время)"
    } else {
        "сохранённый последним"
    };
    let finding = Finding::warning(
        Code::DuplicateReturn,
        &chosen_path,
        format!(
            "получено несколько отчётов этой ОО: {}; в работу взят {how} — {chosen_path}",
            all.join(", "),
        ),
    );
    for other in others {
        let r = &mut records[other.file_index];
        r.outcome = Outcome::Superseded;
        r.reason = if r.saved_at == chosen_saved {
            format!(
                "заменён файлом {chosen_path}: оба сохранены в одно время, взят \
                 последний по имени файла"
            )
        } else {
            format!("заменён файлом {chosen_path}, сохранённым позже")
        };
    }
    finding
}

/// A form of an older layout or another edition of the plan: its cells cannot be trusted
/// to mean what this plan's do, so it is not validated.
fn version_problem(c: &Campaign, id: &Identity, path: &str) -> Option<Finding> {
    if id.layout != LAYOUT_VERSION {
        Some(Finding::error(Code::OtherLayout, path, format!("форма старого образца (макет {}, действующий — {}): заполните форму, выданную для этой кампании", id.layout, LAYOUT_VERSION)))
    } else if id.plan_version != c.plan.version {
        Some(Finding::error(Code::OtherPlanVersion, path, format!("форма выпущена по другой редакции плана (версия {}, действующая — {}): заполните форму, выданную для этой кампании", id.plan_version, c.plan.version)))
    } else {
        None
    }
}

/// Whether a return is late, and the warning that says so (or that its time cannot be
/// trusted). Late: saved at or after the midnight that ends the deadline day in the
/// district. An ambiguous time is late only if both its readings are (`saved_at` is the
/// earlier one); when only the later reading is late, the return is on time and a
/// finding says the time could not be trusted.
fn timing(c: &Campaign, rec: &FileRecord, district: District) -> (bool, Option<Finding>) {
    let end = district.local(district.deadline_end(c.deadline));
    let zone = district.label();
    match (rec.saved_at, rec.saved_at_other) {
        (Some(t), _) if t >= end => {
            let how = if rec.saved_at_from_fs {
                " (по времени изменения файла)".to_string()
            } else if let Some(other) = rec.saved_at_other {
                format!(
                    " (LibreOffice записал время неоднозначно: {} или {}; после срока при \
                     любом прочтении)",
                    ru_datetime(t),
                    ru_datetime(other)
                )
            } else {
                String::new()
            };
            let finding = Finding::warning(
                Code::Late,
                &rec.path,
                format!(
                    "отчёт сохранён {} ({zone}){how}, после срока {}",
                    ru_datetime(t),
                    ru_date(c.deadline)
                ),
            );
            (true, Some(finding))
        }
        (Some(t), Some(other)) if other >= end => {
            let finding = Finding::warning(
                Code::SavedTimeUncertain,
                &rec.path,
                format!(
                    "время сохранения нельзя проверить: файл .xlsx сохранён в LibreOffice, \
                     который записывает местное время с пометкой UTC, поэтому это {} или {} \
                     ({zone}); срок {} — отчёт считается сданным вовремя. Если опоздание \
                     важно, уточните у школы время отправки (например, по письму)",
                    ru_datetime(t),
                    ru_datetime(other),
                    ru_date(c.deadline)
                ),
            );
            (false, Some(finding))
        }
        _ => (false, None),
    }
}

/// The report's totals: schools by status, files by outcome.
fn count(statuses: &[SchoolStatus], records: &[FileRecord]) -> Counts {
    let schools = |p: &dyn Fn(&SchoolStatus) -> bool| statuses.iter().filter(|s| p(s)).count();
    let files = |o: Outcome| records.iter().filter(|r| r.outcome == o).count();
    Counts {
        schools: statuses.len(),
        accepted: schools(&|s| s.status == Status::Accepted),
        invalid: schools(&|s| s.status == Status::Invalid),
        missing: schools(&|s| s.status == Status::Missing),
        expected: schools(&|s| s.status == Status::Expected),
        late: schools(&|s| s.late && s.status == Status::Accepted),
        invalid_late: schools(&|s| s.late && s.status == Status::Invalid),
        files: records.len(),
        skipped_files: files(Outcome::Skipped),
        rejected_files: files(Outcome::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use crate::read::{InputCell, Value};
    use crate::schools::School;

    fn registry() -> Registry {
        let school = School::named_for_tests;
        Registry::new(vec![school("01"), school("02"), school("03")])
    }

    fn identity(c: &Campaign, school: &str) -> BTreeMap<String, String> {
        let id = Identity {
            plan_id: c.plan.id.clone(),
            plan_version: c.plan.version.clone(),
            campaign: c.id(),
            school_id: school.into(),
            school_name: format!("Школа {school}"),
            layout: LAYOUT_VERSION,
        };
        id.rows().into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// A file of the folder as the reader hands it on: its metadata and what was read.
    fn file(path: &str, saved: &str, result: Result<ReadForm, Finding>) -> FileRead {
        let file = crate::read::FileMeta {
            path: path.into(),
            size: 1,
            sha256: String::new(),
            format: "xlsx".into(),
            saved: Some(crate::clock::SavedTime::Instant(
                chrono::DateTime::parse_from_rfc3339(saved).unwrap().to_utc(),
            )),
            saved_from_fs: false,
            skipped: false,
        };
        FileRead { file, result }
    }

    /// A filled, valid December form.
    fn filled(c: &Campaign, school: &str, covered: f64) -> ReadForm {
        let mut fields = BTreeMap::new();
        for (i, f) in c.fields().iter().enumerate() {
            let v = match f.kind {
                crate::plan::Kind::Integer => {
                    Value::Number(if f.code == "p2_1_covered" { covered } else { 10.0 })
                }
                crate::plan::Kind::Choice => Value::Text("выполнено".into()),
                _ => Value::Empty,
            };
            fields.insert(
                f.code.clone(),
                InputCell { sheet: "Отчёт".into(), cell: format!("E{}", i + 10), value: v },
            );
        }
        for (code, _) in layout::META_FIELDS {
            fields.insert(
                code.into(),
                InputCell {
                    sheet: "Отчёт".into(),
                    cell: "E5".into(),
                    value: Value::Text("x".into()),
                },
            );
        }
        let tables = c
            .tables()
            .iter()
            .map(|(_, t)| {
                let columns = t.columns.iter().map(|c| c.code.clone()).collect();
                (t.code.clone(), crate::read::InputTable { columns, ..Default::default() })
            })
            .collect();
        ReadForm {
            identity_sheet: Some(identity(c, school)),
            identity_props: Some(identity(c, school)),
            resolved: None,
            input: FormInput { fields, tables, ..Default::default() },
            notes: vec![],
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn statuses_late_duplicates_and_missing() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let reg = registry();
        let files = vec![
            file("a.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&c, "01", 5.0))),
            // Same school, saved later, with an error (covered > students): it wins.
            file("b.xlsx", "2025-12-20T20:30:00Z", Ok(filled(&c, "01", 50.0))),
            // 21.12 00:30 Moscow time: late.
            file("c.xlsx", "2025-12-20T21:30:00Z", Ok(filled(&c, "02", 5.0))),
            file(
                "junk.xlsx",
                "2025-12-19T10:00:00Z",
                Err(Finding::error(Code::FileDamaged, "junk.xlsx", "повреждён")),
            ),
        ];
        let out = assess(
            &c,
            &reg,
            files,
            IntakeOptions {
                as_of: date("2025-12-22"),
                include_invalid: false,
                district: Default::default(),
                key: None,
            },
        );
        let st: Vec<(Status, bool)> =
            out.report.schools.iter().map(|s| (s.status, s.late)).collect();
        assert_eq!(
            st,
            [(Status::Invalid, false), (Status::Accepted, true), (Status::Missing, false)]
        );
        assert_eq!(out.report.schools[0].file.as_deref(), Some("b.xlsx"));
        assert_eq!(out.report.files[0].outcome, Outcome::Superseded);
        assert_eq!(out.report.files[3].outcome, Outcome::Rejected);
        let dup = out.report.findings.iter().find(|f| f.code == Code::DuplicateReturn).unwrap();
        assert!(dup.message.contains("a.xlsx") && dup.message.contains("b.xlsx"));
        assert!(out
            .report
            .findings
            .iter()
            .any(|f| f.code == Code::Late && f.school.as_deref() == Some("02")));
        assert_eq!(out.data.len(), 1);
        assert_eq!(out.report.exit_code(), 1);
        // Before the deadline the third school is expected, not missing.
        let early = assess(
            &c,
            &reg,
            Vec::<FileRead>::new(),
            IntakeOptions {
                as_of: date("2025-12-01"),
                include_invalid: false,
                district: Default::default(),
                key: None,
            },
        );
        assert!(early.report.schools.iter().all(|s| s.status == Status::Expected));
    }

    #[test]
    fn identity_must_agree_with_itself() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let mut form = filled(&c, "01", 5.0);
        form.identity_props = Some(identity(&c, "02"));
        let e = resolve_identity(&form, "x.xlsx", None).unwrap_err();
        assert_eq!(e.code, Code::IdentityContradictory);
        assert!(e.message.contains("ОО 01") && e.message.contains("ОО 02"), "{}", e.message);
        let mut edited = filled(&c, "01", 5.0);
        edited.identity_props = None;
        edited.identity_sheet.as_mut().unwrap().insert("school_id".into(), "03".into());
        assert_eq!(
            resolve_identity(&edited, "x.xlsx", None).unwrap_err().code,
            Code::IdentityContradictory
        );
        let none = ReadForm::default();
        assert_eq!(
            resolve_identity(&none, "x.xlsx", None).unwrap_err().code,
            Code::IdentityMissing
        );
    }

    #[test]
    fn other_campaign_and_unknown_school_are_not_used() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let may = Campaign::parse(&plan, "2026-05-25").unwrap();
        let files = vec![
            file("old.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&may, "01", 5.0))),
            file("stranger.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&c, "99", 5.0))),
        ];
        let out = assess(
            &c,
            &registry(),
            files,
            IntakeOptions {
                as_of: date("2025-12-22"),
                include_invalid: false,
                district: Default::default(),
                key: None,
            },
        );
        let codes: Vec<Code> = out.report.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::OtherCampaign, Code::UnknownSchool]);
        assert!(out.report.files.iter().all(|f| f.outcome == Outcome::NotUsed));
        assert_eq!(out.report.schools[0].status, Status::Missing);
    }

    /// Issue 13: validating each return inside the read (and dropping its cells) gives the
    /// same report and the same figures as validating the chosen returns in `assess`.
    #[test]
    fn early_validation_changes_nothing_but_memory() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let may = Campaign::parse(&plan, "2026-05-25").unwrap();
        let reg = registry();
        let files = vec![
            // A draft, superseded by b.xlsx (which has an error: covered > students).
            file("a.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&c, "01", 5.0))),
            file("b.xlsx", "2025-12-20T20:30:00Z", Ok(filled(&c, "01", 50.0))),
            file("c.xlsx", "2025-12-20T21:30:00Z", Ok(filled(&c, "02", 7.0))),
            file("old.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&may, "03", 5.0))),
            file("stranger.xlsx", "2025-12-19T10:00:00Z", Ok(filled(&c, "99", 5.0))),
        ];
        for include_invalid in [false, true] {
            let opts = IntakeOptions {
                as_of: date("2025-12-22"),
                include_invalid,
                district: Default::default(),
                key: None,
            };
            let early: Vec<(FileRead, Option<Validated>)> = files
                .iter()
                .cloned()
                .map(|mut f| {
                    let v = validate_early(&Form::new(&c), &reg, None, &mut f);
                    (f, v)
                })
                .collect();
            // Validated and emptied: the three returns of this campaign and known schools.
            let done: Vec<&str> = early
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(f, _)| f.file.path.as_str())
                .collect();
            assert_eq!(done, ["a.xlsx", "b.xlsx", "c.xlsx"]);
            assert!(early
                .iter()
                .filter(|(_, v)| v.is_some())
                .filter_map(|(f, _)| f.result.as_ref().ok())
                .all(|r| r.input.fields.is_empty() && r.input.tables.is_empty()));
            let late = assess(&c, &reg, files.clone(), opts);
            let now = assess(&c, &reg, early, opts);
            assert_eq!(now.report, late.report);
            assert_eq!(now.data, late.data);
            // Not vacuous: the figures hold school 02's value, and 01's invalid return
            // only with --include-invalid.
            let covered: Vec<(String, Option<f64>)> =
                now.data.iter().map(|d| (d.school_id.clone(), d.num("p2_1_covered"))).collect();
            if include_invalid {
                assert_eq!(covered, [("01".into(), Some(50.0)), ("02".into(), Some(7.0))]);
            } else {
                assert_eq!(covered, [("02".into(), Some(7.0))]);
            }
        }
    }
}
