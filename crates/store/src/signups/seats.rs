//! Seats and the waitlist: the locks that serialise them, and who gets a free seat.

use super::SignupRules;
use crate::entities::{account, shift, signup, volunteer_profile};
use crate::outbox::{self, MessageKind, SignupRef};
use crate::profiles::Profile;
use crate::shifts::{self, ShiftContext};
use crate::{Result, StoreError, parse_id, parse_name, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::eligibility::assess;
use hourbook_domain::roster::{Seats, SignupStatus, WaitReason, Waiting, overlaps};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};

pub(crate) fn status_names(list: &[SignupStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

/// Takes the row lock that serialises writers of one volunteer's signups and ledger chain.
pub(crate) async fn lock_account(db: &impl ConnectionTrait, account_id: &str) -> Result<()> {
    let res = account::Entity::update_many()
        .col_expr(
            account::Column::LockVersion,
            Expr::col(account::Column::LockVersion).add(1),
        )
        .filter(account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("account"));
    }
    Ok(())
}

/// Takes the shift's row lock without handing out a number (an UPDATE locks the row on
/// PostgreSQL even when it changes nothing).
pub(crate) async fn lock_shift(db: &impl ConnectionTrait, shift_id: &str) -> Result<()> {
    let res = shift::Entity::update_many()
        .col_expr(
            shift::Column::SignupSeq,
            Expr::col(shift::Column::SignupSeq),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("shift"));
    }
    Ok(())
}

/// Takes the shift's row lock and hands out the next arrival number.
pub(super) async fn lock_shift_and_number(db: &impl ConnectionTrait, shift_id: &str) -> Result<()> {
    let res = shift::Entity::update_many()
        .col_expr(
            shift::Column::SignupSeq,
            Expr::col(shift::Column::SignupSeq).add(1),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("shift"));
    }
    Ok(())
}

