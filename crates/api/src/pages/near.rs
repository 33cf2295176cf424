//! "Near me": the shifts matching recommends to the volunteer (the same ranking as
//! `GET /api/v1/me/recommendations`), each with its distance, seats left and reasons; while
//! the profile is missing, or nothing matches, upcoming shifts nearby instead.

use super::cards::{ReasonLine, ShiftCard, card, upcoming};
use super::visitor::Visitor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::DomainError;
use hourbook_store::StoreError;
use minijinja::context;

pub(super) async fn page(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    let (actor, account_id) = match visitor.require_sign_in() {
        Ok(s) => (s.actor.clone(), s.account.id),
        Err(login) => return Ok(*login),
    };
    let lang = visitor.lang;
    let tz = state.rules.timezone;
    let (matches, profile_complete): (Vec<ShiftCard>, bool) =
        match crate::matching::recommendations(&state, &actor, 20).await {
            Ok(items) => (
                items
                    .into_iter()
                    .map(|r| {
                        let mut c = card(&r.shift, &r.event.title, "", Some(r.distance_km), tz);
                        c.reasons = r.reasons.iter().map(|r| ReasonLine::new(lang, r)).collect();
                        c
                    })
                    .collect(),
                true,
            ),
            // No profile yet: matching has nothing to go on.
            Err(ApiError::Store(StoreError::Domain(DomainError::Conflict(_)))) => {
                (Vec::new(), false)
            }
            Err(e) => return Err(e),
        };
    let nearby = if matches.is_empty() {
        let profile = state.store.profile(account_id).await?;
        upcoming(
            &state,
            profile.as_ref().map(|p| p.home),
            profile.as_ref().map(|p| p.travel_radius_km),
            20,
        )
        .await?
    } else {
        Vec::new()
    };
    visitor.render(
        StatusCode::OK,
        "near.html",
        context! { matches => matches, nearby => nearby, profile_complete => profile_complete },
    )
}
