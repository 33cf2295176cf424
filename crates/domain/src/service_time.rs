//! How many minutes a check-in/check-out pair is worth.

use chrono::{DateTime, Duration, Utc};

/// Service time is the time actually served, clipped to the shift window widened by `grace`
/// on each side (travel time is not counted), in whole minutes, never negative.
pub fn service_minutes(
    checked_in_at: DateTime<Utc>,
    checked_out_at: DateTime<Utc>,
    shift: (DateTime<Utc>, DateTime<Utc>),
    grace: Duration,
) -> i64 {
    let start = checked_in_at.max(shift.0 - grace);
    let end = checked_out_at.min(shift.1 + grace);
    (end - start).num_minutes().max(0)
}

/// Minutes shown as hours with one decimal, as certificates and schools expect.
pub fn hours_display(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        format!("2027-07-05T{s}:00Z").parse().unwrap()
    }

    #[test]
    fn clips_to_the_window_plus_grace() {
        let shift = (t("08:00"), t("11:00"));
        let grace = Duration::minutes(15);
        assert_eq!(service_minutes(t("08:05"), t("10:50"), shift, grace), 165);
        assert_eq!(service_minutes(t("07:00"), t("12:30"), shift, grace), 210);
        assert_eq!(service_minutes(t("07:50"), t("11:10"), shift, grace), 200);
    }

    #[test]
    fn is_never_negative() {
        let shift = (t("08:00"), t("11:00"));
        assert_eq!(
            service_minutes(t("12:00"), t("13:00"), shift, Duration::zero()),
            0
        );
        assert_eq!(
            service_minutes(t("10:00"), t("09:00"), shift, Duration::zero()),
            0
        );
    }

    #[test]
    fn hours_have_one_decimal() {
        assert_eq!(hours_display(165), "2.8");
        assert_eq!(hours_display(0), "0.0");
    }
}
