//! The one place that turns a signup's shift into an iCalendar event, shared by the API's
//! `.ics` export and the invitation attached to confirmation e-mails, so both carry the same
//! UID and a calendar app updates (or cancels) the entry it already has instead of adding a
//! second one.

use chrono::{DateTime, Utc};
use icalendar::{Component, Event, EventLike};

/// The UID of the calendar entry for a signup: `{signup_id}@hourbook`.
pub fn signup_uid(signup_id: &str) -> String {
    format!("{signup_id}@hourbook")
}

/// The event for one signup's shift; `summary` is usually `"event · shift"`.
pub fn shift_event(
    signup_id: &str,
    summary: &str,
    location: &str,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Event {
    Event::new()
        // A stable UID lets calendar apps update the entry instead of duplicating it.
        .uid(&signup_uid(signup_id))
        .summary(summary)
        .location(location)
        .starts(starts)
        .ends(ends)
        .timestamp(now)
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::Calendar;

    #[test]
    fn event_has_uid_times_and_location() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let event = shift_event(
            "abc",
            "Park clean-up · Morning",
            "1 Main St",
            t("2027-06-02T01:00:00Z"),
            t("2027-06-02T04:00:00Z"),
            t("2027-05-01T00:00:00Z"),
        );
        let text = Calendar::new().push(event).done().to_string();
        assert!(text.contains("UID:abc@hourbook"), "{text}");
        assert!(text.contains("DTSTART:20270602T010000Z"), "{text}");
        assert!(text.contains("DTEND:20270602T040000Z"), "{text}");
        assert!(text.contains("LOCATION:1 Main St"), "{text}");
        assert!(text.contains("DTSTAMP:20270501T000000Z"), "{text}");
    }
}
