//! Dates as a nurse types them. The app prints ISO dates (1988-02-29), and reads them back; other
//! forms only where they cannot be misread: day and month with a number above 12 or the month's
//! name, and a four-digit year. Anything else is refused, never guessed (03/04/1988 could be March 4
//! or April 3). `Checker::date` puts the field's name to the problem.

use chrono::{Datelike, NaiveDate};

/// The longest date text read ("September 30th, 2027" and some room).
pub const DATE_CHARS: usize = 30;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why a typed date was not read; `message` words it for a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a form this reader knows.
    Unreadable,
    /// Day and month could be either way round: "03/04/1988 could be March 4 or April 3".
    Ambiguous(String),
    /// The form is clear but no such day exists: "1987-02-29 is not a date: February 1987 has 28 days".
    Impossible(String),
}

impl DateProblem {
    /// The problem as the field `label` shows it.
    pub fn message(&self, label: &str) -> String {
        const ASK: &str = "type the date as YYYY-MM-DD, like 1988-02-29";
        match self {
            DateProblem::Unreadable => format!("{label}: {ASK}."),
            DateProblem::Ambiguous(why) => format!("{label}: {ASK} ({why})."),
            DateProblem::Impossible(why) => format!("{label}: {why}."),
        }
    }
}

/// The date `text` names, or why it names none.
pub fn read_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let text = text.trim();
    let parts = parts(text);
    match parts.as_slice() {
        [Part::Number(a), Part::Number(b), Part::Number(c)] if numeric_separators(text) => numeric(text, a, b, c),
        [_, _, _] => named(text, &parts),
        _ => Err(DateProblem::Unreadable),
    }
}

/// The last day of a month typed without a day (a vial's "2027-03", "03/2027", "Mar 2027"), or
/// None if `text` is not a month alone.
pub fn read_month_end(text: &str) -> Option<Result<NaiveDate, DateProblem>> {
    let text = text.trim();
    let (year, month) = match parts(text).as_slice() {
        [Part::Number(y), Part::Number(m)] if y.len() == 4 && m.len() <= 2 => (y.clone(), number(m)),
        [Part::Number(m), Part::Number(y)] if y.len() == 4 && m.len() <= 2 => (y.clone(), number(m)),
        [Part::Month(m), Part::Number(y)] | [Part::Number(y), Part::Month(m)] if y.len() == 4 => (y.clone(), *m),
        _ => return None,
    };
    let year = number(&year) as i32;
    Some(match NaiveDate::from_ymd_opt(year, month, 1) {
        None => Err(DateProblem::Impossible(format!(
            "{text} is not a month: there is no month {month}"
        ))),
        Some(first) => Ok(last_of_month(first)),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// Digits as typed (their count tells a year from a day).
    Number(String),
    /// A month by name, 1–12.
    Month(u32),
    Other,
}

/// The words and numbers of `text`, split at spaces, commas and the separators `/ . -`; a day's
/// "st", "nd", "rd" or "th" is dropped.
fn parts(text: &str) -> Vec<Part> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '/' | '.' | '-'))
        .filter(|p| !p.is_empty())
        .map(|p| {
            let digits = p.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let suffix = &p[digits.len()..];
            if !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && (suffix.is_empty()
                    || (digits.len() <= 2 && ["st", "nd", "rd", "th"].contains(&&*suffix.to_lowercase())))
            {
                Part::Number(digits.to_string())
            } else {
                month_named(p).map_or(Part::Other, Part::Month)
            }
        })
        .collect()
}

/// "Feb", "feb", "February", "Sept": the month's number.
fn month_named(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    if word.len() < 3 {
        return None;
    }
    let found = MONTHS
        .iter()
        .position(|m| m.to_lowercase().starts_with(&word) || (word == "sept" && *m == "September"))?;
    Some(found as u32 + 1)
}

/// Three numbers with one kind of separator between them, nothing else.
fn numeric_separators(text: &str) -> bool {
    let separators: Vec<char> = text.chars().filter(|c| !c.is_ascii_digit()).collect();
    separators.len() == 2 && separators[0] == separators[1] && matches!(separators[0], '/' | '.' | '-')
}

fn number(digits: &str) -> u32 {
    digits.parse().unwrap_or(u32::MAX)
}

/// Year first (1988-02-29, 1988/2/29), or day and month either way round with the year last when
/// one of them can only be a day (29/02/1988, 02/29/1988) or both are the same.
fn numeric(text: &str, a: &str, b: &str, c: &str) -> Result<NaiveDate, DateProblem> {
    let short = |s: &str| s.len() <= 2;
    if a.len() == 4 && short(b) && short(c) {
        return day(text, number(a) as i32, number(b), number(c));
    }
    if !(c.len() == 4 && short(a) && short(b)) {
        return Err(DateProblem::Unreadable);
    }
    let (x, y, year) = (number(a), number(b), number(c) as i32);
    match (x > 12, y > 12) {
        (true, false) => day(text, year, y, x),
        (false, true) => day(text, year, x, y),
        (true, true) => Err(DateProblem::Impossible(format!(
            "{text} is not a date: neither {x} nor {y} is a month"
        ))),
        // The same either way round, or no reading at all.
        (false, false) if x == y || x == 0 || y == 0 => day(text, year, x, y),
        (false, false) => Err(DateProblem::Ambiguous(format!(
            "{text} could be {} {y} or {} {x}",
            MONTHS[x as usize - 1],
            MONTHS[y as usize - 1]
        ))),
    }
}

