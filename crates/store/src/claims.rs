//! Off-platform claims. A volunteer submits hours served elsewhere, with evidence; they enter
//! the ledger only when the named organization's verifier approves them (possibly adjusted,
//! with a note), or, for a host outside Hourbook, when the host's contact confirms them
//! through the signed link e-mailed to them. Either way the entry records how it was
//! decided (`source` = `claim` or `host_link`) and by whom.

use crate::disputes::reason;
use crate::entities::{account, hour_claim, organization};
use crate::ledger::{LedgerEntry, OrganizationRef, VerifyInput, append, entry_view};
use crate::outbox::{self, MessageKind};
use crate::signups::lock_account;
use crate::{Result, Store, StoreError, parse_id, parse_name, retrying, seconds};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::claim::{ClaimInput, Decider, MAX_CLAIM_MINUTES, ValidClaim};
use hourbook_domain::ledger::{EntryContent, EntryKind, EntrySource};
use hourbook_domain::text::multi_line;
use hourbook_domain::{DomainError, OrganizationKind};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use strum::{AsRefStr, EnumString, IntoStaticStr};
use uuid::Uuid;

/// How many claims may wait for hosts outside Hourbook at once, and how many may go to hosts
/// in a day: each sends an e-mail to an address the volunteer typed, which must not become a
/// way to send mail to anyone.
pub const MAX_PENDING_HOST_CLAIMS: u64 = 5;
/// How long the host's link works.
pub const HOST_LINK_DAYS: i64 = 30;

/// Where a claim stands.
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
pub enum ClaimStatus {
    /// Waiting for the organization or the host.
    Pending,
    /// In the ledger.
    Verified,
    /// Refused, with a reason.
    Rejected,
    /// Taken back by the volunteer.
    Withdrawn,
}

/// Who decided a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, AsRefStr, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DecidedVia {
    /// A verifier of the organization, signed in.
    Verifier,
    /// The host's contact, through the e-mailed link.
    HostLink,
}

/// The host outside Hourbook a claim names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HostView {
    /// Host name.
    pub name: String,
    /// Who confirms.
    pub contact_name: String,
    /// Their address (shown to the volunteer who typed it, and to nobody else).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
}

/// A claim as its volunteer and the deciding organization see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Claim {
    /// Id.
    pub id: Uuid,
    /// Whose hours.
    pub volunteer_id: Uuid,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// The organization that decides (or, once a host confirmed, the host's record).
    pub organization: Option<OrganizationRef>,
    /// A host outside Hourbook.
    pub host: Option<HostView>,
    /// What the service was.
    pub title: String,
    /// Category.
    pub category: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub ended_at: DateTime<Utc>,
    /// Minutes claimed.
    pub minutes: i64,
    /// Evidence link.
    pub evidence_url: Option<String>,
    /// The volunteer's description.
    pub description: Option<String>,
    /// Where it stands.
    pub status: ClaimStatus,
    /// Who decided.
    pub decided_via: Option<DecidedVia>,
    /// The decision's note: why minutes were adjusted, or why it was rejected.
    pub decision_note: Option<String>,
    /// The ledger entry, once verified.
    pub ledger_entry_id: Option<Uuid>,
    /// Submitted.
    pub created_at: DateTime<Utc>,
    /// Decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Until when the host's link works.
    pub link_expires_at: Option<DateTime<Utc>>,
}

/// What the host's contact sees behind the link.
#[derive(Debug, Clone)]
pub struct HostRequest {
    /// The claim (without the contact's address, which they know).
    pub claim: Claim,
    /// Whether the link still works: pending and not expired.
    pub open: bool,
}

/// The host's answer.
#[derive(Debug, Clone)]
pub enum HostAnswer {
    /// The service happened; `minutes` when it was shorter or longer than claimed, with a note.
    Confirm {
        /// Minutes instead of the claimed ones.
        minutes: Option<i64>,
        /// Why.
        note: Option<String>,
    },
    /// It did not happen as claimed.
    Reject {
        /// Why.
        reason: String,
    },
}

