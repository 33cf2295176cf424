//! Issuing certificates from the ledger and checking them against it later.

use crate::accounts::next_counter;
use crate::entities::{account, certificate, event, ledger_entry, organization, volunteer_profile};
use crate::{Result, Store, StoreError, commit, parse_id, parse_name, seconds};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::certificate::{
    CertificateDocument, CertificateSigner, CertifiedVolunteer, FORMAT, KeyRing, Period,
    SignedCertificate, new_code, normalize_code,
};
use hourbook_domain::ledger::Provenance;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A certificate just issued (`POST /api/v1/me/certificates`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedCertificate {
    /// Verification code.
    pub code: String,
    /// Certificate number.
    pub number: String,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// The period.
    pub period: Period,
    /// Verified minutes in it.
    pub total_minutes: i64,
    /// Minutes per category.
    pub by_category: BTreeMap<String, i64>,
    /// Recorded on site vs entered by hand.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Where a certificate stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Genuine, and the ledger still says the same.
    Valid,
    /// Genuine, but the ledger has been corrected since: true when issued, not any more.
    Superseded,
    /// Genuine, but the ledger entries behind it were altered outside the application.
    LedgerAltered,
    /// Not signed by our key (or altered after signing): not to be trusted.
    SignatureInvalid,
}

/// A certificate as the public verification sees it: what it states (from the signed
/// document) and what the checks found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateCheck {
    /// Genuine and matching the ledger.
    pub valid: bool,
    /// The verdict.
    pub status: CertificateStatus,
    /// The signature is ours and covers the document unchanged.
    pub signature_valid: bool,
    /// The ledger's hash chain behind it is intact and gives the same totals today.
    pub matches_ledger: bool,
    /// The volunteer's hash chain is intact.
    pub ledger_intact: bool,
    /// What the certificate states.
    #[serde(flatten)]
    pub statement: CertificateDocument,
    /// The certificate to keep or verify offline (`hourbook certificate verify FILE`).
    pub certificate: SignedCertificate,
}

/// The first instant of `day` in `tz`.
fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// What the ledger says about a volunteer's period: totals, organizations, events, entries.
struct LedgerTotals {
    total_minutes: i64,
    by_category: BTreeMap<String, i64>,
    provenance: Provenance,
    organizations: Vec<String>,
    events: Vec<String>,
    entries: u64,
}

async fn totals(
    db: &impl ConnectionTrait,
    volunteer: &str,
    period: Period,
    tz: Tz,
) -> Result<LedgerTotals> {
    let rows = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::VolunteerId.eq(volunteer))
        .filter(ledger_entry::Column::StartedAt.gte(start_of(period.from, tz)))
        .filter(ledger_entry::Column::StartedAt.lt(start_of(period.to + Duration::days(1), tz)))
        .order_by_asc(ledger_entry::Column::ChainIndex)
        .all(db)
        .await?;
    let mut by_category = BTreeMap::new();
    let mut provenance = Provenance::default();
    for r in &rows {
        *by_category.entry(r.category.clone()).or_insert(0) += r.minutes;
        provenance.add(parse_name(&r.source)?, r.minutes);
    }
    let names = |ids: BTreeSet<String>| ids.into_iter().collect::<Vec<_>>();
    let org_ids = names(rows.iter().map(|r| r.organization_id.clone()).collect());
    let event_ids = names(rows.iter().filter_map(|r| r.event_id.clone()).collect());
    let organizations: BTreeSet<String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let events: BTreeSet<String> = event::Entity::find()
        .filter(event::Column::Id.is_in(event_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.title)
        .collect();
    Ok(LedgerTotals {
        total_minutes: rows.iter().map(|r| r.minutes).sum(),
        by_category,
        provenance,
        organizations: organizations.into_iter().collect(),
        events: events.into_iter().collect(),
        entries: rows.len() as u64,
    })
}

