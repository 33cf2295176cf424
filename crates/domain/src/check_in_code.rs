//! Rotating check-in codes: the organizer's device shows a six-digit code (and its QR) that
//! changes every `STEP_SECONDS`, TOTP-style (RFC 6238's truncation over HMAC-SHA256 of the
//! shift and the time step). A volunteer on site types or scans it instead of sharing their
//! location; a code copied into a group chat is stale within a minute.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Seconds a code is shown for.
pub const STEP_SECONDS: i64 = 30;
/// Steps before the current one still accepted (the time to type it).
const GRACE_STEPS: i64 = 1;

fn step(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

fn code_for(key: &[u8], shift: Uuid, step: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"hourbook-check-in\0");
    mac.update(shift.as_bytes());
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", bin % 1_000_000)
}

/// The code to show now and the moment it changes.
pub fn current(key: &[u8], shift: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let s = step(now);
    let changes = DateTime::from_timestamp((s + 1) * STEP_SECONDS, 0).unwrap_or(now);
    (code_for(key, shift, s), changes)
}

/// Whether `code` is the shift's code now or one step ago.
pub fn accepts(key: &[u8], shift: Uuid, code: &str, now: DateTime<Utc>) -> bool {
    let code = code.trim();
    let s = step(now);
    (0..=GRACE_STEPS).any(|back| {
        let expected = code_for(key, shift, s - back);
        // Constant time: compare every byte.
        expected.len() == code.len()
            && expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_code_lives_one_step_and_the_next_and_belongs_to_one_shift() {
        let key = b"key";
        let shift = Uuid::from_u128(7);
        let t: DateTime<Utc> = "2027-07-05T01:00:05Z".parse().unwrap();
        let (code, changes) = current(key, shift, t);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            changes,
            "2027-07-05T01:00:30Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(accepts(key, shift, &code, t));
        assert!(accepts(
            key,
            shift,
            &format!(" {code} "),
            t + Duration::seconds(40)
        ));
        assert!(!accepts(key, shift, &code, t + Duration::seconds(60)));
        assert!(!accepts(key, Uuid::from_u128(8), &code, t));
        assert!(!accepts(b"other key", shift, &code, t));
        assert!(!accepts(key, shift, "", t));
        assert!(!accepts(key, shift, "12345", t));
        // Codes change from step to step.
        let later: Vec<String> = (0..20)
            .map(|i| current(key, shift, t + Duration::seconds(30 * i)).0)
            .collect();
        let distinct: std::collections::HashSet<_> = later.iter().collect();
        assert!(distinct.len() > 15);
    }
}
