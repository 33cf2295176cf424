//! Organizations' recording rules.

use crate::entities::record_policy;
use crate::{Result, Store, StoreError, parse_name, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::policy::{PolicyInput, RecordPolicy, Rounding};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// An organization's rules, or `defaults` when it has set none.
pub(crate) async fn record_policy(
    db: &impl ConnectionTrait,
    org: &str,
    defaults: RecordPolicy,
) -> Result<RecordPolicy> {
    Ok(
        match record_policy::Entity::find_by_id(org.to_string())
            .one(db)
            .await?
        {
            Some(p) => RecordPolicy {
                rounding: parse_name(&p.rounding)?,
                max_minutes_per_day: p.max_minutes_per_day,
                deadline_working_days: p.deadline_working_days.max(1) as u32,
            },
            None => defaults,
        },
    )
}

/// The rules of an organization that set none: exact minutes, no daily maximum, the
/// configured deadline.
pub fn default_policy(deadline_working_days: u32) -> RecordPolicy {
    RecordPolicy {
        rounding: Rounding::Exact,
        max_minutes_per_day: None,
        deadline_working_days,
    }
}

impl Store {
    /// An organization's recording rules (anyone signed in may read them: volunteers see how
    /// their time will count).
    pub async fn record_policy(&self, org: Uuid, defaults: RecordPolicy) -> Result<RecordPolicy> {
        self.organization(org).await?;
        record_policy(self.db(), &org.to_string(), defaults).await
    }

    /// Sets an organization's recording rules (its admins). They apply to records verified
    /// from now on; entries already in the ledger stay as they are.
    pub async fn set_record_policy(
        &self,
        actor: &Actor,
        org: Uuid,
        input: PolicyInput,
        now: DateTime<Utc>,
    ) -> Result<RecordPolicy> {
        self.organization(org).await?;
        if !actor.admin_of(org) {
            return Err(StoreError::Forbidden(
                "only the organization's admins set its rules",
            ));
        }
        let policy = input.validate()?;
        record_policy::Entity::insert(record_policy::ActiveModel {
            organization_id: Set(org.to_string()),
            rounding: Set(<&str>::from(policy.rounding).to_string()),
            max_minutes_per_day: Set(policy.max_minutes_per_day),
            deadline_working_days: Set(policy.deadline_working_days as i32),
            updated_by: Set(actor.account_id.to_string()),
            updated_at: Set(seconds(now)),
        })
        .on_conflict(
            OnConflict::column(record_policy::Column::OrganizationId)
                .update_columns([
                    record_policy::Column::Rounding,
                    record_policy::Column::MaxMinutesPerDay,
                    record_policy::Column::DeadlineWorkingDays,
                    record_policy::Column::UpdatedBy,
                    record_policy::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(policy)
    }
}
