//! `/org`: the visitor's organizations, each with the pages their roles open.

use super::{Member, Page, show};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use hourbook_domain::OrganizationKind;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct OrgLine {
    id: String,
    name: String,
    kind: &'static str,
    roles: Vec<&'static str>,
    organizes: bool,
    verifies: bool,
    school: bool,
}

/// `GET /org`.
pub(super) async fn page(
    State(state): State<AppState>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let mut lines: Vec<OrgLine> = Vec::new();
    for (org_id, role) in &actor.memberships {
        if let Some(line) = lines.iter_mut().find(|l| l.id == org_id.to_string()) {
            line.roles.push(role.as_str());
            continue;
        }
        let org = state.store.organization(*org_id).await?;
        lines.push(OrgLine {
            id: org.id.to_string(),
            name: org.name,
            kind: org.kind.as_str(),
            roles: vec![role.as_str()],
            organizes: actor.may_organize(*org_id),
            verifies: actor.may_verify(*org_id),
            school: org.kind == OrganizationKind::School,
        });
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name));
    show(
        visitor,
        Ok(Page::ok("org_workspace.html", context! { orgs => lines })),
    )
}
