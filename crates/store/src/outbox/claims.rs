//! Workers claim due messages, send them, and record the outcome.
//!
//! A claim is one statement that marks a batch `sending` under a fresh token for a lease:
//! on PostgreSQL the batch is chosen `FOR UPDATE SKIP LOCKED`, so concurrent workers take
//! disjoint batches without waiting on each other; on SQLite the statement runs under the
//! database's single write lock, which makes every claim exclusive. A worker that dies
//! mid-send loses its claim when the lease runs out and another worker takes the message
//! over (sent twice at worst, never lost). Outcomes are recorded only under the token that
//! claimed the row, so a worker that outlived its lease cannot undo another's work.

use super::{FAILED, MessageKind, OutboxMessage, PENDING, SENDING, SENT, SKIPPED};
use super::{shift_payload, with};
use crate::entities::{hour_claim, invitation, notification_opt_out, outbox_message, signup};
use crate::matching::InvitationStatus;
use crate::page::{Page, PageRequest};
use crate::shifts::shift_context;
use crate::{Result, Store, StoreError, parse_id, parse_name, seconds};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::roster::SignupStatus;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// Messages claimed together, and the token that records their outcomes.
#[derive(Debug)]
pub struct Claim {
    /// Proof of the claim.
    pub token: Uuid,
    /// Rows taken, including those set aside as skipped or failed.
    pub claimed: usize,
    /// The messages to send now.
    pub messages: Vec<OutboxMessage>,
}

/// A message that will not be sent again without an administrator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FailedMessage {
    /// Id (the e-mail's Message-ID).
    pub id: Uuid,
    /// What it announces (as stored: a row this version cannot read is listed too).
    pub kind: String,
    /// Recipient address.
    pub recipient_email: String,
    /// Sending attempts.
    pub attempts: i32,
    /// Why it failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
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
        recipient_account_id: m
            .recipient_account_id
            .as_deref()
            .map(parse_id)
            .transpose()?,
        recipient_email: m.recipient_email.clone(),
        recipient_name,
        locale: m.locale.clone(),
        payload,
        attempts: m.attempts,
    })
}

