//! The district key: a secret that makes a form's identity impossible to forge from its
//! public fields.
//!
//! A form carries its identity (plan, campaign, school, layout) and a check value over it.
//! The check of forms issued before the key existed is a plain hash of public fields, so
//! anyone can compute it for any school. The keyed check is HMAC-SHA256 of the same fields
//! under this district's secret key: only the work folder that issued the forms can make
//! (or verify) it. The key is made by `profplan init` — or by the first `profplan
//! template` in a work folder made by an older profplan — and kept beside
//! `profplan.toml` in [`KEY_FILE_NAME`]; it never goes into a form.
//!
//! Shared by two stages: the form writer signs the identity with it
//! ([`crate::form::layout`]), the check stage verifies it ([`crate::check::intake`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::text::hex;

/// The key file, in the work folder (beside `profplan.toml`).
pub const KEY_FILE_NAME: &str = ".profplan-key";

/// Prefix of a keyed check value; a check without it is the old public hash.
pub const KEYED_CHECK_PREFIX: &str = "k1-";

/// Bytes of the HMAC kept in a form (128 bits: unguessable, short enough to read).
const TAG_BYTES: usize = 16;

/// The district's secret. `Debug` never shows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DistrictKey([u8; 32]);

impl std::fmt::Debug for DistrictKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DistrictKey(…)")
    }
}

impl DistrictKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<DistrictKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("не удалось получить случайные числа для ключа: {e}"))?;
        Ok(DistrictKey(bytes))
    }

    /// A key with the given bytes (tests, tools).
    pub fn from_bytes(bytes: [u8; 32]) -> DistrictKey {
        DistrictKey(bytes)
    }

    /// The key from the text of a key file: the first line that is not a comment, 64 hex
    /// digits.
    pub fn parse(text: &str) -> Option<DistrictKey> {
        let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
        let bytes = hex_decode(line)?;
        Some(DistrictKey(bytes.try_into().ok()?))
    }

    /// The text of a key file.
    pub fn file_text(&self) -> String {
        format!(
            "# Ключ района profplan. Им подписана отметка каждой выданной формы: по нему\n\
             # check и collect узнают настоящие формы и отклоняют поддельные.\n\
             # Не пересылайте этот файл школам. Не удаляйте и не заменяйте его, пока идёт\n\
             # кампания: формы, выданные с этим ключом, без него не проверить. Переносите\n\
             # рабочую папку вместе с ним.\n{}\n",
            hex(&self.0)
        )
    }

    /// The keyed check of `text` (the identity's fields, joined).
    pub fn sign(&self, text: &str) -> String {
        let tag = self.mac(text).finalize().into_bytes();
        format!("{KEYED_CHECK_PREFIX}{}", hex(&tag[..TAG_BYTES]))
    }

    /// Whether `check` is this key's check of `text` (compared in constant time).
    pub fn verifies(&self, text: &str, check: &str) -> bool {
        let Some(tag) = check.strip_prefix(KEYED_CHECK_PREFIX).and_then(hex_decode) else {
            return false;
        };
        tag.len() == TAG_BYTES && self.mac(text).verify_truncated_left(&tag).is_ok()
    }

    fn mac(&self, text: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(text.as_bytes());
        mac
    }
}

/// Where the key of the work folder `dir` is kept.
pub fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE_NAME)
}

/// The key kept at `path`; `None` when there is no such file.
pub fn load(path: &Path) -> Result<Option<DistrictKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => DistrictKey::parse(&text).map(Some).with_context(|| {
            format!(
                "{}: файл ключа района повреждён (нужна строка из 64 шестнадцатеричных цифр). \
                 Восстановите его из резервной копии рабочей папки: без него формы, выданные \
                 с этим ключом, не проверить",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(e).with_context(|| format!("не удалось прочитать ключ района {}", path.display()))
        }
    }
}

/// Makes a new key and writes it to `path`, which must not exist (an existing key is
/// never replaced: every form issued with it would stop being recognised). Readable by
/// the owner only, where the system has such permissions.
pub fn create(path: &Path) -> Result<DistrictKey> {
    let key = DistrictKey::generate()?;
    // Readable by its owner only, from the moment the temporary file exists.
    crate::output::write_atomic_private(path, key.file_text().as_bytes(), false)
        .with_context(|| format!("не удалось записать ключ района {}", path.display()))?;
    Ok(key)
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().as_bytes();
    if !t.len().is_multiple_of(2) {
        return None;
    }
    t.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_check_verifies_only_under_its_key_and_text() {
        let a = DistrictKey::from_bytes([1; 32]);
        let b = DistrictKey::from_bytes([2; 32]);
        let check = a.sign("profplan|x|1|2025-12-20|106|1");
        assert!(check.starts_with(KEYED_CHECK_PREFIX) && check.len() == 3 + 32, "{check}");
        assert!(a.verifies("profplan|x|1|2025-12-20|106|1", &check));
        assert!(!a.verifies("profplan|x|1|2025-12-20|105|1", &check));
        assert!(!b.verifies("profplan|x|1|2025-12-20|106|1", &check));
        assert!(!a.verifies("profplan|x|1|2025-12-20|106|1", "0123456789abcdef"));
        assert!(!a.verifies("profplan|x|1|2025-12-20|106|1", "k1-zz"));
    }

    #[test]
    fn key_file_round_trips_and_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = key_path(dir.path());
        assert_eq!(load(&p).unwrap(), None);
        let k = create(&p).unwrap();
        assert_eq!(load(&p).unwrap(), Some(k));
        assert!(create(&p).is_err(), "an existing key must not be replaced");
        assert_eq!(load(&p).unwrap(), Some(k));
        assert!(!format!("{k:?}").contains(&hex(&k.0)), "Debug must not show the key");
        std::fs::write(&p, "# comment\nnot hex\n").unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("повреждён"));
    }
}
