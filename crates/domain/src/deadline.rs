//! Record deadlines: an attended shift must be verified within a number of working days
//! (Monday to Friday; public holidays are not modelled) after the day it ended.

use chrono::{Datelike, NaiveDate, Weekday};

/// `working_days` working days after `day` (a day on a weekend counts from the next Monday).
pub fn add_working_days(day: NaiveDate, working_days: u32) -> NaiveDate {
    let mut date = day;
    let mut left = working_days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ten_working_days_skip_two_weekends() {
        // Tuesday 1 June 2027 + 10 working days = Tuesday 15 June.
        assert_eq!(add_working_days(d("2027-06-01"), 10), d("2027-06-15"));
        // From a Saturday, the first working day is Monday.
        assert_eq!(add_working_days(d("2027-06-05"), 1), d("2027-06-07"));
        // Friday + 1 = Monday.
        assert_eq!(add_working_days(d("2027-06-04"), 1), d("2027-06-07"));
        assert_eq!(add_working_days(d("2027-06-04"), 0), d("2027-06-04"));
    }

    proptest! {
        #[test]
        fn lands_on_a_weekday_with_exactly_n_working_days_in_between(
            offset in 0i64..3650, n in 1u32..40
        ) {
            let start = d("2026-01-01") + chrono::Duration::days(offset);
            let due = add_working_days(start, n);
            prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun));
            let between = start
                .iter_days()
                .skip(1)
                .take_while(|x| *x <= due)
                .filter(|x| !matches!(x.weekday(), Weekday::Sat | Weekday::Sun))
                .count();
            prop_assert_eq!(between as u32, n);
            // And never more than n weeks and two days away.
            prop_assert!((due - start).num_days() <= i64::from(n) / 5 * 7 + 4 + 2);
        }
    }
}
