//! What matching reads (open shifts, volunteers with their hours and commitments) and what it
//! writes (roster plans, invitations).

mod invitations;
mod plans;

pub(crate) use invitations::withdraw_invitations;
pub use invitations::{
    Invitation, InvitationOffer, InvitationStatus, MyInvitation, SentInvitations, Skipped,
    SkippedPair,
};
pub use plans::{
    NewAssignment, NewRosterPlan, PlanAssignment, RosterPlanRecord, UnfilledSeats, VolunteerPool,
};

use crate::entities::{account, event, invitation, ledger_entry, shift, signup, volunteer_profile};
use crate::from_json;
use crate::profiles::Profile;
use crate::shifts::{SHIFT_OPEN, Shift, seat_counts, shift_from_model};
use crate::signups::EventSummary;
use crate::signups::status_names;
use crate::{Result, Store, parse_id, parse_name};
use chrono::{DateTime, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::eligibility::ShiftFacts;
use hourbook_domain::profile::VolunteerProfile;
use hourbook_domain::roster::SignupStatus;
use hourbook_domain::{Skill, SkillList};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An open shift with what matching needs besides the shift itself.
#[derive(Debug, Clone)]
pub struct MatchShift {
    /// The shift, with its seat counts.
    pub shift: Shift,
    /// Its event.
    pub event: EventSummary,
    /// The organization running it.
    pub organization_id: Uuid,
    /// Confirmed minors (for the adult:minor ratio).
    pub confirmed_minors: u32,
    /// Invitations sent for it and still waiting for an answer.
    pub offered: u32,
}

/// An open shift as ranking sees it: its rules and seats, without its texts. A recommendation
/// ranks every open shift near the volunteer from these (one query), then reads the few it
/// returns in full ([`Store::match_shifts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RankableShift {
    /// Shift.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// What eligibility needs.
    pub facts: ShiftFacts,
    /// Skills the organizer would like.
    pub preferred_skills: SkillList,
    /// Seats in all.
    pub capacity: u32,
    /// Signups holding a seat.
    pub confirmed: u32,
    /// Minors among them.
    pub confirmed_minors: u32,
    /// Invitations sent for it and still waiting for an answer.
    pub offered: u32,
    /// At most this many minors per adult.
    pub minors_per_adult: Option<u32>,
}

/// A row of [`Store::rankable_shifts`]' query.
#[derive(FromQueryResult)]
struct RankRow {
    id: String,
    event_id: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i32,
    lat: f64,
    lon: f64,
    required_skills: String,
    preferred_skills: String,
    min_age: Option<i32>,
    max_age: Option<i32>,
    minors_per_adult: Option<i32>,
    confirmed: i64,
    confirmed_minors: i64,
    offered: i64,
}

impl MatchShift {
    /// What ranking needs of it.
    pub fn rankable(&self) -> RankableShift {
        let s = &self.shift;
        RankableShift {
            id: s.id,
            event_id: s.event_id,
            facts: s.facts(),
            preferred_skills: SkillList::from_slice(&s.preferred_skills),
            capacity: s.capacity,
            confirmed: s.confirmed_count,
            confirmed_minors: self.confirmed_minors,
            offered: self.offered,
            minors_per_adult: s.minors_per_adult,
        }
    }
}

/// A volunteer with what matching needs.
#[derive(Debug, Clone)]
pub struct MatchVolunteer {
    /// Account id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Volunteer number.
    pub volunteer_number: String,
    /// The rule-bearing profile.
    pub profile: VolunteerProfile,
    /// Verified minutes since the date asked for.
    pub served_minutes: i64,
    /// Windows of the shifts the volunteer holds a seat on (still to come).
    pub busy: Vec<Window>,
    /// Windows of shifts the volunteer was offered and has not answered, or declined: kept
    /// free of further offers, not of the volunteer's own choices.
    pub offered: Vec<Window>,
    /// Shifts the volunteer signed up for (any active state) or was ever invited to.
    pub engaged: Vec<Uuid>,
}

/// A shift's start and end.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// How a tie to a shift holds the volunteer's time.
enum Hold {
    Seat,
    Offer,
    Nothing,
}

/// Rows per `IN (...)` list: well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