impl Store {
    /// Issues the actor a certificate of their verified hours in `[from, to]` (local days;
    /// from their first entry and to today when not given).
    pub async fn issue_certificate(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        signer: &CertificateSigner,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<IssuedCertificate> {
        let volunteer = actor.account_id.to_string();
        let today = now.with_timezone(&tz).date_naive();
        let first = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::VolunteerId.eq(volunteer.clone()))
            .order_by_asc(ledger_entry::Column::StartedAt)
            .one(self.db())
            .await?
            .map(|e| e.started_at.with_timezone(&tz).date_naive());
        let to = to.unwrap_or(today);
        let from = from.or(first).unwrap_or(to);
        let mut v = hourbook_domain::error::Validator::new();
        if to > today {
            v.error("to", "must not be in the future");
        }
        if from > to {
            v.error("from", "must not be after to");
        }
        if from.year() < 1900 {
            v.error("from", "must be a date after 1900");
        }
        v.finish()?;
        let period = Period { from, to };
        let txn = self.write().await?;
        let totals = totals(&txn, &volunteer, period, tz).await?;
        if totals.entries == 0 {
            return Err(
                DomainError::invalid("from", "there are no verified hours in this period").into(),
            );
        }
        let person = account::Entity::find_by_id(volunteer.clone())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        let masked_id = volunteer_profile::Entity::find_by_id(volunteer.clone())
            .one(&txn)
            .await?
            .and_then(|p| p.id_number_masked);
        let year = today.year();
        let number = format!(
            "HBC-{year}-{:06}",
            next_counter(&txn, &format!("certificate-{year}")).await?
        );
        let code = new_code(&mut rand::thread_rng());
        let issued_at = seconds(now);
        let signed = signer.sign(CertificateDocument {
            format: FORMAT.into(),
            number: number.clone(),
            code: code.clone(),
            volunteer: CertifiedVolunteer {
                name: person.name,
                volunteer_number: person.volunteer_number,
                masked_id,
            },
            period,
            total_minutes: totals.total_minutes,
            by_category: totals.by_category.clone(),
            provenance: totals.provenance,
            organizations: totals.organizations,
            events: totals.events,
            entries: totals.entries,
            issued_at,
            key_id: String::new(),
        });
        crate::outbox::enqueue_for_account(
            &txn,
            crate::outbox::MessageKind::CertificateIssued,
            &volunteer,
            serde_json::json!({
                "number": number, "code": code, "total_minutes": totals.total_minutes,
                "period_from": from, "period_to": to,
            }),
            now,
        )
        .await?;
        certificate::Entity::insert(certificate::ActiveModel {
            id: Set(Uuid::new_v4().to_string()),
            code: Set(code.clone()),
            number: Set(number.clone()),
            volunteer_id: Set(volunteer),
            period_from: Set(from),
            period_to: Set(to),
            total_minutes: Set(totals.total_minutes),
            document: Set(signed.document),
            signature: Set(signed.signature),
            issued_at: Set(issued_at),
        })
        .exec_without_returning(&txn)
        .await?;
        commit(
            txn,
            IssuedCertificate {
                code,
                number,
                issued_at,
                period,
                total_minutes: totals.total_minutes,
                by_category: totals.by_category,
                provenance: totals.provenance,
            },
        )
        .await
    }

    /// The actor's certificates, newest first.
    pub async fn my_certificates(&self, actor: &Actor) -> Result<Vec<IssuedCertificate>> {
        let rows = certificate::Entity::find()
            .filter(certificate::Column::VolunteerId.eq(actor.account_id.to_string()))
            .order_by_desc(certificate::Column::IssuedAt)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let doc = SignedCertificate {
                    document: r.document,
                    signature: r.signature,
                }
                .read()?;
                Some(IssuedCertificate {
                    code: doc.code,
                    number: doc.number,
                    issued_at: doc.issued_at,
                    period: doc.period,
                    total_minutes: doc.total_minutes,
                    by_category: doc.by_category,
                    provenance: doc.provenance,
                })
            })
            .collect())
    }

    /// Checks a certificate by its code: our signature, an intact ledger chain, and the same
    /// totals from the ledger today.
    pub async fn check_certificate(
        &self,
        code: &str,
        keys: &KeyRing,
        tz: Tz,
    ) -> Result<CertificateCheck> {
        let code = normalize_code(code).ok_or(StoreError::NotFound("certificate"))?;
        let row = certificate::Entity::find()
            .filter(certificate::Column::Code.eq(code))
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("certificate"))?;
        let signed = SignedCertificate {
            document: row.document,
            signature: row.signature,
        };
        let statement = signed
            .read()
            .ok_or_else(|| StoreError::Corrupt(format!("certificate {} does not parse", row.id)))?;
        let signature_valid = keys.signed(&signed);
        let ledger_intact = self
            .check_ledger(Some(parse_id(&row.volunteer_id)?), |_, _| {})
            .await?
            .breaks
            .is_empty();
        let now = totals(self.db(), &row.volunteer_id, statement.period, tz).await?;
        let same_totals = now.total_minutes == statement.total_minutes
            && now.by_category == statement.by_category
            && now.provenance == statement.provenance;
        let matches_ledger = ledger_intact && same_totals;
        let status = if !signature_valid {
            CertificateStatus::SignatureInvalid
        } else if !ledger_intact {
            CertificateStatus::LedgerAltered
        } else if !same_totals {
            CertificateStatus::Superseded
        } else {
            CertificateStatus::Valid
        };
        Ok(CertificateCheck {
            valid: status == CertificateStatus::Valid,
            status,
            signature_valid,
            matches_ledger,
            ledger_intact,
            statement,
            certificate: signed,
        })
    }
}
