//! Events, their shifts and insurance.

use crate::entities::{event, event_insurance, organization, shift, signup};
use crate::outbox::{self, MessageKind};
use crate::page::{Page, PageRequest};
use crate::signups::transition;
use crate::{Result, Store, StoreError, commit, from_json, parse_id, parse_name, seconds, to_json};
use chrono::{DateTime, NaiveDate, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::eligibility::ShiftFacts;
use hourbook_domain::event::{EventInput, InsuranceInput};
use hourbook_domain::location::round_km;
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::shift::NewShift;
use hourbook_domain::{Campaign, Coordinates, Skill};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Shift status: open for signups.
pub const SHIFT_OPEN: &str = "open";
/// Shift status: cancelled by the organizer.
pub const SHIFT_CANCELLED: &str = "cancelled";

/// An event.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// Id.
    pub id: Uuid,
    /// Organizing organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Risks, shown before signup.
    pub risks: Option<String>,
    /// Needs insurance before check-in.
    pub hazardous: bool,
    /// Campaign.
    pub campaign: Campaign,
    /// Service category.
    pub category: String,
    /// Location.
    pub location: Coordinates,
    /// Address.
    pub address: String,
    /// Distance from `near`, when the list was asked for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// Recorded accident insurance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Insurance {
    /// Id.
    pub id: Uuid,
    /// Insurer.
    pub insurer: String,
    /// Policy number.
    pub policy_number: String,
    /// First day covered.
    pub covers_from: NaiveDate,
    /// Last day covered.
    pub covers_to: NaiveDate,
}

/// An event with its shifts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventDetail {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// Its shifts, by start time.
    pub shifts: Vec<Shift>,
    /// Insurance policies recorded.
    pub insurance: Vec<Insurance>,
}

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
            required_skills: self.required_skills.clone(),
            min_age: self.min_age,
            max_age: self.max_age,
        }
    }
}

/// Filters for `GET /api/v1/events`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Sort nearest first from here, and report distances.
    pub near: Option<Coordinates>,
    /// Only events within this distance of `near`.
    pub radius_km: Option<f64>,
    /// Only this campaign.
    pub campaign: Option<Campaign>,
    /// Only events with an open shift ending after this (default: now).
    pub from: Option<DateTime<Utc>>,
    /// Only events with an open shift starting before this.
    pub to: Option<DateTime<Utc>>,
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

async fn event_from_model(db: &impl ConnectionTrait, m: event::Model) -> Result<Event> {
    let org = organization::Entity::find_by_id(m.organization_id.clone())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("organization"))?;
    Ok(Event {
        id: parse_id(&m.id)?,
        organization_id: parse_id(&m.organization_id)?,
        organization_name: org.name,
        title: m.title,
        description: m.description,
        risks: m.risks,
        hazardous: m.hazardous,
        campaign: parse_name(&m.campaign)?,
        category: m.category,
        location: Coordinates {
            lat: m.lat,
            lon: m.lon,
        },
        address: m.address,
        distance_km: None,
    })
}

