//! One-click unsubscribe, without logging in. The link in an e-mail opens a page with one
//! button (link scanners that fetch every URL must not unsubscribe anyone); mail programs
//! that honour `List-Unsubscribe-Post` (RFC 8058) POST to the same URL directly.

use super::render;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hourbook_store::outbox::MessageKind;
use minijinja::context;
use serde::Serialize;
use uuid::Uuid;

#[derive(Serialize)]
struct Words {
    title: &'static str,
    question: &'static str,
    button: &'static str,
    done: &'static str,
    invalid: &'static str,
    settings: &'static str,
}

const ZH: Words = Words {
    title: "退订邮件",
    question: "不再接收这类邮件：",
    button: "退订",
    done: "已退订，您将不再收到这类邮件：",
    invalid: "此退订链接无效。请使用邮件中的完整链接。",
    settings: "岗位取消等安全通知仍会发送。登录后可在“通知设置”中重新开启。",
};

const EN: Words = Words {
    title: "Unsubscribe",
    question: "Stop e-mails of this kind:",
    button: "Unsubscribe",
    done: "Done. You will no longer receive e-mails of this kind:",
    invalid: "This unsubscribe link is not valid. Please use the whole link from the e-mail.",
    settings: "Safety messages such as cancelled shifts are still sent. You can turn this kind back on under notification settings.",
};

fn kind_label(kind: MessageKind, en: bool) -> &'static str {
    use MessageKind::*;
    match (kind, en) {
        (SignupConfirmed, false) => "报名确认",
        (SignupConfirmed, true) => "signup confirmations",
        (SignupWaitlisted, false) => "候补通知",
        (SignupWaitlisted, true) => "waitlist notices",
        (WaitlistPromoted, false) => "候补转正通知",
        (WaitlistPromoted, true) => "seats freed from the waitlist",
        (ShiftCancelled, false) => "岗位取消通知",
        (ShiftCancelled, true) => "cancelled shifts",
        (ShiftChanged, false) => "岗位变动通知",
        (ShiftChanged, true) => "changed shifts",
        (HoursVerified, false) => "服务时长认证通知",
        (HoursVerified, true) => "verified hours",
        (Invitation, false) => "服务邀请",
        (Invitation, true) => "invitations to volunteer",
        (Reminder24h, false) => "岗位开始前一天的提醒",
        (Reminder24h, true) => "reminders a day before a shift",
        (Reminder2h, false) => "岗位开始前两小时的提醒",
        (Reminder2h, true) => "reminders two hours before a shift",
        (OverdueDigest, false) => "待认证记录每日汇总",
        (OverdueDigest, true) => "daily lists of records to verify",
        (ClaimDecided, false) => "服务时长申报结果",
        (ClaimDecided, true) => "answers to your claimed hours",
        (CertificateIssued, false) => "证明开具通知",
        (CertificateIssued, true) => "certificates you issued",
        (CorrectionMade, false) => "服务记录更正通知",
        (CorrectionMade, true) => "corrections of your record",
        // Sent to addresses without an account: never unsubscribed from here.
        (ClaimHostRequest, false) => "服务时长确认请求",
        (ClaimHostRequest, true) => "requests to confirm hours",
    }
}

/// The account and kind a token names, and the account's language.
async fn resolve(state: &AppState, token: &str) -> ApiResult<Option<(Uuid, MessageKind, bool)>> {
    let Some((account, kind)) = state.links.check_unsubscribe(token) else {
        return Ok(None);
    };
    let Ok(found) = state.store.account(account).await else {
        return Ok(None);
    };
    Ok(Some((account, kind, found.locale.starts_with("en"))))
}

fn page(
    status: StatusCode,
    en: bool,
    state: &str,
    kind: Option<MessageKind>,
) -> ApiResult<Response> {
    let html = render(
        "unsubscribe.html",
        context! {
            lang => if en { "en" } else { "zh-CN" },
            t => if en { &EN } else { &ZH },
            state => state,
            kind => kind.map(|k| kind_label(k, en)),
        },
    )?;
    Ok((status, html).into_response())
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    match resolve(&state, &token).await? {
        Some((_, kind, en)) if !kind.always_sent() => page(StatusCode::OK, en, "ask", Some(kind)),
        _ => page(StatusCode::NOT_FOUND, false, "invalid", None),
    }
}

pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    match resolve(&state, &token).await? {
        Some((account, kind, en)) if !kind.always_sent() => {
            state
                .store
                .opt_out(account, kind, state.clock.now())
                .await?;
            page(StatusCode::OK, en, "done", Some(kind))
        }
        _ => page(StatusCode::NOT_FOUND, false, "invalid", None),
    }
}
