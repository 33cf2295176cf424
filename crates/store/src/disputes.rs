//! Corrections and disputes. Nothing in the ledger is ever changed: a correction is a new
//! entry of the difference, with its reason, by the organization that recorded the original;
//! a volunteer disputes an entry and the organization answers with a correction or a reasoned
//! rejection. Both sides see the whole history.

use crate::entities::{dispute, ledger_correction, ledger_entry, organization};
use crate::ledger::{LedgerEntry, MAX_ENTRY_MINUTES, append, content_of, entry_view};
use crate::signups::lock_account;
use crate::{Result, Store, StoreError, parse_id, parse_name, retrying, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::ledger::{EntryKind, EntrySource};
use hourbook_domain::text::multi_line;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use strum::{AsRefStr, EnumString, IntoStaticStr};
use uuid::Uuid;

/// Where a dispute stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DisputeStatus {
    /// Waiting for the organization.
    Open,
    /// Answered with a correction entry.
    Corrected,
    /// Answered with a reasoned rejection.
    Rejected,
}

/// A dispute with its answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dispute {
    /// Id.
    pub id: Uuid,
    /// The disputed entry.
    pub entry_id: Uuid,
    /// Whose entry.
    pub volunteer_id: Uuid,
    /// The organization that recorded it.
    pub organization_id: Uuid,
    /// The volunteer's reason.
    pub reason: String,
    /// Where it stands.
    pub status: DisputeStatus,
    /// The organization's answer (the correction's reason, or why it was rejected).
    pub answer: Option<String>,
    /// The correction entry, when corrected.
    pub correction_entry_id: Option<Uuid>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
}

/// An entry with its corrections and disputes, as both sides see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryHistory {
    /// The entry.
    pub entry: LedgerEntry,
    /// Its corrections, oldest first.
    pub corrections: Vec<LedgerEntry>,
    /// Its minutes after the corrections.
    pub corrected_minutes: i64,
    /// Its disputes, oldest first.
    pub disputes: Vec<Dispute>,
}

fn dispute_of(m: dispute::Model) -> Result<Dispute> {
    Ok(Dispute {
        id: parse_id(&m.id)?,
        entry_id: parse_id(&m.entry_id)?,
        volunteer_id: parse_id(&m.volunteer_id)?,
        organization_id: parse_id(&m.organization_id)?,
        reason: m.reason,
        status: parse_name(&m.status)?,
        answer: m.answer,
        correction_entry_id: m.correction_entry_id.as_deref().map(parse_id).transpose()?,
        created_at: m.created_at,
        answered_at: m.answered_at,
    })
}

/// A reason someone must give (for a correction, a dispute, a rejection): 1 to 1000
/// characters.
pub(crate) fn reason(raw: &str, field: &str) -> Result<String> {
    let text = multi_line(raw, field, 1000)?;
    if text.is_empty() {
        return Err(DomainError::invalid(field, "say why").into());
    }
    Ok(text)
}

async fn entry(db: &impl ConnectionTrait, id: Uuid) -> Result<ledger_entry::Model> {
    ledger_entry::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("ledger entry"))
}

async fn view(db: &impl ConnectionTrait, m: ledger_entry::Model) -> Result<LedgerEntry> {
    let name = organization::Entity::find_by_id(m.organization_id.clone())
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    entry_view(m, name, None)
}

