//! Time in the district: deadlines, saved times, and the one form times are shown in.
//!
//! A deadline «до 20 декабря» ends at midnight after 20 December in the district's time
//! zone (`timezone` in `profplan.toml`, default `Europe/Moscow`; any zone of Russia,
//! UTC+2 … UTC+12). A workbook says when it was last saved in one of three ways, and each
//! is read for what it is:
//!
//! - a time with its zone (Excel's `dcterms:modified`, `…Z`; a file's modification time)
//!   is an instant;
//! - a time with no zone (an .ods `meta.xml` `dc:date`, written by LibreOffice as the
//!   wall-clock time of the computer that saved it) is wall time in the district;
//! - a `Z`-marked time in an .xlsx written by LibreOffice is **ambiguous**: LibreOffice 7.4
//!   writes the local wall time and marks it `Z` (UTC), so the same text may be the UTC
//!   instant or the local wall time. Both readings are kept; a return is late only when it
//!   is late under both, and when the readings fall on two sides of the deadline the
//!   return is on time and a finding says that the time could not be trusted.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The default district time zone.
pub const DEFAULT_TIMEZONE: &str = "Europe/Moscow";

/// A saved time as the file wrote it, before the district's zone is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "time", rename_all = "snake_case")]
pub enum SavedTime {
    /// A time with its zone, or a file's modification time: an instant.
    Instant(DateTime<Utc>),
    /// A time with no zone: the wall-clock time of the computer that saved the file.
    Wall(NaiveDateTime),
    /// A `Z`-marked time written by LibreOffice into .xlsx: the UTC instant or the local
    /// wall time, which cannot be told apart.
    UtcOrWall(NaiveDateTime),
}

/// The time zone of the district: where a deadline day ends and how times are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct District {
    tz: Tz,
}

impl Default for District {
    fn default() -> Self {
        District { tz: chrono_tz::Europe::Moscow }
    }
}

/// What a saved time means in the district: the instant taken, and the other reading of
/// an ambiguous time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// The time taken (for an ambiguous time, the earlier reading: no school is made
    /// late by a reading that may be wrong).
    pub at: DateTime<Utc>,
    /// The other reading of an ambiguous time.
    pub other: Option<DateTime<Utc>>,
}

impl District {
    /// A zone by its IANA name (`Europe/Moscow`, `Asia/Yekaterinburg`). Russia's zones are
    /// UTC+2 (Kaliningrad) to UTC+12 (Kamchatka); anything else is refused with a message
    /// saying what to write.
    pub fn parse(name: &str) -> Result<District, String> {
        let name = name.trim();
        let tz: Tz = name.parse().map_err(|_| {
            format!(
                "часовой пояс «{name}» не найден: укажите название пояса, например \
                 timezone = \"Europe/Moscow\" (МСК), \"Asia/Yekaterinburg\" (МСК+2), \
                 \"Asia/Novosibirsk\" (МСК+4)"
            )
        })?;
        let district = District { tz };
        let hours = district.offset_seconds_at(reference_instant()) as f64 / 3600.0;
        if !(2.0..=12.0).contains(&hours) {
            return Err(format!(
                "часовой пояс «{name}» (UTC{}) — не пояс России: в России пояса от UTC+2 \
                 (Europe/Kaliningrad) до UTC+12 (Asia/Kamchatka)",
                offset_text(district.offset_seconds_at(reference_instant()))
            ));
        }
        Ok(district)
    }

    /// The IANA name (`Europe/Moscow`).
    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    fn offset_seconds_at(&self, t: DateTime<Utc>) -> i32 {
        self.tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()
    }