impl Store {
    /// Every shift open for signups with a seat left that has not started: what the geo
    /// index holds.
    pub async fn open_shift_locations(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, Coordinates)>> {
        let rows = shift::Entity::find()
            .filter(shift::Column::Status.eq(SHIFT_OPEN))
            .filter(shift::Column::StartsAt.gt(now))
            .all(self.db())
            .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let counts = seat_counts(self.db(), &ids).await?;
        rows.into_iter()
            .filter(|r| counts.get(&r.id).map_or(0, |c| c.0) < crate::non_negative(r.capacity))
            .map(|r| {
                Ok((
                    parse_id(&r.id)?,
                    Coordinates {
                        lat: r.lat,
                        lon: r.lon,
                    },
                ))
            })
            .collect()
    }

    /// The shifts among `ids` that are still open and have not started, as ranking sees them:
    /// one query per 500, the seat counts, minors and pending invitations counted by the
    /// database beside each row.
    pub async fn rankable_shifts(
        &self,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<Vec<RankableShift>> {
        // Signups holding a seat on the row's shift (only minors': the ratio's count).
        let seated_on_shift = |minors: bool| {
            let mut count = Query::select();
            count
                .expr(Expr::col((signup::Entity, signup::Column::Id)).count())
                .from(signup::Entity)
                .and_where(
                    Expr::col((signup::Entity, signup::Column::ShiftId))
                        .equals((shift::Entity, shift::Column::Id)),
                )
                .and_where(
                    Expr::col((signup::Entity, signup::Column::Status))
                        .is_in(status_names(&SignupStatus::SEAT_HOLDING)),
                );
            if minors {
                count.and_where(Expr::col((signup::Entity, signup::Column::Minor)).eq(true));
            }
            Expr::SubQuery(None, Box::new(count.into()))
        };
        let pending = Query::select()
            .expr(Expr::col((invitation::Entity, invitation::Column::Id)).count())
            .from(invitation::Entity)
            .and_where(
                Expr::col((invitation::Entity, invitation::Column::ShiftId))
                    .equals((shift::Entity, shift::Column::Id)),
            )
            .and_where(
                Expr::col((invitation::Entity, invitation::Column::Status))
                    .eq(InvitationStatus::Pending.as_ref()),
            )
            .and_where(Expr::col((invitation::Entity, invitation::Column::ExpiresAt)).gt(now))
            .to_owned();
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<RankRow> = shift::Entity::find()
                .select_only()
                .columns([
                    shift::Column::Id,
                    shift::Column::EventId,
                    shift::Column::StartsAt,
                    shift::Column::EndsAt,
                    shift::Column::Capacity,
                    shift::Column::Lat,
                    shift::Column::Lon,
                    shift::Column::RequiredSkills,
                    shift::Column::PreferredSkills,
                    shift::Column::MinAge,
                    shift::Column::MaxAge,
                    shift::Column::MinorsPerAdult,
                ])
                .column_as(seated_on_shift(false), "confirmed")
                .column_as(seated_on_shift(true), "confirmed_minors")
                .column_as(
                    Expr::SubQuery(None, Box::new(pending.clone().into())),
                    "offered",
                )
                .filter(shift::Column::Id.is_in(chunk.iter().map(Uuid::to_string)))
                .filter(shift::Column::Status.eq(SHIFT_OPEN))
                .filter(shift::Column::StartsAt.gt(now))
                .into_model()
                .all(self.db())
                .await?;
            for row in rows {
                let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
                let skills = |raw: &str| from_json::<Vec<Skill>>(raw).map(SkillList::from_vec);
                found.push(RankableShift {
                    id: parse_id(&row.id)?,
                    event_id: parse_id(&row.event_id)?,
                    facts: ShiftFacts {
                        starts_at: row.starts_at,
                        ends_at: row.ends_at,
                        location: Coordinates {
                            lat: row.lat,
                            lon: row.lon,
                        },
                        required_skills: skills(&row.required_skills)?,
                        min_age: row.min_age.map(crate::non_negative),
                        max_age: row.max_age.map(crate::non_negative),
                    },
                    preferred_skills: skills(&row.preferred_skills)?,
                    capacity: crate::non_negative(row.capacity),
                    confirmed: count(row.confirmed),
                    confirmed_minors: count(row.confirmed_minors),
                    offered: count(row.offered),
                    minors_per_adult: row.minors_per_adult.map(crate::non_negative),
                });
            }
        }
        Ok(found)
    }

