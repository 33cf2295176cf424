//! Matching as the server runs it: the open-shift index kept current, recommendations,
//! candidates, roster plans and the next offer after a decline or expiry. The ranking itself
//! is `hourbook_matching`'s; this module feeds it from the store and the index.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::access::Actor;
use hourbook_domain::location::round_km;
use hourbook_domain::profile::age_on;
use hourbook_matching::open_shifts::IndexError;
use hourbook_matching::score::coarse_km;
use hourbook_matching::{
    Audience, MatchContext, OpenShift, PlanOptions, Progress, Reason, RequirementGoal, Volunteer,
    plan_roster, rank_shifts, rank_volunteers,
};
use hourbook_store::StoreError;
use hourbook_store::matching::MyInvitation;
use hourbook_store::matching::{
    Invitation, InvitationOffer, MatchShift, MatchVolunteer, NewAssignment, NewRosterPlan,
    RankableShift, RosterPlanRecord, SentInvitations, Skipped, UnfilledSeats, VolunteerPool,
};
use hourbook_store::page::{Page, PageRequest};
use hourbook_store::shifts::Shift;
use hourbook_store::signups::{EventSummary, Signup};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A shift recommended to the caller.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    /// The shift.
    pub shift: Shift,
    /// Its event.
    pub event: EventSummary,
    /// Score: points out of 100 with the default weights.
    pub score: f64,
    /// From the caller's home, km.
    pub distance_km: f64,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
}

/// A volunteer proposed for a shift, as its organizers see them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    /// Who (no contact details or home: those come only with a signup).
    pub volunteer: CandidateVolunteer,
    /// Score.
    pub score: f64,
    /// From the volunteer's home, km.
    pub distance_km: f64,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
}

/// The volunteer part of a candidate.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidateVolunteer {
    /// Account id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Volunteer number.
    pub volunteer_number: String,
    /// Under 18 on the shift's date.
    pub minor: bool,
}

/// A list of recommendations or candidates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking<T> {
    /// Best first.
    pub items: Vec<T>,
}

impl AppState {
    /// What scoring needs besides the pair, as of `now`, explained to `audience`.
    pub fn match_context(&self, now: DateTime<Utc>, audience: Audience) -> MatchContext {
        let m = &self.settings.matching;
        MatchContext {
            now,
            timezone: self.rules.timezone,
            ages: self.rules.ages,
            weights: m.weights,
            urgent_within_days: m.urgent_within_days,
            fairness_saturation_hours: m.fairness_saturation_hours,
            audience,
        }
    }

    /// Start of the window whose verified hours count for fairness and requirements.
    fn served_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.settings.matching.served_window_days)
    }

    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            max_shifts_per_volunteer: self.settings.matching.max_shifts_per_volunteer,
            spread_penalty: self.settings.matching.spread_penalty,
        }
    }

    fn invitation_ttl(&self) -> Duration {
        Duration::hours(self.settings.matching.invitation_ttl_hours)
    }

    /// A stored volunteer as matching sees them, with the requirement students work toward.
    /// For offers (plans, candidates, next offers) the times of their unanswered and declined
    /// invitations count as taken; for their own recommendations they do not.
    fn volunteer(&self, m: MatchVolunteer, for_offers: bool) -> Volunteer {
        let settings = &self.settings.matching;
        let missing = settings.requirement_minutes - m.served_minutes;
        let goal =
            (m.profile.school_organization_id.is_some() && missing > 0).then(|| RequirementGoal {
                name: settings.requirement_name.clone(),
                missing_minutes: missing,
            });
        let mut busy = m.busy;
        if for_offers {
            busy.extend(m.offered);
        }
        Volunteer {
            id: m.id,
            profile: m.profile,
            served_minutes: m.served_minutes,
            goal,
            busy,
            engaged: m.engaged,
        }
    }

    /// Volunteers under the sensitive age are never shown to organizers who have no signup of
    /// theirs (PIPL): they are left out of candidate lists and plans.
    fn may_be_proposed_to_organizers(&self, v: &MatchVolunteer, now: DateTime<Utc>) -> bool {
        let today = now.with_timezone(&self.rules.timezone).date_naive();
        age_on(v.profile.birth_date, today) >= self.rules.ages.sensitive_under
    }

    /// Brings one shift's entry in the index up to date: in it while open with a seat left
    /// and not started, out of it otherwise. The database stays the truth, so a failure is
    /// logged and mended by the next rebuild.
    pub async fn refresh_shift_index(&self, shift_id: Uuid) {
        let now = self.clock.now();
        let result = match self.store.match_shifts(&[shift_id], now).await {
            Ok(found) => match found.first() {
                Some(m) if m.shift.seats_left > 0 && indexable(m.shift.location) => self
                    .shift_index
                    .upsert(shift_id, m.shift.location)
                    .await
                    .map_err(anyhow::Error::from),
                _ => self
                    .shift_index
                    .remove(shift_id)
                    .await
                    .map_err(anyhow::Error::from),
            },
            Err(e) => Err(e.into()),
        };
        if let Err(e) = result {
            tracing::warn!(%shift_id, error = %e, "could not update the open-shift index");
        }
    }

    /// Rebuilds the whole index from the database; returns how many shifts it holds.
    pub async fn rebuild_shift_index(&self) -> anyhow::Result<usize> {
        let mut open = self.store.open_shift_locations(self.clock.now()).await?;
        open.retain(|(_, at)| indexable(*at));
        let n = open.len();
        self.shift_index.replace_all(open).await?;
        Ok(n)
    }
}

