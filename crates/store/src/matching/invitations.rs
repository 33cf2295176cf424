//! Invitations: a seat offered to a volunteer, who accepts (and is signed up under the same
//! rules as any signup) or declines. Nobody is signed up without saying yes.

use super::plans::{ACCEPTED, PROPOSED};
use crate::entities::{invitation, roster_plan, shift, volunteer_profile};
use crate::outbox::{self, MessageKind};
use crate::page::{Page, PageRequest};
use crate::shifts::{SHIFT_OPEN, Shift, seat_counts, shift_context};
use crate::signups::{EventSummary, Signup, SignupRules, book, lock_account, lock_shift};
use crate::{Result, Store, StoreError, from_json, non_negative, parse_id, parse_name, seconds};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::access::Actor;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// Where an invitation stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    utoipa::ToSchema,
    strum::AsRefStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum InvitationStatus {
    /// Waiting for the volunteer.
    Pending,
    /// The volunteer said yes and was signed up.
    Accepted,
    /// The volunteer said no.
    Declined,
    /// Nobody answered in time.
    Expired,
    /// The shift was cancelled before an answer.
    Withdrawn,
}

/// An invitation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    /// Id.
    pub id: Uuid,
    /// Shift offered.
    pub shift_id: Uuid,
    /// Volunteer invited.
    pub volunteer_id: Uuid,
    /// The roster plan it came from, if any.
    pub plan_id: Option<Uuid>,
    /// Status.
    pub status: InvitationStatus,
    /// Match score.
    pub score: f64,
    /// Distance from home, km.
    pub distance_km: f64,
    /// Why the volunteer was asked.
    #[schema(value_type = Vec<Object>)]
    pub reasons: serde_json::Value,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// Answer by.
    pub expires_at: DateTime<Utc>,
    /// Answered.
    pub responded_at: Option<DateTime<Utc>>,
    /// The signup made on acceptance.
    pub signup_id: Option<Uuid>,
}

/// An invitation with its shift and event, for the volunteer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyInvitation {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// The shift.
    pub shift: Shift,
    /// The event.
    pub event: EventSummary,
}

/// A seat to offer.
#[derive(Debug, Clone)]
pub struct InvitationOffer {
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Score.
    pub score: f64,
    /// Distance, km.
    pub distance_km: f64,
    /// Reasons as JSON.
    pub reasons: serde_json::Value,
}

fn from_model(m: invitation::Model) -> Result<Invitation> {
    Ok(Invitation {
        id: parse_id(&m.id)?,
        shift_id: parse_id(&m.shift_id)?,
        volunteer_id: parse_id(&m.volunteer_id)?,
        plan_id: m.plan_id.as_deref().map(parse_id).transpose()?,
        status: parse_name(&m.status)?,
        score: m.score,
        distance_km: m.distance_km,
        reasons: from_json(&m.reasons)?,
        created_at: m.created_at,
        expires_at: m.expires_at,
        responded_at: m.responded_at,
        signup_id: m.signup_id.as_deref().map(parse_id).transpose()?,
    })
}