/// Whether each volunteer holds a seat on another shift overlapping `window`.
pub(crate) async fn overlapping_volunteers(
    db: &impl ConnectionTrait,
    volunteer_ids: &[String],
    except_shift: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<String>> {
    if volunteer_ids.is_empty() {
        return Ok(vec![]);
    }
    let held = signup::Entity::find()
        .filter(signup::Column::VolunteerId.is_in(volunteer_ids.iter().cloned()))
        .filter(signup::Column::Status.is_in(status_names(&SignupStatus::SEAT_HOLDING)))
        .filter(signup::Column::ShiftId.ne(except_shift))
        .all(db)
        .await?;
    if held.is_empty() {
        return Ok(vec![]);
    }
    let shifts: HashMap<String, (DateTime<Utc>, DateTime<Utc>)> = shift::Entity::find()
        .filter(shift::Column::Id.is_in(held.iter().map(|s| s.shift_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, (s.starts_at, s.ends_at)))
        .collect();
    Ok(held
        .into_iter()
        .filter(|s| {
            shifts
                .get(&s.shift_id)
                .is_some_and(|w| overlaps(*w, window))
        })
        .map(|s| s.volunteer_id)
        .collect())
}

/// Why `signup`'s volunteer cannot be confirmed on `ctx`'s shift whatever the seats say:
/// another confirmed shift at the same time, or hard rules no longer met. The caller holds the
/// volunteer's account lock, so the answer stays true until it commits.
pub(super) async fn personal_obstacle(
    db: &impl ConnectionTrait,
    signup: &signup::Model,
    ctx: &ShiftContext,
    rules: &SignupRules,
) -> Result<Option<WaitReason>> {
    let window = (ctx.shift.starts_at, ctx.shift.ends_at);
    let busy = overlapping_volunteers(
        db,
        std::slice::from_ref(&signup.volunteer_id),
        &ctx.shift.id,
        window,
    )
    .await?;
    if !busy.is_empty() {
        return Ok(Some(WaitReason::Overlap));
    }
    let profile = volunteer_profile::Entity::find_by_id(signup.volunteer_id.clone())
        .one(db)
        .await?;
    let Some(profile) = profile.map(Profile::try_from).transpose()? else {
        return Ok(Some(WaitReason::Ineligible));
    };
    let shift = shifts::shift_from_model(ctx.shift.clone(), (0, 0))?;
    let assessment = assess(
        &profile.rules_view(),
        &shift.facts(),
        &rules.ages,
        rules.timezone,
    );
    Ok((!assessment.may_sign_up()).then_some(WaitReason::Ineligible))
}

/// Gives free seats to the waitlist (in arrival order, under the ratio) and refreshes the
/// reasons the others wait. Returns the signups confirmed. The caller holds the shift lock and
/// the account lock of `locked_volunteer`.
///
/// Before a waiting volunteer is confirmed, their account row is locked too and their other
/// shifts and eligibility are checked again under that lock: otherwise two cancellations on
/// two overlapping shifts could each promote the same person. Locking an account after a
/// shift reverses the usual order; PostgreSQL breaks the rare deadlock that can follow by
/// aborting one transaction, and [`crate::retrying`] runs that one again.
pub(super) async fn seat_waitlist(
    db: &impl ConnectionTrait,
    ctx: &ShiftContext,
    rules: &SignupRules,
    locked_volunteer: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let all = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(ctx.shift.id.clone()))
        .order_by_asc(signup::Column::Seq)
        .all(db)
        .await?;
    let mut seats = Seats {
        capacity: crate::non_negative(ctx.shift.capacity),
        minors_per_adult: ctx.shift.minors_per_adult.map(crate::non_negative),
        adults: 0,
        minors: 0,
    };
    let mut waiting = Vec::new();
    for s in &all {
        let status: SignupStatus = parse_name(&s.status)?;
        if status.holds_seat() {
            if s.minor {
                seats.minors += 1;
            } else {
                seats.adults += 1;
            }
        } else if status == SignupStatus::Waitlisted {
            waiting.push(s);
        }
    }
    if waiting.is_empty() {
        return Ok(vec![]);
    }
    let mut locked: HashSet<String> = HashSet::from([locked_volunteer.to_string()]);
    let mut checked: HashMap<String, Option<WaitReason>> = HashMap::new();
    let (queue, seated) = loop {
        let queue: Vec<Waiting> = waiting
            .iter()
            .map(|s| {
                Ok(Waiting {
                    signup_id: parse_id(&s.id)?,
                    minor: s.minor,
                    blocked: checked.get(&s.id).copied().flatten(),
                })
            })
            .collect::<Result<_>>()?;
        let seated = seats.seat_waiting(&queue);
        let mut newly_blocked = false;
        for s in waiting
            .iter()
            .filter(|s| seated.iter().any(|id| id.to_string() == s.id))
        {
            if checked.contains_key(&s.id) {
                continue;
            }
            if locked.insert(s.volunteer_id.clone()) {
                lock_account(db, &s.volunteer_id).await?;
            }
            let obstacle = personal_obstacle(db, s, ctx, rules).await?;
            newly_blocked |= obstacle.is_some();
            checked.insert(s.id.clone(), obstacle);
        }
        if !newly_blocked {
            break (queue, seated);
        }
    };
    let mut after = seats;
    for w in queue.iter().filter(|w| seated.contains(&w.signup_id)) {
        if w.minor {
            after.minors += 1;
        } else {
            after.adults += 1;
        }
    }
    let mut confirmed = Vec::new();
    for (s, w) in waiting.iter().zip(&queue) {
        let (status, reason) = if seated.contains(&w.signup_id) {
            confirmed.push(s.id.clone());
            (SignupStatus::Confirmed, None)
        } else {
            let reason = after.obstacle(w).map(|r| r.as_str().to_string());
            if reason == s.wait_reason {
                continue;
            }
            (SignupStatus::Waitlisted, reason)
        };
        transition(
            db,
            &s.id,
            SignupStatus::Waitlisted,
            status,
            vec![(signup::Column::WaitReason, Expr::value(reason))],
            now,
        )
        .await?;
    }
    Ok(confirmed)
}

/// Moves a signup from `from` to `to` (with `more` columns), or answers 409 if it is no longer
/// in `from`: a concurrent request got there first.
pub(crate) async fn transition(
    db: &impl ConnectionTrait,
    signup_id: &str,
    from: SignupStatus,
    to: SignupStatus,
    more: Vec<(signup::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = signup::Entity::update_many()
        .col_expr(signup::Column::Status, Expr::value(to.as_str()))
        .col_expr(signup::Column::UpdatedAt, Expr::value(seconds(now)));
    for (column, value) in more {
        update = update.col_expr(column, value);
    }
    let done = update
        .filter(signup::Column::Id.eq(signup_id))
        .filter(signup::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::conflict(format!(
            "the signup is no longer {}; reload and try again",
            from.as_str()
        )));
    }
    Ok(())
}

pub(super) async fn waitlist_position(
    db: &impl ConnectionTrait,
    m: &signup::Model,
) -> Result<Option<u32>> {
    if m.status != SignupStatus::Waitlisted.as_str() {
        return Ok(None);
    }
    use sea_orm::PaginatorTrait;
    let ahead = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(m.shift_id.clone()))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signup::Column::Seq.lt(m.seq))
        .count(db)
        .await?;
    Ok(Some(ahead as u32 + 1))
}

pub(super) async fn notify_promoted(
    db: &impl ConnectionTrait,
    ctx: &ShiftContext,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    for id in ids {
        let s = signup::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .ok_or(StoreError::NotFound("signup"))?;
        outbox::enqueue_about_signup(
            db,
            MessageKind::WaitlistPromoted,
            outbox::shift_payload(ctx),
            SignupRef {
                id: &s.id,
                volunteer_id: &s.volunteer_id,
                minor: s.minor,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
