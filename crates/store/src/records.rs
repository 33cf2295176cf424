//! Attended shifts whose hours are not yet verified, with their deadline.

use crate::entities::{account, event, shift, signup};
use crate::policies::{default_policy, record_policy};
use crate::shifts::SHIFT_CANCELLED;
use crate::signups::transition;
use crate::{Result, Store, StoreError, parse_id};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::deadline::add_working_days;
use hourbook_domain::roster::SignupStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// When records fall due.
#[derive(Debug, Clone, Copy)]
pub struct RecordDeadline {
    /// Working days after the shift's last day, for organizations that set no deadline of
    /// their own.
    pub working_days: u32,
    /// The calendar the days are counted in.
    pub timezone: Tz,
}

/// Who attended (by name and number only: the organizer already knows them from the roster).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordVolunteer {
    /// Account id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Volunteer number.
    pub volunteer_number: String,
}

/// An attended shift awaiting verification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingRecord {
    /// The signup to verify (`POST /api/v1/signups/{id}/verify`).
    pub signup_id: Uuid,
    /// Its status: `checked_out`, or `checked_in` when the volunteer forgot to check out.
    pub status: String,
    /// Who.
    pub volunteer: RecordVolunteer,
    /// Organization.
    pub organization_id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Event title.
    pub event_title: String,
    /// Shift.
    pub shift_id: Uuid,
    /// Shift title.
    pub shift_title: String,
    /// When the shift ended.
    pub ended_at: DateTime<Utc>,
    /// Check-in time.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Check-out time.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// The volunteer forgot to check out: the check-out was closed at the shift's end. Worth a
    /// look before verifying.
    pub checked_out_automatically: bool,
    /// The last day to verify it.
    pub due_by: NaiveDate,
    /// Past its deadline.
    pub overdue: bool,
}

impl Store {
    /// Closes the check-outs volunteers forgot: a signup still checked in when its shift ended
    /// more than `grace` ago is checked out at the shift's end and flagged for the organizer.
    /// Returns how many were closed.
    pub async fn close_forgotten_check_outs(
        &self,
        grace: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let open = signup::Entity::find()
            .filter(signup::Column::Status.eq(SignupStatus::CheckedIn.as_str()))
            .all(self.db())
            .await?;
        let ended: HashMap<String, DateTime<Utc>> = shift::Entity::find()
            .filter(shift::Column::Id.is_in(open.iter().map(|s| s.shift_id.clone())))
            .filter(shift::Column::EndsAt.lt(now - grace))
            .all(self.db())
            .await?
            .into_iter()
            .map(|s| (s.id, s.ends_at))
            .collect();
        let mut closed = 0;
        for s in open {
            let Some(ends_at) = ended.get(&s.shift_id) else {
                continue;
            };
            // Conditional on still being checked in: a check-out that lands first wins.
            let more = vec![
                (signup::Column::CheckedOutAt, Expr::value(*ends_at)),
                (signup::Column::CheckedOutAutomatically, Expr::value(true)),
            ];
            let txn = self.write().await?;
            match transition(
                &txn,
                &s.id,
                SignupStatus::CheckedIn,
                SignupStatus::CheckedOut,
                more,
                now,
            )
            .await
            {
                Ok(()) => {
                    txn.commit().await?;
                    closed += 1;
                }
                Err(StoreError::Domain(DomainError::Conflict(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    /// Every attended, unverified shift whose end has passed, oldest first; only for
    /// `organization` when given.
    pub(crate) async fn all_pending_records(
        &self,
        organization: Option<Uuid>,
        deadline: RecordDeadline,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingRecord>> {
        let attended = signup::Entity::find()
            .filter(signup::Column::Status.is_in([
                SignupStatus::CheckedIn.as_str(),
                SignupStatus::CheckedOut.as_str(),
            ]))
            .all(self.db())
            .await?;
        if attended.is_empty() {
            return Ok(vec![]);
        }
        let shifts: HashMap<String, shift::Model> = shift::Entity::find()
            .filter(shift::Column::Id.is_in(attended.iter().map(|s| s.shift_id.clone())))
            .filter(shift::Column::EndsAt.lte(now))
            .filter(shift::Column::Status.ne(SHIFT_CANCELLED))
            .all(self.db())
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut events = event::Entity::find()
            .filter(event::Column::Id.is_in(shifts.values().map(|s| s.event_id.clone())));
        if let Some(org) = organization {
            events = events.filter(event::Column::OrganizationId.eq(org.to_string()));
        }
        let events: HashMap<String, event::Model> = events
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let people: HashMap<String, account::Model> = account::Entity::find()
            .filter(account::Column::Id.is_in(attended.iter().map(|s| s.volunteer_id.clone())))
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        let today = now.with_timezone(&deadline.timezone).date_naive();
        // Each organization's own deadline, where it set one.
        let mut working_days: HashMap<String, u32> = HashMap::new();
        let orgs: std::collections::BTreeSet<String> =
            events.values().map(|e| e.organization_id.clone()).collect();
        for org in orgs {
            let policy =
                record_policy(self.db(), &org, default_policy(deadline.working_days)).await?;
            working_days.insert(org, policy.deadline_working_days);
        }
        let mut records = Vec::new();
        for s in attended {
            let Some(shift) = shifts.get(&s.shift_id) else {
                continue;
            };
            let Some(event) = events.get(&shift.event_id) else {
                continue;
            };
            let person = people
                .get(&s.volunteer_id)
                .ok_or(StoreError::NotFound("account"))?;
            let ended_on = shift.ends_at.with_timezone(&deadline.timezone).date_naive();
            let days = working_days
                .get(&event.organization_id)
                .copied()
                .unwrap_or(deadline.working_days);
            let due_by = add_working_days(ended_on, days);
            records.push(PendingRecord {
                signup_id: parse_id(&s.id)?,
                status: s.status.clone(),
                volunteer: RecordVolunteer {
                    id: parse_id(&person.id)?,
                    name: person.name.clone(),
                    volunteer_number: person.volunteer_number.clone(),
                },
                organization_id: parse_id(&event.organization_id)?,
                event_id: parse_id(&event.id)?,
                event_title: event.title.clone(),
                shift_id: parse_id(&shift.id)?,
                shift_title: shift.title.clone(),
                ended_at: shift.ends_at,
                checked_in_at: s.checked_in_at,
                checked_out_at: s.checked_out_at,
                checked_out_automatically: s.checked_out_automatically,
                due_by,
                overdue: due_by < today,
            });
        }
        records.sort_by(|a, b| {
            a.ended_at
                .cmp(&b.ended_at)
                .then(a.signup_id.cmp(&b.signup_id))
        });
        Ok(records)
    }

    /// An organization's records to verify (`GET /organizations/{id}/pending-records`), for
    /// those who may verify them.
    pub async fn pending_records(
        &self,
        actor: &Actor,
        organization_id: Uuid,
        deadline: RecordDeadline,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingRecord>> {
        self.organization(organization_id).await?;
        if !actor.may_verify(organization_id) {
            return Err(StoreError::Forbidden(
                "only the organization's organizers and verifiers see its records",
            ));
        }
        self.all_pending_records(Some(organization_id), deadline, now)
            .await
    }
}
