//! Off-platform claims: hours served elsewhere, with evidence, waiting for the named
//! organization's verifiers or for the host's contact (through an e-mailed link).

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
                    .table("hour_claims")
                    .col(id("id").primary_key())
                    .col(id("volunteer_id"))
                    // The organization on Hourbook that decides, or (for a host outside it)
                    // the external-host record made when the contact confirms.
                    .col(id_null("organization_id"))
                    .col(string_len_null("host_name", 200))
                    .col(string_len_null("host_contact_name", 100))
                    .col(string_len_null("host_contact_email", 254))
                    .col(string_len("title", 200))
                    .col(string_len("category", 64))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("ended_at"))
                    .col(big_integer("minutes"))
                    .col(string_len_null("evidence_url", 500))
                    .col(text_null("description"))
                    // `pending`, then `verified`, `rejected` or `withdrawn`.
                    .col(string_len("status", 16))
                    // `verifier` or `host_link`, once decided.
                    .col(string_len_null("decided_via", 16))
                    .col(id_null("decided_by"))
                    .col(text_null("decision_note"))
                    .col(id_null("ledger_entry_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone_null("link_expires_at"))
                    .foreign_key(&mut fk("hour_claims", "volunteer_id", "accounts"))
                    .foreign_key(&mut fk("hour_claims", "organization_id", "organizations"))
                    .foreign_key(&mut fk("hour_claims", "ledger_entry_id", "ledger_entries"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "hour_claims",
                "idx_hour_claims_organization_status",
                &["organization_id", "status"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "hour_claims",
                "idx_hour_claims_volunteer",
                &["volunteer_id", "created_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("hour_claims").to_owned())
            .await
    }
}
