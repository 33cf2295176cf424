//! Signups: seats, the waitlist, cancellation, check-in and check-out.

mod presence;
mod seats;

pub(crate) use presence::{CHECKED_IN_AT_DESK, CHECKED_IN_WITH_CODE, SignupAccess};
pub(crate) use seats::{
    lock_account, lock_shift, overlapping_volunteers, status_names, transition,
};

use seats::{lock_shift_and_number, notify_promoted, seat_waitlist, waitlist_position};

use crate::entities::{account, signup, volunteer_profile};
use crate::outbox::{self, MessageKind, SignupRef};
use crate::profiles::Profile;
use crate::shifts::{self, SHIFT_OPEN, Shift, shift_context};
use crate::{Result, Store, StoreError, parse_id, parse_name, retrying, seconds};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hourbook_domain::access::Actor;
use hourbook_domain::eligibility::assess;
use hourbook_domain::profile::{AgePolicy, age_on};
use hourbook_domain::roster::{SignupStatus, WaitReason};
use hourbook_domain::{Coordinates, DomainError, Ineligibility};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The rules that depend on place and configuration.
#[derive(Debug, Clone)]
pub struct SignupRules {
    /// Age thresholds.
    pub ages: AgePolicy,
    /// Where the district is: ages and availability use its calendar.
    pub timezone: Tz,
    /// How far from the shift a volunteer may check in, in metres.
    pub geofence_m: f64,
    /// How early before the start a volunteer may check in.
    pub early_check_in: Duration,
    /// How much time around the shift window counts as service.
    pub grace: Duration,
    /// Key of the rotating check-in codes.
    pub check_in_code_key: Vec<u8>,
}

/// A signup.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Signup {
    /// Id.
    pub id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Status.
    pub status: SignupStatus,
    /// 1-based place in the waitlist, when waitlisted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u32>,
    /// Why still waiting: `full`, `adult_ratio` or `overlap`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_reason: Option<String>,
    /// When the signup was made.
    pub created_at: DateTime<Utc>,
    /// Check-in time.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Check-out time.
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// A signup with its shift, for "my shifts".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MySignup {
    /// The signup.
    #[serde(flatten)]
    pub signup: Signup,
    /// The shift.
    pub shift: Shift,
    /// The event's id, title and address.
    pub event: EventSummary,
}

/// Just enough of an event to show beside a shift.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventSummary {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Address.
    pub address: String,
    /// Category.
    pub category: String,
}

/// One line of a shift's roster, for its organizers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterLine {
    /// The signup.
    #[serde(flatten)]
    pub signup: Signup,
    /// Who.
    pub volunteer: RosterVolunteer,
}

/// The volunteer on a roster line: what an organizer needs, nothing more.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterVolunteer {
    /// Account id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Volunteer number.
    pub volunteer_number: String,
    /// Under 18 on the shift's date.
    pub minor: bool,
}

/// Body of a check-in or check-out.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceInput {
    /// When (organizers only; default now).
    #[serde(default)]
    pub at: Option<DateTime<chrono::FixedOffset>>,
    /// Where the volunteer is (needed when volunteers check themselves in without a code).
    #[serde(default)]
    pub location: Option<Coordinates>,
    /// The code shown on the organizer's device, instead of the location (check-in only).
    #[serde(default)]
    pub code: Option<String>,
}

fn signup_from_model(m: &signup::Model, position: Option<u32>) -> Result<Signup> {
    let status: SignupStatus = parse_name(&m.status)?;
    Ok(Signup {
        id: parse_id(&m.id)?,
        shift_id: parse_id(&m.shift_id)?,
        volunteer_id: parse_id(&m.volunteer_id)?,
        status,
        waitlist_position: position,
        wait_reason: if status == SignupStatus::Waitlisted {
            m.wait_reason.clone()
        } else {
            None
        },
        created_at: m.created_at,
        checked_in_at: m.checked_in_at,
        checked_out_at: m.checked_out_at,
    })
}

impl Store {
    /// Signs the actor up for a shift: confirmed while a seat is free (and the adult ratio
    /// holds), otherwise waitlisted in arrival order.
    pub async fn sign_up(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        retrying(|| self.sign_up_once(actor, shift_id, rules, now)).await
    }