/// A month by name with a day and a four-digit year, in any order: "29 Feb 1988", "February 29, 1988".
fn named(text: &str, parts: &[Part]) -> Result<NaiveDate, DateProblem> {
    let mut month = None;
    let mut year = None;
    let mut day_of_month = None;
    for part in parts {
        match part {
            Part::Month(m) if month.is_none() => month = Some(*m),
            Part::Number(n) if n.len() == 4 && year.is_none() => year = Some(number(n) as i32),
            Part::Number(n) if n.len() <= 2 && day_of_month.is_none() => day_of_month = Some(number(n)),
            _ => return Err(DateProblem::Unreadable),
        }
    }
    match (year, month, day_of_month) {
        (Some(y), Some(m), Some(d)) => day(text, y, m, d),
        _ => Err(DateProblem::Unreadable),
    }
}

/// The day `year`-`month`-`day`, or why there is none.
fn day(text: &str, year: i32, month: u32, day: u32) -> Result<NaiveDate, DateProblem> {
    if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
        return Ok(date);
    }
    let Some(first) = (1..=12)
        .contains(&month)
        .then(|| NaiveDate::from_ymd_opt(year, month, 1))
        .flatten()
    else {
        return Err(DateProblem::Impossible(format!(
            "{text} is not a date: there is no month {month}"
        )));
    };
    let name = MONTHS[month as usize - 1];
    if day == 0 {
        return Err(DateProblem::Impossible(format!(
            "{text} is not a date: there is no day 0"
        )));
    }
    let days = last_of_month(first).day();
    Err(DateProblem::Impossible(format!(
        "{text} is not a date: {name} {year} has {days} days"
    )))
}

/// The last day of the month that starts on `first`.
fn last_of_month(first: NaiveDate) -> NaiveDate {
    let next = first.with_day(28).expect("every month has a 28th") + chrono::Duration::days(4);
    next.with_day(1).expect("a first") - chrono::Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_dates_and_unambiguous_forms_are_read() {
        let leap = ymd(1988, 2, 29);
        let cases = [
            ("1988-02-29", leap),
            ("1988-2-29", leap),
            (" 1988-02-29 ", leap),
            ("1988/02/29", leap),
            ("1988.2.29", leap),
            ("02/29/1988", leap),
            ("29/02/1988", leap),
            ("29.02.1988", leap),
            ("29-02-1988", leap),
            ("2/29/1988", leap),
            ("29 Feb 1988", leap),
            ("29 February 1988", leap),
            ("February 29, 1988", leap),
            ("feb 29 1988", leap),
            ("29-Feb-1988", leap),
            ("Feb. 29th, 1988", leap),
            ("1988 February 29", leap),
            ("03/03/1988", ymd(1988, 3, 3)),
            ("Sept 1, 2027", ymd(2027, 9, 1)),
            ("1 may 2027", ymd(2027, 5, 1)),
        ];
        for (text, expected) in cases {
            assert_eq!(read_date(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn ambiguous_unreadable_and_impossible_dates_are_refused_in_words_naming_the_field() {
        let cases = [
            (
                "03/04/1988",
                "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29 (03/04/1988 could be March 4 or April 3).",
            ),
            (
                "12.1.2026",
                "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29 (12.1.2026 could be December 1 or January 12).",
            ),
            (
                "1987-02-29",
                "Date of birth: 1987-02-29 is not a date: February 1987 has 28 days.",
            ),
            (
                "31 April 2026",
                "Date of birth: 31 April 2026 is not a date: April 2026 has 30 days.",
            ),
            (
                "1988-13-01",
                "Date of birth: 1988-13-01 is not a date: there is no month 13.",
            ),
            (
                "30/13/1988",
                "Date of birth: 30/13/1988 is not a date: neither 30 nor 13 is a month.",
            ),
            ("00/05/1988", "Date of birth: 00/05/1988 is not a date: there is no month 0."),
            ("1988-05-00", "Date of birth: 1988-05-00 is not a date: there is no day 0."),
            ("29/02/88", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("1988-02-29T00:00", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("29/02-1988", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("19880229", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("Feb 1988", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("Ma 29 1988", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("29 Feb Mar 1988", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("+1988-02-29", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("yesterday", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
            ("", "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29."),
        ];
        for (text, message) in cases {
            assert_eq!(
                read_date(text).map_err(|p| p.message("Date of birth")),
                Err(message.to_string()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_month_alone_ends_on_its_last_day() {
        let cases = [
            ("2027-03", Some(Ok(ymd(2027, 3, 31)))),
            ("2028-2", Some(Ok(ymd(2028, 2, 29)))),
            ("03/2027", Some(Ok(ymd(2027, 3, 31)))),
            ("Dec 2026", Some(Ok(ymd(2026, 12, 31)))),
            ("2026 September", Some(Ok(ymd(2026, 9, 30)))),
            (
                "2027-13",
                Some(Err(DateProblem::Impossible(
                    "2027-13 is not a month: there is no month 13".into(),
                ))),
            ),
            ("2027-03-31", None),
            ("03/27", None),
        ];
        for (text, expected) in cases {
            assert_eq!(read_month_end(text), expected, "{text:?}");
        }
    }
}
