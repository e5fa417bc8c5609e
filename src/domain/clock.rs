//! Clinical times are instants. The clinic's clock (the computer's time zone) is only how a time is
//! typed and read: a typed wall-clock time is resolved to the instants it can name (two in the hour
//! repeated when the clocks go back, none in the hour skipped when they go forward), and on a day
//! the clocks change every time shown carries its UTC offset, so the two 01:30s never look alike.
//!
//! Each rule takes the time zone, so the tests can name one; the app uses `Local`.

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How far ahead of this computer's clock a charted time may be (a monitor's clock runs ahead).
pub const FUTURE_TOLERANCE: Duration = Duration::minutes(5);

/// A time the nurse typed for an entry of a session; `text` is as typed ("21:40", "9:40 PM", or
/// with a date, "2026-11-08 09:30").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypedTime {
    pub session_id: i64,
    pub text: String,
    /// The time the patient arrived, moved back: resolved before the recorded arrival, not after it.
    #[serde(default)]
    pub for_arrival: bool,
}

/// One instant a typed time can name, with how the screen offers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeChoice {
    pub at: DateTime<Utc>,
    pub label: String,
}

/// The instants a typed time names; two when the nurse must choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeReading {
    pub choices: Vec<TimeChoice>,
}

/// What was typed: a time of day, and the day if one was typed with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Typed {
    pub day: Option<NaiveDate>,
    pub time: NaiveTime,
}

/// Reads a typed time: 24-hour "21:40", "9:40", "2140" or "21:40:15"; 12-hour only with AM or PM
/// ("9:40 PM", "12:05 am"); optionally after an ISO date ("2026-11-08 09:30"). None if unreadable.
pub fn read(text: &str) -> Option<Typed> {
    let text = text.trim();
    let (day, rest) = match text
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        Some(day) => (Some(day), text[10..].trim_start_matches(['T', 't', ' '])),
        None => (None, text),
    };
    Some(Typed {
        day,
        time: read_time_of_day(rest)?,
    })
}

