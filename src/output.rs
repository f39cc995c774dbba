//! Writing output files safely: atomically (temp file in the target folder, flushed to disk,
//! then renamed), and never over an existing file unless the user asked for it.
//!
//! `rust_xlsxwriter`'s own `save` truncates the target before it knows the workbook is
//! valid, and a crash mid-write leaves a half file that a school may receive. A rename
//! within one folder is atomic: readers see the old file or the new one, never a mix.
//! When the old file cannot be replaced (on Windows: it is open in Excel) the message says
//! so in Russian and the old file stays as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What a run reads, so that its outputs can be kept off them.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Input files (registry, plan, settings, a previous summary).
    pub files: Vec<PathBuf>,
    /// Folders whose every file is an input (the returns folder).
    pub dirs: Vec<PathBuf>,
    /// Every input file as (device, inode), listed once when first needed: a hard link
    /// elsewhere to a return is the return.
    ids: std::sync::OnceLock<Vec<(FileId, PathBuf)>>,
}

type FileId = (u64, u64);

impl Inputs {
    pub fn new(files: Vec<PathBuf>, dirs: Vec<PathBuf>) -> Inputs {
        Inputs { files, dirs, ids: Default::default() }
    }

    /// Refuses `out` when it is, or resolves to (through links, `..`, a hard link), one of
    /// the input files, or lies in an input folder: inputs are never modified, `--force`
    /// or not. `what` names the output in the message («сводный отчёт»).
    pub fn refuse(&self, out: &Path, what: &str) -> Result<()> {
        let target = resolve(out);
        for dir in &self.dirs {
            if target.starts_with(resolve(dir)) {
                anyhow::bail!(
                    "{}: {what} нельзя записать в папку с отчётами школ {} — присланные файлы \
                     не изменяются. Укажите другую папку",
                    out.display(),
                    dir.display()
                );
            }
        }
        let by_name = self.files.iter().find(|f| resolve(f) == target);
        let by_id = file_id(out).and_then(|id| {
            self.ids.get_or_init(|| self.list_ids()).iter().find(|(x, _)| *x == id).map(|(_, p)| p)
        });
        if let Some(input) = by_name.or(by_id) {
            anyhow::bail!(
                "{}: {what} нельзя записать в этот файл — это входной файл {}, а входные файлы \
                 не изменяются. Укажите другой файл",
                out.display(),
                input.display()
            );
        }
        Ok(())
    }

    fn list_ids(&self) -> Vec<(FileId, PathBuf)> {
        let in_dirs =
            self.dirs.iter().filter_map(|d| crate::read::scan(d).ok()).flatten().map(|e| e.path);
        self.files.iter().cloned().chain(in_dirs).filter_map(|p| Some((file_id(&p)?, p))).collect()
    }
}

/// Device and inode of an existing file (links followed); `None` elsewhere.
fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// `path` made absolute with links resolved as far as it exists: the file itself when it
/// exists, else its folder plus the name (the file is about to be created there).
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => resolve(dir).join(name),
        _ => abs,
    }
}

/// Temporary files being written right now: removed by [`remove_temp_files`] when the
/// user interrupts the run (Ctrl+C), since an exit from a signal handler runs no
/// destructors.
static LIVE_TEMP_FILES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file being written, then runs `then` (the binary exits there)
/// while no write can finish or start: an interrupted run leaves no `.tmpXXXXXX` and no
/// half-written output; a file already renamed into place is complete.
pub fn remove_temp_files(then: impl FnOnce()) {
    let files = live();
    for p in files.iter() {
        let _ = std::fs::remove_file(p);
    }
    then();
    drop(files);
}

/// Environment variable of the interruption test: when set, [`write_atomic`] stops before
/// the rename, with the temporary file written, and says so on stderr.
pub const TEST_PAUSE_ENV: &str = "PROFPLAN_TEST_PAUSE_BEFORE_PERSIST";

/// The files of `paths` that already exist, named for a message that refuses to replace
/// them before any work is done: «a.xlsx, b.xlsx», the first five and «и ещё N».
/// `None` when none exists, or with `force` (the user asked to replace them).
pub fn existing<'a>(paths: impl IntoIterator<Item = &'a Path>, force: bool) -> Option<String> {
    if force {
        return None;
    }
    let found: Vec<String> =
        paths.into_iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    match found.len() {
        0 => None,
        n if n > 5 => Some(format!("{} и ещё {}", found[..5].join(", "), n - 5)),
        _ => Some(found.join(", ")),
    }
}

/// Write `bytes` to `path` atomically. With `overwrite` false an existing file is an
/// error (checked at the rename, so a file created meanwhile is not clobbered either).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    write_atomic_as(path, bytes, overwrite, false)
}