    /// The shifts among `ids` that are still open and have not started, with their events.
    pub async fn match_shifts(&self, ids: &[Uuid], now: DateTime<Utc>) -> Result<Vec<MatchShift>> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            rows.extend(
                shift::Entity::find()
                    .filter(shift::Column::Id.is_in(chunk.iter().map(Uuid::to_string)))
                    .filter(shift::Column::Status.eq(SHIFT_OPEN))
                    .filter(shift::Column::StartsAt.gt(now))
                    .all(self.db())
                    .await?,
            );
        }
        match_shifts_from(self.db(), rows, now).await
    }

    /// An event's shifts that are still open and have not started.
    pub(crate) async fn event_match_shifts(
        &self,
        event_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchShift>> {
        let rows = shift::Entity::find()
            .filter(shift::Column::EventId.eq(event_id.to_string()))
            .filter(shift::Column::Status.eq(SHIFT_OPEN))
            .filter(shift::Column::StartsAt.gt(now))
            .all(self.db())
            .await?;
        match_shifts_from(self.db(), rows, now).await
    }

    /// One volunteer as matching sees them; `None` without a profile.
    pub async fn match_volunteer(
        &self,
        account_id: Uuid,
        served_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<MatchVolunteer>> {
        let Some(profile) = volunteer_profile::Entity::find_by_id(account_id.to_string())
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        Ok(
            match_volunteers_from(self.db(), vec![profile], served_since, now)
                .await?
                .pop(),
        )
    }

    /// Volunteers who allow organizers to find them and live within `radius_km` of `center`
    /// (a bounding box: callers check each volunteer's own radius).
    pub async fn discoverable_near(
        &self,
        center: Coordinates,
        radius_km: f64,
        served_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<MatchVolunteer>> {
        let boxes = center.boxes_around(radius_km);
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        let within = boxes.into_iter().fold(Condition::any(), |any, b| {
            any.add(
                Condition::all()
                    .add(volunteer_profile::Column::HomeLat.between(b.south, b.north))
                    .add(volunteer_profile::Column::HomeLon.between(b.west, b.east)),
            )
        });
        let profiles = volunteer_profile::Entity::find()
            .filter(volunteer_profile::Column::Discoverable.eq(true))
            .filter(within)
            .all(self.db())
            .await?;
        match_volunteers_from(self.db(), profiles, served_since, now).await
    }
}

/// The given shift rows with their events and confirmed minors.
pub(super) async fn match_shifts_from(
    db: &impl ConnectionTrait,
    rows: Vec<shift::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<MatchShift>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = seat_counts(db, &ids).await?;
    let mut minors: HashMap<String, u32> = HashMap::new();
    let mut offered: HashMap<String, u32> = HashMap::new();
    let mut events: HashMap<String, event::Model> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String)> = signup::Entity::find()
            .select_only()
            .column(signup::Column::ShiftId)
            .column(signup::Column::Status)
            .filter(signup::Column::ShiftId.is_in(chunk.iter().cloned()))
            .filter(signup::Column::Minor.eq(true))
            .into_tuple()
            .all(db)
            .await?;
        for (shift_id, status) in rows {
            if parse_name::<SignupStatus>(&status)?.holds_seat() {
                *minors.entry(shift_id).or_default() += 1;
            }
        }
        let pending: Vec<String> = invitation::Entity::find()
            .select_only()
            .column(invitation::Column::ShiftId)
            .filter(invitation::Column::ShiftId.is_in(chunk.iter().cloned()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
            .filter(invitation::Column::ExpiresAt.gt(now))
            .into_tuple()
            .all(db)
            .await?;
        for shift_id in pending {
            *offered.entry(shift_id).or_default() += 1;
        }
    }
    let event_ids: Vec<String> = {
        let mut v: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    for chunk in event_ids.chunks(CHUNK) {
        for e in event::Entity::find()
            .filter(event::Column::Id.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            events.insert(e.id.clone(), e);
        }
    }
    rows.into_iter()
        .filter_map(|r| {
            let e = events.get(&r.event_id)?;
            let confirmed_minors = minors.get(&r.id).copied().unwrap_or(0);
            let offered = offered.get(&r.id).copied().unwrap_or(0);
            let c = counts.get(&r.id).copied().unwrap_or_default();
            Some((|| {
                Ok(MatchShift {
                    event: EventSummary {
                        id: parse_id(&e.id)?,
                        title: e.title.clone(),
                        address: e.address.clone(),
                        category: e.category.clone(),
                    },
                    organization_id: parse_id(&e.organization_id)?,
                    confirmed_minors,
                    offered,
                    shift: shift_from_model(r, c)?,
                })
            })())
        })
        .collect()
}

async fn match_volunteers_from(
    db: &impl ConnectionTrait,
    profiles: Vec<volunteer_profile::Model>,
    served_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<MatchVolunteer>> {
    let ids: Vec<String> = profiles.iter().map(|p| p.account_id.clone()).collect();
    let mut accounts: HashMap<String, account::Model> = HashMap::new();
    let mut served: HashMap<String, i64> = HashMap::new();
    let mut busy: HashMap<String, Vec<Window>> = HashMap::new();
    let mut offered: HashMap<String, Vec<Window>> = HashMap::new();
    let mut engaged: HashMap<String, Vec<Uuid>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let keys = || chunk.iter().cloned();
        for a in account::Entity::find()
            .filter(account::Column::Id.is_in(keys()))
            .all(db)
            .await?
        {
            accounts.insert(a.id.clone(), a);
        }
        let sums: Vec<(String, Option<i64>)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::VolunteerId)
            .column_as(
                Expr::col(ledger_entry::Column::Minutes)
                    .sum()
                    .cast_as("BIGINT"),
                "minutes",
            )
            .filter(ledger_entry::Column::VolunteerId.is_in(keys()))
            .filter(ledger_entry::Column::StartedAt.gte(served_since))
            .group_by(ledger_entry::Column::VolunteerId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, minutes) in sums {
            served.insert(id, minutes.unwrap_or(0));
        }
        // What ties a volunteer to a shift still to come: an active signup (a seat, or a
        // place in the queue) or an invitation ever sent. Seats hold the volunteer's time;
        // so do unanswered invitations and declined ones ("I cannot make that time"), but
        // only for what organizers offer, not for what the volunteer looks up.
        let mut ties: Vec<(String, String, Hold)> = Vec::new();
        for (volunteer, shift_id, status) in signup::Entity::find()
            .select_only()
            .column(signup::Column::VolunteerId)
            .column(signup::Column::ShiftId)
            .column(signup::Column::Status)
            .filter(signup::Column::VolunteerId.is_in(keys()))
            .into_tuple::<(String, String, String)>()
            .all(db)
            .await?
        {
            let status: SignupStatus = parse_name(&status)?;
            if status.is_active() {
                let hold = if status.holds_seat() {
                    Hold::Seat
                } else {
                    Hold::Nothing
                };
                ties.push((volunteer, shift_id, hold));
            }
        }
        for (volunteer, shift_id, status, expires_at) in invitation::Entity::find()
            .select_only()
            .column(invitation::Column::VolunteerId)
            .column(invitation::Column::ShiftId)
            .column(invitation::Column::Status)
            .column(invitation::Column::ExpiresAt)
            .filter(invitation::Column::VolunteerId.is_in(keys()))
            .into_tuple::<(String, String, String, DateTime<Utc>)>()
            .all(db)
            .await?
        {
            let hold = match parse_name(&status)? {
                InvitationStatus::Pending if expires_at > now => Hold::Offer,
                InvitationStatus::Declined => Hold::Offer,
                _ => Hold::Nothing,
            };
            ties.push((volunteer, shift_id, hold));
        }
        let mut windows: HashMap<String, Window> = HashMap::new();
        let shift_ids: Vec<String> = ties.iter().map(|t| t.1.clone()).collect();
        for part in shift_ids.chunks(CHUNK) {
            let rows: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = shift::Entity::find()
                .select_only()
                .column(shift::Column::Id)
                .column(shift::Column::StartsAt)
                .column(shift::Column::EndsAt)
                .filter(shift::Column::Id.is_in(part.iter().cloned()))
                .filter(shift::Column::EndsAt.gt(now))
                .into_tuple()
                .all(db)
                .await?;
            windows.extend(rows.into_iter().map(|(id, from, to)| (id, (from, to))));
        }
        for (volunteer, shift_id, hold) in ties {
            let Some(window) = windows.get(&shift_id) else {
                continue;
            };
            match hold {
                Hold::Seat => busy.entry(volunteer.clone()).or_default().push(*window),
                Hold::Offer => offered.entry(volunteer.clone()).or_default().push(*window),
                Hold::Nothing => {}
            }
            engaged
                .entry(volunteer)
                .or_default()
                .push(parse_id(&shift_id)?);
        }
    }
    profiles
        .into_iter()
        .filter_map(|p| {
            let account = accounts.remove(&p.account_id)?;
            Some((|| {
                let id = parse_id(&account.id)?;
                Ok(MatchVolunteer {
                    id,
                    name: account.name,
                    volunteer_number: account.volunteer_number,
                    served_minutes: served.get(&account.id).copied().unwrap_or(0),
                    busy: busy.remove(&account.id).unwrap_or_default(),
                    offered: offered.remove(&account.id).unwrap_or_default(),
                    engaged: engaged.remove(&account.id).unwrap_or_default(),
                    profile: Profile::try_from(p)?.rules_view(),
                })
            })())
        })
        .collect()
}