    /// The instant `t` with the district's offset (`2025-12-20T22:30:00+03:00`).
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset_seconds_at(t)).expect("valid offset");
        t.with_timezone(&offset)
    }

    /// RFC 3339 with the district's offset, whole seconds: the one form of a time in
    /// JSON output.
    pub fn rfc3339(&self, t: DateTime<Utc>) -> String {
        self.local(t).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// «20.12.2025 22:30»
    pub fn ru_datetime(&self, t: DateTime<Utc>) -> String {
        self.local(t).format("%d.%m.%Y %H:%M").to_string()
    }

    /// How the district's time is named in Russian: «МСК», «МСК+2», «МСК−1».
    pub fn label(&self) -> String {
        let diff = (self.offset_seconds_at(reference_instant()) - 3 * 3600) / 3600;
        match diff {
            0 => "МСК".to_string(),
            d if d > 0 => format!("МСК+{d}"),
            d => format!("МСК−{}", -d),
        }
    }

    /// The wall time `n` in the district, as an instant (the earlier one if the clock
    /// was set back at that moment; a time skipped by a clock change is taken an hour on).
    pub fn wall(&self, n: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&n).earliest() {
            Some(t) => t.with_timezone(&Utc),
            None => self
                .tz
                .from_local_datetime(&(n + Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| n.and_utc()),
        }
    }

    /// The first instant after the deadline day: midnight that ends `deadline` in the
    /// district. A time before it is on time.
    pub fn deadline_end(&self, deadline: NaiveDate) -> DateTime<Utc> {
        let next = deadline.succ_opt().unwrap_or(deadline);
        self.wall(next.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    /// What a saved time means here.
    pub fn resolve(&self, s: SavedTime) -> Resolved {
        match s {
            SavedTime::Instant(t) => Resolved { at: t, other: None },
            SavedTime::Wall(n) => Resolved { at: self.wall(n), other: None },
            SavedTime::UtcOrWall(n) => {
                let (utc, wall) = (n.and_utc(), self.wall(n));
                if utc == wall {
                    Resolved { at: utc, other: None }
                } else {
                    Resolved { at: utc.min(wall), other: Some(utc.max(wall)) }
                }
            }
        }
    }

    /// The calendar date of `t` in the district.
    pub fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date_naive()
    }
}

/// Offsets are checked at a fixed instant, so a setting is accepted or refused the same
/// way on every day.
fn reference_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("valid date")
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '−' } else { '+' };
    let (h, m) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    if m == 0 {
        format!("{sign}{h}")
    } else {
        format!("{sign}{h}:{m:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn deadline_ends_at_local_midnight() {
        let d = District::default();
        let end = d.deadline_end(NaiveDate::from_ymd_opt(2025, 12, 20).unwrap());
        assert_eq!(d.rfc3339(end), "2025-12-21T00:00:00+03:00");
        let ekb = District::parse("Asia/Yekaterinburg").unwrap();
        assert_eq!(
            ekb.deadline_end(NaiveDate::from_ymd_opt(2025, 12, 20).unwrap()).to_rfc3339(),
            "2025-12-20T19:00:00+00:00"
        );
        assert_eq!(ekb.label(), "МСК+2");
        assert_eq!(District::parse("Europe/Kaliningrad").unwrap().label(), "МСК−1");
    }

    #[test]
    fn only_russian_offsets() {
        assert!(District::parse("Asia/Kamchatka").is_ok());
        assert!(District::parse("Europe/Kaliningrad").is_ok());
        let e = District::parse("UTC").unwrap_err();
        assert!(e.contains("не пояс России"), "{e}");
        let e = District::parse("Moscow").unwrap_err();
        assert!(e.contains("не найден"), "{e}");
    }

    #[test]
    fn ambiguous_time_takes_the_earlier_reading() {
        let d = District::default();
        let r = d.resolve(SavedTime::UtcOrWall(wall("2025-12-20 22:30")));
        assert_eq!(d.rfc3339(r.at), "2025-12-20T22:30:00+03:00");
        assert_eq!(d.rfc3339(r.other.unwrap()), "2025-12-21T01:30:00+03:00");
        let r = d.resolve(SavedTime::Wall(wall("2025-12-20 22:30")));
        assert_eq!((d.rfc3339(r.at), r.other), ("2025-12-20T22:30:00+03:00".into(), None));
    }
}
