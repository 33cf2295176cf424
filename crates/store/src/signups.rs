//! Signups: seats, the waitlist, cancellation, check-in and check-out.

use crate::entities::{account, event_insurance, shift, signup};
use crate::events::{self, SHIFT_OPEN, Shift, ShiftContext, shift_context};
use crate::outbox::{self, MessageKind};
use crate::{Result, Store, StoreError, parse_id, parse_name, seconds};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hourbook_domain::access::Actor;
use hourbook_domain::eligibility::assess;
use hourbook_domain::profile::{AgePolicy, age_on};
use hourbook_domain::roster::{Seats, SignupStatus, Waiting, overlaps};
use hourbook_domain::{Coordinates, DomainError, Ineligibility};
use sea_orm::sea_query::{Expr, ExprTrait};
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
}

/// A signup.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct RosterLine {
    /// The signup.
    #[serde(flatten)]
    pub signup: Signup,
    /// Who.
    pub volunteer: RosterVolunteer,
}

/// The volunteer on a roster line: what an organizer needs, nothing more.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Default, Deserialize)]
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

/// Gives free seats to the waitlist (in arrival order, under the ratio) and refreshes the
/// reasons the others wait. Returns the signups confirmed. The caller holds the shift lock.
async fn seat_waitlist(
    db: &impl ConnectionTrait,
    ctx: &ShiftContext,
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
    let window = (ctx.shift.starts_at, ctx.shift.ends_at);
    let busy = if seats.free() > 0 {
        let ids: Vec<String> = waiting.iter().map(|s| s.volunteer_id.clone()).collect();
        overlapping_volunteers(db, &ids, &ctx.shift.id, window).await?
    } else {
        vec![]
    };
    let queue: Vec<Waiting> = waiting
        .iter()
        .map(|s| {
            Ok(Waiting {
                signup_id: parse_id(&s.id)?,
                minor: s.minor,
                overlapping: busy.contains(&s.volunteer_id),
            })
        })
        .collect::<Result<_>>()?;
    let seated = seats.seat_waiting(&queue);
    let mut after = seats;
    for w in &queue {
        if seated.contains(&w.signup_id) {
            if w.minor {
                after.minors += 1;
            } else {
                after.adults += 1;
            }
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
        signup::Entity::update_many()
            .col_expr(signup::Column::Status, Expr::value(status.as_str()))
            .col_expr(signup::Column::WaitReason, Expr::value(reason))
            .col_expr(signup::Column::UpdatedAt, Expr::value(seconds(now)))
            .filter(signup::Column::Id.eq(s.id.clone()))
            .exec(db)
            .await?;
    }
    Ok(confirmed)
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
        let volunteer_id = actor.account_id.to_string();
        let shift_key = shift_id.to_string();
        let profile = self.profile(actor.account_id).await?;

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
        let Some(profile) = profile else {
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
        if !overlapping_volunteers(
            &txn,
            std::slice::from_ref(&volunteer_id),
            &shift_key,
            window,
        )
        .await?
        .is_empty()
        {
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
        let confirmed = seat_waitlist(&txn, &ctx, now).await?;
        let others: Vec<String> = confirmed.iter().filter(|c| **c != id).cloned().collect();
        notify_promoted(&txn, &ctx, &others, now).await?;
        let kind = if confirmed.contains(&id) {
            MessageKind::SignupConfirmed
        } else {
            MessageKind::SignupWaitlisted
        };
        outbox::enqueue_for_account(&txn, kind, &volunteer_id, shift_payload(&ctx), now).await?;
        let model = signup::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("signup"))?;
        let position = waitlist_position(&txn, &model).await?;
        let signup = signup_from_model(&model, position)?;
        txn.commit().await?;
        Ok(signup)
    }

    /// The volunteer withdraws; a freed seat goes to the head of the waitlist.
    pub async fn cancel_signup(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let model = own_signup(&txn, actor, signup_id).await?;
        lock_account(&txn, &model.volunteer_id).await?;
        lock_shift_and_number(&txn, &model.shift_id).await?;
        let status: SignupStatus = parse_name(&model.status)?;
        if !status.may_cancel() {
            return Err(StoreError::conflict(format!(
                "a signup that is {} cannot be cancelled",
                status.as_str()
            )));
        }
        signup::Entity::update_many()
            .col_expr(
                signup::Column::Status,
                Expr::value(SignupStatus::Cancelled.as_str()),
            )
            .col_expr(
                signup::Column::WaitReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(signup::Column::UpdatedAt, Expr::value(seconds(now)))
            .filter(signup::Column::Id.eq(model.id.clone()))
            .exec(&txn)
            .await?;
        let ctx = shift_context(&txn, &model.shift_id).await?;
        if ctx.shift.status == SHIFT_OPEN && ctx.shift.starts_at > now {
            let promoted = seat_waitlist(&txn, &ctx, now).await?;
            notify_promoted(&txn, &ctx, &promoted, now).await?;
        }
        let model = signup::Entity::find_by_id(model.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("signup"))?;
        let signup = signup_from_model(&model, None)?;
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

    /// A shift's roster in arrival order, for its organizers.
    pub async fn roster(&self, actor: &Actor, shift_id: Uuid) -> Result<Vec<RosterLine>> {
        let ctx = shift_context(self.db(), &shift_id.to_string()).await?;
        if !actor.may_organize(ctx.organization_id) && !actor.may_verify(ctx.organization_id) {
            return Err(StoreError::Forbidden(
                "only the event's organizers see its roster",
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
        self.presence(actor, signup_id, input, rules, now, Presence::In)
            .await
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
        self.presence(actor, signup_id, input, rules, now, Presence::Out)
            .await
    }

    async fn presence(
        &self,
        actor: &Actor,
        signup_id: Uuid,
        input: PresenceInput,
        rules: &SignupRules,
        now: DateTime<Utc>,
        direction: Presence,
    ) -> Result<Signup> {
        let txn = self.write().await?;
        let (model, ctx, by_organizer) = signup_for_actor(&txn, actor, signup_id).await?;
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
            let shift_at = Coordinates {
                lat: ctx.shift.lat,
                lon: ctx.shift.lon,
            };
            let distance = here.distance_m(&shift_at);
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
        let column_by = match direction {
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
                (
                    signup::Column::CheckedInAt,
                    signup::Column::CheckedInBy,
                    SignupStatus::CheckedIn,
                )
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
                (
                    signup::Column::CheckedOutAt,
                    signup::Column::CheckedOutBy,
                    SignupStatus::CheckedOut,
                )
            }
        };
        let (time_col, by_col, new_status) = column_by;
        signup::Entity::update_many()
            .col_expr(signup::Column::Status, Expr::value(new_status.as_str()))
            .col_expr(time_col, Expr::value(seconds(at)))
            .col_expr(by_col, Expr::value(actor.account_id.to_string()))
            .col_expr(signup::Column::UpdatedAt, Expr::value(seconds(now)))
            .filter(signup::Column::Id.eq(model.id.clone()))
            .exec(&txn)
            .await?;
        let model = signup::Entity::find_by_id(model.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("signup"))?;
        let signup = signup_from_model(&model, None)?;
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
        let txn = self.write().await?;
        let (model, ctx, by_organizer) = signup_for_actor(&txn, actor, signup_id).await?;
        if !by_organizer {
            return Err(StoreError::Forbidden(
                "only the event's organizers record no-shows",
            ));
        }
        if parse_name::<SignupStatus>(&model.status)? != SignupStatus::Confirmed {
            return Err(StoreError::conflict(
                "only a confirmed signup that has not checked in can be a no-show",
            ));
        }
        if now < ctx.shift.starts_at {
            return Err(StoreError::conflict("the shift has not started yet"));
        }
        signup::Entity::update_many()
            .col_expr(
                signup::Column::Status,
                Expr::value(SignupStatus::NoShow.as_str()),
            )
            .col_expr(signup::Column::UpdatedAt, Expr::value(seconds(now)))
            .filter(signup::Column::Id.eq(model.id.clone()))
            .exec(&txn)
            .await?;
        let model = signup::Entity::find_by_id(model.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("signup"))?;
        let signup = signup_from_model(&model, None)?;
        txn.commit().await?;
        Ok(signup)
    }
}

#[derive(Clone, Copy)]
enum Presence {
    In,
    Out,
}

/// The actor's own signup; anyone else's is "not found", never "forbidden", so ids leak nothing.
async fn own_signup(
    db: &impl ConnectionTrait,
    actor: &Actor,
    signup_id: Uuid,
) -> Result<signup::Model> {
    signup::Entity::find_by_id(signup_id.to_string())
        .one(db)
        .await?
        .filter(|s| s.volunteer_id == actor.account_id.to_string())
        .ok_or(StoreError::NotFound("signup"))
}

/// A signup the actor may act on: their own, or one on a shift their organization runs
/// (then `true`). Anyone else gets "not found".
pub(crate) async fn signup_for_actor(
    db: &impl ConnectionTrait,
    actor: &Actor,
    signup_id: Uuid,
) -> Result<(signup::Model, ShiftContext, bool)> {
    let model = signup::Entity::find_by_id(signup_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("signup"))?;
    let ctx = shift_context(db, &model.shift_id).await?;
    let organizer = actor.may_organize(ctx.organization_id);
    if !organizer && model.volunteer_id != actor.account_id.to_string() {
        return Err(StoreError::NotFound("signup"));
    }
    Ok((model, ctx, organizer))
}