/// Inserts an event row (also used by the demo loader).
pub(crate) async fn insert_event(
    db: &impl ConnectionTrait,
    input: &EventInput,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    event::Entity::insert(event::ActiveModel {
        id: Set(id.to_string()),
        organization_id: Set(input.organization_id.to_string()),
        title: Set(input.title.clone()),
        description: Set(input.description.clone()),
        risks: Set(input.risks.clone()),
        hazardous: Set(input.hazardous),
        campaign: Set(input.campaign.as_str().into()),
        category: Set(input.category.clone()),
        lat: Set(input.location.lat),
        lon: Set(input.location.lon),
        address: Set(input.address.clone()),
        created_by: Set(created_by.to_string()),
        created_at: Set(seconds(now)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
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
    /// Creates an event for an organization the actor organizes for.
    pub async fn create_event(
        &self,
        actor: &Actor,
        input: EventInput,
        now: DateTime<Utc>,
    ) -> Result<Event> {
        let input = input.validate()?;
        self.organization(input.organization_id)
            .await
            .map_err(|_| {
                hourbook_domain::DomainError::invalid("organization_id", "no such organization")
            })?;
        if !actor.may_organize(input.organization_id) {
            return Err(StoreError::Forbidden(
                "only the organization's organizers post events",
            ));
        }
        let id = insert_event(self.db(), &input, actor.account_id, now).await?;
        Ok(self.event(id).await?.event)
    }

    /// One event with its shifts and insurance.
    pub async fn event(&self, id: Uuid) -> Result<EventDetail> {
        let model = event::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("event"))?;
        let shifts = shift::Entity::find()
            .filter(shift::Column::EventId.eq(model.id.clone()))
            .order_by_asc(shift::Column::StartsAt)
            .all(self.db())
            .await?;
        let ids: Vec<String> = shifts.iter().map(|s| s.id.clone()).collect();
        let counts = seat_counts(self.db(), &ids).await?;
        let shifts = shifts
            .into_iter()
            .map(|s| {
                let c = counts.get(&s.id).copied().unwrap_or_default();
                shift_from_model(s, c)
            })
            .collect::<Result<Vec<_>>>()?;
        let insurance = event_insurance::Entity::find()
            .filter(event_insurance::Column::EventId.eq(model.id.clone()))
            .order_by_asc(event_insurance::Column::CoversFrom)
            .all(self.db())
            .await?
            .into_iter()
            .map(|i| {
                Ok(Insurance {
                    id: parse_id(&i.id)?,
                    insurer: i.insurer,
                    policy_number: i.policy_number,
                    covers_from: i.covers_from,
                    covers_to: i.covers_to,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let event = event_from_model(self.db(), model).await?;
        Ok(EventDetail {
            event,
            shifts,
            insurance,
        })
    }

    /// Events with open shifts in the window, nearest first when `near` is given, otherwise
    /// soonest first.
    pub async fn list_events(
        &self,
        filter: &EventFilter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Event>> {
        let from = seconds(filter.from.unwrap_or(now));
        let mut shifts = shift::Entity::find()
            .filter(shift::Column::Status.eq(SHIFT_OPEN))
            .filter(shift::Column::EndsAt.gt(from));
        if let Some(to) = filter.to {
            shifts = shifts.filter(shift::Column::StartsAt.lt(seconds(to)));
        }
        let shifts = shifts
            .order_by_asc(shift::Column::StartsAt)
            .all(self.db())
            .await?;
        let mut first_start: HashMap<String, DateTime<Utc>> = HashMap::new();
        for s in &shifts {
            first_start.entry(s.event_id.clone()).or_insert(s.starts_at);
        }
        let mut query =
            event::Entity::find().filter(event::Column::Id.is_in(first_start.keys().cloned()));
        if let Some(campaign) = filter.campaign {
            query = query.filter(event::Column::Campaign.eq(campaign.as_str()));
        }
        let models = query.all(self.db()).await?;
        let mut orgs: HashMap<String, String> = HashMap::new();
        let org_ids: HashSet<String> = models.iter().map(|m| m.organization_id.clone()).collect();
        for org in organization::Entity::find()
            .filter(organization::Column::Id.is_in(org_ids))
            .all(self.db())
            .await?
        {
            orgs.insert(org.id, org.name);
        }
        let mut events = Vec::with_capacity(models.len());
        for m in models {
            let starts = first_start.get(&m.id).copied().unwrap_or(now);
            let location = Coordinates {
                lat: m.lat,
                lon: m.lon,
            };
            let distance = filter.near.map(|p| p.distance_km(&location));
            if let (Some(d), Some(r)) = (distance, filter.radius_km)
                && d > r
            {
                continue;
            }
            events.push((
                distance,
                starts,
                Event {
                    id: parse_id(&m.id)?,
                    organization_id: parse_id(&m.organization_id)?,
                    organization_name: orgs.get(&m.organization_id).cloned().unwrap_or_default(),
                    title: m.title,
                    description: m.description,
                    risks: m.risks,
                    hazardous: m.hazardous,
                    campaign: parse_name(&m.campaign)?,
                    category: m.category,
                    location,
                    address: m.address,
                    distance_km: distance.map(round_km),
                },
            ));
        }
        events.sort_by(|a, b| {
            let by_distance = a.0.unwrap_or(0.0).total_cmp(&b.0.unwrap_or(0.0));
            by_distance.then(a.1.cmp(&b.1)).then(a.2.id.cmp(&b.2.id))
        });
        Ok(page.slice(events.into_iter().map(|(_, _, e)| e).collect()))
    }

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
        let id = insert_shift(self.db(), &event, &new, now).await?;
        self.shift(id).await
    }

    /// One shift with its seat counts.
    pub async fn shift(&self, id: Uuid) -> Result<Shift> {
        let model = shift::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("shift"))?;
        let counts = seat_counts(self.db(), std::slice::from_ref(&model.id)).await?;
        let c = counts.get(&model.id).copied().unwrap_or_default();
        shift_from_model(model, c)
    }

    /// Cancels a shift: every live signup is cancelled and told so (a safety message).
    pub async fn cancel_shift(
        &self,
        actor: &Actor,
        shift_id: Uuid,
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
        for s in roster {
            let status: SignupStatus = parse_name(&s.status)?;
            if !status.may_cancel() {
                continue;
            }
            transition(&txn, &s.id, status, SignupStatus::Cancelled, vec![], now).await?;
            outbox::enqueue_for_account(
                &txn,
                MessageKind::ShiftCancelled,
                &s.volunteer_id,
                serde_json::json!({
                    "shift_id": ctx.shift.id, "shift_title": ctx.shift.title, "event_title": ctx.event.title,
                    "starts_at": ctx.shift.starts_at, "address": ctx.shift.address,
                }),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.shift(shift_id).await
    }

    /// Records accident insurance for an event the actor organizes.
    pub async fn record_insurance(
        &self,
        actor: &Actor,
        event_id: Uuid,
        input: InsuranceInput,
        now: DateTime<Utc>,
    ) -> Result<Insurance> {
        let input = input.validate()?;
        let event = event::Entity::find_by_id(event_id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("event"))?;
        if !actor.may_organize(parse_id(&event.organization_id)?) {
            return Err(StoreError::Forbidden(
                "only the event's organizers record insurance",
            ));
        }
        let txn = self.write().await?;
        let id = Uuid::new_v4();
        event_insurance::Entity::insert(event_insurance::ActiveModel {
            id: Set(id.to_string()),
            event_id: Set(event.id),
            insurer: Set(input.insurer.clone()),
            policy_number: Set(input.policy_number.clone()),
            covers_from: Set(input.covers_from),
            covers_to: Set(input.covers_to),
            recorded_by: Set(actor.account_id.to_string()),
            created_at: Set(seconds(now)),
        })
        .exec_without_returning(&txn)
        .await?;
        let insurance = Insurance {
            id,
            insurer: input.insurer,
            policy_number: input.policy_number,
            covers_from: input.covers_from,
            covers_to: input.covers_to,
        };
        commit(txn, insurance).await
    }
}