    async fn sign_up_once(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let signup = book(
            &txn,
            &actor.account_id.to_string(),
            &shift_id.to_string(),
            rules,
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(signup)
    }

    /// The volunteer withdraws; a freed seat goes to the head of the waitlist.
    pub async fn cancel_signup(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        retrying(|| self.cancel_signup_once(actor, signup_id, rules, now)).await
    }

    async fn cancel_signup_once(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let first = find_signup(&txn, signup_id).await?;
        // Anyone else's signup is "not found", never "forbidden", so ids leak nothing.
        if first.volunteer_id != actor.account_id.to_string() {
            return Err(StoreError::NotFound("signup"));
        }
        lock_account(&txn, &first.volunteer_id).await?;
        lock_shift(&txn, &first.shift_id).await?;
        // Read again under the locks: a check-in may have landed in between.
        let model = find_signup(&txn, signup_id).await?;
        let status: SignupStatus = parse_name(&model.status)?;
        if !status.may_cancel() {
            return Err(StoreError::conflict(format!(
                "a signup that is {} cannot be cancelled",
                status.as_str()
            )));
        }
        let no_reason = vec![(
            signup::Column::WaitReason,
            Expr::value(Option::<String>::None),
        )];
        transition(
            &txn,
            &model.id,
            status,
            SignupStatus::Cancelled,
            no_reason,
            now,
        )
        .await?;
        let ctx = shift_context(&txn, &model.shift_id).await?;
        if ctx.shift.status == SHIFT_OPEN && ctx.shift.starts_at > now {
            let promoted = seat_waitlist(&txn, &ctx, rules, &model.volunteer_id, now).await?;
            notify_promoted(&txn, &ctx, &promoted, now).await?;
        }
        if status.holds_seat() {
            reseat_where_waiting(&txn, &model.volunteer_id, WaitReason::Overlap, rules, now)
                .await?;
        }
        let signup = reload(&txn, &model.id, false).await?;
        txn.commit().await?;
        Ok(signup)
    }

    /// The actor's signups with their shifts, soonest first.
    pub async fn my_signups(&self, actor: &Actor) -> Result<Vec<MySignup>> {
        let rows = signup::Entity::find()
            .filter(signup::Column::VolunteerId.eq(actor.account_id.to_string()))
            .all(self.db())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let ctx = shift_context(self.db(), &m.shift_id).await?;
            let counts = shifts::seat_counts(self.db(), std::slice::from_ref(&m.shift_id)).await?;
            let shift = shifts::shift_from_model(
                ctx.shift.clone(),
                counts.get(&m.shift_id).copied().unwrap_or_default(),
            )?;
            let position = waitlist_position(self.db(), &m).await?;
            out.push(MySignup {
                signup: signup_from_model(&m, position)?,
                shift,
                event: EventSummary {
                    id: parse_id(&ctx.event.id)?,
                    title: ctx.event.title,
                    address: ctx.event.address,
                    category: ctx.event.category,
                },
            });
        }
        out.sort_by_key(|s| (s.shift.starts_at, s.signup.id));
        Ok(out)
    }

    /// A shift's roster in arrival order, for its organization's organizers and verifiers.
    pub async fn roster(&self, actor: &Actor, shift_id: Uuid) -> Result<Vec<RosterLine>> {
        let ctx = shift_context(self.db(), &shift_id.to_string()).await?;
        if !actor.may_verify(ctx.organization_id) {
            return Err(StoreError::Forbidden(
                "only the event's organization sees its roster",
            ));
        }
        let rows = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(ctx.shift.id.clone()))
            .order_by_asc(signup::Column::Seq)
            .all(self.db())
            .await?;
        let people: HashMap<String, account::Model> = account::Entity::find()
            .filter(account::Column::Id.is_in(rows.iter().map(|r| r.volunteer_id.clone())))
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        let mut position = 0;
        rows.iter()
            .map(|m| {
                let waiting = m.status == SignupStatus::Waitlisted.as_str();
                position += u32::from(waiting);
                let person = people
                    .get(&m.volunteer_id)
                    .ok_or(StoreError::NotFound("account"))?;
                Ok(RosterLine {
                    signup: signup_from_model(m, waiting.then_some(position))?,
                    volunteer: RosterVolunteer {
                        id: parse_id(&person.id)?,
                        name: person.name.clone(),
                        volunteer_number: person.volunteer_number.clone(),
                        minor: m.minor,
                    },
                })
            })
            .collect()
    }
}

