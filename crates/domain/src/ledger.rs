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
    /// Off-platform claim with evidence, verified by the named organization.
    Claim,
    /// Off-platform claim confirmed by the host's contact through a one-time e-mailed link.
    HostLink,
    /// Correction of an earlier entry.
    Correction,
    /// Imported from another system.
    Import,
}

impl EntrySource {
    /// Whether the time was taken on site (a check-in and a check-out, by the volunteer, at
    /// the desk or with the shift's code) rather than entered by hand (an adjustment, a claim,
    /// a correction, an import). The two are shown apart wherever hours are shown.
    pub fn recorded_on_site(self) -> bool {
        matches!(
            self,
            EntrySource::CheckInOut | EntrySource::OrganizerDesk | EntrySource::CheckInCode
        )
    }
}

/// Minutes split by how they became known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Provenance {
    /// From check-in and check-out on site.
    pub recorded_minutes: i64,
    /// Entered by hand: adjusted by a verifier, claimed, corrected or imported.
    pub hand_entered_minutes: i64,
}

impl Provenance {
    /// Adds an entry's minutes to its side.
    pub fn add(&mut self, source: EntrySource, minutes: i64) {
        if source.recorded_on_site() {
            self.recorded_minutes += minutes;
        } else {
            self.hand_entered_minutes += minutes;
        }
    }
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

/// A stored entry as the chain check reads it: its content and the two hashes it was saved
/// with.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// The content the hash should cover.
    pub content: EntryContent,
    /// The hash stored with it.
    pub hash: String,
    /// The previous entry's hash, as stored with it.
    pub prev_hash: String,
}

/// What is wrong at one place in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry's content no longer matches its own hash: it was edited.
    ContentChanged,
    /// The entry does not point at the entry before it (edited and re-hashed, or an entry
    /// before it was removed or replaced).
    LinkBroken,
    /// Positions are missing or repeated: entries were deleted or inserted.
    IndexGap,
}

/// One break in a volunteer's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChainBreak {
    /// The entry where the chain stops holding.
    pub entry_id: Uuid,
    /// Whose chain.
    pub volunteer_id: Uuid,
    /// Its stored position.
    pub chain_index: i64,
    /// What is wrong.
    pub kind: BreakKind,
}

