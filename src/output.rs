//! Writing output files safely: atomically (temp file in the target folder, flushed to disk,
//! then renamed), and never over an existing file unless the user asked for it.
//!
//! `rust_xlsxwriter`'s own `save` truncates the target before it knows the workbook is
//! valid, and a crash mid-write leaves a half file that a school may receive. A rename
//! within one folder is atomic: readers see the old file or the new one, never a mix.
//! When the old file cannot be replaced (on Windows: it is open in Excel) the message says
//! so in Russian and the old file stays as it was.

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
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("не удалось создать временный файл в папке {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("не удалось записать {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("не удалось записать {}", path.display()))?;
    let persisted = if overwrite {
        tmp.persist(path).map_err(|e| e.error)
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)
    };
    match persisted {
        Ok(_) => Ok(()),
        // The temporary file is removed when `tmp` is dropped: the old file stays as it was.
        Err(e) if held_by_another_program(&e) => Err(anyhow::anyhow!(
            "не удалось заменить {}: файл открыт в другой программе или защищён от записи. \
             Закройте файл {} в Excel (или другой программе) и запустите снова; прежний файл \
             остался без изменений",
            path.display(),
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        )),
        Err(e) => Err(e).with_context(|| format!("не удалось сохранить {}", path.display())),
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
}
