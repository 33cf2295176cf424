//! Moving a shift to another time or place on its day. Everyone holding or waiting for a seat
//! is told (a safety message, like a cancellation: it cannot be turned off).

use crate::entities::{shift, signup};
use crate::outbox::{self, MessageKind, SignupRef};
use crate::shifts::{SHIFT_OPEN, Shift, load_shift, shift_context};
use crate::signups::{lock_account, lock_shift, overlapping_volunteers};
use crate::{Result, Store, StoreError, parse_name, retrying, seconds};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hourbook_domain::Coordinates;
use hourbook_domain::access::Actor;
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::shift::{ShiftChange, ShiftChangeInput};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

impl Store {
    /// Changes a shift's time or place before it starts. Refused once anyone has checked in,
    /// and when a volunteer holding a seat would then hold two overlapping seats.
    pub async fn change_shift(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        input: ShiftChangeInput,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Shift> {
        retrying(|| self.change_shift_once(actor, shift_id, input.clone(), tz, now)).await
    }

    async fn change_shift_once(
        &self,
        actor: &Actor,
        shift_id: Uuid,
        input: ShiftChangeInput,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Shift> {
        let txn = self.write().await?;
        let before = shift_context(&txn, &shift_id.to_string()).await?;
        if !actor.may_organize(before.organization_id) {
            return Err(StoreError::Forbidden(
                "only the event's organizers change shifts",
            ));
        }
        lock_shift(&txn, &before.shift.id).await?;
        let before = shift_context(&txn, &before.shift.id).await?;
        if before.shift.status != SHIFT_OPEN {
            return Err(StoreError::conflict("a cancelled shift cannot be changed"));
        }
        if before.shift.starts_at <= now {
            return Err(StoreError::conflict(
                "a shift that has started cannot be changed",
            ));
        }
        let current = ShiftChange {
            starts_at: before.shift.starts_at,
            ends_at: before.shift.ends_at,
            location: Coordinates {
                lat: before.shift.lat,
                lon: before.shift.lon,
            },
            address: before.shift.address.clone(),
        };
        let change = input.validate(&current, tz, now)?;
        let roster = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(before.shift.id.clone()))
            .all(&txn)
            .await?;
        let mut told = Vec::new();
        let mut seated = Vec::new();
        for s in roster {
            match parse_name::<SignupStatus>(&s.status)? {
                SignupStatus::Confirmed => {
                    seated.push(s.volunteer_id.clone());
                    told.push(s);
                }
                SignupStatus::Waitlisted | SignupStatus::Requested => told.push(s),
                SignupStatus::CheckedIn | SignupStatus::CheckedOut | SignupStatus::Verified => {
                    return Err(StoreError::conflict(
                        "volunteers have already checked in: the shift cannot be changed",
                    ));
                }
                _ => {}
            }
        }
        let window = (change.starts_at, change.ends_at);
        if window != (current.starts_at, current.ends_at) {
            // Their account locks come after this shift's lock (the reversed order, as in
            // promotions); a deadlock this causes is retried by `retrying`.
            seated.sort();
            for volunteer in &seated {
                lock_account(&txn, volunteer).await?;
            }
            let clashing = overlapping_volunteers(&txn, &seated, &before.shift.id, window).await?;
            if !clashing.is_empty() {
                return Err(StoreError::conflict(format!(
                    "{} of the volunteers holding a seat have another shift at the new time; \
                     keep the time, or cancel the shift and post a new one",
                    clashing.len()
                )));
            }
        }
        shift::Entity::update_many()
            .col_expr(
                shift::Column::StartsAt,
                Expr::value(seconds(change.starts_at)),
            )
            .col_expr(shift::Column::EndsAt, Expr::value(seconds(change.ends_at)))
            .col_expr(shift::Column::Lat, Expr::value(change.location.lat))
            .col_expr(shift::Column::Lon, Expr::value(change.location.lon))
            .col_expr(shift::Column::Address, Expr::value(change.address.clone()))
            .filter(shift::Column::Id.eq(before.shift.id.clone()))
            .exec(&txn)
            .await?;
        let after = shift_context(&txn, &before.shift.id).await?;
        let previous = serde_json::json!({
            "starts_at": before.shift.starts_at, "ends_at": before.shift.ends_at,
            "address": before.shift.address,
        });
        for s in &told {
            let signup = SignupRef {
                id: &s.id,
                volunteer_id: &s.volunteer_id,
                minor: s.minor,
            };
            let payload = outbox::with(outbox::shift_payload(&after), "previous", previous.clone());
            outbox::enqueue_about_signup(&txn, MessageKind::ShiftChanged, payload, signup, now)
                .await?;
        }
        let shift = load_shift(&txn, shift_id).await?;
        txn.commit().await?;
        Ok(shift)
    }
}