/// Checks one volunteer's chain, `entries` in stored `chain_index` order: every entry must
/// hash to its stored hash, point at the previous entry's stored hash (the genesis hash for
/// the first) and sit at the next position. Each entry is judged against its stored
/// neighbours, so one edited entry is reported once, not with everything after it.
pub fn check_chain(entries: &[StoredEntry]) -> Vec<ChainBreak> {
    let mut breaks = Vec::new();
    let mut prev_hash = GENESIS_HASH;
    let mut prev_index = 0;
    for entry in entries {
        let c = &entry.content;
        let mut report = |kind| {
            breaks.push(ChainBreak {
                entry_id: c.id,
                volunteer_id: c.volunteer_id,
                chain_index: c.chain_index,
                kind,
            })
        };
        if c.chain_index != prev_index + 1 {
            report(BreakKind::IndexGap);
        }
        if entry.prev_hash != prev_hash {
            report(BreakKind::LinkBroken);
        }
        if c.chain_hash(&entry.prev_hash) != entry.hash {
            report(BreakKind::ContentChanged);
        }
        prev_hash = &entry.hash;
        prev_index = c.chain_index;
    }
    breaks
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

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|i| {
                let content = EntryContent {
                    id: Uuid::from_u128(100 + i as u128),
                    chain_index: i,
                    minutes: 60 * i,
                    ..entry()
                };
                let hash = content.chain_hash(&prev);
                let stored = StoredEntry {
                    content,
                    hash: hash.clone(),
                    prev_hash: prev.clone(),
                };
                prev = hash;
                stored
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_has_no_breaks_and_each_kind_of_tampering_is_named_once() {
        assert!(check_chain(&chain(5)).is_empty());
        assert!(check_chain(&[]).is_empty());

        // Minutes edited in place: that entry, and only it.
        let mut edited = chain(5);
        edited[2].content.minutes = 600;
        let breaks = check_chain(&edited);
        assert_eq!(breaks.len(), 1);
        assert_eq!(
            (breaks[0].chain_index, breaks[0].kind),
            (3, BreakKind::ContentChanged)
        );

        // Edited and re-hashed: the next entry no longer points at it.
        let mut rehashed = chain(5);
        rehashed[2].content.minutes = 600;
        rehashed[2].hash = rehashed[2].content.chain_hash(&rehashed[2].prev_hash);
        let breaks = check_chain(&rehashed);
        assert_eq!(breaks.len(), 1);
        assert_eq!(
            (breaks[0].chain_index, breaks[0].kind),
            (4, BreakKind::LinkBroken)
        );

        // An entry deleted: a gap, and a broken link, at the entry after it.
        let mut deleted = chain(5);
        deleted.remove(1);
        let kinds: Vec<_> = check_chain(&deleted)
            .iter()
            .map(|b| (b.chain_index, b.kind))
            .collect();
        assert_eq!(
            kinds,
            [(3, BreakKind::IndexGap), (3, BreakKind::LinkBroken)]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_entry() -> impl Strategy<Value = EntryContent> {
            (
                any::<u128>(),
                -1440i64..=1440,
                "[a-z_]{1,24}",
                proptest::option::of("\\PC{0,40}"),
                0i64..400_000_000,
                0i64..=1440,
                proptest::sample::select(vec![
                    EntrySource::CheckInOut,
                    EntrySource::OrganizerDesk,
                    EntrySource::Adjusted,
                    EntrySource::Claim,
                    EntrySource::HostLink,
                ]),
            )
                .prop_map(|(id, minutes, category, note, start, length, source)| {
                    let started_at = DateTime::from_timestamp(1_700_000_000 + start, 0).unwrap();
                    EntryContent {
                        id: Uuid::from_u128(id),
                        minutes,
                        category,
                        note,
                        source,
                        started_at,
                        ended_at: started_at + chrono::Duration::minutes(length),
                        ..entry()
                    }
                })
        }

        /// `contents` linked into a stored chain at positions 1, 2, ...
        fn link(contents: Vec<EntryContent>) -> Vec<StoredEntry> {
            let mut prev = GENESIS_HASH.to_string();
            contents
                .into_iter()
                .enumerate()
                .map(|(i, mut content)| {
                    content.chain_index = i as i64 + 1;
                    let hash = content.chain_hash(&prev);
                    StoredEntry {
                        content,
                        hash: hash.clone(),
                        prev_hash: std::mem::replace(&mut prev, hash),
                    }
                })
                .collect()
        }

        proptest! {
            #[test]
            fn the_encoding_is_one_json_array_of_every_field(e in any_entry(), prev in "[0-9a-f]{64}") {
                let bytes = e.canonical_encoding(&prev);
                prop_assert_eq!(&bytes, &e.clone().canonical_encoding(&prev));
                let fields: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                prop_assert_eq!(fields.as_array().map(Vec::len), Some(18));
                prop_assert_eq!(&fields[1], &serde_json::json!(prev));
            }

            #[test]
            fn any_change_to_the_content_or_the_link_changes_the_hash(
                e in any_entry(),
                other in any_entry(),
                field in 0usize..7,
            ) {
                let mut changed = e.clone();
                match field {
                    0 => changed.minutes = e.minutes + 1,
                    1 => changed.category = format!("{}x", e.category),
                    2 => changed.note = Some(format!("{}.", e.note.clone().unwrap_or_default())),
                    3 => changed.started_at = e.started_at + chrono::Duration::seconds(1),
                    4 => changed.source = if e.source == EntrySource::Claim { EntrySource::HostLink } else { EntrySource::Claim },
                    5 => changed.id = Uuid::from_u128(e.id.as_u128() ^ 1),
                    _ => changed.organization_id = Uuid::from_u128(other.id.as_u128() | 1 << 100),
                }
                prop_assume!(changed != e);
                prop_assert_ne!(e.chain_hash(GENESIS_HASH), changed.chain_hash(GENESIS_HASH));
                prop_assert_ne!(e.chain_hash(GENESIS_HASH), e.chain_hash(&e.chain_hash(GENESIS_HASH)));
            }

            #[test]
            fn every_linked_chain_holds_and_every_edit_or_removal_inside_it_is_found(
                contents in proptest::collection::vec(any_entry(), 2..12),
                victim in any::<proptest::sample::Index>(),
                delta in 1i64..600,
            ) {
                let chain = link(contents);
                prop_assert!(check_chain(&chain).is_empty());
                let i = victim.index(chain.len());

                // Edited in place: reported at that entry only, as changed content.
                let mut edited = chain.clone();
                edited[i].content.minutes += delta;
                let breaks = check_chain(&edited);
                prop_assert_eq!(breaks.len(), 1);
                prop_assert_eq!((breaks[0].entry_id, breaks[0].kind), (chain[i].content.id, BreakKind::ContentChanged));

                // Removed (any but the newest, which leaves a shorter chain that holds): the
                // entry after the gap reports it.
                let i = victim.index(chain.len() - 1);
                let mut removed = chain.clone();
                removed.remove(i);
                let breaks = check_chain(&removed);
                prop_assert!(!breaks.is_empty());
                prop_assert!(breaks.iter().all(|b| b.entry_id == chain[i + 1].content.id));
            }

            #[test]
            fn provenance_splits_every_minute_exactly_once(entries in proptest::collection::vec(any_entry(), 0..20)) {
                let mut split = Provenance::default();
                for e in &entries {
                    split.add(e.source, e.minutes);
                }
                let total: i64 = entries.iter().map(|e| e.minutes).sum();
                prop_assert_eq!(split.recorded_minutes + split.hand_entered_minutes, total);
                let on_site: i64 = entries.iter().filter(|e| e.source.recorded_on_site()).map(|e| e.minutes).sum();
                prop_assert_eq!(split.recorded_minutes, on_site);
            }
        }
    }
}