/// [`write_atomic`] for a secret (the district key): the file is readable by its owner
/// only from the moment it exists.
pub fn write_atomic_private(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    write_atomic_as(path, bytes, overwrite, true)
}

fn write_atomic_as(path: &Path, bytes: &[u8], overwrite: bool, private: bool) -> Result<()> {
    let tmp = write_temp(path, private, |f| {
        f.write_all(bytes).with_context(|| format!("не удалось записать {}", path.display()))
    })?;
    let tmp_path = tmp.path().to_path_buf();
    pause_before_persist_in_tests(&tmp_path);
    let mut files = live();
    let persisted = if overwrite {
        tmp.persist(path).map_err(|e| e.error)
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)
    };
    files.retain(|p| *p != tmp_path);
    drop(files);
    // On failure the temporary file is removed when it is dropped: the old file stays.
    persisted.map(|_| ()).map_err(|e| not_replaced(path, e))
}

/// A temporary file beside `path`, written by `write` (through a buffer) and flushed to
/// disk, registered for removal on Ctrl+C until it is renamed into place or dropped. When
/// `write` fails, the temporary file is removed and its error returned as it is.
fn write_temp(
    path: &Path,
    private: bool,
    write: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = {
        // Created and registered under the lock: an interrupt sees it or it does not exist.
        let mut files = live();
        let tmp = temp_builder(private).tempfile_in(dir).with_context(|| {
            format!("не удалось создать временный файл в папке {}", dir.display())
        })?;
        files.push(tmp.path().to_path_buf());
        tmp
    };
    let written = {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf).and_then(|()| {
            buf.flush()
                .and_then(|()| buf.get_ref().sync_all())
                .with_context(|| format!("не удалось записать {}", path.display()))
        })
    };
    if let Err(e) = written {
        let tmp_path = tmp.path().to_path_buf();
        let mut files = live();
        drop(tmp);
        files.retain(|p| *p != tmp_path);
        return Err(e);
    }
    Ok(tmp)
}

// The one print of the library: a test hook, whose line the test waits for.
#[allow(clippy::print_stderr)]
fn pause_before_persist_in_tests(tmp_path: &Path) {
    if std::env::var_os(TEST_PAUSE_ENV).is_some_and(|v| !v.is_empty()) {
        eprintln!("profplan-test: paused before persist {}", tmp_path.display());
        loop {
            std::thread::park();
        }
    }
}

/// The message of an output that could not be put in place.
fn not_replaced(path: &Path, e: std::io::Error) -> anyhow::Error {
    if held_by_another_program(&e) {
        anyhow::anyhow!(
            "не удалось заменить {}: файл открыт в другой программе или защищён от записи. \
             Закройте файл {} в Excel (или другой программе) и запустите снова; прежний файл \
             остался без изменений",
            path.display(),
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        )
    } else {
        anyhow::Error::new(e).context(format!("не удалось сохранить {}", path.display()))
    }
}

/// An output written under a temporary name beside its place, not yet in place: see
/// [`replace_all`].
pub struct Staged {
    tmp: tempfile::TempPath,
    target: PathBuf,
}

/// Writes `bytes` beside `path` under a temporary name, flushed to disk. Nothing is
/// replaced until [`replace_all`]; a dropped `Staged` removes its temporary file.
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    stage_with(path, |f| {
        f.write_all(bytes).with_context(|| format!("не удалось записать {}", path.display()))
    })
}

/// Folders [`make_dirs`] created, deepest first: [`MadeDirs::undo`] removes them again
/// (those still empty) when the output they were made for is not written after all.
#[must_use]
pub struct MadeDirs(Vec<PathBuf>);

/// Creates `dir` and its missing parents, remembering which of them it made.
pub fn make_dirs(dir: &Path) -> Result<MadeDirs> {
    let mut missing = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        missing.push(p.to_path_buf());
        d = p.parent();
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("не удалось создать папку {}", dir.display()))?;
    Ok(MadeDirs(missing))
}

