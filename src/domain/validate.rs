//! Collects every problem with one entry, so the nurse fixes them all at once, in words that
//! name the field and the allowed range. Used by every `*Input::validate`.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::domain::dates::{read_date, DATE_CHARS};
use crate::error::{Error, Result};

/// A numeric field's name, unit and physiologically possible range.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub label: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub const fn new(label: &'static str, unit: &'static str, min: f64, max: f64) -> Range {
        Range { label, unit, min, max }
    }

    fn describe(&self) -> String {
        format!(
            "{} must be between {} and {}{}",
            self.label,
            fmt_num(self.min),
            fmt_num(self.max),
            self.unit_suffix()
        )
    }

    fn describe_short(&self) -> String {
        format!("{}–{}{}", fmt_num(self.min), fmt_num(self.max), self.unit_suffix())
    }

    fn unit_suffix(&self) -> String {
        match self.unit {
            "" => String::new(),
            "%" => "%".into(),
            unit => format!(" {unit}"),
        }
    }
}

#[derive(Default)]
pub struct Checker {
    problems: Vec<String>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(message.into());
    }

    /// A required date and time sent as RFC 3339 (the window adds the offset); `expected` says the
    /// accepted form in words ("a time like 10:40").
    pub fn timestamp(&mut self, value: Option<String>, label: &str, expected: &str) -> Option<DateTime<FixedOffset>> {
        let text = self.text(value, label, 40)?;
        let parsed = DateTime::parse_from_rfc3339(&text).ok();
        if parsed.is_none() {
            self.problem(format!("{label} must be {expected}."));
        }
        parsed
    }

    /// A required date as typed: ISO (1988-02-29), or another form that cannot be misread
    /// (domain/dates.rs); otherwise a problem naming the field and the form to type.
    pub fn date(&mut self, value: Option<String>, label: &str) -> Option<NaiveDate> {
        let text = self.text(value, label, DATE_CHARS)?;
        read_date(&text).map_err(|p| self.problem(p.message(label))).ok()
    }

    /// An optional date: empty is none, anything typed must be a date.
    pub fn optional_date(&mut self, value: Option<String>, label: &str) -> Option<NaiveDate> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        self.date(Some(value), label)
    }

    /// A required text: trimmed, not empty, at most `max_chars` characters, no control characters
    /// but line breaks and tabs.
    pub fn text(&mut self, value: Option<String>, label: &str, max_chars: usize) -> Option<String> {
        let value = value.map(|v| v.trim().to_string()).unwrap_or_default();
        if value.is_empty() {
            self.problem(format!("{label} is required."));
            None
        } else if value.chars().count() > max_chars {
            self.problem(format!("{label} must be at most {max_chars} characters."));
            None
        } else if value
            .chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
        {
            // Pasted text can carry invisible characters (a NUL ends the text as SQLite sees it).
            self.problem(format!(
                "{label} contains an invisible control character; type it again."
            ));
            None
        } else {
            Some(value)
        }
    }

    /// An optional text: trimmed, empty is none, at most `max_chars` characters.
    pub fn optional_text(&mut self, value: Option<String>, label: &str, max_chars: usize) -> Option<String> {
        let value = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())?;
        self.text(Some(value), label, max_chars)
    }

    /// A required whole number within `range`.
    pub fn whole(&mut self, value: Option<f64>, range: Range) -> Option<i64> {
        let v = self.number(value, range)?;
        if v.fract() != 0.0 {
            self.problem(format!(
                "{} must be a whole number ({}).",
                range.label,
                range.describe_short()
            ));
            return None;
        }
        Some(v as i64)
    }

    /// An optional whole number: empty is fine, a value must be within `range`.
    pub fn optional_whole(&mut self, value: Option<f64>, range: Range) -> Option<i64> {
        value.and_then(|_| self.whole(value, range))
    }

    /// A required number within `range`, rounded to `decimals` places.
    pub fn decimal(&mut self, value: Option<f64>, range: Range, decimals: i32) -> Option<f64> {
        let v = self.number(value, range)?;
        let scale = 10f64.powi(decimals);
        Some((v * scale).round() / scale)
    }

    pub fn optional_decimal(&mut self, value: Option<f64>, range: Range, decimals: i32) -> Option<f64> {
        value.and_then(|_| self.decimal(value, range, decimals))
    }

    fn number(&mut self, value: Option<f64>, range: Range) -> Option<f64> {
        match value {
            None => {
                self.problem(format!("{} is required ({}).", range.label, range.describe_short()));
                None
            }
            Some(v) if !v.is_finite() || v < range.min || v > range.max => {
                self.problem(format!("{}; {} was entered.", range.describe(), fmt_num(v)));
                None
            }
            Some(v) => Some(v),
        }
    }

    /// Ok if nothing was wrong; otherwise one validation error listing every problem.
    pub fn finish(self) -> Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.problems.join(" ")))
        }
    }
}

