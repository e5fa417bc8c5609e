//! The day the domain's tests chart on: 2026-11-22 (no clock change) in the clinic's time zone.

use chrono::{DateTime, Local, TimeZone, Utc};

/// `h:m` on the test day.
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    on(22, h, m)
}

/// `h:m` on `day` November 2026.
pub fn on(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Local
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}
