//! The hours ledger: append-only, hash-chained per volunteer.
//!
//! This module only ever inserts and reads `ledger_entries`; the database refuses UPDATE and
//! DELETE on the table outright (see the migration's triggers).

use crate::entities::{ledger_entry, organization};
use crate::outbox::{self, MessageKind};
use crate::policies::{default_policy, record_policy};
use crate::signups::{CHECKED_IN_WITH_CODE, SignupAccess, SignupRules, transition};
use crate::{Result, Store, StoreError, parse_id, parse_name, retrying, seconds};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::ledger::{EntryContent, EntryKind, EntrySource, GENESIS_HASH, Provenance};
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::service_time::service_minutes;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Largest number of minutes a single shift may be credited (its 24-hour maximum).
pub(crate) const MAX_ENTRY_MINUTES: i64 = 24 * 60;

/// Body of `POST /api/v1/signups/{id}/verify`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// Minutes to credit instead of the computed service time (needs a note).
    #[serde(default)]
    pub minutes: Option<i64>,
    /// Why the minutes were adjusted.
    #[serde(default)]
    pub note: Option<String>,
}

/// A ledger entry as shown to the volunteer and the recording organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    /// Id.
    pub id: Uuid,
    /// Whose hours.
    pub volunteer_id: Uuid,
    /// `service`, `correction` or `claim`.
    pub kind: EntryKind,
    /// How the time became known.
    pub source: EntrySource,
    /// Minutes credited.
    pub minutes: i64,
    /// Minutes computed from check-in and check-out, for comparison with an adjustment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_minutes: Option<i64>,
    /// Category.
    pub category: String,
    /// Recording organization.
    pub organization: OrganizationRef,
    /// Event.
    pub event: Option<Uuid>,
    /// Shift.
    pub shift: Option<Uuid>,
    /// Signup.
    pub signup_id: Option<Uuid>,
    /// Service start.
    pub started_at: DateTime<Utc>,
    /// Service end.
    pub ended_at: DateTime<Utc>,
    /// Note.
    pub note: Option<String>,
    /// Verifier.
    pub verified_by: Uuid,
    /// Verification time.
    pub verified_at: DateTime<Utc>,
    /// This entry's chain hash.
    pub hash: String,
    /// The previous entry's hash.
    pub prev_hash: String,
}

/// An organization's id and name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganizationRef {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// `GET /api/v1/me/hours`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HoursSummary {
    /// Sum of verified minutes in the period.
    pub total_minutes: i64,
    /// Minutes per category.
    pub by_category: BTreeMap<String, i64>,
    /// The total split: recorded on site (check-in and check-out) or entered by hand
    /// (adjusted, claimed, corrected, imported); each entry's `source` says which.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The entries, oldest first.
    pub entries: Vec<LedgerEntry>,
}

pub(crate) fn content_of(m: &ledger_entry::Model) -> Result<EntryContent> {
    let opt = |v: &Option<String>| v.as_deref().map(parse_id).transpose();
    Ok(EntryContent {
        id: parse_id(&m.id)?,
        volunteer_id: parse_id(&m.volunteer_id)?,
        chain_index: m.chain_index,
        kind: parse_name(&m.kind)?,
        source: parse_name(&m.source)?,
        minutes: m.minutes,
        category: m.category.clone(),
        organization_id: parse_id(&m.organization_id)?,
        event_id: opt(&m.event_id)?,
        shift_id: opt(&m.shift_id)?,
        signup_id: opt(&m.signup_id)?,
        started_at: m.started_at,
        ended_at: m.ended_at,
        note: m.note.clone(),
        verified_by: parse_id(&m.verified_by)?,
        verified_at: m.verified_at,
    })
}

pub(crate) fn entry_view(
    m: ledger_entry::Model,
    organization_name: String,
    computed: Option<i64>,
) -> Result<LedgerEntry> {
    let c = content_of(&m)?;
    Ok(LedgerEntry {
        id: c.id,
        volunteer_id: c.volunteer_id,
        kind: c.kind,
        source: c.source,
        minutes: c.minutes,
        computed_minutes: computed,
        category: c.category,
        organization: OrganizationRef {
            id: c.organization_id,
            name: organization_name,
        },
        event: c.event_id,
        shift: c.shift_id,
        signup_id: c.signup_id,
        started_at: c.started_at,
        ended_at: c.ended_at,
        note: c.note,
        verified_by: c.verified_by,
        verified_at: c.verified_at,
        hash: m.hash,
        prev_hash: m.prev_hash,
    })
}

