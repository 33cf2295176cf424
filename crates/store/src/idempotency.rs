//! Idempotency keys: the first request with a key is answered and its answer remembered; a
//! repeat gets the same answer and does nothing more. Kept in the database so that every API
//! process behind the load balancer sees the same keys.

use crate::entities::idempotency_key;
use crate::{Result, Store, seconds};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};

/// A request that has not finished within this time is taken to have died with its process;
/// a repeat may then run again.
const ABANDONED_AFTER: Duration = Duration::minutes(2);

/// How long answers are remembered: long enough for any client's retries.
const REMEMBERED_FOR: Duration = Duration::hours(24);

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: run it, then [`Store::remember_response`].
    Fresh,
    /// Seen before: answer with what was answered then.
    Replay {
        /// Status code.
        status: u16,
        /// Content-Type.
        content_type: String,
        /// Body.
        body: String,
    },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

impl Store {
    /// Claims `key_hash` for a request whose body hashes to `request_hash`.
    pub async fn claim_idempotency_key(
        &self,
        key_hash: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::CreatedAt.lt(seconds(now - REMEMBERED_FOR)))
            .exec(self.db())
            .await?;
        let row = idempotency_key::ActiveModel {
            key_hash: Set(key_hash.to_string()),
            request_hash: Set(request_hash.to_string()),
            status_code: Set(None),
            content_type: Set(None),
            response_body: Set(None),
            created_at: Set(seconds(now)),
        };
        match idempotency_key::Entity::insert(row)
            .exec_without_returning(self.db())
            .await
        {
            Ok(_) => return Ok(Claim::Fresh),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = idempotency_key::Entity::find_by_id(key_hash.to_string())
            .one(self.db())
            .await?
        else {
            // Released between our insert and this read: the caller may simply retry.
            return Ok(Claim::InProgress);
        };
        if existing.request_hash != request_hash {
            return Ok(Claim::Mismatch);
        }
        match (existing.status_code, existing.response_body) {
            (Some(status), Some(body)) => Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                content_type: existing.content_type.unwrap_or_default(),
                body,
            }),
            _ if existing.created_at + ABANDONED_AFTER < now => {
                // Take over an abandoned claim, unless another repeat took it first.
                let taken = idempotency_key::Entity::update_many()
                    .col_expr(
                        idempotency_key::Column::CreatedAt,
                        Expr::value(seconds(now)),
                    )
                    .filter(idempotency_key::Column::KeyHash.eq(key_hash))
                    .filter(idempotency_key::Column::CreatedAt.eq(existing.created_at))
                    .filter(idempotency_key::Column::StatusCode.is_null())
                    .exec(self.db())
                    .await?;
                Ok(if taken.rows_affected == 1 {
                    Claim::Fresh
                } else {
                    Claim::InProgress
                })
            }
            _ => Ok(Claim::InProgress),
        }
    }

    /// Remembers the answer to a claimed key.
    pub async fn remember_response(
        &self,
        key_hash: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> Result<()> {
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::StatusCode,
                Expr::value(i32::from(status)),
            )
            .col_expr(
                idempotency_key::Column::ContentType,
                Expr::value(content_type),
            )
            .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
            .filter(idempotency_key::Column::KeyHash.eq(key_hash))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Gives a claimed key back (the request failed on our side and may be retried).
    pub async fn release_idempotency_key(&self, key_hash: &str) -> Result<()> {
        idempotency_key::Entity::delete_by_id(key_hash.to_string())
            .exec(self.db())
            .await?;
        Ok(())
    }
}