fn read_time_of_day(text: &str) -> Option<NaiveTime> {
    let lower = text
        .trim()
        .to_ascii_lowercase()
        .replace("a.m.", "am")
        .replace("p.m.", "pm");
    let (clock, half) = match lower.strip_suffix("am").or_else(|| lower.strip_suffix('a')) {
        Some(c) => (c.trim_end(), Some(false)),
        None => match lower.strip_suffix("pm").or_else(|| lower.strip_suffix('p')) {
            Some(c) => (c.trim_end(), Some(true)),
            None => (lower.as_str(), None),
        },
    };
    let parts: Vec<&str> = if clock.contains(':') {
        clock.split(':').collect()
    } else if clock.len() == 4 && half.is_none() {
        vec![&clock[..2], &clock[2..]]
    } else {
        return None;
    };
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (hour, minute, second) = match parts.as_slice() {
        [h, m] if m.len() == 2 => (digits(h, 2)?, digits(m, 2)?, 0),
        [h, m, s] if m.len() == 2 && s.len() == 2 => (digits(h, 2)?, digits(m, 2)?, digits(s, 2)?),
        _ => return None,
    };
    let hour = match half {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// The instants `time` on `day` names in `tz`, earliest first.
pub fn instants<Z: TimeZone>(tz: &Z, day: NaiveDate, time: NaiveTime) -> Vec<DateTime<Utc>> {
    use chrono::LocalResult::*;
    match tz.from_local_datetime(&day.and_time(time)) {
        Single(t) => vec![t.with_timezone(&Utc)],
        Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            vec![a.min(b), a.max(b)]
        }
        None => vec![],
    }
}

/// Whether the clocks change on `day` in `tz` (its offset at the start and end of the day differ).
pub fn changes_on<Z: TimeZone>(tz: &Z, day: NaiveDate) -> bool {
    let offset_at_start = |d: NaiveDate| {
        // A zone that changes at midnight has no 00:00 that day: its first hour is read instead.
        (0..3)
            .find_map(|h| tz.from_local_datetime(&d.and_hms_opt(h, 0, 0)?).earliest())
            .map(|t| t.offset().fix().local_minus_utc())
    };
    offset_at_start(day) != offset_at_start(day + Duration::days(1))
}

/// "UTC−4", "UTC+5:30", "UTC": an offset as the screens print it beside a time.
pub fn offset_label(seconds_east: i32) -> String {
    let minutes = seconds_east / 60;
    let sign = if minutes < 0 { '−' } else { '+' };
    match (minutes.abs() / 60, minutes.abs() % 60) {
        (0, 0) => "UTC".into(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// "01:30" as the clinic's clock reads `t`; "01:30 UTC−5" on a day the clocks change.
pub fn hm_in<Z: TimeZone>(tz: &Z, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(tz);
    let hm = format!("{:02}:{:02}", local.hour(), local.minute());
    if changes_on(tz, local.date_naive()) {
        format!("{hm} {}", offset_label(local.offset().fix().local_minus_utc()))
    } else {
        hm
    }
}

/// `hm_in` on the clinic's clock.
pub fn hm(t: DateTime<Utc>) -> String {
    hm_in(&Local, t)
}

/// "2026-11-01 01:30 UTC−5": a date and time on the clinic's clock, the offset on a change day.
pub fn date_hm(t: DateTime<Utc>) -> String {
    format!("{} {}", t.with_timezone(&Local).date_naive(), hm(t))
}

/// `read`, or the refusal naming the field and the forms it takes.
fn read_or_refuse(label: &str, typed: &str) -> Result<Typed> {
    read(typed).ok_or_else(|| {
        Error::Validation(format!(
            "{label}: type a 24-hour time like 21:40 (or 9:40 PM), as the chart prints it."
        ))
    })
}

/// The instants a typed time can name for an entry of a session the patient arrived at `arrived`:
/// on the arrival's date or the next (an evening session runs past midnight), or on the date typed;
/// not before the arrival and not in the future. Two when the nurse must choose (the repeated hour
/// when the clocks go back); an error in words when there is none.
pub fn choices<Z: TimeZone>(
    tz: &Z,
    label: &str,
    typed: &str,
    arrived: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<TimeChoice>> {
    let Typed { day, time } = read_or_refuse(label, typed)?;
    let arrival_day = arrived.with_timezone(tz).date_naive();
    let days = match day {
        Some(day) => vec![day],
        None => vec![arrival_day, arrival_day + Duration::days(1)],
    };
    let named: Vec<DateTime<Utc>> = days.iter().flat_map(|d| instants(tz, *d, time)).collect();
    let latest = now + FUTURE_TOLERANCE;
    let fitting: Vec<DateTime<Utc>> = named
        .iter()
        .copied()
        .filter(|t| *t >= arrived && *t <= latest)
        .collect();
    if fitting.is_empty() {
        let skipped = days
            .iter()
            .find(|d| instants(tz, **d, time).is_empty() && **d <= now.with_timezone(tz).date_naive());
        return Err(Error::Validation(match skipped {
            Some(day) => format!(
                "{label} {} does not exist on {day}: the clocks went forward an hour that night. Check the time.",
                time.format("%H:%M")
            ),
            None if named.iter().all(|t| *t > latest) => {
                format!("{label} cannot be in the future (it is {} now).", hm_in(tz, now))
            }
            None => format!(
                "{label} {} is before the patient's arrival at {}.",
                time.format("%H:%M"),
                hm_in(tz, arrived)
            ),
        }));
    }
    Ok(offer(tz, &fitting, arrival_day))
}

/// The instants a time typed for the arrival, moved back, can name: on the arrival's date, before
/// the arrival recorded, at most `ARRIVAL_MOVE_LIMIT` earlier.
pub fn arrival_choices<Z: TimeZone>(tz: &Z, typed: &str, arrived: DateTime<Utc>) -> Result<Vec<TimeChoice>> {
    let label = "Arrival time";
    let Typed { day, time } = read_or_refuse(label, typed)?;
    let arrival_day = arrived.with_timezone(tz).date_naive();
    let days = match day {
        Some(day) => vec![day],
        None => vec![arrival_day - Duration::days(1), arrival_day],
    };
    let fitting: Vec<DateTime<Utc>> = days
        .iter()
        .flat_map(|d| instants(tz, *d, time))
        .filter(|t| *t < arrived && *t >= arrived - ARRIVAL_MOVE_LIMIT)
        .collect();
    if fitting.is_empty() {
        return Err(Error::Validation(format!(
            "{label} may only move back, by at most {} hours, from {}.",
            ARRIVAL_MOVE_LIMIT.num_hours(),
            hm_in(tz, arrived)
        )));
    }
    Ok(offer(tz, &fitting, arrival_day))
}

/// How far back an arrival may be moved: a patient is charted the day they are in the chair.
pub const ARRIVAL_MOVE_LIMIT: Duration = Duration::hours(12);

/// The choices as the screen offers them: the date when not the arrival's, the offset on a change
/// day, and which side of the change when two share a clock time.
fn offer<Z: TimeZone>(tz: &Z, instants: &[DateTime<Utc>], arrival_day: NaiveDate) -> Vec<TimeChoice> {
    let two_alike = instants.len() == 2 && {
        let (a, b) = (instants[0].with_timezone(tz), instants[1].with_timezone(tz));
        a.naive_local() == b.naive_local()
    };
    instants
        .iter()
        .enumerate()
        .map(|(i, at)| {
            let day = at.with_timezone(tz).date_naive();
            let mut label = hm_in(tz, *at);
            if day != arrival_day {
                label = format!("{day} {label}");
            }
            if two_alike {
                label.push_str(if i == 0 {
                    " (the first, before the clocks went back)"
                } else {
                    " (the second, after the clocks went back)"
                });
            }
            TimeChoice { at: *at, label }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_time_is_read_in_24_hours_or_with_am_or_pm_and_nothing_else_is_guessed() {
        let hm = |h, m| Some(NaiveTime::from_hms_opt(h, m, 0).unwrap());
        let cases: &[(&str, Option<NaiveTime>)] = &[
            ("21:40", hm(21, 40)),
            ("9:40", hm(9, 40)),
            ("2140", hm(21, 40)),
            ("08:41 PM", hm(20, 41)),
            ("8:41pm", hm(20, 41)),
            ("8:41 p.m.", hm(20, 41)),
            ("12:05 am", hm(0, 5)),
            ("12:05 PM", hm(12, 5)),
            ("21:40:15", Some(NaiveTime::from_hms_opt(21, 40, 15).unwrap())),
            ("13:00 PM", None),
            ("0:30 AM", None),
            ("941", None),
            ("0841 PM", None),
            ("24:00", None),
            ("21:60", None),
            ("21.40", None),
            ("", None),
            ("half past nine", None),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text).map(|t| t.time), *expected, "{text:?}");
        }
        let dated = read("2026-11-08 09:30").unwrap();
        assert_eq!(
            (dated.day, dated.time),
            (
                NaiveDate::from_ymd_opt(2026, 11, 8),
                NaiveTime::from_hms_opt(9, 30, 0).unwrap()
            )
        );
        assert_eq!(read("2026-11-08T21:30").map(|t| t.time), hm(21, 30));
    }

    #[test]
    fn an_offset_is_printed_in_hours_and_minutes_east_or_west_of_utc() {
        assert_eq!(offset_label(-4 * 3600), "UTC−4");
        assert_eq!(offset_label(19_800), "UTC+5:30");
        assert_eq!(offset_label(-9_000), "UTC−2:30");
        assert_eq!(offset_label(0), "UTC");
    }
}