/// Appends an entry to its volunteer's chain. The caller holds the volunteer's row lock, so
/// the chain's tail cannot move underneath; the unique (volunteer, chain_index) index is the
/// last line of defence.
pub(crate) async fn append(
    db: &impl ConnectionTrait,
    mut content: EntryContent,
) -> Result<ledger_entry::Model> {
    let tail = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::VolunteerId.eq(content.volunteer_id.to_string()))
        .order_by_desc(ledger_entry::Column::ChainIndex)
        .one(db)
        .await?;
    let (prev_hash, next_index) = match tail {
        Some(t) => (t.hash, t.chain_index + 1),
        None => (GENESIS_HASH.to_string(), 1),
    };
    content.chain_index = next_index;
    content.started_at = seconds(content.started_at);
    content.ended_at = seconds(content.ended_at);
    content.verified_at = seconds(content.verified_at);
    let hash = content.chain_hash(&prev_hash);
    let model = ledger_entry::Model {
        id: content.id.to_string(),
        volunteer_id: content.volunteer_id.to_string(),
        chain_index: content.chain_index,
        kind: content.kind.as_ref().to_string(),
        source: content.source.as_ref().to_string(),
        minutes: content.minutes,
        category: content.category.clone(),
        organization_id: content.organization_id.to_string(),
        event_id: content.event_id.map(|u| u.to_string()),
        shift_id: content.shift_id.map(|u| u.to_string()),
        signup_id: content.signup_id.map(|u| u.to_string()),
        started_at: content.started_at,
        ended_at: content.ended_at,
        note: content.note.clone(),
        verified_by: content.verified_by.to_string(),
        verified_at: content.verified_at,
        hash,
        prev_hash,
    };
    let active: ledger_entry::ActiveModel = model.clone().into();
    ledger_entry::Entity::insert(active)
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

impl Store {
    /// Verifies a checked-out signup's hours into the ledger.
    pub async fn verify_signup(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        input: VerifyInput,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<LedgerEntry> {
        let note = input
            .note
            .map(|n| hourbook_domain::text::multi_line(&n, "note", 1000))
            .transpose()?
            .filter(|n| !n.is_empty());
        if let Some(minutes) = input.minutes {
            if !(0..=MAX_ENTRY_MINUTES).contains(&minutes) {
                return Err(DomainError::invalid(
                    "minutes",
                    format!("must be between 0 and {MAX_ENTRY_MINUTES}"),
                )
                .into());
            }
            if note.is_none() {
                return Err(DomainError::invalid(
                    "note",
                    "say why the minutes differ from the recorded time",
                )
                .into());
            }
        }
        if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
            return Err(DomainError::invalid("note", "must be at most 1000 characters").into());
        }
        retrying(|| {
            self.verify_signup_once(actor, signup_id, input.minutes, note.clone(), rules, now)
        })
        .await
    }

