//! Which kinds of message each account receives. Everything is on until turned off; safety
//! messages cannot be turned off.

use super::MessageKind;
use crate::entities::notification_opt_out;
use crate::{Result, Store, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::DomainError;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// One kind of message and whether the account receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationPreference {
    /// The kind.
    pub kind: MessageKind,
    /// Whether it is sent.
    pub enabled: bool,
    /// Safety messages are always sent.
    pub always_sent: bool,
}

impl Store {
    /// Every kind of message with the account's choice.
    pub async fn notification_preferences(
        &self,
        account_id: Uuid,
    ) -> Result<Vec<NotificationPreference>> {
        let off: HashSet<String> = notification_opt_out::Entity::find()
            .filter(notification_opt_out::Column::AccountId.eq(account_id.to_string()))
            .all(self.db())
            .await?
            .into_iter()
            .map(|o| o.kind)
            .collect();
        Ok(MessageKind::all()
            .filter(|kind| kind.to_accounts())
            .map(|kind| NotificationPreference {
                kind,
                enabled: kind.always_sent() || !off.contains(kind.name()),
                always_sent: kind.always_sent(),
            })
            .collect())
    }

    /// Turns kinds on or off, all or nothing; turning a safety message off is refused.
    pub async fn set_notification_preferences(
        &self,
        account_id: Uuid,
        changes: &[(MessageKind, bool)],
        now: DateTime<Utc>,
    ) -> Result<Vec<NotificationPreference>> {
        let mut v = hourbook_domain::error::Validator::new();
        for (kind, enabled) in changes {
            if !kind.to_accounts() {
                v.error(
                    format!("kinds.{}", kind.name()),
                    "this kind goes to people without an account",
                );
            } else if kind.always_sent() && !enabled {
                v.error(
                    format!("kinds.{}", kind.name()),
                    "safety messages are always sent",
                );
            }
        }
        v.finish()?;
        let txn = self.db().begin().await?;
        for (kind, enabled) in changes {
            if *enabled {
                notification_opt_out::Entity::delete_many()
                    .filter(notification_opt_out::Column::AccountId.eq(account_id.to_string()))
                    .filter(notification_opt_out::Column::Kind.eq(kind.name()))
                    .exec(&txn)
                    .await?;
            } else {
                insert_opt_out(&txn, account_id, *kind, now).await?;
            }
        }
        txn.commit().await?;
        self.notification_preferences(account_id).await
    }

    /// Turns one kind off (an unsubscribe link); safety messages stay on.
    pub async fn opt_out(
        &self,
        account_id: Uuid,
        kind: MessageKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if kind.always_sent() {
            return Err(DomainError::invalid("kind", "safety messages are always sent").into());
        }
        insert_opt_out(self.db(), account_id, kind, now).await
    }
}

async fn insert_opt_out(
    db: &impl sea_orm::ConnectionTrait,
    account_id: Uuid,
    kind: MessageKind,
    now: DateTime<Utc>,
) -> Result<()> {
    notification_opt_out::Entity::insert(notification_opt_out::ActiveModel {
        account_id: Set(account_id.to_string()),
        kind: Set(kind.name().into()),
        created_at: Set(seconds(now)),
    })
    .on_conflict(
        OnConflict::columns([
            notification_opt_out::Column::AccountId,
            notification_opt_out::Column::Kind,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
