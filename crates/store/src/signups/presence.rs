//! Check-in, check-out and no-shows, and who may record them.

use super::seats::{lock_account, transition};
use super::{PresenceInput, Signup, SignupRules, find_signup, reload};
use crate::entities::{event_insurance, signup};
use crate::shifts::{SHIFT_OPEN, ShiftContext, shift_context};
use crate::{Result, Store, StoreError, parse_name, retrying, seconds};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::check_in_code;
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::{Coordinates, DomainError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// `signups.checked_in_with`: an organizer at the desk.
pub(crate) const CHECKED_IN_AT_DESK: &str = "desk";
/// The volunteer, with the rotating code shown on the organizer's device.
pub(crate) const CHECKED_IN_WITH_CODE: &str = "code";
/// The volunteer, within the geofence.
pub(crate) const CHECKED_IN_AT_LOCATION: &str = "location";

impl Store {
    /// Checks a volunteer in: by themselves on site (location or code), or by an organizer
    /// anywhere.
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
        if ctx.shift.status != SHIFT_OPEN {
            return Err(StoreError::conflict("the shift has been cancelled"));
        }
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
        if input.code.is_some() && (by_organizer || direction == Presence::Out) {
            return Err(DomainError::invalid(
                "code",
                "a code checks a volunteer in on site; organizers and check-outs need none",
            )
            .into());
        }
        let method = if by_organizer {
            CHECKED_IN_AT_DESK
        } else if let Some(code) = &input.code {
            let shift_id = crate::parse_id(&ctx.shift.id)?;
            if !check_in_code::accepts(&rules.check_in_code_key, shift_id, code, now) {
                return Err(DomainError::invalid(
                    "code",
                    "is not the code on the organizer's screen now (it changes every 30 seconds)",
                )
                .into());
            }
            CHECKED_IN_WITH_CODE
        } else {
            let Some(here) = input.location else {
                return Err(DomainError::invalid(
                    "location",
                    "your location (or the code on the organizer's screen) is needed to check in on site",
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
            CHECKED_IN_AT_LOCATION
        };
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
                    (signup::Column::CheckedInWith, Expr::value(method)),
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    In,
    Out,
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