/// Inserts an invitation unless the volunteer was ever invited to that shift; queues its
/// message in the same transaction. Answers by `ttl` from now, and never after the start.
async fn insert_invitation(
    db: &impl ConnectionTrait,
    offer: &InvitationOffer,
    plan_id: Option<Uuid>,
    invited_by: Uuid,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Result<Invitation, Skipped>> {
    // The proposal may be older than the facts: check again what a fresh plan would.
    lock_shift(db, &offer.shift_id.to_string()).await?;
    let ctx = shift_context(db, &offer.shift_id.to_string()).await?;
    if ctx.shift.status != SHIFT_OPEN || ctx.shift.starts_at <= now {
        return Ok(Err(Skipped::ShiftClosed));
    }
    let seats = seat_counts(db, std::slice::from_ref(&ctx.shift.id))
        .await?
        .get(&ctx.shift.id)
        .map_or(0, |c| c.0);
    let offered = pending_count(db, &ctx.shift.id, now).await?;
    if u64::from(seats) + offered >= u64::from(non_negative(ctx.shift.capacity)) {
        return Ok(Err(Skipped::NoSeatLeft));
    }
    let findable = volunteer_profile::Entity::find_by_id(offer.volunteer_id.to_string())
        .one(db)
        .await?
        .is_some_and(|p| p.discoverable);
    if !findable {
        return Ok(Err(Skipped::NotDiscoverable));
    }
    let id = Uuid::new_v4().to_string();
    let expires_at = seconds((now + ttl).min(ctx.shift.starts_at));
    let inserted = invitation::Entity::insert(invitation::ActiveModel {
        id: Set(id.clone()),
        shift_id: Set(offer.shift_id.to_string()),
        volunteer_id: Set(offer.volunteer_id.to_string()),
        plan_id: Set(plan_id.map(|p| p.to_string())),
        invited_by: Set(invited_by.to_string()),
        status: Set(InvitationStatus::Pending.as_ref().into()),
        score: Set(offer.score),
        distance_km: Set(offer.distance_km),
        reasons: Set(offer.reasons.to_string()),
        created_at: Set(seconds(now)),
        expires_at: Set(expires_at),
        responded_at: Set(None),
        signup_id: Set(None),
    })
    .on_conflict(
        OnConflict::columns([invitation::Column::ShiftId, invitation::Column::VolunteerId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(Err(Skipped::AlreadyInvited));
    }
    let mut payload = outbox::shift_payload(&ctx);
    if let Some(map) = payload.as_object_mut() {
        map.insert("invitation_id".into(), id.clone().into());
        map.insert(
            "expires_at".into(),
            serde_json::to_value(expires_at).unwrap_or_default(),
        );
    }
    outbox::enqueue_for_account(
        db,
        MessageKind::Invitation,
        &offer.volunteer_id.to_string(),
        payload,
        now,
    )
    .await?;
    let model = invitation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("invitation"))?;
    from_model(model).map(Ok)
}

/// Invitations still waiting for an answer on a shift.
async fn pending_count(
    db: &impl ConnectionTrait,
    shift_id: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::ShiftId.eq(shift_id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .count(db)
        .await?)
}

/// Why a proposed invitation was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, strum::AsRefStr)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The shift was cancelled or has started since the plan was made.
    ShiftClosed,
    /// Every free seat is already taken or offered to someone else.
    NoSeatLeft,
    /// The volunteer no longer allows organizers to find them.
    NotDiscoverable,
    /// The volunteer was invited to this shift before.
    AlreadyInvited,
}

/// A proposed pair that was not sent, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkippedPair {
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Why.
    pub reason: Skipped,
}

/// What accepting a plan did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentInvitations {
    /// Invitations sent.
    pub invitations: Vec<Invitation>,
    /// Pairs of the plan not sent (the facts changed since it was made).
    pub skipped: Vec<SkippedPair>,
}