/// Redis GEO sets cannot hold points beyond ±85.05° latitude (Web Mercator); no district
/// lies there, and such a shift stays listed by the events API, only not recommended.
fn indexable(at: Coordinates) -> bool {
    at.lat.abs() <= 85.05
}

fn open_shift(m: RankableShift) -> OpenShift {
    OpenShift {
        id: m.id,
        event_id: m.event_id,
        facts: m.facts,
        preferred_skills: m.preferred_skills,
        capacity: m.capacity,
        confirmed: m.confirmed,
        confirmed_minors: m.confirmed_minors,
        offered: m.offered,
        minors_per_adult: m.minors_per_adult,
        local: Default::default(),
    }
}

fn unavailable(e: IndexError) -> ApiError {
    ApiError::Unavailable(e.to_string())
}

/// The caller's best open shifts.
pub async fn recommendations(
    state: &AppState,
    actor: &Actor,
    limit: usize,
) -> ApiResult<Vec<Recommendation>> {
    let now = state.clock.now();
    let Some(me) = state
        .store
        .match_volunteer(actor.account_id, state.served_since(now), now)
        .await?
    else {
        return Err(StoreError::conflict(
            "fill in your profile (home, travel radius, availability) to get recommendations",
        )
        .into());
    };
    let me = state.volunteer(me, false);
    let nearby = state
        .shift_index
        .within(
            me.profile.home,
            me.profile.travel_radius_km,
            state.settings.matching.max_nearby_shifts,
        )
        .await
        .map_err(unavailable)?;
    let ids: Vec<Uuid> = nearby.iter().map(|(id, _)| *id).collect();
    let distance: HashMap<Uuid, f64> = nearby.into_iter().collect();
    let ctx = state.match_context(now, Audience::Volunteer);
    let rank = |shifts: Vec<RankableShift>, limit: usize| {
        let open: Vec<OpenShift> = shifts.into_iter().map(open_shift).collect();
        rank_shifts(
            &me,
            open.iter()
                .map(|s| (s, distance.get(&s.id).copied().unwrap_or(f64::MAX))),
            &ctx,
            limit,
        )
        .into_iter()
        .map(|r| (r.item.id, r.distance_km, r.scored))
        .collect::<Vec<_>>()
    };
    // Every nearby shift is ranked from what ranking needs; only the best are read whole,
    // and ranked again on that fresh read, so what is shown and why agree. Twice as many as
    // asked are read, so that shifts filled or closed in between leave no gap.
    let best = rank(
        state.store.rankable_shifts(&ids, now).await?,
        limit.saturating_mul(2),
    );
    let best_ids: Vec<Uuid> = best.iter().map(|(id, _, _)| *id).collect();
    let found = state.store.match_shifts(&best_ids, now).await?;
    let ranked = rank(found.iter().map(MatchShift::rankable).collect(), limit);
    let by_id: HashMap<Uuid, &MatchShift> = found.iter().map(|m| (m.shift.id, m)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|(id, distance_km, scored)| {
            let m = by_id.get(&id)?;
            Some(Recommendation {
                shift: m.shift.clone(),
                event: m.event.clone(),
                score: scored.score,
                distance_km: round_km(distance_km),
                reasons: scored.reasons,
            })
        })
        .collect())
}

