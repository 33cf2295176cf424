//! Roster plans: a proposal of who could take which seat, kept so the organizer can review
//! it and turn it into invitations.

use super::{MatchShift, MatchVolunteer};
use crate::entities::{
    account, event, invitation, roster_plan, roster_plan_assignment, shift, volunteer_profile,
};
use crate::{Result, Store, StoreError, commit, from_json, parse_id, seconds, to_json};
use chrono::{DateTime, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::access::Actor;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Plan status: waiting for the organizer.
pub(super) const PROPOSED: &str = "proposed";
/// Plan status: invitations went out.
pub(super) const ACCEPTED: &str = "accepted";

/// Whom a plan draws from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::AsRefStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum VolunteerPool {
    /// Every volunteer who allows organizers to find them and passes the hard filters.
    Eligible,
    /// Only volunteers already invited to one of the event's shifts (re-planning after
    /// declines, among people who know the event).
    Invited,
}

/// A proposed seat, as the planner hands it over.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Score.
    pub score: f64,
    /// Distance, km.
    pub distance_km: f64,
    /// Reasons, as JSON (`[{code, detail, points}]`).
    pub reasons: serde_json::Value,
}

/// A plan as the planner hands it over.
#[derive(Debug, Clone)]
pub struct NewRosterPlan {
    /// Whom it drew from.
    pub pool: VolunteerPool,
    /// Proposed seats.
    pub assignments: Vec<NewAssignment>,
    /// Seats left empty.
    pub unfilled: Vec<UnfilledSeats>,
    /// Sum of the scores.
    pub total_score: f64,
    /// No plan from the same pool could fill more seats than this.
    pub fill_bound: u64,
    /// No plan from the same pool filling as many seats is better by more than this (scores
    /// less the spread penalty); `None` when the planner could not certify it.
    pub score_gap: Option<f64>,
}

/// A proposed seat in a stored plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanAssignment {
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Score (higher is better).
    pub score: f64,
    /// Distance from the volunteer's home, km.
    pub distance_km: f64,
    /// Why this volunteer fits this shift.
    #[schema(value_type = Vec<Object>)]
    pub reasons: serde_json::Value,
}

/// Seats a plan leaves empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnfilledSeats {
    /// Shift.
    pub shift_id: Uuid,
    /// Seats nobody eligible could take.
    pub missing: u32,
}

