//! "Notifications": which kinds of e-mail the volunteer gets, and in which language. The same
//! store functions as `GET|PUT /api/v1/me/notifications` and `PATCH /api/v1/me {locale}`;
//! safety messages (a cancelled shift) stay on and are shown as such.

use super::forms::Submitted;
use super::i18n::Lang;
use super::unsubscribe::kind_key;
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::catalogue::Locale;
use hourbook_store::outbox::MessageKind;
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct KindRow {
    kind: &'static str,
    label: String,
    enabled: bool,
    always_sent: bool,
}

#[derive(Deserialize)]
pub(super) struct Notice {
    saved: Option<String>,
}

/// `GET /me/notifications`.
pub(super) async fn page(
    State(state): State<AppState>,
    Query(notice): Query<Notice>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let (account_id, locale) = match visitor.require_sign_in() {
        Ok(s) => (s.account.id, s.account.locale.clone()),
        Err(login) => return Ok(*login),
    };
    let lang = visitor.lang;
    let kinds: Vec<KindRow> = state
        .store
        .notification_preferences(account_id)
        .await?
        .into_iter()
        .filter(|p| p.kind.to_accounts())
        .map(|p| KindRow {
            kind: p.kind.name(),
            label: lang.text(kind_key(p.kind)),
            enabled: p.enabled,
            always_sent: p.always_sent,
        })
        .collect();
    visitor.render(
        StatusCode::OK,
        "notifications.html",
        context! {
            kinds => kinds,
            locale => locale,
            saved => notice.saved.is_some(),
        },
    )
}

/// `POST /me/notifications`: the form lists every kind (`kind`) and ticks those wanted
/// (`on`); kinds not listed keep their setting.
pub(super) async fn save(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let visitor = form.visitor;
    let account_id = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let wanted = form.fields.all("on");
    // Names that are not kinds, and safety kinds (which stay on), are ignored: the form
    // never lists them.
    let changes: Vec<_> = form
        .fields
        .all("kind")
        .into_iter()
        .filter_map(|name| name.parse::<MessageKind>().ok())
        .filter(|kind| kind.to_accounts() && !kind.always_sent())
        .map(|kind: MessageKind| (kind, wanted.contains(&kind.name())))
        .collect();
    let locale = match Lang::parse(form.fields.get("locale")) {
        Some(Lang::En) => Some(Locale::En),
        Some(Lang::ZhCn) => Some(Locale::ZhCn),
        None => None,
    };
    let now = state.clock.now();
    state
        .store
        .set_notification_preferences(account_id, &changes, now)
        .await?;
    if locale.is_some() {
        state.store.update_account(account_id, None, locale).await?;
    }
    Ok(visitor.redirect("/me/notifications?saved=1"))
}