struct Decision {
    via: DecidedVia,
    /// The verifier's account, or the external host's organization record.
    by: Uuid,
    verify: Option<(i64, Option<String>)>,
    note: Option<String>,
}

/// The minutes to credit and the note: the claimed minutes unless changed, and a change
/// needs a note.
fn credited(claimed: i64, input: VerifyInput) -> Result<(i64, Option<String>)> {
    let note = input
        .note
        .map(|n| multi_line(&n, "note", 1000))
        .transpose()?
        .filter(|n| !n.is_empty());
    let minutes = input.minutes.unwrap_or(claimed);
    if !(1..=MAX_CLAIM_MINUTES).contains(&minutes) {
        return Err(DomainError::invalid(
            "minutes",
            format!("must be between 1 and {MAX_CLAIM_MINUTES}"),
        )
        .into());
    }
    if minutes != claimed && note.is_none() {
        return Err(
            DomainError::invalid("note", "say why the minutes differ from the claim").into(),
        );
    }
    Ok((minutes, note))
}

async fn claim_model(db: &impl ConnectionTrait, id: Uuid) -> Result<hour_claim::Model> {
    hour_claim::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("claim"))
}

async fn view(
    db: &impl ConnectionTrait,
    m: hour_claim::Model,
    show_contact_email: bool,
) -> Result<Claim> {
    let organization = match &m.organization_id {
        Some(id) => organization::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|o| -> Result<_> {
                Ok(OrganizationRef {
                    id: parse_id(&o.id)?,
                    name: o.name,
                })
            })
            .transpose()?,
        None => None,
    };
    let volunteer_name = account::Entity::find_by_id(m.volunteer_id.clone())
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let host = match (m.host_name, m.host_contact_name) {
        (Some(name), Some(contact_name)) => Some(HostView {
            name,
            contact_name,
            contact_email: m.host_contact_email.filter(|_| show_contact_email),
        }),
        _ => None,
    };
    Ok(Claim {
        id: parse_id(&m.id)?,
        volunteer_id: parse_id(&m.volunteer_id)?,
        volunteer_name,
        organization,
        host,
        title: m.title,
        category: m.category,
        started_at: m.started_at,
        ended_at: m.ended_at,
        minutes: m.minutes,
        evidence_url: m.evidence_url,
        description: m.description,
        status: parse_name(&m.status)?,
        decided_via: m.decided_via.as_deref().map(parse_name).transpose()?,
        decision_note: m.decision_note,
        ledger_entry_id: m.ledger_entry_id.as_deref().map(parse_id).transpose()?,
        created_at: m.created_at,
        decided_at: m.decided_at,
        link_expires_at: m.link_expires_at,
    })
}

