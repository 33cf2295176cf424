//! One-click unsubscribe, without logging in. The link in an e-mail opens a page with one
//! button (link scanners that fetch every URL must not unsubscribe anyone); mail programs
//! that honour `List-Unsubscribe-Post` (RFC 8058) POST to the same URL directly, which is
//! why this one form carries no CSRF token: the signed token in the URL is its authority,
//! not a cookie.

use super::i18n::Lang;
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_store::outbox::MessageKind;
use minijinja::context;
use uuid::Uuid;

/// The catalogue key naming a kind of message (`kinds.*`).
pub(super) fn kind_key(kind: MessageKind) -> &'static str {
    use MessageKind::*;
    match kind {
        SignupConfirmed => "kinds.signup_confirmed",
        SignupWaitlisted => "kinds.signup_waitlisted",
        WaitlistPromoted => "kinds.waitlist_promoted",
        ShiftCancelled => "kinds.shift_cancelled",
        ShiftChanged => "kinds.shift_changed",
        HoursVerified => "kinds.hours_verified",
        Invitation => "kinds.invitation",
        Reminder24h => "kinds.reminder_24h",
        Reminder2h => "kinds.reminder_2h",
        OverdueDigest => "kinds.overdue_digest",
        ClaimDecided => "kinds.claim_decided",
        CertificateIssued => "kinds.certificate_issued",
        CorrectionMade => "kinds.correction_made",
        // Sent to addresses without an account: never unsubscribed from here.
        ClaimHostRequest => "kinds.claim_host_request",
    }
}

/// The account and kind a token names, and the account's language.
async fn resolve(state: &AppState, token: &str) -> ApiResult<Option<(Uuid, MessageKind, Lang)>> {
    let Some((account, kind)) = state.links.check_unsubscribe(token) else {
        return Ok(None);
    };
    let Ok(found) = state.store.account(account).await else {
        return Ok(None);
    };
    Ok(Some((
        account,
        kind,
        Lang::parse(&found.locale).unwrap_or(Lang::ZhCn),
    )))
}

/// The page in the account's language (the link may be opened in any browser); an invalid
/// link in the visitor's.
fn page(
    mut visitor: Visitor,
    status: StatusCode,
    lang: Option<Lang>,
    state: &str,
    kind: Option<MessageKind>,
) -> ApiResult<Response> {
    if let Some(lang) = lang {
        visitor.lang = lang;
    }
    let kind = kind.map(|k| visitor.lang.text(kind_key(k)));
    visitor.render(
        status,
        "unsubscribe.html",
        context! { state => state, kind => kind },
    )
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    match resolve(&state, &token).await? {
        Some((_, kind, lang)) if !kind.always_sent() => {
            page(visitor, StatusCode::OK, Some(lang), "ask", Some(kind))
        }
        _ => page(visitor, StatusCode::NOT_FOUND, None, "invalid", None),
    }
}

pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    match resolve(&state, &token).await? {
        Some((account, kind, lang)) if !kind.always_sent() => {
            state
                .store
                .opt_out(account, kind, state.clock.now())
                .await?;
            page(visitor, StatusCode::OK, Some(lang), "done", Some(kind))
        }
        _ => page(visitor, StatusCode::NOT_FOUND, None, "invalid", None),
    }
}
