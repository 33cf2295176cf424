//! Who holds a seat on a shift: participation states, the waitlist and the adult:minor ratio.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString, IntoStaticStr};
use uuid::Uuid;

/// Where a signup stands. See DESIGN.md, "Participation states".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SignupStatus {
    /// Awaiting the organizer's approval.
    Requested,
    /// Holds a seat.
    Confirmed,
    /// Waiting for a seat, in arrival order.
    Waitlisted,
    /// On site.
    CheckedIn,
    /// Done, awaiting verification.
    CheckedOut,
    /// Hours verified and in the ledger.
    Verified,
    /// Withdrawn by the volunteer (or the shift was cancelled).
    Cancelled,
    /// Turned down by the organizer.
    Rejected,
    /// Did not come.
    NoShow,
}

impl SignupStatus {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The statuses that occupy one of the shift's seats (the store counts them in SQL).
    pub const SEAT_HOLDING: [SignupStatus; 4] = [
        SignupStatus::Confirmed,
        SignupStatus::CheckedIn,
        SignupStatus::CheckedOut,
        SignupStatus::Verified,
    ];

    /// Whether the signup occupies one of the shift's seats.
    pub fn holds_seat(self) -> bool {
        Self::SEAT_HOLDING.contains(&self)
    }

    /// Whether the signup is still live: a second signup for the same shift is refused.
    pub fn is_active(self) -> bool {
        self.holds_seat() || matches!(self, SignupStatus::Requested | SignupStatus::Waitlisted)
    }

    /// Whether the volunteer may still withdraw.
    pub fn may_cancel(self) -> bool {
        matches!(
            self,
            SignupStatus::Requested | SignupStatus::Confirmed | SignupStatus::Waitlisted
        )
    }
}

/// Whether two time windows share any instant (touching ends do not overlap).
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// A shift's seats as they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// Total seats.
    pub capacity: u32,
    /// For shifts serving children: at most this many minors per adult.
    pub minors_per_adult: Option<u32>,
    /// Adults holding a seat.
    pub adults: u32,
    /// Minors holding a seat.
    pub minors: u32,
}

/// Why a waiting volunteer does not get a seat yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// Every seat is taken.
    Full,
    /// A seat is free, but another minor would break the adult:minor ratio.
    AdultRatio,
    /// The volunteer holds another confirmed shift at the same time.
    Overlap,
    /// The volunteer no longer meets the shift's rules (say, a certificate expired while
    /// waiting): they keep their place but are passed over.
    Ineligible,
}

impl WaitReason {
    /// The snake_case name stored with the signup.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::Full => "full",
            WaitReason::AdultRatio => "adult_ratio",
            WaitReason::Overlap => "overlap",
            WaitReason::Ineligible => "ineligible",
        }
    }
}

/// Someone waiting for a seat, in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The signup.
    pub signup_id: Uuid,
    /// Under the adult age on the shift's date.
    pub minor: bool,
    /// Why this volunteer cannot take a seat whatever the seats say (an overlapping
    /// confirmed shift, or rules no longer met), if anything.
    pub blocked: Option<WaitReason>,
}

impl Seats {
    fn ratio_allows_another_minor(&self) -> bool {
        match self.minors_per_adult {
            None => true,
            Some(per_adult) => self.minors < per_adult.saturating_mul(self.adults),
        }
    }

    /// Seats not yet taken.
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.adults + self.minors)
    }

    /// Why `w` could not take a seat now, or `None` if it could.
    pub fn obstacle(&self, w: &Waiting) -> Option<WaitReason> {
        if self.free() == 0 {
            Some(WaitReason::Full)
        } else if let Some(reason) = w.blocked {
            Some(reason)
        } else if w.minor && !self.ratio_allows_another_minor() {
            Some(WaitReason::AdultRatio)
        } else {
            None
        }
    }

    /// Gives free seats to waiting volunteers (`queue`, in arrival order) and returns the
    /// signups to confirm, in the order they were seated.
    ///
    /// The earliest arrival who can take a seat gets it. Seating an adult may make room for a
    /// minor who arrived earlier under the ratio, so after each seat the queue is read again
    /// from its head. A new signup is simply the last in the queue: it is confirmed only if
    /// nobody who came before it could use the seat.
    pub fn seat_waiting(mut self, queue: &[Waiting]) -> Vec<Uuid> {
        let mut seated: Vec<Uuid> = Vec::new();
        while self.free() > 0 {
            let next = queue
                .iter()
                .find(|w| !seated.contains(&w.signup_id) && self.obstacle(w).is_none());
            let Some(next) = next else { break };
            if next.minor {
                self.minors += 1;
            } else {
                self.adults += 1;
            }
            seated.push(next.signup_id);
        }
        seated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(n: u128, minor: bool) -> Waiting {
        Waiting {
            signup_id: Uuid::from_u128(n),
            minor,
            blocked: None,
        }
    }

    fn seats(capacity: u32, ratio: Option<u32>, adults: u32, minors: u32) -> Seats {
        Seats {
            capacity,
            minors_per_adult: ratio,
            adults,
            minors,
        }
    }

    #[test]
    fn seats_go_in_arrival_order_until_full() {
        let queue: Vec<_> = (1..=5).map(|n| waiting(n, false)).collect();
        let seated = seats(3, None, 1, 0).seat_waiting(&queue);
        assert_eq!(seated, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(seats(3, None, 3, 0).seat_waiting(&queue).is_empty());
    }

    #[test]
    fn minors_wait_for_an_adult_under_the_ratio() {
        // One adult and four minors: a fifth minor must wait even though seats are free.
        let s = seats(10, Some(4), 1, 4);
        let minor = waiting(1, true);
        assert_eq!(s.obstacle(&minor), Some(WaitReason::AdultRatio));
        assert!(s.seat_waiting(&[minor]).is_empty());
        // When an adult arrives after the minor, the adult's seat lets the minor in too,
        // and the minor, who came first, is seated right after.
        let adult = waiting(2, false);
        assert_eq!(
            s.seat_waiting(&[minor, adult]),
            [Uuid::from_u128(2), Uuid::from_u128(1)]
        );
    }

    #[test]
    fn a_volunteer_with_an_overlapping_shift_is_passed_over_not_removed() {
        let mut busy = waiting(1, false);
        busy.blocked = Some(WaitReason::Overlap);
        let s = seats(1, None, 0, 0);
        assert_eq!(
            s.seat_waiting(&[busy, waiting(2, false)]),
            [Uuid::from_u128(2)]
        );
        assert_eq!(s.obstacle(&busy), Some(WaitReason::Overlap));
    }

    #[test]
    fn overlap_ignores_touching_windows() {
        let t = |h: u32| -> DateTime<Utc> { format!("2027-07-05T{h:02}:00:00Z").parse().unwrap() };
        assert!(overlaps((t(8), t(10)), (t(9), t(11))));
        assert!(overlaps((t(8), t(12)), (t(9), t(10))));
        assert!(!overlaps((t(8), t(10)), (t(10), t(12))));
    }

    #[test]
    fn only_live_signups_block_a_second_one() {
        assert!(SignupStatus::Waitlisted.is_active());
        assert!(!SignupStatus::Cancelled.is_active());
        assert!(SignupStatus::CheckedIn.holds_seat());
        assert!(!SignupStatus::Waitlisted.holds_seat());
    }
}
