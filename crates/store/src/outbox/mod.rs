//! The transactional outbox: a message row is written by the same transaction as the change
//! it announces, so a committed change always has its message and a rolled-back one never does.
//!
//! Workers claim rows (`claims`), the recipients' choices decide what is sent (`preferences`),
//! and reminders and digests are queued by time rather than by a change (`schedule`).

mod claims;
mod preferences;
mod schedule;

pub use claims::{Claim, FailedMessage};
pub use preferences::NotificationPreference;
pub use schedule::DigestPolicy;

use crate::entities::{account, outbox_message, volunteer_profile};
use crate::shifts::ShiftContext;
use crate::{Result, StoreError, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::profile::Guardian;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};
use uuid::Uuid;

/// What a message announces.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    serde::Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MessageKind {
    /// A signup got a seat.
    SignupConfirmed,
    /// A signup joined the waitlist.
    SignupWaitlisted,
    /// A waitlisted signup got a seat.
    WaitlistPromoted,
    /// The organizer cancelled the shift (safety-critical: always sent).
    ShiftCancelled,
    /// The organizer moved the shift to another time or place (safety-critical: always sent).
    ShiftChanged,
    /// Hours were verified into the ledger.
    HoursVerified,
    /// A seat was offered to the volunteer (from a roster plan or after a decline).
    Invitation,
    /// A confirmed shift starts in about 24 hours.
    #[serde(rename = "reminder_24h")]
    #[strum(serialize = "reminder_24h")]
    Reminder24h,
    /// A confirmed shift starts in about 2 hours.
    #[serde(rename = "reminder_2h")]
    #[strum(serialize = "reminder_2h")]
    Reminder2h,
    /// An organizer's daily list of attended shifts whose records are due or overdue.
    OverdueDigest,
    /// To the contact at a host outside Hourbook: please confirm a volunteer's claim (with
    /// the signed link). Never to an account.
    ClaimHostRequest,
    /// A claim was verified or rejected.
    ClaimDecided,
    /// The volunteer issued a certificate (its code and link, to keep).
    CertificateIssued,
    /// An organization corrected one of the volunteer's ledger entries.
    CorrectionMade,
}

impl MessageKind {
    /// The snake_case name stored in the outbox.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Safety messages go out whatever the recipient turned off: someone must not travel to
    /// a shift that no longer takes place.
    pub fn always_sent(self) -> bool {
        matches!(
            self,
            MessageKind::ShiftCancelled | MessageKind::ShiftChanged
        )
    }

    /// Every kind, in a stable order.
    pub fn all() -> impl Iterator<Item = MessageKind> {
        MessageKind::iter()
    }

    /// Whether accounts receive this kind (and so may turn it off). Requests to hosts outside
    /// Hourbook go to an address, not an account.
    pub fn to_accounts(self) -> bool {
        self != MessageKind::ClaimHostRequest
    }

    /// Whether a minor's guardian receives a copy.
    fn copied_to_guardian(self) -> bool {
        matches!(
            self,
            MessageKind::SignupConfirmed
                | MessageKind::WaitlistPromoted
                | MessageKind::ShiftCancelled
                | MessageKind::ShiftChanged
        )
    }
}

/// Status of a message waiting to go out.
const PENDING: &str = "pending";
/// Status of a message a worker has claimed and is sending.
const SENDING: &str = "sending";
/// Status of a message that went out.
const SENT: &str = "sent";
/// Status of a message that will not be retried.
const FAILED: &str = "failed";
/// Status of a message not sent on purpose: the recipient turned its kind off, or it no
/// longer applies (a reminder for a cancelled signup).
const SKIPPED: &str = "skipped";

/// A message ready to render and send.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Stable id, also the e-mail's Message-ID.
    pub id: Uuid,
    /// What it announces.
    pub kind: MessageKind,
    /// The account it goes to; `None` for copies to a minor's guardian, who has no account.
    pub recipient_account_id: Option<Uuid>,
    /// Recipient address.
    pub recipient_email: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's language.
    pub locale: String,
    /// Template data.
    pub payload: serde_json::Value,
    /// Claims so far, this one included.
    pub attempts: i32,
}

