//! `GET /verify/{code}`: a certificate as anyone checks it, printable, with the QR code that
//! leads back here.

use super::i18n::Lang;
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hourbook_store::StoreError;
use hourbook_store::certificates::CertificateStatus;
use minijinja::context;

fn duration(minutes: i64, lang: Lang) -> String {
    let (h, m) = ((minutes / 60).to_string(), (minutes % 60).to_string());
    let key = match (minutes / 60, minutes % 60) {
        (_, 0) => "duration.hours",
        (0, _) => "duration.minutes",
        _ => "duration.hours_minutes",
    };
    lang.text(key).replace("{h}", &h).replace("{m}", &m)
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    visitor: Visitor,
) -> ApiResult<Response> {
    let lang = visitor.lang;
    let check = match state
        .store
        .check_certificate(&code, &state.certificate_keys, state.rules.timezone)
        .await
    {
        Ok(check) => check,
        // A mistyped code (or a QR code from elsewhere): the lookup form says so, in HTML.
        Err(StoreError::NotFound(_)) => return super::school::unknown_code(visitor, &code),
        Err(e) => return Err(e.into()),
    };
    let s = &check.statement;
    let url = format!("{}/verify/{}", state.base_url(&headers), s.code);
    // An SVG we draw ourselves from our own URL: the template embeds it as markup.
    let qr = crate::qr::svg(&url, 160)?;
    let verdict = lang.text(match check.status {
        CertificateStatus::Valid => "verify.valid",
        CertificateStatus::Superseded => "verify.superseded",
        CertificateStatus::LedgerAltered => "verify.ledger_altered",
        CertificateStatus::SignatureInvalid => "verify.signature_invalid",
    });
    let categories: Vec<(String, String)> = s
        .by_category
        .iter()
        .map(|(c, m)| (lang.category(c), duration(*m, lang)))
        .collect();
    let issued = s
        .issued_at
        .with_timezone(&state.rules.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    visitor.render(
        StatusCode::OK,
        "verify.html",
        context! {
            valid => check.valid,
            verdict => verdict,
            s => s,
            total => duration(s.total_minutes, lang),
            recorded => duration(s.provenance.recorded_minutes, lang),
            hand_entered => duration(s.provenance.hand_entered_minutes, lang),
            categories => categories,
            issued => issued,
            url => url,
            qr => qr,
        },
    )
}
