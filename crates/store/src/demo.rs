//! Loads a generated demo district ([`hourbook_domain::demo`]) into the database.
//!
//! Everything goes in through the same helpers the live code uses (accounts, profiles, events,
//! shifts, the ledger chain), inside one write transaction: a district is loaded whole or not
//! at all.

use crate::claims;
use crate::entities::{account, event, hour_claim, membership, organization, shift, signup};
use crate::signups::CHECKED_IN_AT_DESK;
use crate::{
    Result, Store, StoreError, accounts, events, ledger, profiles, requirements, seconds, shifts,
};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::claim::ClaimInput;
use hourbook_domain::demo::{
    DEMO_ORGANIZER_EMAIL, DemoDistrict, ORG_CENTRE, ORG_SCHOOL_1, ORG_SCHOOL_2, STAFF_VERIFIER,
    TIMEZONE,
};
use hourbook_domain::identity::Email;
use hourbook_domain::ledger::{EntryContent, EntryKind, EntrySource};
use hourbook_domain::profile::{AgePolicy, age_on};
use hourbook_domain::requirement::{Rule, WindowKind};
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::service_time::service_minutes;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// Grace around a shift's window that counts as service in the demo's verified hours.
const DEMO_GRACE_MINUTES: i64 = 15;

/// How many signup rows go into one INSERT (13 columns each, well under SQLite's and
/// PostgreSQL's bind-parameter limits).
const SIGNUP_BATCH: usize = 500;

/// What [`Store::load_demo`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoSummary {
    /// False when a demo district was already there, in which case nothing was written.
    pub loaded: bool,
    /// Organizations inserted.
    pub organizations: usize,
    /// Volunteer accounts inserted (staff accounts not counted).
    pub volunteers: usize,
    /// Events inserted.
    pub events: usize,
    /// Shifts inserted.
    pub shifts: usize,
    /// Signups inserted.
    pub signups: usize,
    /// Ledger entries appended (one per verified signup).
    pub ledger_entries: usize,
}

impl Store {
    /// Loads `district` in one write transaction, unless a demo district is already loaded
    /// (an account [`DEMO_ORGANIZER_EMAIL`] exists): then nothing is written and the summary
    /// says `loaded: false`.
    ///
    /// Every demo account, staff and volunteers alike, gets the same `password_hash`: hashing
    /// a password per account with production Argon2 settings would take minutes for a few
    /// hundred volunteers, and demo accounts share a published password anyway. Organizations
    /// keep the ids the district gave them (profiles and events already refer to those);
    /// everything else gets fresh ids. `now` stamps the rows' creation times.
    pub async fn load_demo(
        &self,
        district: &DemoDistrict,
        password_hash: &str,
        id_hash_key: &[u8],
        now: DateTime<Utc>,
    ) -> Result<DemoSummary> {
        let txn = self.write().await?;
        let already = account::Entity::find()
            .filter(account::Column::Email.eq(DEMO_ORGANIZER_EMAIL))
            .one(&txn)
            .await?;
        if already.is_some() {
            // Dropping the transaction unused rolls it back.
            return Ok(DemoSummary::default());
        }

        for org in &district.organizations {
            organization::Entity::insert(organization::ActiveModel {
                id: Set(org.id.to_string()),
                name: Set(org.name.clone()),
                kind: Set(org.kind.as_str().into()),
                region_code: Set(org.region_code.clone()),
                lat: Set(Some(org.location.lat)),
                lon: Set(Some(org.location.lon)),
                created_at: Set(seconds(now)),
            })
            .exec_without_returning(&txn)
            .await?;
        }

        let mut staff_ids = Vec::with_capacity(district.staff.len());
        for staff in &district.staff {
            let account = accounts::insert_account(
                &txn,
                &Email::parse(&staff.email)?,
                &staff.name,
                password_hash,
                now,
            )
            .await?;
            for m in &staff.memberships {
                let org = district.organizations.get(m.organization).ok_or_else(|| {
                    StoreError::Corrupt("demo membership names no organization".into())
                })?;
                membership::Entity::insert(membership::ActiveModel {
                    id: Set(Uuid::new_v4().to_string()),
                    organization_id: Set(org.id.to_string()),
                    account_id: Set(account.id.to_string()),
                    role: Set(m.role.as_str().into()),
                    created_at: Set(seconds(now)),
                })
                .exec_without_returning(&txn)
                .await?;
            }
            staff_ids.push(account.id);
        }

        let mut volunteer_ids = Vec::with_capacity(district.volunteers.len());
        for v in &district.volunteers {
            let account = accounts::insert_account(
                &txn,
                &Email::parse(&v.email)?,
                &v.name,
                password_hash,
                now,
            )
            .await?;
            profiles::upsert_profile(
                &txn,
                account.id,
                &v.profile,
                profiles::MissingIdNumber::Clears,
                id_hash_key,
                now,
            )
            .await?;
            volunteer_ids.push(account.id);
        }

        let staff_id = |i: usize| {
            staff_ids
                .get(i)
                .copied()
                .ok_or_else(|| StoreError::Corrupt("demo event names no organizer".into()))
        };
        let mut event_ids = Vec::with_capacity(district.events.len());
        let mut shift_ids: Vec<Vec<Uuid>> = Vec::with_capacity(district.events.len());
        for e in &district.events {
            let input = e.input.clone().validate()?;
            let id = events::insert_event(&txn, &input, staff_id(e.organizer)?, now).await?;
            let model = event::Entity::find_by_id(id.to_string())
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound("event"))?;
            let mut ids = Vec::with_capacity(e.shifts.len());
            for s in &e.shifts {
                ids.push(shifts::insert_shift(&txn, &model, s, now).await?);
            }
            event_ids.push(id);
            shift_ids.push(ids);
        }