impl Store {
    /// Claims up to `limit` due messages, oldest first, for `lease`. Messages whose recipient
    /// turned their kind off, or that no longer apply, are set aside as skipped; messages
    /// claimed `max_attempts` times are given up as failed.
    pub async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: Duration,
        max_attempts: i32,
    ) -> Result<Claim> {
        let token = Uuid::new_v4();
        let now = seconds(now);
        let mut due = Query::select();
        due.column(outbox_message::Column::Id)
            .from(outbox_message::Entity)
            .cond_where(
                Condition::all()
                    .add(outbox_message::Column::Status.is_in([PENDING, SENDING]))
                    .add(outbox_message::Column::NextAttemptAt.lte(now)),
            )
            .order_by(outbox_message::Column::CreatedAt, sea_orm::Order::Asc)
            .limit(limit);
        if self.backend() == DatabaseBackend::Postgres {
            due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let claimed = outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Status, Expr::value(SENDING))
            .col_expr(
                outbox_message::Column::ClaimToken,
                Expr::value(token.to_string()),
            )
            .col_expr(
                outbox_message::Column::NextAttemptAt,
                Expr::value(now + lease),
            )
            .col_expr(
                outbox_message::Column::Attempts,
                Expr::col(outbox_message::Column::Attempts).add(1),
            )
            .filter(outbox_message::Column::Id.in_subquery(due))
            .exec_with_returning(self.db())
            .await?;
        let mut rows = claimed;
        let claimed = rows.len();
        rows.sort_by_key(|m| m.created_at);
        let mut messages = Vec::with_capacity(rows.len());
        for m in rows {
            match readable(&m) {
                Ok(message) if message.attempts > max_attempts => {
                    let error = format!("gave up after {max_attempts} attempts");
                    self.set_aside(&m.id, token, FAILED, &error).await?;
                }
                Ok(message) => messages.push(message),
                // One unreadable row (say, a kind this version does not know) must not hold up
                // the rest of the queue: it is set aside for an administrator.
                Err(e) => {
                    tracing::error!(message_id = %m.id, error = %e, "unreadable outbox row");
                    self.set_aside(&m.id, token, FAILED, &e.to_string()).await?;
                }
            }
        }
        let messages = self.drop_unwanted(messages, token, now).await?;
        Ok(Claim {
            token,
            claimed,
            messages,
        })
    }

    /// Skips what the recipient turned off and reminders for signups that no longer hold a
    /// seat on an open shift.
    async fn drop_unwanted(
        &self,
        messages: Vec<OutboxMessage>,
        token: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>> {
        let accounts: HashSet<String> = messages
            .iter()
            .filter_map(|m| m.recipient_account_id.map(|a| a.to_string()))
            .collect();
        let opted_out: HashSet<(String, String)> = if accounts.is_empty() {
            HashSet::new()
        } else {
            notification_opt_out::Entity::find()
                .filter(notification_opt_out::Column::AccountId.is_in(accounts))
                .all(self.db())
                .await?
                .into_iter()
                .map(|o| (o.account_id, o.kind))
                .collect()
        };
        let mut keep = Vec::with_capacity(messages.len());
        for m in messages {
            let id = m.id.to_string();
            let turned_off = !m.kind.always_sent()
                && m.recipient_account_id.is_some_and(|a| {
                    opted_out.contains(&(a.to_string(), m.kind.name().to_string()))
                });
            let current = if turned_off {
                Err("the recipient turned this kind of message off".to_string())
            } else if matches!(m.kind, MessageKind::Reminder24h | MessageKind::Reminder2h) {
                self.current_reminder(m).await?
            } else if m.kind == MessageKind::Invitation {
                self.open_invitation(m, now).await?
            } else if m.kind == MessageKind::ClaimHostRequest {
                self.open_host_claim(m).await?
            } else {
                Ok(m)
            };
            match current {
                Ok(m) => keep.push(m),
                Err(reason) => self.set_aside(&id, token, SKIPPED, &reason).await?,
            }
        }
        Ok(keep)
    }

    /// A reminder as it should go out now: with the shift's current time and place (the
    /// organizer may have moved it since the reminder was queued), or why it no longer applies.
    async fn current_reminder(
        &self,
        mut m: OutboxMessage,
    ) -> Result<Result<OutboxMessage, String>> {
        let signup_id = m.payload["signup_id"].as_str().unwrap_or_default();
        let Some(s) = signup::Entity::find_by_id(signup_id.to_string())
            .one(self.db())
            .await?
        else {
            return Ok(Err("the signup is gone".into()));
        };
        if parse_name::<SignupStatus>(&s.status)? != SignupStatus::Confirmed {
            return Ok(Err(format!("the signup is now {}", s.status)));
        }
        let ctx = shift_context(self.db(), &s.shift_id).await?;
        if ctx.shift.status != crate::shifts::SHIFT_OPEN {
            return Ok(Err("the shift is no longer open".into()));
        }
        let recipient_name = m.payload["recipient_name"].clone();
        m.payload = with(
            with(shift_payload(&ctx), "signup_id", s.id),
            "recipient_name",
            recipient_name,
        );
        Ok(Ok(m))
    }

    /// An invitation still waiting for an answer, or why it no longer is (answered, expired or
    /// withdrawn before the worker got to it: an offer that cannot be taken must not arrive).
    async fn open_invitation(
        &self,
        m: OutboxMessage,
        now: DateTime<Utc>,
    ) -> Result<Result<OutboxMessage, String>> {
        let id = m.payload["invitation_id"].as_str().unwrap_or_default();
        let Some(invitation) = invitation::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?
        else {
            return Ok(Err("the invitation is gone".into()));
        };
        if invitation.status != InvitationStatus::Pending.as_ref() {
            return Ok(Err(format!("the invitation is now {}", invitation.status)));
        }
        if invitation.expires_at <= now {
            return Ok(Err("the invitation has expired".into()));
        }
        Ok(Ok(m))
    }

    /// A host's request for a claim still pending (not withdrawn in the meantime).
    async fn open_host_claim(&self, m: OutboxMessage) -> Result<Result<OutboxMessage, String>> {
        let id = m.payload["claim_id"].as_str().unwrap_or_default();
        let claim = hour_claim::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?;
        Ok(match claim {
            Some(c) if c.status == crate::claims::ClaimStatus::Pending.as_ref() => Ok(m),
            Some(c) => Err(format!("the claim is now {}", c.status)),
            None => Err("the claim is gone".into()),
        })
    }

    /// Extends the claim on one message just before it is sent. False when the claim has
    /// lapsed: another worker may own the message now, and it must not be sent from here.
    pub async fn renew_claim(
        &self,
        id: Uuid,
        token: Uuid,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let renewed = outbox_message::Entity::update_many()
            .col_expr(
                outbox_message::Column::NextAttemptAt,
                Expr::value(seconds(now) + lease),
            )
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .filter(outbox_message::Column::ClaimToken.eq(token.to_string()))
            .filter(outbox_message::Column::Status.eq(SENDING))
            .exec(self.db())
            .await?;
        Ok(renewed.rows_affected == 1)
    }

    async fn set_aside(&self, id: &str, token: Uuid, status: &str, reason: &str) -> Result<()> {
        outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Status, Expr::value(status))
            .col_expr(outbox_message::Column::LastError, Expr::value(reason))
            .filter(outbox_message::Column::Id.eq(id))
            .filter(outbox_message::Column::ClaimToken.eq(token.to_string()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Records a successful send. Returns false when the claim had lapsed and another worker
    /// owns the message now (it was sent anyway; that worker records its own outcome).
    pub async fn mark_sent(&self, id: Uuid, token: Uuid, now: DateTime<Utc>) -> Result<bool> {
        let done = outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Status, Expr::value(SENT))
            .col_expr(outbox_message::Column::SentAt, Expr::value(seconds(now)))
            .col_expr(
                outbox_message::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .filter(outbox_message::Column::ClaimToken.eq(token.to_string()))
            .exec(self.db())
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Records a failed send: retried after `retry_in`, or given up when `permanent`.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        token: Uuid,
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
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .filter(outbox_message::Column::ClaimToken.eq(token.to_string()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Messages given up on, newest first, for administrators.
    pub async fn failed_messages(&self, page: PageRequest) -> Result<Page<FailedMessage>> {
        let query = outbox_message::Entity::find()
            .filter(outbox_message::Column::Status.eq(FAILED))
            .order_by_desc(outbox_message::Column::CreatedAt)
            .order_by_asc(outbox_message::Column::Id);
        let rows = query
            .offset(page.offset)
            .limit(page.limit + 1)
            .all(self.db())
            .await?;
        let items = rows
            .into_iter()
            .map(|m| {
                Ok(FailedMessage {
                    id: parse_id(&m.id)?,
                    kind: m.kind,
                    recipient_email: m.recipient_email,
                    attempts: m.attempts,
                    last_error: m.last_error,
                    created_at: m.created_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page.from_fetched(items))
    }

    /// Queues a failed message again (after an administrator fixed the address, say).
    pub async fn retry_message(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let done = outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::Status, Expr::value(PENDING))
            .col_expr(outbox_message::Column::Attempts, Expr::value(0))
            .col_expr(
                outbox_message::Column::NextAttemptAt,
                Expr::value(seconds(now)),
            )
            .filter(outbox_message::Column::Id.eq(id.to_string()))
            .filter(outbox_message::Column::Status.eq(FAILED))
            .exec(self.db())
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound("failed message"));
        }
        Ok(())
    }
}
