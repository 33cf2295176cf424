//! Notifications: claims and de-duplication keys on the outbox, per-user opt-outs, and the
//! event details a message needs (what to bring, whom to call).

use crate::columns::{fk, id, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The worker's claim: a fresh token per claim, so a worker whose lease ran out cannot
        // record the outcome of a message another worker has taken over.
        manager
            .alter_table(
                Table::alter()
                    .table("outbox")
                    .add_column(string_len_null("claim_token", 36))
                    .to_owned(),
            )
            .await?;
        // Messages that must exist at most once (a reminder per signup, a digest per organizer
        // and day) carry a key; the unique index makes several workers agree without a lock.
        manager
            .alter_table(
                Table::alter()
                    .table("outbox")
                    .add_column(string_len_null("dedupe_key", 160))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "outbox",
                "idx_outbox_dedupe_key",
                &["dedupe_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "outbox",
                "idx_outbox_recipient",
                &["recipient_account_id", "created_at"],
                false,
            ))
            .await?;
        // Whom a message is about when it goes to someone else (a minor's guardian): erasing
        // that account erases these too.
        manager
            .alter_table(
                Table::alter()
                    .table("outbox")
                    .add_column(string_len_null("subject_account_id", 36))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "outbox",
                "idx_outbox_subject",
                &["subject_account_id"],
                false,
            ))
            .await?;
        // A row per kind of message an account has turned off.
        manager
            .create_table(
                Table::create()
                    .table("notification_opt_outs")
                    .col(id("account_id"))
                    .col(string_len("kind", 32))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("account_id").col("kind"))
                    .foreign_key(&mut fk("notification_opt_outs", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        for column in [
            text_null("what_to_bring"),
            string_len_null("contact_name", 100),
            string_len_null("contact_phone", 32),
            string_len_null("contact_email", 254),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table("events")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("notification_opt_outs").to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_outbox_dedupe_key")
                    .table("outbox")
                    .to_owned(),
            )
            .await?;
        for name in ["idx_outbox_recipient", "idx_outbox_subject"] {
            manager
                .drop_index(Index::drop().name(name).table("outbox").to_owned())
                .await?;
        }
        for (table, column) in [
            ("outbox", "claim_token"),
            ("outbox", "dedupe_key"),
            ("outbox", "subject_account_id"),
            ("events", "what_to_bring"),
            ("events", "contact_name"),
            ("events", "contact_phone"),
            ("events", "contact_email"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