/// The best volunteers for a shift, for its organizers.
pub async fn candidates(
    state: &AppState,
    actor: &Actor,
    shift_id: Uuid,
    limit: usize,
) -> ApiResult<Vec<Candidate>> {
    let now = state.clock.now();
    let shift = state.store.shift(shift_id).await?;
    let event = state.store.event(shift.event_id).await?;
    if !actor.may_organize(event.event.organization_id) {
        return Err(StoreError::Forbidden("only the event's organizers see its candidates").into());
    }
    let Some(found) = state.store.match_shifts(&[shift_id], now).await?.pop() else {
        return Ok(Vec::new());
    };
    let pool: Vec<MatchVolunteer> = state
        .store
        .discoverable_near(
            found.shift.location,
            state.settings.matching.reach_km,
            state.served_since(now),
            now,
        )
        .await?
        .into_iter()
        .filter(|v| state.may_be_proposed_to_organizers(v, now))
        .collect();
    let people: HashMap<Uuid, (String, String)> = pool
        .iter()
        .map(|v| (v.id, (v.name.clone(), v.volunteer_number.clone())))
        .collect();
    let volunteers: Vec<Volunteer> = pool.into_iter().map(|v| state.volunteer(v, true)).collect();
    let target = open_shift(found.rankable());
    let ctx = state.match_context(now, Audience::Organizer);
    Ok(rank_volunteers(&target, &volunteers, &ctx, limit)
        .into_iter()
        .map(|r| {
            let (name, volunteer_number) = people.get(&r.item.id).cloned().unwrap_or_default();
            Candidate {
                volunteer: CandidateVolunteer {
                    id: r.item.id,
                    name,
                    volunteer_number,
                    minor: r.item.is_minor_on(&target, ctx.timezone, &ctx.ages),
                },
                score: r.scored.score,
                distance_km: coarse_km(r.distance_km),
                reasons: r.scored.reasons,
            }
        })
        .collect())
}