/// One row to insert.
struct NewMessage<'a> {
    kind: MessageKind,
    account_id: Option<&'a str>,
    email: &'a str,
    locale: &'a str,
    payload: serde_json::Value,
    dedupe_key: Option<String>,
    /// Whom it is about, when that is not the recipient.
    about: Option<&'a str>,
}

/// Inserts a row; with a de-duplication key, a second row with the same key is silently not
/// inserted. Returns whether a row was inserted.
async fn insert(db: &impl ConnectionTrait, m: NewMessage<'_>, now: DateTime<Utc>) -> Result<bool> {
    let inserted = outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        kind: Set(m.kind.name().into()),
        recipient_account_id: Set(m.account_id.map(str::to_string)),
        recipient_email: Set(m.email.to_string()),
        locale: Set(m.locale.to_string()),
        payload: Set(m.payload.to_string()),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(seconds(now)),
        created_at: Set(seconds(now)),
        sent_at: Set(None),
        last_error: Set(None),
        claim_token: Set(None),
        dedupe_key: Set(m.dedupe_key),
        subject_account_id: Set(m.about.map(str::to_string)),
    })
    .on_conflict(
        OnConflict::column(outbox_message::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

async fn recipient(db: &impl ConnectionTrait, account_id: &str) -> Result<account::Model> {
    account::Entity::find_by_id(account_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("account"))
}

pub(crate) fn with(
    mut payload: serde_json::Value,
    key: &str,
    value: impl Into<serde_json::Value>,
) -> serde_json::Value {
    if let Some(map) = payload.as_object_mut() {
        map.insert(key.into(), value.into());
    }
    payload
}

/// Queues a message to an account, inside the caller's transaction.
pub(crate) async fn enqueue_for_account(
    db: &impl ConnectionTrait,
    kind: MessageKind,
    account_id: &str,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    enqueue_once(db, kind, account_id, payload, None, now).await?;
    Ok(())
}

/// Queues a message unless one with `dedupe_key` exists; returns whether it was queued.
pub(crate) async fn enqueue_once(
    db: &impl ConnectionTrait,
    kind: MessageKind,
    account_id: &str,
    payload: serde_json::Value,
    dedupe_key: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let account = recipient(db, account_id).await?;
    if account.email.ends_with(crate::erasure::ERASED_DOMAIN) {
        // Erased: there is nobody to tell (hours verified after the erasure, say).
        return Ok(false);
    }
    let payload = with(payload, "recipient_name", account.name.clone());
    insert(
        db,
        NewMessage {
            kind,
            account_id: Some(&account.id),
            email: &account.email,
            locale: &account.locale,
            payload,
            dedupe_key,
            about: None,
        },
        now,
    )
    .await
}

/// Queues a message to an address with no account behind it (a host's contact), about
/// `about`'s business, inside the caller's transaction.
pub(crate) async fn enqueue_to_address(
    db: &impl ConnectionTrait,
    kind: MessageKind,
    email: &str,
    locale: &str,
    payload: serde_json::Value,
    about: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    insert(
        db,
        NewMessage {
            kind,
            account_id: None,
            email,
            locale,
            payload,
            dedupe_key: None,
            about: Some(about),
        },
        now,
    )
    .await?;
    Ok(())
}

/// What every message about a shift says: when, where, what to bring, whom to call.
pub(crate) fn shift_payload(ctx: &ShiftContext) -> serde_json::Value {
    let (shift, event) = (&ctx.shift, &ctx.event);
    let contact = crate::events::contact_of(
        event.contact_name.clone(),
        event.contact_phone.clone(),
        event.contact_email.clone(),
    );
    serde_json::json!({
        "shift_id": shift.id, "shift_title": shift.title,
        "event_id": event.id, "event_title": event.title,
        "starts_at": shift.starts_at, "ends_at": shift.ends_at,
        "address": shift.address, "lat": shift.lat, "lon": shift.lon,
        "what_to_bring": event.what_to_bring, "risks": event.risks, "contact": contact,
    })
}

/// The signup a message is about.
pub(crate) struct SignupRef<'a> {
    pub id: &'a str,
    pub volunteer_id: &'a str,
    /// Under the adult age on the shift's date (the signup row's `minor`).
    pub minor: bool,
}

/// Queues a message about a signup (`payload`: the shift's, see [`shift_payload`]) to its
/// volunteer and, for a minor's confirmations, changes and cancellations, a copy to the
/// guardian named in the profile.
pub(crate) async fn enqueue_about_signup(
    db: &impl ConnectionTrait,
    kind: MessageKind,
    payload: serde_json::Value,
    signup: SignupRef<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = with(payload, "signup_id", signup.id);
    enqueue_for_account(db, kind, signup.volunteer_id, payload.clone(), now).await?;
    if !(signup.minor && kind.copied_to_guardian()) {
        return Ok(());
    }
    let Some(guardian) = guardian_of(db, signup.volunteer_id).await? else {
        return Ok(());
    };
    let volunteer = recipient(db, signup.volunteer_id).await?;
    let payload = with(payload, "guardian_copy", true);
    let payload = with(payload, "volunteer_name", volunteer.name.clone());
    let payload = with(payload, "recipient_name", guardian.name.clone());
    insert(
        db,
        NewMessage {
            kind,
            account_id: None,
            email: &guardian.email,
            // The family's language: the one the child chose.
            locale: &volunteer.locale,
            payload,
            dedupe_key: None,
            about: Some(signup.volunteer_id),
        },
        now,
    )
    .await?;
    Ok(())
}

async fn guardian_of(db: &impl ConnectionTrait, volunteer_id: &str) -> Result<Option<Guardian>> {
    let Some(profile) = volunteer_profile::Entity::find_by_id(volunteer_id.to_string())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(match profile.guardian {
        Some(raw) => Some(crate::from_json::<Guardian>(&raw)?).filter(|g| !g.email.is_empty()),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatabaseSettings, Store};
    use hourbook_domain::identity::Email;
    use sea_orm::{PaginatorTrait, TransactionTrait};

    #[tokio::test]
    async fn a_message_exists_only_if_its_transaction_commits() -> Result<()> {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&DatabaseSettings {
            url: format!("sqlite://{}/t.db?mode=rwc", dir.path().display()),
            max_connections: 2,
            acquire_timeout: std::time::Duration::from_secs(5),
        })
        .await?;
        store.migrate().await?;
        let now = Utc::now();
        let email = Email::parse("li.wei@example.com").expect("address");
        let account = store.register(&email, "李伟", "hash", now).await?;
        let count = || outbox_message::Entity::find().count(store.db());

        let txn = store.db().begin().await?;
        enqueue_for_account(
            &txn,
            MessageKind::HoursVerified,
            &account.id.to_string(),
            serde_json::json!({}),
            now,
        )
        .await?;
        txn.rollback().await?;
        assert_eq!(count().await?, 0, "a rolled-back change left its message");

        let txn = store.db().begin().await?;
        enqueue_for_account(
            &txn,
            MessageKind::HoursVerified,
            &account.id.to_string(),
            serde_json::json!({}),
            now,
        )
        .await?;
        txn.commit().await?;
        assert_eq!(count().await?, 1);

        // A de-duplication key admits one message, however often it is queued.
        for _ in 0..3 {
            enqueue_once(
                store.db(),
                MessageKind::Reminder2h,
                &account.id.to_string(),
                serde_json::json!({}),
                Some("k".into()),
                now,
            )
            .await?;
        }
        assert_eq!(count().await?, 2);
        Ok(())
    }
}
