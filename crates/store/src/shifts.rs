//! Shifts: windows of service at a place, with their seats.

use crate::entities::{event, shift, signup};
use crate::outbox::{self, MessageKind, SignupRef};
use crate::signups::{SignupRules, lock_account, reseat_where_waiting, transition};
use crate::{
    Result, Store, StoreError, from_json, parse_id, parse_name, retrying, seconds, to_json,
};
use chrono::{DateTime, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::check_in_code;
use hourbook_domain::eligibility::ShiftFacts;
use hourbook_domain::roster::{SignupStatus, WaitReason};
use hourbook_domain::shift::NewShift;
use hourbook_domain::{Coordinates, Skill, SkillList};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Shift status: open for signups.
pub const SHIFT_OPEN: &str = "open";
/// Shift status: cancelled by the organizer.
pub const SHIFT_CANCELLED: &str = "cancelled";

/// A shift.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Shift {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Seats.
    pub capacity: u32,
    /// Location.
    pub location: Coordinates,
    /// Address.
    pub address: String,
    /// Required skills.
    pub required_skills: Vec<Skill>,
    /// Preferred skills.
    pub preferred_skills: Vec<Skill>,
    /// Minimum age.
    pub min_age: Option<u32>,
    /// Maximum age.
    pub max_age: Option<u32>,
    /// Adult ratio.
    pub minors_per_adult: Option<u32>,
    /// `open` or `cancelled`.
    pub status: String,
    /// Seats taken.
    pub confirmed_count: u32,
    /// People waiting.
    pub waitlist_count: u32,
    /// Seats free.
    pub seats_left: u32,
}

impl Shift {
    /// What eligibility needs to know.
    pub fn facts(&self) -> ShiftFacts {
        ShiftFacts {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            location: self.location,
            required_skills: SkillList::from_slice(&self.required_skills),
            min_age: self.min_age,
            max_age: self.max_age,
        }
    }
}

fn opt_u32(v: Option<i32>) -> Option<u32> {
    v.map(crate::non_negative)
}

pub(crate) fn shift_from_model(m: shift::Model, counts: (u32, u32)) -> Result<Shift> {
    let capacity = crate::non_negative(m.capacity);
    Ok(Shift {
        id: parse_id(&m.id)?,
        event_id: parse_id(&m.event_id)?,
        title: m.title,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        capacity,
        location: Coordinates {
            lat: m.lat,
            lon: m.lon,
        },
        address: m.address,
        required_skills: from_json(&m.required_skills)?,
        preferred_skills: from_json(&m.preferred_skills)?,
        min_age: opt_u32(m.min_age),
        max_age: opt_u32(m.max_age),
        minors_per_adult: opt_u32(m.minors_per_adult),
        status: m.status,
        confirmed_count: counts.0,
        waitlist_count: counts.1,
        seats_left: capacity.saturating_sub(counts.0),
    })
}