/// Plans an event's roster and stores the proposal. `progress` sees the planner's stages.
pub async fn plan_event(
    state: &AppState,
    actor: &Actor,
    event_id: Uuid,
    pool: VolunteerPool,
    progress: impl FnMut(Progress) + Send + 'static,
) -> ApiResult<RosterPlanRecord> {
    let now = state.clock.now();
    let (shifts, people) = state
        .store
        .plan_inputs(
            actor,
            event_id,
            pool,
            state.settings.matching.reach_km,
            state.served_since(now),
            now,
        )
        .await?;
    let open: Vec<OpenShift> = shifts.iter().map(|m| open_shift(m.rankable())).collect();
    let volunteers: Vec<Volunteer> = people
        .into_iter()
        .filter(|v| state.may_be_proposed_to_organizers(v, now))
        .map(|v| state.volunteer(v, true))
        .collect();
    let ctx = state.match_context(now, Audience::Organizer);
    let options = state.plan_options();
    // Planning is CPU work (a large event takes a while): keep it off the async threads.
    let plan = tokio::task::spawn_blocking(move || {
        plan_roster(&volunteers, &open, &ctx, options, progress)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let assignments = plan
        .assignments
        .into_iter()
        .map(|a| NewAssignment {
            shift_id: a.shift_id,
            volunteer_id: a.volunteer_id,
            score: a.scored.score,
            distance_km: coarse_km(a.distance_km),
            reasons: serde_json::to_value(&a.scored.reasons).unwrap_or_default(),
        })
        .collect();
    let unfilled = plan
        .unfilled
        .into_iter()
        .map(|u| UnfilledSeats {
            shift_id: u.shift_id,
            missing: u.missing,
        })
        .collect();
    let plan = NewRosterPlan {
        pool,
        assignments,
        unfilled,
        total_score: plan.total_score,
        fill_bound: plan.fill_bound,
        score_gap: plan.score_gap,
    };
    Ok(state
        .store
        .save_roster_plan(actor, event_id, plan, now)
        .await?)
}

/// Sends a plan's invitations (all, or the organizer's chosen pairs).
pub async fn accept_plan(
    state: &AppState,
    actor: &Actor,
    plan_id: Uuid,
    keep: Option<Vec<(Uuid, Uuid)>>,
) -> ApiResult<SentInvitations> {
    Ok(state
        .store
        .accept_roster_plan(
            actor,
            plan_id,
            keep,
            state.invitation_ttl(),
            state.clock.now(),
        )
        .await?)
}

/// The caller's invitations, after expiring any whose deadline has passed.
pub async fn my_invitations(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> ApiResult<Page<MyInvitation>> {
    sweep_invitations(state).await;
    Ok(state
        .store
        .my_invitations(actor, page, state.clock.now())
        .await?)
}

/// The caller accepts an invitation: a signup under the usual rules; the shift's entry in
/// the index follows its seats.
pub async fn accept_invitation(
    state: &AppState,
    actor: &Actor,
    invitation_id: Uuid,
) -> ApiResult<Signup> {
    sweep_invitations(state).await;
    let signup = state
        .store
        .accept_invitation(actor, invitation_id, &state.rules, state.clock.now())
        .await?;
    state.refresh_shift_index(signup.shift_id).await;
    Ok(signup)
}

/// The caller declines an invitation; the seat goes to the next best candidate.
pub async fn decline_invitation(
    state: &AppState,
    actor: &Actor,
    invitation_id: Uuid,
) -> ApiResult<Invitation> {
    sweep_invitations(state).await;
    let declined = state
        .store
        .decline_invitation(actor, invitation_id, state.clock.now())
        .await?;
    offer_next_logged(state, declined.shift_id, declined.id).await;
    Ok(declined)
}

/// After a decline or an expiry: if the shift still has a seat nobody holds or has been
/// offered, invite the best candidate who was never invited to it.
pub async fn offer_next(
    state: &AppState,
    shift_id: Uuid,
    invited_by: Uuid,
) -> Result<Option<Invitation>, StoreError> {
    let now = state.clock.now();
    let Some(found) = state.store.match_shifts(&[shift_id], now).await?.pop() else {
        return Ok(None);
    };
    if open_shift(found.rankable()).seats_to_offer() == 0 {
        return Ok(None);
    }
    let pool: Vec<Volunteer> = state
        .store
        .discoverable_near(
            found.shift.location,
            state.settings.matching.reach_km,
            state.served_since(now),
            now,
        )
        .await?
        .into_iter()
        .filter(|v| state.may_be_proposed_to_organizers(v, now))
        .map(|v| state.volunteer(v, true))
        .collect();
    let target = open_shift(found.rankable());
    let ctx = state.match_context(now, Audience::Organizer);
    // `engaged` holds every shift a volunteer was ever invited to, so decliners are skipped.
    for best in rank_volunteers(&target, &pool, &ctx, 5) {
        let offer = InvitationOffer {
            shift_id,
            volunteer_id: best.item.id,
            score: best.scored.score,
            distance_km: coarse_km(best.distance_km),
            reasons: serde_json::to_value(&best.scored.reasons).unwrap_or_default(),
        };
        match state
            .store
            .invite(&offer, invited_by, state.invitation_ttl(), now)
            .await?
        {
            Ok(made) => return Ok(Some(made)),
            // Seats gone or the shift closed: nobody else will get this one either.
            Err(Skipped::NoSeatLeft | Skipped::ShiftClosed) => return Ok(None),
            Err(Skipped::NotDiscoverable | Skipped::AlreadyInvited) => {}
        }
    }
    Ok(None)
}

/// Expires unanswered invitations and offers each freed seat to the next best candidate.
/// Runs periodically and before invitations are listed or answered, so an expiry never
/// waits for the timer.
pub async fn sweep_invitations(state: &AppState) {
    let expired = match state.store.expire_invitations(state.clock.now()).await {
        Ok(expired) => expired,
        Err(e) => {
            tracing::warn!(error = %e, "could not expire invitations");
            return;
        }
    };
    if expired.is_empty() {
        return;
    }
    for gone in expired {
        offer_next_logged(state, gone.shift_id, gone.id).await;
    }
    // The next offers queued invitations outside any request: wake the workers for them.
    state.wakeup.wake();
}

/// [`offer_next`] after `answered` was declined or expired. Its failure is logged, not
/// returned: the answer stands, and the seat stays open to signups and later plans.
pub async fn offer_next_logged(state: &AppState, shift_id: Uuid, answered: Uuid) {
    let result = match state.store.inviter(answered).await {
        Ok(invited_by) => offer_next(state, shift_id, invited_by).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(%shift_id, error = %e, "could not offer a seat to the next candidate");
    }
}
