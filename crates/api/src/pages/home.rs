//! The landing page: what Hourbook is, in two sentences, and upcoming shifts with seats (near
//! the visitor's home when their profile has one).

use super::cards::upcoming;
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

pub(super) async fn home(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    let home = match &visitor.signed_in {
        Some(s) => state.store.profile(s.account.id).await?.map(|p| p.home),
        None => None,
    };
    let shifts = upcoming(&state, home, None, 30).await?;
    visitor.render(StatusCode::OK, "home.html", context! { shifts => shifts })
}
