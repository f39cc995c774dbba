//! Writing output files safely: atomically (temp file in the target folder, flushed to disk,
//! then renamed), and never over an existing file unless the user asked for it.
//!
//! `rust_xlsxwriter`'s own `save` truncates the target before it knows the workbook is
//! valid, and a crash mid-write leaves a half file that a school may receive. A rename
//! within one folder is atomic: readers see the old file or the new one, never a mix.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Write `bytes` to `path` atomically. With `overwrite` false an existing file is an
/// error (checked at the rename, so a file created meanwhile is not clobbered either).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = temp_builder()
        .tempfile_in(dir)
        .with_context(|| format!("не удалось создать временный файл в папке {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("не удалось записать {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("не удалось записать {}", path.display()))?;
    if overwrite {
        tmp.persist(path).map_err(|e| e.error)
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)
    }
    .with_context(|| format!("не удалось сохранить {}", path.display()))?;
    Ok(())
}

/// Temporary files are created as ordinary files: read-write for everyone, less what the
/// user's umask removes (0644 under the usual 022). tempfile's default is 0600, which left
/// every form and summary readable by its owner only.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".profplan-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

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