    async fn verify_signup_once(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        minutes: Option<i64>,
        note: Option<String>,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<LedgerEntry> {
        let txn = self.write().await?;
        // The volunteer's account lock also keeps their ledger chain from forking.
        let access = SignupAccess::lock(&txn, actor, signup_id).await?;
        if access.own {
            return Err(StoreError::Forbidden("nobody verifies their own hours"));
        }
        if !access.verifier {
            return Err(StoreError::Forbidden(
                "only the event's organization verifies its hours",
            ));
        }
        let (model, ctx) = (&access.model, &access.ctx);
        let status: SignupStatus = parse_name(&model.status)?;
        if status == SignupStatus::Verified {
            return Err(StoreError::conflict("these hours are already verified"));
        }
        let (Some(checked_in_at), Some(checked_out_at), SignupStatus::CheckedOut) =
            (model.checked_in_at, model.checked_out_at, status)
        else {
            return Err(StoreError::conflict(
                "only a checked-out signup can be verified",
            ));
        };
        let computed = service_minutes(
            checked_in_at,
            checked_out_at,
            (ctx.shift.starts_at, ctx.shift.ends_at),
            rules.grace,
        );
        // The organization's rules: rounding of computed time, and a daily maximum counted
        // over what it already credited this volunteer on the same local day.
        // (The deadline plays no part here.)
        let policy = record_policy(&txn, &ctx.event.organization_id, default_policy(10)).await?;
        let day = |t: DateTime<Utc>| t.with_timezone(&rules.timezone).date_naive();
        let already_today: i64 = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::VolunteerId.eq(model.volunteer_id.clone()))
            .filter(ledger_entry::Column::OrganizationId.eq(ctx.event.organization_id.clone()))
            .filter(ledger_entry::Column::StartedAt.gte(checked_in_at - Duration::days(1)))
            .filter(ledger_entry::Column::StartedAt.lte(checked_in_at + Duration::days(1)))
            .all(&txn)
            .await?
            .iter()
            .filter(|e| day(e.started_at) == day(checked_in_at))
            .map(|e| e.minutes)
            .sum();
        let credited = policy.credit(
            minutes.unwrap_or(computed),
            minutes.is_none(),
            already_today,
        );
        let by_desk = model.checked_in_by.as_deref() != Some(model.volunteer_id.as_str());
        let with_code = model.checked_in_with.as_deref() == Some(CHECKED_IN_WITH_CODE);
        let source = match (minutes, by_desk, with_code) {
            (Some(_), _, _) => EntrySource::Adjusted,
            (None, true, _) => EntrySource::OrganizerDesk,
            (None, false, true) => EntrySource::CheckInCode,
            (None, false, false) => EntrySource::CheckInOut,
        };
        let content = EntryContent {
            id: Uuid::new_v4(),
            volunteer_id: parse_id(&model.volunteer_id)?,
            chain_index: 0,
            kind: EntryKind::Service,
            source,
            minutes: credited,
            category: ctx.event.category.clone(),
            organization_id: ctx.organization_id,
            event_id: Some(parse_id(&ctx.event.id)?),
            shift_id: Some(parse_id(&ctx.shift.id)?),
            signup_id: Some(parse_id(&model.id)?),
            started_at: checked_in_at,
            ended_at: checked_out_at,
            note,
            verified_by: actor.account_id,
            verified_at: now,
        };
        let entry = append(&txn, content).await?;
        transition(
            &txn,
            &model.id,
            SignupStatus::CheckedOut,
            SignupStatus::Verified,
            vec![],
            now,
        )
        .await?;
        outbox::enqueue_for_account(
            &txn,
            MessageKind::HoursVerified,
            &model.volunteer_id,
            outbox::with(
                outbox::with(outbox::shift_payload(ctx), "minutes", entry.minutes),
                "signup_id",
                model.id.clone(),
            ),
            now,
        )
        .await?;
        let org = organization::Entity::find_by_id(entry.organization_id.clone())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("organization"))?;
        let view = entry_view(entry, org.name, Some(computed))?;
        txn.commit().await?;
        Ok(view)
    }

    /// A volunteer's verified hours, optionally limited to services that started in [from, to).
    pub async fn hours(
        &self,
        volunteer_id: Uuid,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<HoursSummary> {
        let mut query = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::VolunteerId.eq(volunteer_id.to_string()));
        if let Some(from) = from {
            query = query.filter(ledger_entry::Column::StartedAt.gte(seconds(from)));
        }
        if let Some(to) = to {
            query = query.filter(ledger_entry::Column::StartedAt.lt(seconds(to)));
        }
        let rows = query
            .order_by_asc(ledger_entry::Column::ChainIndex)
            .all(self.db())
            .await?;
        let names: HashMap<String, String> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(rows.iter().map(|r| r.organization_id.clone())))
            .all(self.db())
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let mut by_category: BTreeMap<String, i64> = BTreeMap::new();
        let mut total_minutes = 0;
        let mut provenance = Provenance::default();
        let mut entries = Vec::with_capacity(rows.len());
        for m in rows {
            total_minutes += m.minutes;
            *by_category.entry(m.category.clone()).or_default() += m.minutes;
            let name = names.get(&m.organization_id).cloned().unwrap_or_default();
            let entry = entry_view(m, name, None)?;
            provenance.add(entry.source, entry.minutes);
            entries.push(entry);
        }
        Ok(HoursSummary {
            total_minutes,
            by_category,
            provenance,
            entries,
        })
    }
}
