//! The append-only hours ledger: entry content and its hash chain.
//!
//! Each entry's hash covers a canonical encoding of its content and the previous entry's
//! hash for the same volunteer, so editing or deleting any row behind the application's back
//! breaks every later link of that volunteer's chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use strum::{AsRefStr, EnumString, IntoStaticStr};
use uuid::Uuid;

/// The `prev_hash` of a volunteer's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EntryKind {
    /// Verified service on a shift.
    Service,
    /// A reversal or adjustment of an earlier entry.
    Correction,
    /// Verified off-platform service claimed by the volunteer.
    Claim,
}

/// How the time in an entry came to be known.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EntrySource {
    /// The volunteer checked in and out on site (geofenced).
    CheckInOut,
    /// An organizer checked the volunteer in and out at the desk.
    OrganizerDesk,
    /// Checked in with the shift's rotating code.
    CheckInCode,
    /// The verifier set the minutes by hand, with a note.
    Adjusted,
    /// Off-platform claim with evidence.
    Claim,
    /// Correction of an earlier entry.
    Correction,
    /// Imported from another system.
    Import,
}

/// Everything an entry says; the hash covers all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryContent {
    /// Entry id.
    pub id: Uuid,
    /// Whose hours.
    pub volunteer_id: Uuid,
    /// Position in the volunteer's chain, from 1.
    pub chain_index: i64,
    /// Kind of entry.
    pub kind: EntryKind,
    /// Where the time came from.
    pub source: EntrySource,
    /// Minutes credited (negative for a reversal).
    pub minutes: i64,
    /// Service category, e.g. the event's category.
    pub category: String,
    /// The recording organization.
    pub organization_id: Uuid,
    /// Event, for service entries.
    pub event_id: Option<Uuid>,
    /// Shift, for service entries.
    pub shift_id: Option<Uuid>,
    /// Signup, for service entries.
    pub signup_id: Option<Uuid>,
    /// When the service began.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Why the minutes differ from the computed ones, or why a correction was made.
    pub note: Option<String>,
    /// Who verified.
    pub verified_by: Uuid,
    /// When.
    pub verified_at: DateTime<Utc>,
}

impl EntryContent {
    /// SHA-256, hex, over the canonical encoding of this entry after `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.canonical_encoding(prev_hash));
        hex::encode(hasher.finalize())
    }

    /// A JSON array of every field in a fixed order, times in UTC to the second. A version tag
    /// leads so the encoding can evolve without ambiguity.
    pub fn canonical_encoding(&self, prev_hash: &str) -> Vec<u8> {
        let time = |t: &DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let opt = |id: &Option<Uuid>| id.map(|u| u.to_string());
        let fields = serde_json::json!([
            "hourbook-ledger-v1",
            prev_hash,
            self.id.to_string(),
            self.volunteer_id.to_string(),
            self.chain_index,
            self.kind.as_ref(),
            self.source.as_ref(),
            self.minutes,
            self.category,
            self.organization_id.to_string(),
            opt(&self.event_id),
            opt(&self.shift_id),
            opt(&self.signup_id),
            time(&self.started_at),
            time(&self.ended_at),
            self.note,
            self.verified_by.to_string(),
            time(&self.verified_at),
        ]);
        // Serialising a JSON array of strings, numbers and nulls cannot fail.
        serde_json::to_vec(&fields).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> EntryContent {
        EntryContent {
            id: Uuid::from_u128(1),
            volunteer_id: Uuid::from_u128(2),
            chain_index: 1,
            kind: EntryKind::Service,
            source: EntrySource::OrganizerDesk,
            minutes: 180,
            category: "childcare".into(),
            organization_id: Uuid::from_u128(3),
            event_id: Some(Uuid::from_u128(4)),
            shift_id: Some(Uuid::from_u128(5)),
            signup_id: Some(Uuid::from_u128(6)),
            started_at: "2027-07-05T00:30:00Z".parse().unwrap(),
            ended_at: "2027-07-05T03:30:00Z".parse().unwrap(),
            note: None,
            verified_by: Uuid::from_u128(7),
            verified_at: "2027-07-05T04:00:00.123Z".parse().unwrap(),
        }
    }

    #[test]
    fn hash_is_stable_and_covers_every_field_and_the_previous_hash() {
        let e = entry();
        let h = e.chain_hash(GENESIS_HASH);
        assert_eq!(h.len(), 64);
        assert_eq!(h, e.chain_hash(GENESIS_HASH));
        assert_ne!(h, e.chain_hash(&h));
        let mut changed = e.clone();
        changed.minutes = 181;
        assert_ne!(h, changed.chain_hash(GENESIS_HASH));
        let mut noted = e.clone();
        noted.note = Some("left early".into());
        assert_ne!(h, noted.chain_hash(GENESIS_HASH));
    }

    #[test]
    fn sub_second_precision_does_not_change_the_hash() {
        // Databases keep different time precision; the encoding must not depend on it.
        let mut e = entry();
        let h = e.chain_hash(GENESIS_HASH);
        e.verified_at = "2027-07-05T04:00:00Z".parse().unwrap();
        assert_eq!(h, e.chain_hash(GENESIS_HASH));
    }
}