/// Signs a volunteer up inside the caller's transaction (plain signups and accepted
/// invitations alike): confirmed while a seat is free and the adult ratio holds, otherwise
/// waitlisted in arrival order. Takes the volunteer's lock, then the shift's.
pub(crate) async fn book(
    txn: &impl ConnectionTrait,
    volunteer_id: &str,
    shift_key: &str,
    rules: &SignupRules,
    now: DateTime<Utc>,
) -> Result<Signup> {
    let volunteer_id = volunteer_id.to_string();
    let shift_key = shift_key.to_string();
    // Lock order everywhere: the volunteer's row, then the shift's.
    lock_account(txn, &volunteer_id).await?;
    lock_shift_and_number(txn, &shift_key).await?;
    let ctx = shift_context(txn, &shift_key).await?;
    if ctx.shift.status != SHIFT_OPEN {
        return Err(StoreError::conflict("the shift has been cancelled"));
    }
    if ctx.shift.ends_at <= now {
        return Err(StoreError::conflict("the shift is over"));
    }
    let profile = volunteer_profile::Entity::find_by_id(volunteer_id.clone())
        .one(txn)
        .await?;
    let Some(profile) = profile.map(Profile::try_from).transpose()? else {
        return Err(DomainError::Ineligible(vec![Ineligibility {
            code: "profile_missing",
            detail: "fill in your profile (birth date, home) before signing up".into(),
            params: Default::default(),
        }])
        .into());
    };
    let shift = shifts::shift_from_model(ctx.shift.clone(), (0, 0))?;
    let assessment = assess(
        &profile.rules_view(),
        &shift.facts(),
        &rules.ages,
        rules.timezone,
    );
    if !assessment.may_sign_up() {
        return Err(DomainError::Ineligible(assessment.rules).into());
    }
    let mine = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(shift_key.clone()))
        .filter(signup::Column::VolunteerId.eq(volunteer_id.clone()))
        .all(txn)
        .await?;
    for s in &mine {
        if parse_name::<SignupStatus>(&s.status)?.is_active() {
            return Err(StoreError::conflict(
                "you are already signed up for this shift",
            ));
        }
    }
    let window = (ctx.shift.starts_at, ctx.shift.ends_at);
    let busy = overlapping_volunteers(txn, std::slice::from_ref(&volunteer_id), &shift_key, window)
        .await?;
    if !busy.is_empty() {
        return Err(StoreError::conflict(
            "you already hold a confirmed shift at the same time",
        ));
    }
    let minor =
        age_on(profile.birth_date, shift.facts().local_date(rules.timezone)) < rules.ages.adult_age;
    let id = Uuid::new_v4().to_string();
    signup::Entity::insert(signup::ActiveModel {
        id: Set(id.clone()),
        shift_id: Set(shift_key.clone()),
        volunteer_id: Set(volunteer_id.clone()),
        status: Set(SignupStatus::Waitlisted.as_str().into()),
        seq: Set(ctx.shift.signup_seq),
        minor: Set(minor),
        wait_reason: Set(None),
        created_at: Set(seconds(now)),
        updated_at: Set(seconds(now)),
        checked_in_at: Set(None),
        checked_in_by: Set(None),
        checked_out_at: Set(None),
        checked_out_by: Set(None),
        checked_in_with: Set(None),
        checked_out_automatically: Set(false),
    })
    .exec_without_returning(txn)
    .await?;
    // The new signup joins the back of the queue; it gets a seat only if nobody ahead
    // of it can use one.
    let confirmed = seat_waitlist(txn, &ctx, rules, &volunteer_id, now).await?;
    let others: Vec<String> = confirmed.iter().filter(|c| **c != id).cloned().collect();
    notify_promoted(txn, &ctx, &others, now).await?;
    let kind = if confirmed.contains(&id) {
        MessageKind::SignupConfirmed
    } else {
        MessageKind::SignupWaitlisted
    };
    let signup = SignupRef {
        id: &id,
        volunteer_id: &volunteer_id,
        minor,
    };
    outbox::enqueue_about_signup(txn, kind, outbox::shift_payload(&ctx), signup, now).await?;
    reload(txn, &id, true).await
}

/// A volunteer whose obstacle is gone (they gave up a clashing seat, or their profile now
/// meets a shift's rules) may now fit shifts where they waited only because of it. Their
/// account lock is held; the shifts are locked in id order.
pub(crate) async fn reseat_where_waiting(
    db: &impl ConnectionTrait,
    volunteer_id: &str,
    reason: WaitReason,
    rules: &SignupRules,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut waiting = signup::Entity::find()
        .filter(signup::Column::VolunteerId.eq(volunteer_id))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signup::Column::WaitReason.eq(reason.as_str()))
        .all(db)
        .await?;
    waiting.sort_by(|a, b| a.shift_id.cmp(&b.shift_id));
    for w in waiting {
        lock_shift(db, &w.shift_id).await?;
        let ctx = shift_context(db, &w.shift_id).await?;
        if ctx.shift.status == SHIFT_OPEN && ctx.shift.starts_at > now {
            let promoted = seat_waitlist(db, &ctx, rules, volunteer_id, now).await?;
            notify_promoted(db, &ctx, &promoted, now).await?;
        }
    }
    Ok(())
}

async fn find_signup(db: &impl ConnectionTrait, signup_id: Uuid) -> Result<signup::Model> {
    signup::Entity::find_by_id(signup_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("signup"))
}

/// A signup as it stands now, with its waitlist position if asked for.
async fn reload(db: &impl ConnectionTrait, id: &str, with_position: bool) -> Result<Signup> {
    let model = signup::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("signup"))?;
    let position = if with_position {
        waitlist_position(db, &model).await?
    } else {
        None
    };
    signup_from_model(&model, position)
}