/// The list with repeats removed, in the order first given.
pub fn once_each<T: PartialEq + Copy>(mut list: Vec<T>) -> Vec<T> {
    let mut seen = Vec::new();
    list.retain(|v| {
        let first = !seen.contains(v);
        seen.push(*v);
        first
    });
    list
}

/// The clinic's calendar day at the instant `at`: the computer's time zone is the clinic's.
pub fn clinic_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    at.with_timezone(&chrono::Local).date_naive()
}

/// 120 rather than 120.0; 37.5 stays 37.5.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `v` rounded to `places` decimal places.
pub fn round(v: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (v * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    const HR: Range = Range::new("Heart rate", "bpm", 20.0, 300.0);

    fn whole(v: Option<f64>) -> std::result::Result<Option<i64>, String> {
        let mut c = Checker::new();
        let out = c.whole(v, HR);
        c.finish().map(|_| out).map_err(|e| e.to_string())
    }

    #[test]
    fn text_with_an_invisible_control_character_is_refused_by_name_but_line_breaks_are_kept() {
        let text = |v: &str| {
            let mut c = Checker::new();
            let out = c.text(Some(v.into()), "Note", 100);
            c.finish().map(|_| out.unwrap()).map_err(|e| e.to_string())
        };
        assert_eq!(
            text("\0late entry"),
            Err("Note contains an invisible control character; type it again.".into())
        );
        assert!(text("bell\u{7}").is_err());
        assert_eq!(text("line one\nline two\tend"), Ok("line one\nline two\tend".into()));
    }

    #[test]
    fn whole_numbers_are_checked_against_range_with_named_field() {
        type Case = (Option<f64>, Result<Option<i64>, &'static str>);
        let cases: &[Case] = &[
            (Some(72.0), Ok(Some(72))),
            (Some(20.0), Ok(Some(20))),
            (Some(300.0), Ok(Some(300))),
            (
                Some(0.0),
                Err("Heart rate must be between 20 and 300 bpm; 0 was entered."),
            ),
            (
                Some(301.0),
                Err("Heart rate must be between 20 and 300 bpm; 301 was entered."),
            ),
            (Some(72.5), Err("Heart rate must be a whole number (20–300 bpm).")),
            (None, Err("Heart rate is required (20–300 bpm).")),
            (
                Some(f64::NAN),
                Err("Heart rate must be between 20 and 300 bpm; NaN was entered."),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(whole(*input), expected.map_err(str::to_string), "input {input:?}");
        }
    }

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        let mut c = Checker::new();
        assert_eq!(c.text(Some("  Zoë ".into()), "Given names", 5), Some("Zoë".into()));
        assert_eq!(c.text(Some("   ".into()), "MRN", 5), None);
        assert_eq!(c.text(Some("abcdef".into()), "MRN", 5), None);
        assert_eq!(
            c.finish().unwrap_err().to_string(),
            "MRN is required. MRN must be at most 5 characters."
        );
    }
}
