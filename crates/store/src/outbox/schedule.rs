//! Messages queued by the clock rather than by a change: shift reminders and the organizers'
//! daily list of records coming due. Each carries a de-duplication key, so any number of
//! workers running the schedule at once, or again after a restart, queue it exactly once.

use super::{MessageKind, enqueue_once, shift_payload, with};
use crate::entities::{membership, organization, outbox_message, shift, signup};
use crate::records::{PendingRecord, RecordDeadline};
use crate::shifts::{SHIFT_OPEN, shift_context};
use crate::{Result, Store};
use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use hourbook_domain::MemberRole;
use hourbook_domain::deadline::add_working_days;
use hourbook_domain::roster::SignupStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashSet};

/// When organizers hear about records coming due.
#[derive(Debug, Clone, Copy)]
pub struct DigestPolicy {
    /// The deadline rule.
    pub deadline: RecordDeadline,
    /// Local hour of the day from which the day's digest goes out.
    pub hour: u32,
    /// A digest goes out on days when a record is overdue or due within this many working
    /// days.
    pub warn_within_working_days: u32,
}

impl Store {
    /// Queues the reminders now due: 24 hours before a confirmed shift and 2 hours before it.
    /// A reminder goes only to signups confirmed before its lead time (a fresh confirmation
    /// already said it all), and the 24-hour one not once the 2-hour one is due.
    pub async fn enqueue_due_reminders(&self, now: DateTime<Utc>) -> Result<usize> {
        let shifts = shift::Entity::find()
            .filter(shift::Column::Status.eq(SHIFT_OPEN))
            .filter(shift::Column::StartsAt.gt(now))
            .filter(shift::Column::StartsAt.lte(now + Duration::hours(24)))
            .all(self.db())
            .await?;
        let mut queued = 0;
        for shift in shifts {
            let (kind, lead) = if shift.starts_at - now <= Duration::hours(2) {
                (MessageKind::Reminder2h, Duration::hours(2))
            } else {
                (MessageKind::Reminder24h, Duration::hours(24))
            };
            let signups = signup::Entity::find()
                .filter(signup::Column::ShiftId.eq(shift.id.clone()))
                .filter(signup::Column::Status.eq(SignupStatus::Confirmed.as_str()))
                .filter(signup::Column::UpdatedAt.lte(shift.starts_at - lead))
                .all(self.db())
                .await?;
            let keys: Vec<String> = signups
                .iter()
                .map(|s| format!("{}:{}", kind.name(), s.id))
                .collect();
            let done = existing_keys(self, &keys).await?;
            if keys.iter().all(|k| done.contains(k)) {
                continue;
            }
            let ctx = shift_context(self.db(), &shift.id).await?;
            for (s, key) in signups.iter().zip(keys) {
                if done.contains(&key) {
                    continue;
                }
                let payload = with(shift_payload(&ctx), "signup_id", s.id.clone());
                if enqueue_once(self.db(), kind, &s.volunteer_id, payload, Some(key), now).await? {
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }

    /// Queues today's digest for each organizer and verifier of an organization with a
    /// record overdue or coming due, on working days once the local day has reached
    /// `policy.hour`. Returns `None` when today's digests are not due yet (or not at all:
    /// deadlines count working days, and so do reminders of them).
    pub async fn enqueue_overdue_digests(
        &self,
        policy: DigestPolicy,
        now: DateTime<Utc>,
    ) -> Result<Option<usize>> {
        let local = now.with_timezone(&policy.deadline.timezone);
        if local.hour() < policy.hour || matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
            return Ok(None);
        }
        let today = local.date_naive();
        let warn_by = add_working_days(today, policy.warn_within_working_days);
        let mut by_org: BTreeMap<uuid::Uuid, Vec<PendingRecord>> = BTreeMap::new();
        for r in self.all_pending_records(None, policy.deadline, now).await? {
            by_org.entry(r.organization_id).or_default().push(r);
        }
        let mut queued = 0;
        for (org_id, records) in by_org {
            if !records.iter().any(|r| r.due_by <= warn_by) {
                continue;
            }
            let Some(org) = organization::Entity::find_by_id(org_id.to_string())
                .one(self.db())
                .await?
            else {
                continue;
            };
            let payload = serde_json::json!({
                "organization_id": org.id, "organization_name": org.name,
                "records": records.iter().map(|r| serde_json::json!({
                    "signup_id": r.signup_id, "volunteer_name": r.volunteer.name,
                    "event_title": r.event_title, "shift_title": r.shift_title,
                    "shift_id": r.shift_id, "ended_at": r.ended_at,
                    "due_by": r.due_by, "overdue": r.overdue,
                })).collect::<Vec<_>>(),
            });
            let members = membership::Entity::find()
                .filter(membership::Column::OrganizationId.eq(org.id.clone()))
                .all(self.db())
                .await?;
            let mut recipients: Vec<String> = members
                .into_iter()
                .filter(|m| {
                    m.role
                        .parse::<MemberRole>()
                        .is_ok_and(MemberRole::may_verify)
                })
                .map(|m| m.account_id)
                .collect();
            recipients.sort();
            recipients.dedup();
            for account_id in recipients {
                let key = format!(
                    "{}:{}:{}:{today}",
                    MessageKind::OverdueDigest.name(),
                    org.id,
                    account_id
                );
                if enqueue_once(
                    self.db(),
                    MessageKind::OverdueDigest,
                    &account_id,
                    payload.clone(),
                    Some(key),
                    now,
                )
                .await?
                {
                    queued += 1;
                }
            }
        }
        Ok(Some(queued))
    }
}

async fn existing_keys(store: &Store, keys: &[String]) -> Result<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(outbox_message::Entity::find()
        .filter(outbox_message::Column::DedupeKey.is_in(keys.iter().cloned()))
        .all(store.db())
        .await?
        .into_iter()
        .filter_map(|m| m.dedupe_key)
        .collect())
}
