//! Late entries: an entry saved long after its clinical time (the clinic's late-entry setting) is
//! labelled so wherever it is shown.

use chrono::{DateTime, Duration, Utc};

use crate::domain::discharge::{Aldrete, Discharge};
use crate::domain::infusion::InfusionEvent;
use crate::domain::notes::Note;
use crate::domain::preparation::Waste;
use crate::domain::side_effects::{Intervention, SideEffect};
use crate::domain::vitals::Vitals;

/// An entry with a clinical time and the time it was saved.
pub trait Charted {
    /// (clinical time, saved at).
    fn times(&self) -> (DateTime<Utc>, DateTime<Utc>);
    fn late_mut(&mut self) -> &mut bool;
}

macro_rules! charted {
    ($($entry:ty => $clinical:ident),* $(,)?) => {
        $(impl Charted for $entry {
            fn times(&self) -> (DateTime<Utc>, DateTime<Utc>) {
                (self.$clinical, self.recorded_at)
            }
            fn late_mut(&mut self) -> &mut bool {
                &mut self.late
            }
        })*
    };
}

charted! {
    Vitals => clinical_time,
    InfusionEvent => clinical_time,
    Note => clinical_time,
    SideEffect => onset_time,
    Intervention => clinical_time,
    Waste => clinical_time,
    Aldrete => clinical_time,
    Discharge => clinical_time,
}

/// Marks each of `entries` saved more than `after` past its clinical time as late.
pub fn mark_late<T: Charted>(entries: &mut [T], after: Duration) {
    for entry in entries {
        let (clinical, recorded) = entry.times();
        *entry.late_mut() = recorded - clinical > after;
    }
}
