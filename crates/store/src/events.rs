//! Events and their insurance.

use crate::entities::{event, event_insurance, organization, shift};
use crate::page::{Page, PageRequest};
use crate::shifts::{SHIFT_OPEN, Shift, seat_counts, shift_from_model};
use crate::{Result, Store, StoreError, commit, parse_id, parse_name, seconds};
use chrono::{DateTime, NaiveDate, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::event::{EventContact, EventInput, InsuranceInput};
use hourbook_domain::location::round_km;
use hourbook_domain::{Campaign, Coordinates};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

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
    /// What to bring.
    pub what_to_bring: Option<String>,
    /// Whom to call about the event.
    pub contact: Option<EventContact>,
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

async fn event_from_model(db: &impl ConnectionTrait, m: event::Model) -> Result<Event> {
    let org = organization::Entity::find_by_id(m.organization_id.clone())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("organization"))?;
    event_of(m, org.name)
}

fn event_of(m: event::Model, organization_name: String) -> Result<Event> {
    Ok(Event {
        id: parse_id(&m.id)?,
        organization_id: parse_id(&m.organization_id)?,
        organization_name,
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
        what_to_bring: m.what_to_bring,
        contact: contact_of(m.contact_name, m.contact_phone, m.contact_email),
        distance_km: None,
    })
}

/// The contact columns as one value (none without a name).
pub(crate) fn contact_of(
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
) -> Option<EventContact> {
    Some(EventContact {
        name: name?,
        phone,
        email,
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
        what_to_bring: Set(input.what_to_bring.clone()),
        contact_name: Set(input.contact.as_ref().map(|c| c.name.clone())),
        contact_phone: Set(input.contact.as_ref().and_then(|c| c.phone.clone())),
        contact_email: Set(input.contact.as_ref().and_then(|c| c.email.clone())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
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
        // Inserted and read back in one transaction, like shifts.
        let txn = self.write().await?;
        let id = insert_event(&txn, &input, actor.account_id, now).await?;
        let model = event::Entity::find_by_id(id.to_string())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("event"))?;
        let event = event_from_model(&txn, model).await?;
        txn.commit().await?;
        Ok(event)
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
            let organization_name = orgs.get(&m.organization_id).cloned().unwrap_or_default();
            let mut event = event_of(m, organization_name)?;
            event.distance_km = distance.map(round_km);
            events.push((distance, starts, event));
        }
        events.sort_by(|a, b| {
            let by_distance = a.0.unwrap_or(0.0).total_cmp(&b.0.unwrap_or(0.0));
            by_distance.then(a.1.cmp(&b.1)).then(a.2.id.cmp(&b.2.id))
        });
        Ok(page.slice(events.into_iter().map(|(_, _, e)| e).collect()))
    }

    /// An organization's events with their shifts, newest first, for its organizers (the
    /// organizer pages' list; the JSON API lists only events open to volunteers).
    pub async fn organization_events(
        &self,
        actor: &Actor,
        organization_id: Uuid,
    ) -> Result<Vec<EventDetail>> {
        self.organization(organization_id).await?;
        if !actor.may_organize(organization_id) {
            return Err(StoreError::Forbidden(
                "only the organization's organizers see its events",
            ));
        }
        let ids: Vec<String> = event::Entity::find()
            .filter(event::Column::OrganizationId.eq(organization_id.to_string()))
            .order_by_desc(event::Column::CreatedAt)
            .order_by_desc(event::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            events.push(self.event(parse_id(&id)?).await?);
        }
        Ok(events)
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
