//! iCalendar export of a volunteer's confirmed shifts.

use chrono::{DateTime, Utc};
use hourbook_notifications::calendar::shift_event;
use hourbook_store::signups::MySignup;
use icalendar::Calendar;

/// A calendar with one event per signup that holds a seat on an open shift.
pub fn confirmed_shifts(signups: &[MySignup], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name("Hourbook");
    for s in signups
        .iter()
        .filter(|s| s.signup.status.holds_seat() && s.shift.status == "open")
    {
        // The same event (and UID) as the invitation attached to the confirmation e-mail.
        calendar.push(shift_event(
            &s.signup.id.to_string(),
            &format!("{} · {}", s.event.title, s.shift.title),
            &s.shift.address,
            s.shift.starts_at,
            s.shift.ends_at,
            now,
        ));
    }
    calendar.done().to_string()
}
