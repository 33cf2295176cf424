//! Signups: seats, the waitlist, cancellation, check-in and check-out.

use crate::entities::{account, event_insurance, shift, signup, volunteer_profile};
use crate::events::{self, SHIFT_OPEN, Shift, ShiftContext, shift_context};
use crate::outbox::{self, MessageKind};
use crate::profiles::Profile;
use crate::{Result, Store, StoreError, parse_id, parse_name, retrying, seconds};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hourbook_domain::access::Actor;
use hourbook_domain::eligibility::assess;
use hourbook_domain::profile::{AgePolicy, age_on};
use hourbook_domain::roster::{Seats, SignupStatus, WaitReason, Waiting, overlaps};
use hourbook_domain::{Coordinates, DomainError, Ineligibility};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
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
    /// Where the volunteer is (required when volunteers check themselves in).
    #[serde(default)]
    pub location: Option<Coordinates>,
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

const SEAT_HOLDING: [SignupStatus; 4] = [
    SignupStatus::Confirmed,
    SignupStatus::CheckedIn,
    SignupStatus::CheckedOut,
    SignupStatus::Verified,
];

fn status_names(list: &[SignupStatus]) -> Vec<&'static str> {
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

/// Takes the shift's row lock and hands out the next arrival number.
async fn lock_shift_and_number(db: &impl ConnectionTrait, shift_id: &str) -> Result<()> {
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
async fn overlapping_volunteers(
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
        .filter(signup::Column::Status.is_in(status_names(&SEAT_HOLDING)))
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
async fn personal_obstacle(
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
    let shift = events::shift_from_model(ctx.shift.clone(), (0, 0))?;
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
async fn seat_waitlist(
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

async fn waitlist_position(db: &impl ConnectionTrait, m: &signup::Model) -> Result<Option<u32>> {
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

fn shift_payload(ctx: &ShiftContext) -> serde_json::Value {
    serde_json::json!({
        "shift_id": ctx.shift.id, "shift_title": ctx.shift.title, "event_title": ctx.event.title,
        "starts_at": ctx.shift.starts_at, "ends_at": ctx.shift.ends_at, "address": ctx.shift.address,
    })
}

async fn notify_promoted(
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
        outbox::enqueue_for_account(
            db,
            MessageKind::WaitlistPromoted,
            &s.volunteer_id,
            shift_payload(ctx),
            now,
        )
        .await?;
    }
    Ok(())
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
        let volunteer_id = actor.account_id.to_string();
        let shift_key = shift_id.to_string();
        let txn = self.write().await?;
        // Lock order everywhere: the volunteer's row, then the shift's.
        lock_account(&txn, &volunteer_id).await?;
        lock_shift_and_number(&txn, &shift_key).await?;
        let ctx = shift_context(&txn, &shift_key).await?;
        if ctx.shift.status != SHIFT_OPEN {
            return Err(StoreError::conflict("the shift has been cancelled"));
        }
        if ctx.shift.ends_at <= now {
            return Err(StoreError::conflict("the shift is over"));
        }
        let profile = volunteer_profile::Entity::find_by_id(volunteer_id.clone())
            .one(&txn)
            .await?;
        let Some(profile) = profile.map(Profile::try_from).transpose()? else {
            return Err(DomainError::Ineligible(vec![Ineligibility {
                code: "profile_missing",
                detail: "fill in your profile (birth date, home) before signing up".into(),
            }])
            .into());
        };
        let shift = events::shift_from_model(ctx.shift.clone(), (0, 0))?;
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
            .all(&txn)
            .await?;
        for s in &mine {
            if parse_name::<SignupStatus>(&s.status)?.is_active() {
                return Err(StoreError::conflict(
                    "you are already signed up for this shift",
                ));
            }
        }
        let window = (ctx.shift.starts_at, ctx.shift.ends_at);
        let busy = overlapping_volunteers(
            &txn,
            std::slice::from_ref(&volunteer_id),
            &shift_key,
            window,
        )
        .await?;
        if !busy.is_empty() {
            return Err(StoreError::conflict(
                "you already hold a confirmed shift at the same time",
            ));
        }
        let minor = age_on(profile.birth_date, shift.facts().local_date(rules.timezone))
            < rules.ages.adult_age;
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
        })
        .exec_without_returning(&txn)
        .await?;
        // The new signup joins the back of the queue; it gets a seat only if nobody ahead
        // of it can use one.
        let confirmed = seat_waitlist(&txn, &ctx, rules, &volunteer_id, now).await?;
        let others: Vec<String> = confirmed.iter().filter(|c| **c != id).cloned().collect();
        notify_promoted(&txn, &ctx, &others, now).await?;
        let kind = if confirmed.contains(&id) {
            MessageKind::SignupConfirmed
        } else {
            MessageKind::SignupWaitlisted
        };
        outbox::enqueue_for_account(&txn, kind, &volunteer_id, shift_payload(&ctx), now).await?;
        let signup = reload(&txn, &id, true).await?;
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
        lock_shift_and_number(&txn, &first.shift_id).await?;
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
            let counts = events::seat_counts(self.db(), std::slice::from_ref(&m.shift_id)).await?;
            let shift = events::shift_from_model(
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

    /// Checks a volunteer in: by themselves on site, or by an organizer anywhere.
    pub async fn check_in(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        input: PresenceInput,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        retrying(|| self.presence(actor, signup_id, &input, rules, now, Presence::In)).await
    }

    /// Checks a volunteer out.
    pub async fn check_out(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        input: PresenceInput,
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        retrying(|| self.presence(actor, signup_id, &input, rules, now, Presence::Out)).await
    }

    async fn presence(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        input: &PresenceInput,
        rules: &SignupRules,
        now: DateTime<Utc>,
        direction: Presence,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let access = SignupAccess::lock(&txn, actor, signup_id).await?;
        // Organizers record presence anywhere and at any time they say, except their own:
        // on their own signup they are a volunteer like any other.
        let by_organizer = access.organizer && !access.own;
        if !by_organizer && !access.own {
            return Err(StoreError::Forbidden(
                "only the event's organizers check volunteers in and out",
            ));
        }
        let (model, ctx) = (&access.model, &access.ctx);
        let at = match (by_organizer, input.at) {
            (true, Some(at)) => at.with_timezone(&Utc),
            (false, Some(_)) => {
                return Err(
                    DomainError::invalid("at", "only organizers may record another time").into(),
                );
            }
            (_, None) => now,
        };
        if at > now + Duration::minutes(5) {
            return Err(DomainError::invalid("at", "must not be in the future").into());
        }
        if let Some(l) = input.location {
            Coordinates::parse(l.lat, l.lon, "location")?;
        }
        if !by_organizer {
            let Some(here) = input.location else {
                return Err(DomainError::invalid(
                    "location",
                    "your location is needed to check in on site",
                )
                .into());
            };
            let distance = here.distance_m(&Coordinates {
                lat: ctx.shift.lat,
                lon: ctx.shift.lon,
            });
            if distance > rules.geofence_m {
                return Err(DomainError::invalid(
                    "location",
                    format!(
                        "you are {:.0} m from the shift; check in within {:.0} m",
                        distance, rules.geofence_m
                    ),
                )
                .into());
            }
        }
        let status: SignupStatus = parse_name(&model.status)?;
        let by = Expr::value(actor.account_id.to_string());
        match direction {
            Presence::In => {
                if status != SignupStatus::Confirmed {
                    return Err(StoreError::conflict(format!(
                        "a signup that is {} cannot check in",
                        status.as_str()
                    )));
                }
                if at < ctx.shift.starts_at - rules.early_check_in || at > ctx.shift.ends_at {
                    return Err(StoreError::conflict(
                        "check-in opens shortly before the shift and closes at its end",
                    ));
                }
                if ctx.event.hazardous {
                    let day = ctx
                        .shift
                        .starts_at
                        .with_timezone(&rules.timezone)
                        .date_naive();
                    let insured = event_insurance::Entity::find()
                        .filter(event_insurance::Column::EventId.eq(ctx.event.id.clone()))
                        .filter(event_insurance::Column::CoversFrom.lte(day))
                        .filter(event_insurance::Column::CoversTo.gte(day))
                        .one(&txn)
                        .await?;
                    if insured.is_none() {
                        return Err(StoreError::conflict(
                            "this event is hazardous: the organizer must record accident insurance before check-in",
                        ));
                    }
                }
                let more = vec![
                    (signup::Column::CheckedInAt, Expr::value(seconds(at))),
                    (signup::Column::CheckedInBy, by),
                ];
                transition(&txn, &model.id, status, SignupStatus::CheckedIn, more, now).await?;
            }
            Presence::Out => {
                if status != SignupStatus::CheckedIn {
                    return Err(StoreError::conflict(format!(
                        "a signup that is {} cannot check out",
                        status.as_str()
                    )));
                }
                if model.checked_in_at.is_some_and(|t| at < t) {
                    return Err(
                        DomainError::invalid("at", "must not be before the check-in").into(),
                    );
                }
                let more = vec![
                    (signup::Column::CheckedOutAt, Expr::value(seconds(at))),
                    (signup::Column::CheckedOutBy, by),
                ];
                transition(&txn, &model.id, status, SignupStatus::CheckedOut, more, now).await?;
            }
        }
        let signup = reload(&txn, &model.id, false).await?;
        txn.commit().await?;
        Ok(signup)
    }

    /// An organizer records that a confirmed volunteer did not come.
    pub async fn mark_no_show(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        retrying(|| self.mark_no_show_once(actor, signup_id, now)).await
    }

    async fn mark_no_show_once(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let access = SignupAccess::lock(&txn, actor, signup_id).await?;
        if !access.organizer {
            return Err(StoreError::Forbidden(
                "only the event's organizers record no-shows",
            ));
        }
        if now < access.ctx.shift.starts_at {
            return Err(StoreError::conflict("the shift has not started yet"));
        }
        if parse_name::<SignupStatus>(&access.model.status)? != SignupStatus::Confirmed {
            return Err(StoreError::conflict(
                "only a confirmed signup that has not checked in can be a no-show",
            ));
        }
        transition(
            &txn,
            &access.model.id,
            SignupStatus::Confirmed,
            SignupStatus::NoShow,
            vec![],
            now,
        )
        .await?;
        let signup = reload(&txn, &access.model.id, false).await?;
        txn.commit().await?;
        Ok(signup)
    }
}

#[derive(Clone, Copy)]
enum Presence {
    In,
    Out,
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

/// A signup someone may act on, read under its volunteer's account lock so that no other
/// change to that volunteer's signups or ledger runs at the same time.
pub(crate) struct SignupAccess {
    /// The signup, as it stands under the lock.
    pub model: signup::Model,
    /// Its shift, event and organization.
    pub ctx: ShiftContext,
    /// The actor is the signup's volunteer.
    pub own: bool,
    /// The actor organizes for the event's organization.
    pub organizer: bool,
    /// The actor may verify hours for the event's organization.
    pub verifier: bool,
}

impl SignupAccess {
    /// Loads and locks. Whoever is neither the volunteer nor a member of the event's
    /// organization gets "not found": ids of others' signups leak nothing.
    pub(crate) async fn lock(
        db: &impl ConnectionTrait,
        actor: &Actor,
        signup_id: Uuid,
    ) -> Result<Self> {
        let first = find_signup(db, signup_id).await?;
        let ctx = shift_context(db, &first.shift_id).await?;
        let own = first.volunteer_id == actor.account_id.to_string();
        let organizer = actor.may_organize(ctx.organization_id);
        let verifier = actor.may_verify(ctx.organization_id);
        if !own && !verifier {
            return Err(StoreError::NotFound("signup"));
        }
        lock_account(db, &first.volunteer_id).await?;
        let model = find_signup(db, signup_id).await?;
        Ok(Self {
            model,
            ctx,
            own,
            organizer,
            verifier,
        })
    }
}