/// A stored roster plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterPlanRecord {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// `proposed`, or `accepted` once invitations went out.
    pub status: String,
    /// Whom it drew from.
    pub volunteer_pool: VolunteerPool,
    /// Proposed seats, by shift then score.
    pub assignments: Vec<PlanAssignment>,
    /// Shifts left with empty seats.
    pub unfilled: Vec<UnfilledSeats>,
    /// Sum of the assignments' scores.
    pub total_score: f64,
    /// No plan from the same pool, at the time it was made, that signups would allow could
    /// fill more seats than this (the planner's bound, which relaxes the adult:minor ratio).
    /// When it equals the number of assignments, the plan fills the most seats possible:
    /// filling more takes more volunteers. Absent for plans made before it was kept.
    pub fill_bound: Option<u64>,
    /// No plan from the same pool, at the time it was made, that signups would allow and that
    /// fills as many seats is better than this one by more than this many points of the
    /// planner's measure (the seats' scores less the spread penalty, not the total score
    /// alone; bounded like `fill_bound`). 0 proves the plan the best of its size. Absent for
    /// plans made before it was kept.
    pub score_gap: Option<f64>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The event's open shifts and the volunteers a plan may draw from, for an organizer of
    /// the event's organization. `reach_km` is how far from the event's shifts volunteers are
    /// looked for (each volunteer's own radius is checked later).
    pub async fn plan_inputs(
        &self,
        actor: &Actor,
        event_id: Uuid,
        pool: VolunteerPool,
        reach_km: f64,
        served_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<MatchShift>, Vec<MatchVolunteer>)> {
        let event = organized_event(self, actor, event_id).await?;
        let shifts = self.event_match_shifts(event_id, now).await?;
        let centre = Coordinates {
            lat: event.lat,
            lon: event.lon,
        };
        let spread = shifts
            .iter()
            .map(|s| centre.distance_km(&s.shift.location))
            .fold(0.0, f64::max);
        let mut volunteers = self
            .discoverable_near(centre, spread + reach_km, served_since, now)
            .await?;
        if pool == VolunteerPool::Invited {
            let shift_ids: Vec<String> = shift::Entity::find()
                .filter(shift::Column::EventId.eq(event_id.to_string()))
                .all(self.db())
                .await?
                .into_iter()
                .map(|s| s.id)
                .collect();
            let mut invited: HashSet<String> = HashSet::new();
            for chunk in shift_ids.chunks(500) {
                invited.extend(
                    invitation::Entity::find()
                        .filter(invitation::Column::ShiftId.is_in(chunk.iter().cloned()))
                        .all(self.db())
                        .await?
                        .into_iter()
                        .map(|i| i.volunteer_id),
                );
            }
            // Planned onto the event's other shifts: nobody is invited twice to one shift.
            volunteers.retain(|v| invited.contains(&v.id.to_string()));
        }
        Ok((shifts, volunteers))
    }

    /// Stores a plan for an event the actor organizes.
    pub async fn save_roster_plan(
        &self,
        actor: &Actor,
        event_id: Uuid,
        plan: NewRosterPlan,
        now: DateTime<Utc>,
    ) -> Result<RosterPlanRecord> {
        let NewRosterPlan {
            pool,
            assignments,
            unfilled,
            total_score,
            fill_bound,
            score_gap,
        } = plan;
        organized_event(self, actor, event_id).await?;
        let id = Uuid::new_v4();
        let txn = self.write().await?;
        roster_plan::Entity::insert(roster_plan::ActiveModel {
            id: Set(id.to_string()),
            event_id: Set(event_id.to_string()),
            created_by: Set(actor.account_id.to_string()),
            volunteer_pool: Set(pool.as_ref().to_string()),
            status: Set(PROPOSED.into()),
            total_score: Set(total_score),
            unfilled: Set(to_json(&unfilled)),
            created_at: Set(seconds(now)),
            accepted_at: Set(None),
            fill_bound: Set(Some(i64::try_from(fill_bound).unwrap_or(i64::MAX))),
            score_gap: Set(score_gap),
        })
        .exec_without_returning(&txn)
        .await?;
        for chunk in assignments.chunks(200) {
            roster_plan_assignment::Entity::insert_many(chunk.iter().map(|a| {
                roster_plan_assignment::ActiveModel {
                    plan_id: Set(id.to_string()),
                    shift_id: Set(a.shift_id.to_string()),
                    volunteer_id: Set(a.volunteer_id.to_string()),
                    score: Set(a.score),
                    distance_km: Set(a.distance_km),
                    reasons: Set(a.reasons.to_string()),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let plan = load_plan(&txn, id).await?;
        commit(txn, plan).await
    }

    /// A plan, for organizers of its event's organization.
    pub async fn roster_plan(&self, actor: &Actor, plan_id: Uuid) -> Result<RosterPlanRecord> {
        let plan = load_plan(self.db(), plan_id).await?;
        organized_event(self, actor, plan.event_id).await?;
        Ok(plan)
    }

    /// Name and volunteer number of each volunteer `plan` proposes who still lets organizers
    /// find them (as when the plan was made), for the event's organizers: a few queries for
    /// the whole plan, not two per seat.
    pub async fn plan_people(
        &self,
        actor: &Actor,
        plan: &RosterPlanRecord,
    ) -> Result<HashMap<Uuid, (String, String)>> {
        organized_event(self, actor, plan.event_id).await?;
        let mut ids: Vec<String> = plan
            .assignments
            .iter()
            .map(|a| a.volunteer_id.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        let mut people = HashMap::new();
        for chunk in ids.chunks(super::CHUNK) {
            let findable: Vec<String> = volunteer_profile::Entity::find()
                .select_only()
                .column(volunteer_profile::Column::AccountId)
                .filter(volunteer_profile::Column::AccountId.is_in(chunk.iter().cloned()))
                .filter(volunteer_profile::Column::Discoverable.eq(true))
                .into_tuple()
                .all(self.db())
                .await?;
            for a in account::Entity::find()
                .filter(account::Column::Id.is_in(findable))
                .all(self.db())
                .await?
            {
                people.insert(parse_id(&a.id)?, (a.name, a.volunteer_number));
            }
        }
        Ok(people)
    }
}

/// The event, if the actor organizes for its organization.
pub(super) async fn organized_event(
    store: &Store,
    actor: &Actor,
    event_id: Uuid,
) -> Result<event::Model> {
    let event = event::Entity::find_by_id(event_id.to_string())
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("event"))?;
    if !actor.may_organize(parse_id(&event.organization_id)?) {
        return Err(StoreError::Forbidden(
            "only organizers of the event's organization plan its roster",
        ));
    }
    Ok(event)
}

pub(super) async fn load_plan(
    db: &impl sea_orm::ConnectionTrait,
    id: Uuid,
) -> Result<RosterPlanRecord> {
    let plan = roster_plan::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("roster plan"))?;
    let rows = roster_plan_assignment::Entity::find()
        .filter(roster_plan_assignment::Column::PlanId.eq(plan.id.clone()))
        .order_by_asc(roster_plan_assignment::Column::ShiftId)
        .order_by_desc(roster_plan_assignment::Column::Score)
        .order_by_asc(roster_plan_assignment::Column::VolunteerId)
        .all(db)
        .await?;
    Ok(RosterPlanRecord {
        id: parse_id(&plan.id)?,
        event_id: parse_id(&plan.event_id)?,
        status: plan.status,
        volunteer_pool: crate::parse_name(&plan.volunteer_pool)?,
        assignments: rows
            .into_iter()
            .map(|r| {
                Ok(PlanAssignment {
                    shift_id: parse_id(&r.shift_id)?,
                    volunteer_id: parse_id(&r.volunteer_id)?,
                    score: r.score,
                    distance_km: r.distance_km,
                    reasons: from_json(&r.reasons)?,
                })
            })
            .collect::<Result<_>>()?,
        unfilled: from_json(&plan.unfilled)?,
        total_score: plan.total_score,
        fill_bound: plan.fill_bound.and_then(|n| u64::try_from(n).ok()),
        score_gap: plan.score_gap,
        created_at: plan.created_at,
        accepted_at: plan.accepted_at,
    })
}
