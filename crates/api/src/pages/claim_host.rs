//! The page behind the link e-mailed to a host outside Hourbook: its contact sees the claim
//! and confirms it (possibly with other minutes and a note) or declines it, without an
//! account. The link is signed for one claim and stops working once the claim is decided,
//! withdrawn or 30 days old. Like the unsubscribe page, the GET only shows; only the form's
//! POST acts (mail scanners fetch links).

use super::{english, render};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hourbook_domain::DomainError;
use hourbook_store::StoreError;
use hourbook_store::claims::{ClaimStatus, HostAnswer, HostRequest};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Words {
    title: &'static str,
    lead: &'static str,
    volunteer: &'static str,
    service: &'static str,
    when: &'static str,
    claimed: &'static str,
    description: &'static str,
    evidence: &'static str,
    confirm_heading: &'static str,
    minutes: &'static str,
    minutes_help: &'static str,
    note: &'static str,
    confirm: &'static str,
    reject_heading: &'static str,
    reason: &'static str,
    reject: &'static str,
    verified: &'static str,
    rejected: &'static str,
    closed: &'static str,
    expired: &'static str,
    invalid: &'static str,
    fix: &'static str,
}

const ZH: Words = Words {
    title: "确认志愿服务时长",
    lead: "以下志愿者申请记录其在贵单位的志愿服务，并填写您为确认人。请核实后确认（可修改时长）或拒绝。无需注册账号。",
    volunteer: "志愿者",
    service: "服务内容",
    when: "时间",
    claimed: "申报时长（分钟）",
    description: "本人说明",
    evidence: "证明材料",
    confirm_heading: "确认",
    minutes: "认定时长（分钟）",
    minutes_help: "与申报不同时，请在备注中说明原因。",
    note: "备注",
    confirm: "确认服务时长",
    reject_heading: "拒绝",
    reason: "拒绝原因（志愿者会看到）",
    reject: "拒绝此申报",
    verified: "已确认，服务时长已记入该志愿者的记录。谢谢！",
    rejected: "已拒绝，志愿者会收到您填写的原因。谢谢！",
    closed: "此申报已处理或已被志愿者撤回，链接不再有效。",
    expired: "此链接已过期。如需确认，请让志愿者重新提交申报。",
    invalid: "此链接无效。请使用邮件中的完整链接。",
    fix: "请修改标出的内容后再提交。",
};

const EN: Words = Words {
    title: "Confirm volunteer hours",
    lead: "This volunteer asks to record service at your organization and named you as the person who can confirm it. Please check it, then confirm it (you may change the time) or decline it. No account is needed.",
    volunteer: "Volunteer",
    service: "Service",
    when: "When",
    claimed: "Minutes claimed",
    description: "In their words",
    evidence: "Evidence",
    confirm_heading: "Confirm",
    minutes: "Minutes served",
    minutes_help: "If this differs from the claim, say why in the note.",
    note: "Note",
    confirm: "Confirm these hours",
    reject_heading: "Decline",
    reason: "Why (the volunteer reads it)",
    reject: "Decline this claim",
    verified: "Confirmed: the hours are in the volunteer's record now. Thank you!",
    rejected: "Declined: the volunteer will read your reason. Thank you!",
    closed: "This claim has been answered or withdrawn; the link no longer works.",
    expired: "This link has expired. Ask the volunteer to submit the claim again.",
    invalid: "This link is not valid. Please use the whole link from the e-mail.",
    fix: "Please correct the marked fields and submit again.",
};

#[derive(Deserialize)]
pub(super) struct LangQuery {
    lang: Option<String>,
}

/// The form's fields; one form per answer, told apart by `answer`.
#[derive(Deserialize)]
pub(super) struct AnswerForm {
    answer: String,
    #[serde(default)]
    minutes: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

struct Shown<'a> {
    en: bool,
    state: &'a str,
    request: Option<&'a HostRequest>,
    errors: BTreeMap<String, String>,
    form: Option<&'a AnswerForm>,
}