        // Signups, numbered in arrival order per shift as live signups are.
        let adult_age = AgePolicy::default().adult_age;
        let mut seq: Vec<Vec<i64>> = district
            .events
            .iter()
            .map(|e| vec![0; e.shifts.len()])
            .collect();
        let mut rows = Vec::with_capacity(district.signups.len());
        let mut verified = Vec::new();
        for s in &district.signups {
            let (Some(e), Some(new)) = (
                district.events.get(s.event),
                district
                    .events
                    .get(s.event)
                    .and_then(|e| e.shifts.get(s.shift)),
            ) else {
                return Err(StoreError::Corrupt("demo signup names no shift".into()));
            };
            let volunteer = district
                .volunteers
                .get(s.volunteer)
                .ok_or_else(|| StoreError::Corrupt("demo signup names no volunteer".into()))?;
            let organizer = staff_id(e.organizer)?;
            let next = &mut seq[s.event][s.shift];
            *next += 1;
            let id = Uuid::new_v4();
            let date = new.starts_at.with_timezone(&TIMEZONE).date_naive();
            let minor = age_on(volunteer.profile.birth_date, date) < adult_age;
            let verified_at = s.checked_out_at.map(|out| out + Duration::days(1));
            let updated_at = match s.status {
                SignupStatus::Verified => verified_at,
                SignupStatus::CheckedOut => s.checked_out_at,
                _ => None,
            }
            .unwrap_or(s.created_at);
            rows.push(signup::ActiveModel {
                id: Set(id.to_string()),
                shift_id: Set(shift_ids[s.event][s.shift].to_string()),
                volunteer_id: Set(volunteer_ids[s.volunteer].to_string()),
                status: Set(s.status.as_str().into()),
                seq: Set(*next),
                minor: Set(minor),
                wait_reason: Set(None),
                created_at: Set(seconds(s.created_at)),
                updated_at: Set(seconds(updated_at)),
                checked_in_at: Set(s.checked_in_at.map(seconds)),
                checked_in_by: Set(s.checked_in_at.map(|_| organizer.to_string())),
                checked_out_at: Set(s.checked_out_at.map(seconds)),
                checked_out_by: Set(s.checked_out_at.map(|_| organizer.to_string())),
                checked_in_with: Set(s.checked_in_at.map(|_| CHECKED_IN_AT_DESK.to_string())),
                checked_out_automatically: Set(false),
            });
            if s.status == SignupStatus::Verified {
                let (Some(checked_in_at), Some(checked_out_at), Some(verified_at)) =
                    (s.checked_in_at, s.checked_out_at, verified_at)
                else {
                    return Err(StoreError::Corrupt(
                        "a verified demo signup has no check-in or check-out".into(),
                    ));
                };
                verified.push(EntryContent {
                    id: Uuid::new_v4(),
                    volunteer_id: volunteer_ids[s.volunteer],
                    chain_index: 0,
                    kind: EntryKind::Service,
                    source: EntrySource::OrganizerDesk,
                    minutes: service_minutes(
                        checked_in_at,
                        checked_out_at,
                        (new.starts_at, new.ends_at),
                        Duration::minutes(DEMO_GRACE_MINUTES),
                    ),
                    category: e.input.category.clone(),
                    organization_id: e.input.organization_id,
                    event_id: Some(event_ids[s.event]),
                    shift_id: Some(shift_ids[s.event][s.shift]),
                    signup_id: Some(id),
                    started_at: checked_in_at,
                    ended_at: checked_out_at,
                    note: None,
                    verified_by: organizer,
                    verified_at,
                });
            }
        }
        let signups = rows.len();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<signup::ActiveModel> = rows.by_ref().take(SIGNUP_BATCH).collect();
            signup::Entity::insert_many(batch)
                .exec_without_returning(&txn)
                .await?;
        }
        // The next live signup on a shift continues the numbering.
        for (event_seq, ids) in seq.iter().zip(&shift_ids) {
            for (&n, id) in event_seq.iter().zip(ids) {
                if n > 0 {
                    shift::Entity::update_many()
                        .col_expr(shift::Column::SignupSeq, Expr::value(n))
                        .filter(shift::Column::Id.eq(id.to_string()))
                        .exec(&txn)
                        .await?;
                }
            }
        }

        // Each volunteer's chain in the order the service happened. The accounts were created
        // in this transaction, so nobody else can be appending to their chains.
        verified.sort_by_key(|c| (c.volunteer_id, c.started_at, c.ended_at, c.shift_id));
        let ledger_entries = verified.len();
        for content in verified {
            ledger::append(&txn, content).await?;
        }

        // Both schools check the League's recommendation rule: 20 verified hours in the 12
        // months before the check date, so their staff see met and missing from the start.
        for school in [ORG_SCHOOL_1, ORG_SCHOOL_2] {
            let rule = Rule {
                min_minutes: 20 * 60,
                window: WindowKind::Rolling,
                window_days: Some(365),
                category_minimums: Default::default(),
                effective_from: now.date_naive() - Duration::days(365),
            };
            let org = district.organizations[school].id;
            let name = "团员推荐：近12个月志愿服务满20小时".to_string();
            requirements::insert_requirement(
                &txn,
                org,
                name,
                &rule,
                staff_id(STAFF_VERIFIER)?,
                now,
            )
            .await?;
        }

        // A few volunteers claim hours they served elsewhere in the neighbourhood, naming the
        // community centre, so its organizer has claims to decide from the start.
        let centre = district.organizations[ORG_CENTRE].id;
        let demo_claims = [
            ("社区图书馆整理图书", "community_service", 5, 2),
            ("敬老院陪伴老人", "elder_care", 9, 3),
            ("河道垃圾清理", "environment", 12, 2),
        ];
        for (i, (title, category, days_ago, hours)) in demo_claims.into_iter().enumerate() {
            let Some(volunteer) = volunteer_ids.get(1 + 7 * i) else {
                break;
            };
            let started_at = now - Duration::days(days_ago) - Duration::hours(hours + 2);
            let claim = ClaimInput {
                organization_id: Some(centre),
                host: None,
                title: title.into(),
                started_at,
                ended_at: started_at + Duration::hours(hours),
                category: category.into(),
                evidence_url: None,
                description: Some("社区中心工作人员在场，可以作证。".into()),
            }
            .validate("", now)?;
            let id = Uuid::new_v4().to_string();
            hour_claim::Entity::insert(claims::pending_row(
                &id,
                &volunteer.to_string(),
                &claim,
                now,
            ))
            .exec_without_returning(&txn)
            .await?;
        }

        txn.commit().await?;
        Ok(DemoSummary {
            loaded: true,
            organizations: district.organizations.len(),
            volunteers: district.volunteers.len(),
            events: district.events.len(),
            shifts: shift_ids.iter().map(Vec::len).sum(),
            signups,
            ledger_entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatabaseSettings;
    use hourbook_domain::demo::{
        DEFAULT_VOLUNTEER_COUNT, DEMO_CENTRE_EMAIL, DEMO_VOLUNTEER_EMAIL, generate,
    };
    use std::time::Duration as StdDuration;

    #[tokio::test]
    async fn loads_a_district_once_with_verified_hours() -> Result<()> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let store = Store::connect(&DatabaseSettings {
            url,
            max_connections: 4,
            acquire_timeout: StdDuration::from_secs(5),
        })
        .await?;
        store.migrate().await?;

        let today = "2027-05-17".parse().expect("date");
        let now: DateTime<Utc> = "2027-05-17T04:00:00Z".parse().expect("time");
        let district = generate(2027, today, DEFAULT_VOLUNTEER_COUNT);
        let verified = district
            .signups
            .iter()
            .filter(|s| s.status == SignupStatus::Verified)
            .count();
        let summary = store
            .load_demo(&district, "demo-hash", b"demo-key", now)
            .await?;
        assert!(summary.loaded);
        assert_eq!(summary.organizations, 4);
        assert_eq!(summary.volunteers, DEFAULT_VOLUNTEER_COUNT);
        assert_eq!(summary.events, 3);
        assert_eq!(summary.shifts, district.shift_count());
        assert_eq!(summary.signups, district.signups.len());
        assert_eq!(summary.ledger_entries, verified);
        assert!(summary.ledger_entries > 0);

        let again = store
            .load_demo(&district, "demo-hash", b"demo-key", now)
            .await?;
        assert!(!again.loaded);
        assert_eq!(again.signups, 0);

        // The community centre's organizer has claims to decide, pending and real.
        let centre = district.organizations[ORG_CENTRE].id;
        let (staff, _) = store
            .find_login(&Email::parse(DEMO_CENTRE_EMAIL)?)
            .await?
            .expect("the centre's organizer");
        let actor = store.actor(&staff).await?;
        let pending = store.organization_claims(&actor, centre, false).await?;
        assert_eq!(pending.len(), 3);
        assert!(pending.iter().all(|c| c.minutes >= 120 && c.ended_at < now));

        // Each shift's arrival counter matches its signups, so live signups continue after them.
        let shifts = shift::Entity::find().all(store.db()).await?;
        let rows = signup::Entity::find().all(store.db()).await?;
        assert_eq!(shifts.len(), summary.shifts);
        assert_eq!(rows.len(), summary.signups);
        for s in &shifts {
            let n = rows.iter().filter(|r| r.shift_id == s.id).count() as i64;
            assert_eq!(s.signup_seq, n);
        }

        let (volunteer, hash) = store
            .find_login(&Email::parse(DEMO_VOLUNTEER_EMAIL)?)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        assert_eq!(hash, "demo-hash");
        let hours = store.hours(volunteer.id, None, None).await?;
        assert!(hours.total_minutes > 0);
        assert!(hours.entries.len() >= 3);
        for pair in hours.entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash);
            assert!(pair[0].started_at < pair[1].started_at);
        }
        assert_eq!(
            hours.by_category.keys().collect::<Vec<_>>(),
            ["community_service"]
        );
        Ok(())
    }
}