impl MadeDirs {
    /// Removes the folders made, deepest first; a folder no longer empty stays.
    pub fn undo(self) {
        for d in &self.0 {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// [`stage`] an output that `write` writes straight into the temporary file (the district
/// summary: tens of megabytes at 10 000 schools, never held in memory whole). When
/// `write` fails, nothing is left behind and its error is returned as it is.
pub fn stage_with(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
) -> Result<Staged> {
    // The open handle is closed now: a national run stages tens of thousands of forms.
    let tmp = write_temp(path, false, write)?.into_temp_path();
    Ok(Staged { tmp, target: path.to_path_buf() })
}

/// Puts every staged file in place, all or none: when one old file cannot be replaced (on
/// Windows: open in Excel) or a new one cannot be renamed, every file is left as it was
/// before the call and the temporary files are removed. With `overwrite` false an existing
/// file is an error too. Ctrl+C waits until the files are all in place or all back.
pub fn replace_all(staged: Vec<Staged>, overwrite: bool) -> Result<()> {
    if let Some(first) = staged.first() {
        pause_before_persist_in_tests(&first.tmp);
    }
    let mut files = live();
    // A set: `template` stages one file per school, and a list made this quadratic.
    let temps: std::collections::HashSet<PathBuf> =
        staged.iter().map(|s| s.tmp.to_path_buf()).collect();
    // Temporary files not put in place are removed as `staged` is dropped in here.
    let result = replace_all_locked(staged, overwrite);
    files.retain(|p| !temps.contains(p));
    result
}

fn replace_all_locked(staged: Vec<Staged>, overwrite: bool) -> Result<()> {
    // 1. The old files step aside under hidden names in their folder; the first one that
    //    cannot (open in Excel) undoes the others.
    let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    for s in &staged {
        if std::fs::symlink_metadata(&s.target).is_err() {
            continue;
        }
        if !overwrite {
            undo_aside(&aside);
            anyhow::bail!(
                "{} уже существует; ничего не записано. Добавьте --force, чтобы заменить",
                s.target.display()
            );
        }
        let dir = s.target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let moved = tempfile::Builder::new()
            .prefix(".profplan-old-")
            .make_in(dir, |p| step_aside(&s.target, p))
            .and_then(|t| t.keep().map_err(|e| e.error));
        match moved {
            Ok(((), old)) => aside.push((old, s.target.clone())),
            Err(e) => {
                undo_aside(&aside);
                return Err(not_replaced(&s.target, e));
            }
        }
    }
    // 2. The new files go in place; a failure takes them back out and the old ones back in.
    let mut placed: Vec<PathBuf> = Vec::new();
    for s in staged {
        let persisted =
            if overwrite { s.tmp.persist(&s.target) } else { s.tmp.persist_noclobber(&s.target) };
        if let Err(e) = persisted {
            for p in &placed {
                let _ = std::fs::remove_file(p);
            }
            undo_aside(&aside);
            return Err(not_replaced(&s.target, e.error));
        }
        placed.push(s.target);
    }
    // 3. The old files go.
    for (old, _) in &aside {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
}

/// Renames an old output out of the way; fails when the file is held open (Windows).
fn step_aside(target: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(test)]
    if tests::HELD.with(|h| h.borrow().as_deref() == Some(target)) {
        return Err(std::io::ErrorKind::PermissionDenied.into());
    }
    std::fs::rename(target, to)
}

fn undo_aside(aside: &[(PathBuf, PathBuf)]) {
    for (old, target) in aside.iter().rev() {
        let _ = std::fs::rename(old, target);
    }
}

/// Whether the rename failed because the old file is in use or protected: on Windows a
/// workbook open in Excel cannot be replaced (sharing violation, lock violation or access
/// denied); elsewhere, a file or folder the user may not change.
fn held_by_another_program(e: &std::io::Error) -> bool {
    const ERROR_SHARING_VIOLATION: i32 = 32;
    const ERROR_LOCK_VIOLATION: i32 = 33;
    e.kind() == std::io::ErrorKind::PermissionDenied
        || (cfg!(windows)
            && matches!(e.raw_os_error(), Some(ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION)))
}

/// A scratch file of one run in the system's temporary folder (`TMPDIR`, `%TEMP%`):
/// readable by its owner only, removed when dropped — also when the run fails — and on
/// Ctrl+C ([`remove_temp_files`]). `collect` keeps the schools' values there
/// (`check::spill`).
pub struct Scratch {
    file: tempfile::NamedTempFile,
}

impl Scratch {
    /// A new, empty scratch file named `prefix…`.
    pub fn new(prefix: &str) -> Result<Scratch> {
        let dir = std::env::temp_dir();
        // Created and registered under the lock: an interrupt sees it or it does not exist.
        let mut files = live();
        let mut b = temp_builder(true);
        b.prefix(prefix).suffix(".tmp");
        let file = b.tempfile_in(&dir).with_context(|| {
            format!("не удалось создать временный файл в папке {}", dir.display())
        })?;
        files.push(file.path().to_path_buf());
        Ok(Scratch { file })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Removed and unregistered under the lock, so that an interrupt in between does
        // not leave it (`NamedTempFile`'s own drop then finds it gone).
        let path = self.file.path().to_path_buf();
        let mut files = live();
        let _ = std::fs::remove_file(&path);
        files.retain(|p| *p != path);
    }
}

impl std::io::Write for Scratch {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl std::io::Read for Scratch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::io::Read::read(&mut self.file, buf)
    }
}

impl std::io::Seek for Scratch {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(pos)
    }
}

/// Temporary files are created as ordinary files: read-write for everyone, less what the
/// user's umask removes (0644 under the usual 022). tempfile's default is 0600, which left
/// every form and summary readable by its owner only.
fn temp_builder(private: bool) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".profplan-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // 0666 less the umask, like any file a program writes; a secret 0600.
        b.permissions(std::fs::Permissions::from_mode(if private { 0o600 } else { 0o666 }));
    }
    #[cfg(not(unix))]
    let _ = private;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// A file the test pretends is open in Excel (Linux lets any file be renamed).
        pub(super) static HELD: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replace_all_puts_every_file_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("b.xlsx"), b"old b").unwrap();
        let staged = ["a.xlsx", "b.xlsx", "c.xlsx"]
            .iter()
            .map(|n| stage(&p(n), format!("new {n}").as_bytes()).unwrap())
            .collect();
        replace_all(staged, true).unwrap();
        assert_eq!(names(dir.path()), ["a.xlsx", "b.xlsx", "c.xlsx"]);
        assert_eq!(std::fs::read(p("b.xlsx")).unwrap(), b"new b.xlsx");
    }

    #[test]
    fn one_file_held_open_leaves_every_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        for n in ["a.xlsx", "b.xlsx", "c.xlsx"] {
            std::fs::write(p(n), format!("old {n}")).unwrap();
        }
        HELD.with(|h| *h.borrow_mut() = Some(p("c.xlsx")));
        let staged = ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx"]
            .iter()
            .map(|n| stage(&p(n), b"new").unwrap())
            .collect();
        let err = replace_all(staged, true).unwrap_err().to_string();
        HELD.with(|h| *h.borrow_mut() = None);
        assert!(err.contains("Закройте файл c.xlsx в Excel"), "{err}");
        // a and b were stepped aside before c failed: they are back, unchanged; no d, no
        // temporary or set-aside file left.
        assert_eq!(names(dir.path()), ["a.xlsx", "b.xlsx", "c.xlsx"]);
        for n in ["a.xlsx", "b.xlsx", "c.xlsx"] {
            assert_eq!(std::fs::read_to_string(p(n)).unwrap(), format!("old {n}"));
        }
    }

    #[test]
    fn replace_all_without_overwrite_refuses_an_existing_file_and_writes_none() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("b.xlsx"), b"old").unwrap();
        let staged = ["a.xlsx", "b.xlsx"].iter().map(|n| stage(&p(n), b"new").unwrap()).collect();
        assert!(replace_all(staged, false).is_err());
        assert_eq!(names(dir.path()), ["b.xlsx"]);
    }

    /// The summary is saved straight into its temporary file: a save that fails half-way
    /// leaves no file behind, and its own message is what the user reads.
    #[test]
    fn a_failed_write_into_the_staged_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("svod.xlsx");
        let err = stage_with(&p, |f| {
            f.write_all(b"PK half a workbook")?;
            anyhow::bail!("сводный отчёт: ошибка при сохранении книги")
        })
        .err()
        .unwrap();
        assert_eq!(err.to_string(), "сводный отчёт: ошибка при сохранении книги");
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        let staged = stage_with(&p, |f| Ok(f.write_all(b"whole")?)).unwrap();
        replace_all(vec![staged], false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"whole");
        assert_eq!(names(dir.path()), ["svod.xlsx"]);
    }

    #[test]
    fn folders_made_for_an_output_not_written_are_removed_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        let deep = dir.path().join("a").join("b").join("c");
        let made = make_dirs(&deep).unwrap();
        assert!(deep.is_dir());
        made.undo();
        // Only what it made: «a» was there before.
        assert_eq!(names(dir.path()), ["a"]);
        assert!(names(&dir.path().join("a")).is_empty());
        // A folder something else was put in meanwhile stays.
        let made = make_dirs(&deep).unwrap();
        std::fs::write(dir.path().join("a").join("b").join("keep.txt"), b"x").unwrap();
        made.undo();
        assert!(!deep.exists());
        assert_eq!(names(&dir.path().join("a").join("b")), ["keep.txt"]);
    }

    #[test]
    fn writes_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xlsx");
        write_atomic(&p, b"one", false).unwrap();
        assert!(write_atomic(&p, b"two", false).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Forms and summaries were 0600 whatever the umask (tempfile's default).
    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others_under_umask_022() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xlsx");
        write_atomic(&p, b"one", false).unwrap();
        // What the umask allows for an ordinary file, seen on a file made without us.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let ordinary = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, ordinary, "written {mode:o}, ordinary files {ordinary:o}");
    }
}