impl Store {
    /// Appends a correction of `entry_id` by `minutes_delta`, with its reason; answers the
    /// entry's open dispute, if any. Only the recording organization's verifiers correct, and
    /// never their own hours; an entry never goes below zero minutes.
    pub async fn correct_entry(
        &self,
        actor: &Actor,
        entry_id: Uuid,
        minutes_delta: i64,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<LedgerEntry> {
        let why = reason(why, "reason")?;
        if minutes_delta == 0 || !(-MAX_ENTRY_MINUTES..=MAX_ENTRY_MINUTES).contains(&minutes_delta)
        {
            return Err(DomainError::invalid(
                "minutes_delta",
                format!("must be between -{MAX_ENTRY_MINUTES} and {MAX_ENTRY_MINUTES}, and not 0"),
            )
            .into());
        }
        retrying(|| self.correct_entry_once(actor, entry_id, minutes_delta, why.clone(), now)).await
    }

    async fn correct_entry_once(
        &self,
        actor: &Actor,
        entry_id: Uuid,
        minutes_delta: i64,
        why: String,
        now: DateTime<Utc>,
    ) -> Result<LedgerEntry> {
        let txn = self.write().await?;
        let original = entry(&txn, entry_id).await?;
        let org = parse_id(&original.organization_id)?;
        // The volunteer sees their own entry: to them this is "not allowed", not "not found".
        if original.volunteer_id == actor.account_id.to_string() {
            return Err(StoreError::Forbidden("nobody corrects their own hours"));
        }
        if !actor.may_verify(org) {
            // Other organizations do not learn the entry exists.
            return Err(StoreError::NotFound("ledger entry"));
        }
        if parse_name::<EntryKind>(&original.kind)? == EntryKind::Correction {
            return Err(StoreError::conflict(
                "correct the original entry, not a correction",
            ));
        }
        // The volunteer's lock keeps their chain from forking.
        lock_account(&txn, &original.volunteer_id).await?;
        let earlier: i64 = corrections_of(&txn, &original.id)
            .await?
            .iter()
            .map(|c| c.minutes)
            .sum();
        let standing = original.minutes + earlier;
        if !(0..=MAX_ENTRY_MINUTES).contains(&(standing + minutes_delta)) {
            return Err(DomainError::invalid(
                "minutes_delta",
                format!(
                    "the entry must stay between 0 and {MAX_ENTRY_MINUTES} minutes: it stands at {standing}"
                ),
            )
            .into());
        }
        let mut content = content_of(&original)?;
        content.id = Uuid::new_v4();
        content.kind = EntryKind::Correction;
        // One service entry per signup: the correction points at the entry instead.
        content.signup_id = None;
        content.source = EntrySource::Correction;
        content.minutes = minutes_delta;
        content.note = Some(why.clone());
        content.verified_by = actor.account_id;
        content.verified_at = now;
        let correction = append(&txn, content).await?;
        ledger_correction::Entity::insert(ledger_correction::ActiveModel {
            correction_entry_id: Set(correction.id.clone()),
            corrected_entry_id: Set(original.id.clone()),
        })
        .exec_without_returning(&txn)
        .await?;
        dispute::Entity::update_many()
            .col_expr(
                dispute::Column::Status,
                Expr::value(DisputeStatus::Corrected.as_ref()),
            )
            .col_expr(dispute::Column::Answer, Expr::value(why.clone()))
            .col_expr(
                dispute::Column::AnsweredBy,
                Expr::value(actor.account_id.to_string()),
            )
            .col_expr(
                dispute::Column::CorrectionEntryId,
                Expr::value(correction.id.clone()),
            )
            .col_expr(dispute::Column::AnsweredAt, Expr::value(seconds(now)))
            .filter(dispute::Column::EntryId.eq(original.id.clone()))
            .filter(dispute::Column::Status.eq(DisputeStatus::Open.as_ref()))
            .exec(&txn)
            .await?;
        let entry = view(&txn, correction).await?;
        crate::outbox::enqueue_for_account(
            &txn,
            crate::outbox::MessageKind::CorrectionMade,
            &original.volunteer_id,
            serde_json::json!({
                "entry_id": original.id, "organization_name": entry.organization.name,
                "started_at": original.started_at, "ended_at": original.ended_at,
                "previous_minutes": standing, "minutes": standing + minutes_delta,
                "note": why,
            }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(entry)
    }

    /// The volunteer disputes one of their entries; one open dispute per entry.
    pub async fn dispute_entry(
        &self,
        actor: &Actor,
        entry_id: Uuid,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Dispute> {
        let why = reason(why, "reason")?;
        let txn = self.write().await?;
        let mut original = entry(&txn, entry_id).await?;
        if original.volunteer_id != actor.account_id.to_string() {
            return Err(StoreError::NotFound("ledger entry"));
        }
        // A correction is answered by correcting the original again: the dispute is about it.
        if let Some(link) = ledger_correction::Entity::find_by_id(original.id.clone())
            .one(&txn)
            .await?
        {
            original = entry(&txn, parse_id(&link.corrected_entry_id)?).await?;
        }
        lock_account(&txn, &original.volunteer_id).await?;
        let open = dispute::Entity::find()
            .filter(dispute::Column::EntryId.eq(original.id.clone()))
            .filter(dispute::Column::Status.eq(DisputeStatus::Open.as_ref()))
            .one(&txn)
            .await?;
        if open.is_some() {
            return Err(StoreError::conflict(
                "this entry already has an open dispute",
            ));
        }
        let id = Uuid::new_v4().to_string();
        dispute::Entity::insert(dispute::ActiveModel {
            id: Set(id.clone()),
            entry_id: Set(original.id.clone()),
            volunteer_id: Set(original.volunteer_id.clone()),
            organization_id: Set(original.organization_id.clone()),
            reason: Set(why),
            status: Set(DisputeStatus::Open.as_ref().into()),
            answer: Set(None),
            answered_by: Set(None),
            correction_entry_id: Set(None),
            created_at: Set(seconds(now)),
            answered_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await?;
        let model = dispute::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("dispute"))?;
        txn.commit().await?;
        dispute_of(model)
    }

    /// The organization rejects an open dispute, saying why.
    pub async fn reject_dispute(
        &self,
        actor: &Actor,
        dispute_id: Uuid,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Dispute> {
        let why = reason(why, "reason")?;
        let txn = self.write().await?;
        let found = dispute::Entity::find_by_id(dispute_id.to_string())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("dispute"))?;
        // The volunteer knows their own dispute: to them this is "not allowed", not "not found".
        if found.volunteer_id == actor.account_id.to_string() {
            return Err(StoreError::Forbidden("nobody answers their own dispute"));
        }
        if !actor.may_verify(parse_id(&found.organization_id)?) {
            return Err(StoreError::NotFound("dispute"));
        }
        let answered = dispute::Entity::update_many()
            .col_expr(
                dispute::Column::Status,
                Expr::value(DisputeStatus::Rejected.as_ref()),
            )
            .col_expr(dispute::Column::Answer, Expr::value(why))
            .col_expr(
                dispute::Column::AnsweredBy,
                Expr::value(actor.account_id.to_string()),
            )
            .col_expr(dispute::Column::AnsweredAt, Expr::value(seconds(now)))
            .filter(dispute::Column::Id.eq(found.id.clone()))
            .filter(dispute::Column::Status.eq(DisputeStatus::Open.as_ref()))
            .exec(&txn)
            .await?;
        if answered.rows_affected == 0 {
            return Err(StoreError::conflict("the dispute is already answered"));
        }
        let model = dispute::Entity::find_by_id(found.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("dispute"))?;
        txn.commit().await?;
        dispute_of(model)
    }

    /// An organization's disputes, oldest first; only open ones unless `all`.
    pub async fn organization_disputes(
        &self,
        actor: &Actor,
        org: Uuid,
        all: bool,
    ) -> Result<Vec<Dispute>> {
        self.organization(org).await?;
        if !actor.may_verify(org) {
            return Err(StoreError::Forbidden(
                "only the organization's verifiers see its disputes",
            ));
        }
        let mut query =
            dispute::Entity::find().filter(dispute::Column::OrganizationId.eq(org.to_string()));
        if !all {
            query = query.filter(dispute::Column::Status.eq(DisputeStatus::Open.as_ref()));
        }
        query
            .order_by_asc(dispute::Column::CreatedAt)
            .order_by_asc(dispute::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(dispute_of)
            .collect()
    }

    /// The actor's own disputes, oldest first.
    pub async fn my_disputes(&self, actor: &Actor) -> Result<Vec<Dispute>> {
        dispute::Entity::find()
            .filter(dispute::Column::VolunteerId.eq(actor.account_id.to_string()))
            .order_by_asc(dispute::Column::CreatedAt)
            .all(self.db())
            .await?
            .into_iter()
            .map(dispute_of)
            .collect()
    }

    /// An entry with its corrections and disputes: for its volunteer and the recording
    /// organization's verifiers.
    pub async fn entry_history(&self, actor: &Actor, entry_id: Uuid) -> Result<EntryHistory> {
        let original = entry(self.db(), entry_id).await?;
        let own = original.volunteer_id == actor.account_id.to_string();
        if !own && !actor.may_verify(parse_id(&original.organization_id)?) {
            return Err(StoreError::NotFound("ledger entry"));
        }
        let mut corrections = Vec::new();
        for c in corrections_of(self.db(), &original.id).await? {
            corrections.push(view(self.db(), c).await?);
        }
        let corrected_minutes =
            original.minutes + corrections.iter().map(|c| c.minutes).sum::<i64>();
        let disputes = dispute::Entity::find()
            .filter(dispute::Column::EntryId.eq(original.id.clone()))
            .order_by_asc(dispute::Column::CreatedAt)
            .all(self.db())
            .await?
            .into_iter()
            .map(dispute_of)
            .collect::<Result<Vec<_>>>()?;
        Ok(EntryHistory {
            entry: view(self.db(), original).await?,
            corrections,
            corrected_minutes,
            disputes,
        })
    }
}

async fn corrections_of(
    db: &impl ConnectionTrait,
    entry_id: &str,
) -> Result<Vec<ledger_entry::Model>> {
    let ids: Vec<String> = ledger_correction::Entity::find()
        .filter(ledger_correction::Column::CorrectedEntryId.eq(entry_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.correction_entry_id)
        .collect();
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::Id.is_in(ids))
        .order_by_asc(ledger_entry::Column::ChainIndex)
        .all(db)
        .await?)
}
