//! Checks on free text and dates that every input passes through.
//!
//! Control characters (a NUL above all, which PostgreSQL refuses to store) and dates outside
//! any plausible range are refused at the edge, with a field error, instead of failing deep
//! in a database that then answers 500.

use crate::error::DomainError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Earliest year any date in Hourbook may have.
pub const EARLIEST_YEAR: i32 = 1900;
/// Latest year any date in Hourbook may have.
pub const LATEST_YEAR: i32 = 2200;

/// One line of text (a name, a title, an address): trimmed, 1 to `max` characters, no
/// control characters.
pub fn single_line(raw: &str, field: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    match text.chars().count() {
        0 => Err(DomainError::invalid(field, "must not be empty")),
        n if n > max => Err(DomainError::invalid(
            field,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(text.to_string()),
    }
}

/// Free text that may span lines (a description, a note): trimmed, at most `max`
/// characters, no control characters but line breaks and tabs. May be empty.
pub fn multi_line(raw: &str, field: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    if text.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(text.to_string())
}

/// A service category (`community_service`): 1 to 64 characters of a-z, 0-9 and `_`,
/// lower-cased.
pub fn category(raw: &str, field: &str) -> Result<String, DomainError> {
    let category = raw.trim().to_lowercase();
    let ok = (1..=64).contains(&category.len())
        && category
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(category)
    } else {
        Err(DomainError::invalid(
            field,
            "must be 1-64 characters of a-z, 0-9 and _",
        ))
    }
}

/// A calendar date between [`EARLIEST_YEAR`] and [`LATEST_YEAR`].
pub fn plausible_date(date: NaiveDate, field: &str) -> Result<NaiveDate, DomainError> {
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DomainError::invalid(
            field,
            format!("must be between {EARLIEST_YEAR} and {LATEST_YEAR}"),
        ))
    }
}

/// An instant between [`EARLIEST_YEAR`] and [`LATEST_YEAR`].
pub fn plausible_instant(at: DateTime<Utc>, field: &str) -> Result<DateTime<Utc>, DomainError> {
    plausible_date(at.date_naive(), field).map(|_| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_fine_in_notes() {
        assert!(single_line("a\u{0}b", "name", 100).is_err());
        assert!(single_line("  ", "name", 100).is_err());
        assert_eq!(single_line(" 李明 ", "name", 100).unwrap(), "李明");
        assert!(single_line("一二三", "name", 2).is_err());
        assert_eq!(
            multi_line("line one\nline two\t", "note", 100).unwrap(),
            "line one\nline two"
        );
        assert!(multi_line("bell\u{7}", "note", 100).is_err());
        assert_eq!(multi_line("", "note", 100).unwrap(), "");
    }

    #[test]
    fn dates_stay_within_four_centuries() {
        assert!(plausible_date("2027-07-01".parse().unwrap(), "d").is_ok());
        assert!(plausible_date(NaiveDate::from_ymd_opt(-9999, 1, 1).unwrap(), "d").is_err());
        assert!(plausible_date(NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(), "d").is_err());
        assert!(plausible_instant("9999-12-31T00:00:00Z".parse().unwrap(), "t").is_err());
    }
}
