//! The transactional outbox: a message row is written by the same transaction as the change
//! it announces, so a committed change always has its message and a rolled-back one never does.

use crate::entities::{account, outbox_message};
use crate::{Result, Store, StoreError, parse_id, parse_name, seconds};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use strum::{EnumString, IntoStaticStr};
use uuid::Uuid;

/// What a message announces.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, EnumString, IntoStaticStr,
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
    /// Hours were verified into the ledger.
    HoursVerified,
    /// A seat was offered to the volunteer (from a roster plan or after a decline).
    Invitation,
}

impl MessageKind {
    /// The snake_case name stored in the outbox.
    pub fn name(self) -> &'static str {
        self.into()
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

/// A message ready to render and send.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Stable id, also the e-mail's Message-ID.
    pub id: Uuid,
    /// What it announces.
    pub kind: MessageKind,
    /// Recipient address.
    pub recipient_email: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's language.
    pub locale: String,
    /// Template data.
    pub payload: serde_json::Value,
    /// Sending attempts so far.
    pub attempts: i32,
}

fn readable(m: &outbox_message::Model) -> Result<OutboxMessage> {
    let payload: serde_json::Value = crate::from_json(&m.payload)?;
    let recipient_name = payload["recipient_name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok(OutboxMessage {
        id: parse_id(&m.id)?,
        kind: parse_name(&m.kind)?,
        recipient_email: m.recipient_email.clone(),
        recipient_name,
        locale: m.locale.clone(),
        payload,
        attempts: m.attempts,
    })
}

/// Queues a message to an account, inside the caller's transaction.
pub(crate) async fn enqueue_for_account(
    db: &impl ConnectionTrait,
    kind: MessageKind,
    account_id: &str,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let account = account::Entity::find_by_id(account_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("account"))?;
    let mut payload = payload;
    if let Some(map) = payload.as_object_mut() {
        map.insert("recipient_name".into(), account.name.clone().into());
    }
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        kind: Set(kind.name().into()),
        recipient_account_id: Set(Some(account.id)),
        recipient_email: Set(account.email),
        locale: Set(account.locale),
        payload: Set(payload.to_string()),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(seconds(now)),
        created_at: Set(seconds(now)),
        sent_at: Set(None),
        last_error: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl Store {
    /// Claims due messages, oldest first, for `lease`: a message is handed to one worker at a
    /// time, whichever process it runs in. A worker that dies mid-send loses its claim when the
    /// lease runs out and the message goes to another worker (sent twice at worst, never lost).
    pub async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>> {
        use sea_orm::Condition;
        let now = seconds(now);
        let due = outbox_message::Entity::find()
            .filter(
                Condition::any()
                    .add(outbox_message::Column::Status.eq(PENDING))
                    .add(outbox_message::Column::Status.eq(SENDING)),
            )
            .filter(outbox_message::Column::NextAttemptAt.lte(now))
            .order_by_asc(outbox_message::Column::CreatedAt)
            .limit(limit)
            .all(self.db())
            .await?;
        let mut rows = Vec::with_capacity(due.len());
        for m in due {
            // Claim only if nobody else changed the row since we read it.
            let claimed = outbox_message::Entity::update_many()
                .col_expr(outbox_message::Column::Status, Expr::value(SENDING))
                .col_expr(
                    outbox_message::Column::NextAttemptAt,
                    Expr::value(now + lease),
                )
                .filter(outbox_message::Column::Id.eq(m.id.clone()))
                .filter(outbox_message::Column::Status.eq(m.status.clone()))
                .filter(outbox_message::Column::NextAttemptAt.eq(m.next_attempt_at))
                .exec(self.db())
                .await?;
            if claimed.rows_affected == 1 {
                rows.push(m);
            }
        }
        let mut messages = Vec::with_capacity(rows.len());
        for m in rows {
            match readable(&m) {
                Ok(message) => messages.push(message),
                // One unreadable row (say, a kind this version does not know) must not hold up
                // the rest of the queue: it is set aside for an administrator.
                Err(e) => {
                    tracing::error!(message_id = %m.id, error = %e, "unreadable outbox row");
                    outbox_message::Entity::update_many()
                        .col_expr(outbox_message::Column::Status, Expr::value(FAILED))
                        .col_expr(
                            outbox_message::Column::LastError,
                            Expr::value(e.to_string()),
                        )
                        .filter(outbox_message::Column::Id.eq(m.id.clone()))
                        .exec(self.db())
                        .await?;
                }
            }
        }
        Ok(messages)
    }

    /// Records a successful send.
    pub async fn mark_sent(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Status, Expr::value(SENT))
            .col_expr(outbox_message::Column::SentAt, Expr::value(seconds(now)))
            .col_expr(
                outbox_message::Column::Attempts,
                Expr::col(outbox_message::Column::Attempts).add(1),
            )
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Records a failed send: retried after `retry_in`, or given up when `permanent`.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        permanent: bool,
        retry_in: Duration,
        now: DateTime<Utc>,
    ) -> Result<()> {
        outbox_message::Entity::update_many()
            .col_expr(
                outbox_message::Column::Status,
                Expr::value(if permanent { FAILED } else { PENDING }),
            )
            .col_expr(outbox_message::Column::LastError, Expr::value(error))
            .col_expr(
                outbox_message::Column::NextAttemptAt,
                Expr::value(seconds(now + retry_in)),
            )
            .col_expr(
                outbox_message::Column::Attempts,
                Expr::col(outbox_message::Column::Attempts).add(1),
            )
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .exec(self.db())
            .await?;
        Ok(())
    }
}
