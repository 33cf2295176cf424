//! iCalendar export of a volunteer's confirmed shifts.

use chrono::{DateTime, Utc};
use hourbook_store::signups::MySignup;
use icalendar::{Calendar, Component, Event, EventLike};

/// A calendar with one event per signup that holds a seat on an open shift.
pub fn confirmed_shifts(signups: &[MySignup], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name("Hourbook");
    for s in signups
        .iter()
        .filter(|s| s.signup.status.holds_seat() && s.shift.status == "open")
    {
        let event = Event::new()
            // A stable UID lets calendar apps update the entry instead of duplicating it.
            .uid(&format!("{}@hourbook", s.signup.id))
            .summary(&format!("{} · {}", s.event.title, s.shift.title))
            .location(&s.shift.address)
            .starts(s.shift.starts_at)
            .ends(s.shift.ends_at)
            .timestamp(now)
            .done();
        calendar.push(event);
    }
    calendar.done().to_string()
}