/// Confirmed and waitlisted signups per shift, in one grouped query.
pub(crate) async fn seat_counts(
    db: &impl ConnectionTrait,
    shift_ids: &[String],
) -> Result<HashMap<String, (u32, u32)>> {
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    for chunk in shift_ids.chunks(500) {
        let rows: Vec<(String, String, i64)> = signup::Entity::find()
            .select_only()
            .column(signup::Column::ShiftId)
            .column(signup::Column::Status)
            .column_as(Expr::col(signup::Column::Id).count(), "n")
            .filter(signup::Column::ShiftId.is_in(chunk.iter().cloned()))
            .group_by(signup::Column::ShiftId)
            .group_by(signup::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
        for (shift_id, status, n) in rows {
            let status: SignupStatus = parse_name(&status)?;
            let entry = counts.entry(shift_id).or_default();
            if status.holds_seat() {
                entry.0 += n as u32;
            } else if status == SignupStatus::Waitlisted {
                entry.1 += n as u32;
            }
        }
    }
    Ok(counts)
}

/// Inserts a shift row (also used by the demo loader). Location and address default to the event's.
pub(crate) async fn insert_shift(
    db: &impl ConnectionTrait,
    event: &event::Model,
    new: &NewShift,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let location = new.location.unwrap_or(Coordinates {
        lat: event.lat,
        lon: event.lon,
    });
    let as_i32 = |v: Option<u32>| v.map(|n| n as i32);
    shift::Entity::insert(shift::ActiveModel {
        id: Set(id.to_string()),
        event_id: Set(event.id.clone()),
        title: Set(new.title.clone()),
        starts_at: Set(seconds(new.starts_at)),
        ends_at: Set(seconds(new.ends_at)),
        capacity: Set(new.capacity as i32),
        lat: Set(location.lat),
        lon: Set(location.lon),
        address: Set(new.address.clone().unwrap_or_else(|| event.address.clone())),
        required_skills: Set(to_json(&new.required_skills)),
        preferred_skills: Set(to_json(&new.preferred_skills)),
        min_age: Set(as_i32(new.min_age)),
        max_age: Set(as_i32(new.max_age)),
        minors_per_adult: Set(as_i32(new.minors_per_adult)),
        status: Set(SHIFT_OPEN.into()),
        signup_seq: Set(0),
        created_at: Set(seconds(now)),
        cancelled_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// One shift with its seat counts.
pub(crate) async fn load_shift(db: &impl ConnectionTrait, id: Uuid) -> Result<Shift> {
    let model = shift::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("shift"))?;
    let counts = seat_counts(db, std::slice::from_ref(&model.id)).await?;
    let c = counts.get(&model.id).copied().unwrap_or_default();
    shift_from_model(model, c)
}

/// The code a shift's organizers show on site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInCode {
    /// Six digits.
    pub code: String,
    /// When the next code replaces it.
    pub valid_until: DateTime<Utc>,
    /// How long each code is shown.
    pub step_seconds: i64,
}

/// A shift with the organization that runs it, for permission checks.
pub(crate) struct ShiftContext {
    pub shift: shift::Model,
    pub event: event::Model,
    pub organization_id: Uuid,
}

pub(crate) async fn shift_context(
    db: &impl ConnectionTrait,
    shift_id: &str,
) -> Result<ShiftContext> {
    let shift = shift::Entity::find_by_id(shift_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("shift"))?;
    let event = event::Entity::find_by_id(shift.event_id.clone())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("event"))?;
    let organization_id = parse_id(&event.organization_id)?;
    Ok(ShiftContext {
        shift,
        event,
        organization_id,
    })
}

impl Store {
    /// Adds a shift to an event the actor organizes.
    pub async fn add_shift(
        &self,
        actor: &Actor,
        event_id: Uuid,
        new: NewShift,
        now: DateTime<Utc>,
    ) -> Result<Shift> {
        let event = event::Entity::find_by_id(event_id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("event"))?;
        if !actor.may_organize(parse_id(&event.organization_id)?) {
            return Err(StoreError::Forbidden(
                "only the event's organizers add shifts",
            ));
        }
        // Inserted and read back in one transaction: a failure cannot leave a shift the
        // organizer was told was not created.
        let txn = self.write().await?;
        let id = insert_shift(&txn, &event, &new, now).await?;
        let shift = load_shift(&txn, id).await?;
        txn.commit().await?;
        Ok(shift)
    }

    /// One shift with its seat counts.
    pub async fn shift(&self, id: Uuid) -> Result<Shift> {
        load_shift(self.db(), id).await
    }

    /// The shift's check-in code now, for its organizers to show on site (from an hour
    /// before the start to the end).
    pub async fn check_in_code(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<CheckInCode> {
        let ctx = shift_context(self.db(), &shift_id.to_string()).await?;
        if !actor.may_organize(ctx.organization_id) {
            return Err(StoreError::Forbidden(
                "only the event's organizers show its check-in code",
            ));
        }
        if ctx.shift.status != SHIFT_OPEN {
            return Err(StoreError::conflict("the shift has been cancelled"));
        }
        if now < ctx.shift.starts_at - rules.early_check_in || now > ctx.shift.ends_at {
            return Err(StoreError::conflict(
                "check-in opens shortly before the shift and closes at its end",
            ));
        }
        let (code, valid_until) = check_in_code::current(&rules.check_in_code_key, shift_id, now);
        Ok(CheckInCode {
            code,
            valid_until,
            step_seconds: check_in_code::STEP_SECONDS,
        })
    }

    /// Cancels a shift: every live signup is cancelled and told so (a safety message), and
    /// volunteers whose seat is gone may now fit shifts where they waited behind it.
    pub async fn cancel_shift(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Shift> {
        retrying(|| self.cancel_shift_once(actor, shift_id, rules, now)).await
    }

    async fn cancel_shift_once(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Shift> {
        let txn = self.write().await?;
        let ctx = shift_context(&txn, &shift_id.to_string()).await?;
        if !actor.may_organize(ctx.organization_id) {
            return Err(StoreError::Forbidden(
                "only the event's organizers cancel shifts",
            ));
        }
        if ctx.shift.starts_at <= now {
            // Its volunteers may be serving or served: their records must stand.
            return Err(StoreError::conflict(
                "a shift that has started cannot be cancelled",
            ));
        }
        // Conditional on still being open; this also takes the shift's row lock, so no signup
        // slips in while the roster is being cancelled.
        let cancelled = shift::Entity::update_many()
            .col_expr(shift::Column::Status, Expr::value(SHIFT_CANCELLED))
            .col_expr(shift::Column::CancelledAt, Expr::value(seconds(now)))
            .filter(shift::Column::Id.eq(ctx.shift.id.clone()))
            .filter(shift::Column::Status.eq(SHIFT_OPEN))
            .exec(&txn)
            .await?;
        if cancelled.rows_affected == 0 {
            return Err(StoreError::conflict("the shift is already cancelled"));
        }
        let roster = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(ctx.shift.id.clone()))
            .all(&txn)
            .await?;
        for s in &roster {
            // Check-in opens before the start: someone on site keeps the shift going.
            let status: SignupStatus = parse_name(&s.status)?;
            if !status.may_cancel()
                && status != SignupStatus::Cancelled
                && status != SignupStatus::Rejected
            {
                return Err(StoreError::conflict(
                    "volunteers have already checked in: the shift cannot be cancelled",
                ));
            }
        }
        crate::matching::withdraw_invitations(&txn, &ctx.shift.id).await?;
        let mut freed = Vec::new();
        for s in roster {
            let status: SignupStatus = parse_name(&s.status)?;
            if !status.may_cancel() {
                continue;
            }
            transition(&txn, &s.id, status, SignupStatus::Cancelled, vec![], now).await?;
            if status.holds_seat() {
                freed.push(s.clone());
            }
            let signup = SignupRef {
                id: &s.id,
                volunteer_id: &s.volunteer_id,
                minor: s.minor,
            };
            outbox::enqueue_about_signup(
                &txn,
                MessageKind::ShiftCancelled,
                outbox::shift_payload(&ctx),
                signup,
                now,
            )
            .await?;
        }
        // Their account locks come after this shift's lock (the reversed order); a deadlock
        // this causes is retried by `retrying`.
        for s in &freed {
            lock_account(&txn, &s.volunteer_id).await?;
            reseat_where_waiting(&txn, &s.volunteer_id, WaitReason::Overlap, rules, now).await?;
        }
        // Read back inside the transaction: once committed, nothing may fail and make the
        // client think the cancellation did not happen.
        let shift = load_shift(&txn, shift_id).await?;
        txn.commit().await?;
        Ok(shift)
    }
}