impl Store {
    /// Turns a proposed plan into invitations, once. `keep`, when given, is the organizer's
    /// edit: the (shift, volunteer) pairs of the plan to send; anything else is refused.
    /// Volunteers already invited to a shift are not asked twice.
    pub async fn accept_roster_plan(
        &self,
        actor: &Actor,
        plan_id: Uuid,
        keep: Option<Vec<(Uuid, Uuid)>>,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<SentInvitations> {
        let plan = self.roster_plan(actor, plan_id).await?;
        let proposed: HashSet<(Uuid, Uuid)> = plan
            .assignments
            .iter()
            .map(|a| (a.shift_id, a.volunteer_id))
            .collect();
        let chosen: Option<HashSet<(Uuid, Uuid)>> = match keep {
            None => None,
            Some(pairs) => {
                if let Some(i) = pairs.iter().position(|p| !proposed.contains(p)) {
                    return Err(hourbook_domain::DomainError::invalid(
                        format!("assignments[{i}]"),
                        "is not part of this plan",
                    )
                    .into());
                }
                if pairs.is_empty() {
                    return Err(hourbook_domain::DomainError::invalid(
                        "assignments",
                        "choose at least one pair, or leave the list out to send them all",
                    )
                    .into());
                }
                Some(pairs.into_iter().collect())
            }
        };
        let txn = self.write().await?;
        // The status flip is the plan's lock: a second accept finds nothing to flip.
        let flipped = roster_plan::Entity::update_many()
            .col_expr(roster_plan::Column::Status, ACCEPTED.into())
            .col_expr(roster_plan::Column::AcceptedAt, Some(seconds(now)).into())
            .filter(roster_plan::Column::Id.eq(plan_id.to_string()))
            .filter(roster_plan::Column::Status.eq(PROPOSED))
            .exec(&txn)
            .await?;
        if flipped.rows_affected == 0 {
            return Err(StoreError::conflict("this plan has already been accepted"));
        }
        let mut sent = Vec::new();
        let mut skipped = Vec::new();
        for a in plan.assignments {
            if chosen
                .as_ref()
                .is_some_and(|c| !c.contains(&(a.shift_id, a.volunteer_id)))
            {
                continue;
            }
            let offer = InvitationOffer {
                shift_id: a.shift_id,
                volunteer_id: a.volunteer_id,
                score: a.score,
                distance_km: a.distance_km,
                reasons: a.reasons,
            };
            match insert_invitation(&txn, &offer, Some(plan_id), actor.account_id, ttl, now).await?
            {
                Ok(inv) => sent.push(inv),
                Err(reason) => skipped.push(SkippedPair {
                    shift_id: a.shift_id,
                    volunteer_id: a.volunteer_id,
                    reason,
                }),
            }
        }
        txn.commit().await?;
        Ok(SentInvitations {
            invitations: sent,
            skipped,
        })
    }

    /// Offers a seat to one more volunteer (the next best after a decline or expiry), in the
    /// name of whoever sent the first invitation, unless a check fails (then why).
    pub async fn invite(
        &self,
        offer: &InvitationOffer,
        invited_by: Uuid,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<Invitation, Skipped>> {
        let txn = self.write().await?;
        let made = insert_invitation(&txn, offer, None, invited_by, ttl, now).await?;
        txn.commit().await?;
        Ok(made)
    }

    /// Invitations still waiting for an answer on a shift.
    pub async fn pending_invitations(&self, shift_id: Uuid, now: DateTime<Utc>) -> Result<u32> {
        let n = pending_count(self.db(), &shift_id.to_string(), now).await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The actor's invitations, newest first, with shift and event.
    pub async fn my_invitations(
        &self,
        actor: &Actor,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<MyInvitation>> {
        let rows = invitation::Entity::find()
            .filter(invitation::Column::VolunteerId.eq(actor.account_id.to_string()))
            .order_by_desc(invitation::Column::CreatedAt)
            .order_by_asc(invitation::Column::Id)
            .offset(page.offset)
            .limit(page.limit + 1)
            .all(self.db())
            .await?;
        let shift_ids: Vec<Uuid> = rows
            .iter()
            .map(|r| parse_id(&r.shift_id))
            .collect::<Result<_>>()?;
        let shifts = self.shifts_with_events(&shift_ids, now).await?;
        let items = rows
            .into_iter()
            .filter_map(|m| {
                let (shift, event) = shifts.get(&m.shift_id)?.clone();
                Some(from_model(m).map(|invitation| MyInvitation {
                    invitation,
                    shift,
                    event,
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page.from_fetched(items))
    }

    /// The volunteer says yes: signed up under the same rules as any signup (confirmed or
    /// waitlisted), in the same transaction that closes the invitation.
    pub async fn accept_invitation(
        &self,
        actor: &Actor,
        invitation_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        crate::retrying(|| async {
            let txn = self.write().await?;
            lock_account(&txn, &actor.account_id.to_string()).await?;
            let inv = own_invitation(&txn, actor, invitation_id).await?;
            answerable(&inv, now)?;
            let signup = book(&txn, &inv.volunteer_id, &inv.shift_id, rules, now).await?;
            // Conditional on still pending and unexpired: a decline or an expiry that got
            // there first wins, and this whole transaction (the signup too) rolls back.
            let closed = invitation::Entity::update_many()
                .col_expr(
                    invitation::Column::Status,
                    InvitationStatus::Accepted.as_ref().into(),
                )
                .col_expr(invitation::Column::RespondedAt, Some(seconds(now)).into())
                .col_expr(
                    invitation::Column::SignupId,
                    Some(signup.id.to_string()).into(),
                )
                .filter(invitation::Column::Id.eq(inv.id))
                .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
                .filter(invitation::Column::ExpiresAt.gt(now))
                .exec(&txn)
                .await?;
            if closed.rows_affected == 0 {
                return Err(StoreError::conflict(
                    "this invitation has already been answered",
                ));
            }
            txn.commit().await?;
            Ok(signup)
        })
        .await
    }

    /// The volunteer says no.
    pub async fn decline_invitation(
        &self,
        actor: &Actor,
        invitation_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Invitation> {
        let txn = self.write().await?;
        // The lock an acceptance takes first: answers to one volunteer's invitations queue.
        lock_account(&txn, &actor.account_id.to_string()).await?;
        let inv = own_invitation(&txn, actor, invitation_id).await?;
        answerable(&inv, now)?;
        let flipped = invitation::Entity::update_many()
            .col_expr(
                invitation::Column::Status,
                InvitationStatus::Declined.as_ref().into(),
            )
            .col_expr(invitation::Column::RespondedAt, Some(seconds(now)).into())
            .filter(invitation::Column::Id.eq(inv.id.clone()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
            .exec(&txn)
            .await?;
        if flipped.rows_affected == 0 {
            return Err(StoreError::conflict(
                "this invitation has already been answered",
            ));
        }
        let model = own_invitation(&txn, actor, invitation_id).await?;
        let declined = from_model(model)?;
        txn.commit().await?;
        Ok(declined)
    }

    /// Marks unanswered invitations past their deadline as expired; returns those this call
    /// expired (another worker's sweep never returns the same one).
    pub async fn expire_invitations(&self, now: DateTime<Utc>) -> Result<Vec<Invitation>> {
        let due = invitation::Entity::find()
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
            .filter(invitation::Column::ExpiresAt.lte(now))
            .limit(500)
            .all(self.db())
            .await?;
        let mut expired = Vec::new();
        for m in due {
            let flipped = invitation::Entity::update_many()
                .col_expr(
                    invitation::Column::Status,
                    InvitationStatus::Expired.as_ref().into(),
                )
                .filter(invitation::Column::Id.eq(m.id.clone()))
                .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
                .exec(self.db())
                .await?;
            if flipped.rows_affected == 1 {
                let mut inv = from_model(m)?;
                inv.status = InvitationStatus::Expired;
                expired.push(inv);
            }
        }
        Ok(expired)
    }

    /// Who sent an invitation (the next offer goes out in their name).
    pub async fn inviter(&self, invitation_id: Uuid) -> Result<Uuid> {
        let m = invitation::Entity::find_by_id(invitation_id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("invitation"))?;
        parse_id(&m.invited_by)
    }

    async fn shifts_with_events(
        &self,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<std::collections::HashMap<String, (Shift, EventSummary)>> {
        let mut out = std::collections::HashMap::new();
        let rows = shift::Entity::find()
            .filter(shift::Column::Id.is_in(ids.iter().map(Uuid::to_string)))
            .all(self.db())
            .await?;
        for m in super::match_shifts_from(self.db(), rows, now).await? {
            out.insert(m.shift.id.to_string(), (m.shift, m.event));
        }
        Ok(out)
    }
}

/// The actor's own invitation; anyone else's reads as not found.
async fn own_invitation(
    db: &impl ConnectionTrait,
    actor: &Actor,
    invitation_id: Uuid,
) -> Result<invitation::Model> {
    invitation::Entity::find_by_id(invitation_id.to_string())
        .one(db)
        .await?
        .filter(|m| m.volunteer_id == actor.account_id.to_string())
        .ok_or(StoreError::NotFound("invitation"))
}

fn answerable(inv: &invitation::Model, now: DateTime<Utc>) -> Result<()> {
    if inv.status != InvitationStatus::Pending.as_ref() {
        return Err(StoreError::conflict(format!(
            "this invitation is already {}",
            inv.status
        )));
    }
    if inv.expires_at <= now {
        return Err(StoreError::conflict("this invitation has expired"));
    }
    Ok(())
}

/// Withdraws a cancelled shift's unanswered invitations (in the cancelling transaction).
pub(crate) async fn withdraw_invitations(db: &impl ConnectionTrait, shift_id: &str) -> Result<()> {
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            InvitationStatus::Withdrawn.as_ref().into(),
        )
        .filter(invitation::Column::ShiftId.eq(shift_id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
        .exec(db)
        .await?;
    Ok(())
}
