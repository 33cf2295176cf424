//! `GET /verify/{code}`: a certificate as anyone checks it, printable, with the QR code that
//! leads back here.

use super::{english, render};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use hourbook_store::certificates::CertificateStatus;
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Words {
    title: &'static str,
    valid: &'static str,
    superseded: &'static str,
    ledger_altered: &'static str,
    signature_invalid: &'static str,
    number: &'static str,
    volunteer: &'static str,
    volunteer_number: &'static str,
    id_number: &'static str,
    period: &'static str,
    total: &'static str,
    by_category: &'static str,
    organizations: &'static str,
    events: &'static str,
    issued: &'static str,
    code: &'static str,
    scan: &'static str,
    hours: &'static str,
    minutes: &'static str,
    print: &'static str,
}

const ZH: Words = Words {
    title: "志愿服务证明",
    valid: "真实有效：签名正确，与服务记录一致。",
    superseded: "签名正确，但服务记录在开具后已更正，此证明已被取代，请让志愿者重新开具。",
    ledger_altered: "警告：此证明所依据的服务记录被篡改，证明不可信。",
    signature_invalid: "警告：签名无效，此证明不是由 Hourbook 开具或已被改动。",
    number: "证明编号",
    volunteer: "志愿者",
    volunteer_number: "志愿者编号",
    id_number: "身份证号",
    period: "服务期间",
    total: "服务时长合计",
    by_category: "按类别",
    organizations: "记录单位",
    events: "服务项目",
    issued: "开具时间",
    code: "验证码",
    scan: "扫码或访问本页核验",
    hours: "小时",
    minutes: "分钟",
    print: "打印",
};

const EN: Words = Words {
    title: "Certificate of volunteer service",
    valid: "Genuine: the signature is correct and the service record agrees.",
    superseded: "Genuine signature, but the service record was corrected after it was issued: this certificate is superseded; ask the volunteer for a new one.",
    ledger_altered: "Warning: the service records behind this certificate were tampered with. Do not trust it.",
    signature_invalid: "Warning: the signature is not valid. Hourbook did not issue this certificate, or it was altered.",
    number: "Certificate number",
    volunteer: "Volunteer",
    volunteer_number: "Volunteer number",
    id_number: "ID number",
    period: "Period",
    total: "Total service",
    by_category: "By category",
    organizations: "Recorded by",
    events: "Service",
    issued: "Issued",
    code: "Verification code",
    scan: "Scan or open this page to verify",
    hours: "h",
    minutes: "min",
    print: "Print",
};

#[derive(Deserialize)]
pub(super) struct LangQuery {
    lang: Option<String>,
}

fn duration(minutes: i64, t: &Words) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} {}", t.hours),
        (0, m) => format!("{m} {}", t.minutes),
        (h, m) => format!("{h} {} {m} {}", t.hours, t.minutes),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Html<String>> {
    let en = english(q.lang.as_deref(), &headers);
    let t = if en { &EN } else { &ZH };
    let check = state
        .store
        .check_certificate(&code, &state.certificate_keys, state.rules.timezone)
        .await?;
    let s = &check.statement;
    let url = format!("{}/verify/{}", state.base_url(&headers), s.code);
    // An SVG we draw ourselves from our own URL: safe to embed as markup.
    let qr = crate::qr::svg(&url, 160)?;
    let verdict = match check.status {
        CertificateStatus::Valid => t.valid,
        CertificateStatus::Superseded => t.superseded,
        CertificateStatus::LedgerAltered => t.ledger_altered,
        CertificateStatus::SignatureInvalid => t.signature_invalid,
    };
    let categories: Vec<(String, String)> = s
        .by_category
        .iter()
        .map(|(c, m)| (c.clone(), duration(*m, t)))
        .collect();
    let issued = s
        .issued_at
        .with_timezone(&state.rules.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    render(
        "verify.html",
        context! {
            lang => if en { "en" } else { "zh-CN" },
            t => t,
            valid => check.valid,
            verdict => verdict,
            s => s,
            total => duration(s.total_minutes, t),
            categories => categories,
            issued => issued,
            url => url,
            qr => minijinja::Value::from_safe_string(qr),
        },
    )
}