/// The external-host record for `name`: the one made by an earlier confirmation, or a new one.
async fn external_host(db: &impl ConnectionTrait, name: &str, now: DateTime<Utc>) -> Result<Uuid> {
    let kind = OrganizationKind::ExternalHost.as_str();
    if let Some(found) = organization::Entity::find()
        .filter(organization::Column::Kind.eq(kind))
        .filter(organization::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return parse_id(&found.id);
    }
    let id = Uuid::new_v4();
    organization::Entity::insert(organization::ActiveModel {
        id: Set(id.to_string()),
        name: Set(name.to_string()),
        kind: Set(kind.into()),
        region_code: Set(None),
        lat: Set(None),
        lon: Set(None),
        created_at: Set(seconds(now)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

impl Store {
    /// Submits a claim. For a host outside Hourbook, the same transaction queues the e-mail
    /// with the confirmation link to the host's contact.
    pub async fn submit_claim(
        &self,
        volunteer_id: Uuid,
        input: ClaimInput,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let me = account::Entity::find_by_id(volunteer_id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        let claim = input.validate(&me.email, now)?;
        let txn = self.write().await?;
        lock_account(&txn, &me.id).await?;
        let id = Uuid::new_v4().to_string();
        let mut row = pending_row(&id, &me.id, &claim, now);
        let mut host_request = None;
        match &claim.decider {
            Decider::Organization(org) => {
                let found = organization::Entity::find_by_id(org.to_string())
                    .one(&txn)
                    .await?
                    .filter(|o| o.kind != OrganizationKind::ExternalHost.as_str())
                    .ok_or(StoreError::NotFound("organization"))?;
                row.organization_id = Set(Some(found.id));
            }
            Decider::Host {
                name,
                contact_name,
                contact_email,
            } => {
                let host_claims = || {
                    hour_claim::Entity::find()
                        .filter(hour_claim::Column::VolunteerId.eq(me.id.clone()))
                        .filter(hour_claim::Column::HostName.is_not_null())
                };
                let waiting = host_claims()
                    .filter(hour_claim::Column::Status.eq(ClaimStatus::Pending.as_ref()))
                    .filter(hour_claim::Column::LinkExpiresAt.gt(seconds(now)))
                    .count(&txn)
                    .await?;
                if waiting >= MAX_PENDING_HOST_CLAIMS {
                    return Err(StoreError::conflict(format!(
                        "{MAX_PENDING_HOST_CLAIMS} claims are already waiting for their hosts: wait for an answer or withdraw one"
                    )));
                }
                // Withdrawing and resubmitting must not become a way to mail strangers either.
                let today = host_claims()
                    .filter(hour_claim::Column::CreatedAt.gt(seconds(now - Duration::days(1))))
                    .count(&txn)
                    .await?;
                if today >= MAX_PENDING_HOST_CLAIMS {
                    return Err(StoreError::conflict(format!(
                        "at most {MAX_PENDING_HOST_CLAIMS} claims a day may go to hosts outside Hourbook: try again tomorrow"
                    )));
                }
                let expires = seconds(now + Duration::days(HOST_LINK_DAYS));
                row.host_name = Set(Some(name.clone()));
                row.host_contact_name = Set(Some(contact_name.clone()));
                row.host_contact_email = Set(Some(contact_email.as_str().to_string()));
                row.link_expires_at = Set(Some(expires));
                host_request = Some(serde_json::json!({
                    "claim_id": id, "volunteer_name": me.name, "title": claim.title,
                    "host_name": name, "started_at": claim.started_at, "ended_at": claim.ended_at,
                    "minutes": claim.minutes, "evidence_url": claim.evidence_url,
                    "description": claim.description, "expires_at": expires,
                    "recipient_name": contact_name,
                }));
            }
        }
        hour_claim::Entity::insert(row)
            .exec_without_returning(&txn)
            .await?;
        if let (Some(payload), Decider::Host { contact_email, .. }) = (host_request, &claim.decider)
        {
            // The host's contact reads it in the volunteer's language: they are a neighbour.
            outbox::enqueue_to_address(
                &txn,
                MessageKind::ClaimHostRequest,
                contact_email.as_str(),
                &me.locale,
                payload,
                &me.id,
                now,
            )
            .await?;
        }
        let model = claim_model(&txn, parse_id(&id)?).await?;
        let claim = view(&txn, model, true).await?;
        txn.commit().await?;
        Ok(claim)
    }

    /// The volunteer's claims, newest first.
    pub async fn my_claims(&self, volunteer_id: Uuid) -> Result<Vec<Claim>> {
        let rows = hour_claim::Entity::find()
            .filter(hour_claim::Column::VolunteerId.eq(volunteer_id.to_string()))
            .order_by_desc(hour_claim::Column::CreatedAt)
            .order_by_desc(hour_claim::Column::Id)
            .all(self.db())
            .await?;
        let mut claims = Vec::with_capacity(rows.len());
        for row in rows {
            claims.push(view(self.db(), row, true).await?);
        }
        Ok(claims)
    }

    /// The volunteer takes back a pending claim; its host link stops working.
    pub async fn withdraw_claim(
        &self,
        volunteer_id: Uuid,
        claim_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let txn = self.write().await?;
        let found = claim_model(&txn, claim_id).await?;
        if found.volunteer_id != volunteer_id.to_string() {
            return Err(StoreError::NotFound("claim"));
        }
        close(&txn, &found.id, ClaimStatus::Withdrawn, None, None, now).await?;
        let claim = view(&txn, claim_model(&txn, claim_id).await?, true).await?;
        txn.commit().await?;
        Ok(claim)
    }

    /// An organization's claims, oldest first; only pending ones unless `all`. For its
    /// verifiers.
    pub async fn organization_claims(
        &self,
        actor: &hourbook_domain::access::Actor,
        org: Uuid,
        all: bool,
    ) -> Result<Vec<Claim>> {
        self.organization(org).await?;
        if !actor.may_verify(org) {
            return Err(StoreError::Forbidden(
                "only the organization's verifiers see its claims",
            ));
        }
        let mut query = hour_claim::Entity::find()
            .filter(hour_claim::Column::OrganizationId.eq(org.to_string()));
        if !all {
            query = query.filter(hour_claim::Column::Status.eq(ClaimStatus::Pending.as_ref()));
        }
        let rows = query
            .order_by_asc(hour_claim::Column::CreatedAt)
            .order_by_asc(hour_claim::Column::Id)
            .all(self.db())
            .await?;
        let mut claims = Vec::with_capacity(rows.len());
        for row in rows {
            claims.push(view(self.db(), row, false).await?);
        }
        Ok(claims)
    }

    /// A verifier of the named organization approves a claim, as claimed or adjusted with a
    /// note: a `claim` entry in the ledger.
    pub async fn verify_claim(
        &self,
        actor: &hourbook_domain::access::Actor,
        claim_id: Uuid,
        input: VerifyInput,
        now: DateTime<Utc>,
    ) -> Result<LedgerEntry> {
        retrying(|| {
            let input = input.clone();
            async move {
                let txn = self.write().await?;
                let found = self.claim_for_verifier(&txn, actor, claim_id).await?;
                let verify = credited(found.minutes, input)?;
                let decision = Decision {
                    via: DecidedVia::Verifier,
                    by: actor.account_id,
                    note: verify.1.clone(),
                    verify: Some(verify),
                };
                let entry = decide(&txn, found, decision, now).await?;
                txn.commit().await?;
                entry.ok_or(StoreError::NotFound("ledger entry"))
            }
        })
        .await
    }

    /// A verifier of the named organization rejects a claim, saying why.
    pub async fn reject_claim(
        &self,
        actor: &hourbook_domain::access::Actor,
        claim_id: Uuid,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let why = reason(why, "reason")?;
        let txn = self.write().await?;
        let found = self.claim_for_verifier(&txn, actor, claim_id).await?;
        let decision = Decision {
            via: DecidedVia::Verifier,
            by: actor.account_id,
            verify: None,
            note: Some(why),
        };
        decide(&txn, found, decision, now).await?;
        let claim = view(&txn, claim_model(&txn, claim_id).await?, false).await?;
        txn.commit().await?;
        Ok(claim)
    }

    async fn claim_for_verifier(
        &self,
        db: &impl ConnectionTrait,
        actor: &hourbook_domain::access::Actor,
        claim_id: Uuid,
    ) -> Result<hour_claim::Model> {
        let found = claim_model(db, claim_id).await?;
        // The volunteer knows their claim: deciding it is not allowed, not unknown.
        if found.volunteer_id == actor.account_id.to_string() {
            return Err(StoreError::Forbidden("nobody verifies their own hours"));
        }
        let org = found.organization_id.as_deref().map(parse_id).transpose()?;
        // Host claims and other organizations' claims do not exist for this caller.
        if found.host_name.is_some() || !org.is_some_and(|o| actor.may_verify(o)) {
            return Err(StoreError::NotFound("claim"));
        }
        Ok(found)
    }

    /// What the host's contact sees behind a genuine link.
    pub async fn host_request(&self, claim_id: Uuid, now: DateTime<Utc>) -> Result<HostRequest> {
        let found = claim_model(self.db(), claim_id).await?;
        if found.host_name.is_none() {
            return Err(StoreError::NotFound("claim"));
        }
        let open = found.status == ClaimStatus::Pending.as_ref()
            && found.link_expires_at.is_some_and(|t| now < t);
        Ok(HostRequest {
            claim: view(self.db(), found, false).await?,
            open,
        })
    }

    /// The host's contact answers through the link (the caller checked its signature). A
    /// confirmation makes a `host_link` entry recorded by the host's external record.
    pub async fn host_answer(
        &self,
        claim_id: Uuid,
        answer: HostAnswer,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let (verify, note) = match &answer {
            HostAnswer::Confirm { minutes, note } => (true, (*minutes, note.clone())),
            HostAnswer::Reject { reason: why } => (false, (None, Some(reason(why, "reason")?))),
        };
        retrying(|| {
            let note = note.clone();
            async move {
                let txn = self.write().await?;
                let found = claim_model(&txn, claim_id).await?;
                let Some(host_name) = found.host_name.clone() else {
                    return Err(StoreError::NotFound("claim"));
                };
                if found.link_expires_at.is_none_or(|t| now >= t)
                    && found.status == ClaimStatus::Pending.as_ref()
                {
                    return Err(StoreError::conflict(
                        "this link has expired: the volunteer can submit the claim again",
                    ));
                }
                let host = external_host(&txn, &host_name, now).await?;
                let decision = if verify {
                    let input = VerifyInput {
                        minutes: note.0,
                        note: note.1.clone(),
                    };
                    let verify = credited(found.minutes, input)?;
                    Decision {
                        via: DecidedVia::HostLink,
                        by: host,
                        note: verify.1.clone(),
                        verify: Some(verify),
                    }
                } else {
                    Decision {
                        via: DecidedVia::HostLink,
                        by: host,
                        verify: None,
                        note: note.1.clone(),
                    }
                };
                hour_claim::Entity::update_many()
                    .col_expr(
                        hour_claim::Column::OrganizationId,
                        Expr::value(host.to_string()),
                    )
                    .filter(hour_claim::Column::Id.eq(found.id.clone()))
                    .filter(hour_claim::Column::Status.eq(ClaimStatus::Pending.as_ref()))
                    .exec(&txn)
                    .await?;
                let mut found = found;
                found.organization_id = Some(host.to_string());
                decide(&txn, found, decision, now).await?;
                let claim = view(&txn, claim_model(&txn, claim_id).await?, false).await?;
                txn.commit().await?;
                Ok(claim)
            }
        })
        .await
    }
}

/// A new pending claim's row, deciders not yet filled in.
pub(crate) fn pending_row(
    id: &str,
    volunteer_id: &str,
    claim: &ValidClaim,
    now: DateTime<Utc>,
) -> hour_claim::ActiveModel {
    hour_claim::ActiveModel {
        id: Set(id.to_string()),
        volunteer_id: Set(volunteer_id.to_string()),
        organization_id: Set(match claim.decider {
            Decider::Organization(org) => Some(org.to_string()),
            Decider::Host { .. } => None,
        }),
        host_name: Set(None),
        host_contact_name: Set(None),
        host_contact_email: Set(None),
        title: Set(claim.title.clone()),
        category: Set(claim.category.clone()),
        started_at: Set(seconds(claim.started_at)),
        ended_at: Set(seconds(claim.ended_at)),
        minutes: Set(claim.minutes),
        evidence_url: Set(claim.evidence_url.clone()),
        description: Set(claim.description.clone()),
        status: Set(ClaimStatus::Pending.as_ref().into()),
        decided_via: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        ledger_entry_id: Set(None),
        created_at: Set(seconds(now)),
        decided_at: Set(None),
        link_expires_at: Set(None),
    }
}

/// Moves a pending claim to its end state; a claim already decided (by a concurrent answer,
/// say) is a conflict.
async fn close(
    db: &impl ConnectionTrait,
    id: &str,
    status: ClaimStatus,
    decision: Option<(&Decision, Option<&str>)>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = hour_claim::Entity::update_many()
        .col_expr(hour_claim::Column::Status, Expr::value(status.as_ref()))
        .col_expr(hour_claim::Column::DecidedAt, Expr::value(seconds(now)))
        .col_expr(
            hour_claim::Column::DecisionNote,
            Expr::value(note.map(str::to_string)),
        );
    if let Some((d, entry)) = decision {
        update = update
            .col_expr(hour_claim::Column::DecidedVia, Expr::value(d.via.as_ref()))
            .col_expr(hour_claim::Column::DecidedBy, Expr::value(d.by.to_string()))
            .col_expr(
                hour_claim::Column::LedgerEntryId,
                Expr::value(entry.map(str::to_string)),
            );
    }
    let done = update
        .filter(hour_claim::Column::Id.eq(id))
        .filter(hour_claim::Column::Status.eq(ClaimStatus::Pending.as_ref()))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::conflict("the claim is already decided"));
    }
    Ok(())
}

/// Records a decision: for an approval, the ledger entry first (under the volunteer's lock,
/// so their chain cannot fork), then the claim's end state and the volunteer's e-mail.
async fn decide(
    db: &impl ConnectionTrait,
    found: hour_claim::Model,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Option<LedgerEntry>> {
    let org = found
        .organization_id
        .as_deref()
        .map(parse_id)
        .transpose()?
        .ok_or(StoreError::NotFound("organization"))?;
    let org_name = organization::Entity::find_by_id(org.to_string())
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let mut entry = None;
    if found.status != ClaimStatus::Pending.as_ref() {
        return Err(StoreError::conflict("the claim is already decided"));
    }
    if let Some((minutes, note)) = &decision.verify {
        lock_account(db, &found.volunteer_id).await?;
        let content = EntryContent {
            id: Uuid::new_v4(),
            volunteer_id: parse_id(&found.volunteer_id)?,
            chain_index: 0,
            kind: EntryKind::Claim,
            source: match decision.via {
                DecidedVia::Verifier => EntrySource::Claim,
                DecidedVia::HostLink => EntrySource::HostLink,
            },
            minutes: *minutes,
            category: found.category.clone(),
            organization_id: org,
            event_id: None,
            shift_id: None,
            signup_id: None,
            started_at: found.started_at,
            ended_at: found.ended_at,
            note: note.clone(),
            verified_by: decision.by,
            verified_at: now,
        };
        let model = append(db, content).await?;
        entry = Some(entry_view(model, org_name.clone(), None)?);
    }
    let status = if entry.is_some() {
        ClaimStatus::Verified
    } else {
        ClaimStatus::Rejected
    };
    let entry_id = entry.as_ref().map(|e| e.id.to_string());
    close(
        db,
        &found.id,
        status,
        Some((&decision, entry_id.as_deref())),
        decision.note.as_deref(),
        now,
    )
    .await?;
    outbox::enqueue_for_account(
        db,
        MessageKind::ClaimDecided,
        &found.volunteer_id,
        serde_json::json!({
            "claim_id": found.id, "title": found.title, "status": status.as_ref(),
            "claimed_minutes": found.minutes,
            "minutes": entry.as_ref().map(|e| e.minutes),
            "note": decision.note, "organization_name": org_name,
            "started_at": found.started_at, "ended_at": found.ended_at,
        }),
        now,
    )
    .await?;
    Ok(entry)
}