fn page(app: &AppState, status: StatusCode, shown: Shown) -> ApiResult<Response> {
    let tz = app.rules.timezone;
    let claim = shown.request.map(|r| {
        let c = &r.claim;
        context! {
            volunteer => c.volunteer_name,
            title => c.title,
            host => c.host.as_ref().map(|h| h.name.clone()),
            when => format!(
                "{} – {}",
                c.started_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                c.ended_at.with_timezone(&tz).format("%H:%M"),
            ),
            minutes => c.minutes,
            description => c.description,
            evidence_url => c.evidence_url,
        }
    });
    let form = shown.form;
    let html = render(
        "claim_host.html",
        context! {
            lang => if shown.en { "en" } else { "zh-CN" },
            t => if shown.en { &EN } else { &ZH },
            state => shown.state,
            claim => claim,
            errors => shown.errors,
            minutes => form.and_then(|f| f.minutes.clone()),
            note => form.and_then(|f| f.note.clone()),
            reason => form.and_then(|f| f.reason.clone()),
        },
    )?;
    Ok((status, html).into_response())
}

/// The request a genuine token names, or `None` (an unknown or forged link).
async fn request(app: &AppState, token: &str) -> ApiResult<Option<HostRequest>> {
    let Some(claim) = app.links.check_claim_host(token) else {
        return Ok(None);
    };
    match app.store.host_request(claim, app.clock.now()).await {
        Ok(found) => Ok(Some(found)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn closed_state(request: &HostRequest) -> &'static str {
    match request.claim.status {
        ClaimStatus::Pending => "expired",
        _ => "closed",
    }
}

pub(super) async fn show(
    State(app): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let en = english(q.lang.as_deref(), &headers);
    let Some(found) = request(&app, &token).await? else {
        return page(
            &app,
            StatusCode::NOT_FOUND,
            Shown {
                en,
                state: "invalid",
                request: None,
                errors: BTreeMap::new(),
                form: None,
            },
        );
    };
    let state = if found.open {
        "ask"
    } else {
        closed_state(&found)
    };
    page(
        &app,
        StatusCode::OK,
        Shown {
            en,
            state,
            request: Some(&found),
            errors: BTreeMap::new(),
            form: None,
        },
    )
}

pub(super) async fn answer(
    State(app): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> ApiResult<Response> {
    let en = english(q.lang.as_deref(), &headers);
    let Some(found) = request(&app, &token).await? else {
        return page(
            &app,
            StatusCode::NOT_FOUND,
            Shown {
                en,
                state: "invalid",
                request: None,
                errors: BTreeMap::new(),
                form: None,
            },
        );
    };
    if !found.open {
        let state = closed_state(&found);
        return page(
            &app,
            StatusCode::CONFLICT,
            Shown {
                en,
                state,
                request: Some(&found),
                errors: BTreeMap::new(),
                form: None,
            },
        );
    }
    let mut errors = BTreeMap::new();
    let answer = match form.answer.as_str() {
        "confirm" => {
            let minutes = form
                .minutes
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty());
            let minutes = match minutes.map(str::parse::<i64>) {
                Some(Ok(m)) => Some(m),
                Some(Err(_)) => {
                    errors.insert(
                        "minutes".to_string(),
                        "must be a whole number of minutes".to_string(),
                    );
                    None
                }
                None => None,
            };
            HostAnswer::Confirm {
                minutes,
                note: form.note.clone(),
            }
        }
        "reject" => HostAnswer::Reject {
            reason: form.reason.clone().unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::BadRequest(
                "answer must be confirm or reject".into(),
            ));
        }
    };
    if errors.is_empty() {
        match app
            .store
            .host_answer(found.claim.id, answer, app.clock.now())
            .await
        {
            Ok(decided) => {
                let state = match decided.status {
                    ClaimStatus::Verified => "verified",
                    _ => "rejected",
                };
                return page(
                    &app,
                    StatusCode::OK,
                    Shown {
                        en,
                        state,
                        request: Some(&found),
                        errors,
                        form: None,
                    },
                );
            }
            Err(StoreError::Domain(DomainError::Invalid(fields))) => {
                for f in fields {
                    errors.insert(f.field, f.message);
                }
            }
            Err(StoreError::Domain(DomainError::Conflict(_))) => {
                return page(
                    &app,
                    StatusCode::CONFLICT,
                    Shown {
                        en,
                        state: "closed",
                        request: Some(&found),
                        errors,
                        form: None,
                    },
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    page(
        &app,
        StatusCode::UNPROCESSABLE_ENTITY,
        Shown {
            en,
            state: "ask",
            request: Some(&found),
            errors,
            form: Some(&form),
        },
    )
}
