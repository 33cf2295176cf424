//! Corrections and disputes: which entry a correction corrects, and a volunteer's dispute of
//! an entry with the organization's answer.

use crate::columns::{fk, id, id_null, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("disputes")
                    .col(id("id").primary_key())
                    .col(id("entry_id"))
                    .col(id("volunteer_id"))
                    .col(id("organization_id"))
                    .col(text("reason"))
                    // `open`, then `corrected` or `rejected`.
                    .col(string_len("status", 16))
                    .col(text_null("answer"))
                    .col(id_null("answered_by"))
                    .col(id_null("correction_entry_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .foreign_key(&mut fk("disputes", "entry_id", "ledger_entries"))
                    .foreign_key(&mut fk("disputes", "volunteer_id", "accounts"))
                    .foreign_key(&mut fk("disputes", "organization_id", "organizations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "disputes",
                "idx_disputes_organization_status",
                &["organization_id", "status"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "disputes",
                "idx_disputes_entry",
                &["entry_id"],
                false,
            ))
            .await?;
        // The entry a correction corrects (the correction's own content is in its hash).
        manager
            .create_table(
                Table::create()
                    .table("ledger_corrections")
                    .col(id("correction_entry_id").primary_key())
                    .col(id("corrected_entry_id"))
                    .foreign_key(&mut fk(
                        "ledger_corrections",
                        "correction_entry_id",
                        "ledger_entries",
                    ))
                    .foreign_key(&mut fk(
                        "ledger_corrections",
                        "corrected_entry_id",
                        "ledger_entries",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ledger_corrections",
                "idx_ledger_corrections_corrected",
                &["corrected_entry_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["ledger_corrections", "disputes"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
