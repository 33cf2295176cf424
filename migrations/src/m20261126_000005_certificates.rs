//! Issued certificates: the signed document exactly as signed, for re-checking later.

use crate::columns::{fk, id, index};
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
                    .table("certificates")
                    .col(id("id").primary_key())
                    .col(string_len("code", 16))
                    .col(string_len("number", 32))
                    .col(id("volunteer_id"))
                    .col(date("period_from"))
                    .col(date("period_to"))
                    .col(big_integer("total_minutes"))
                    // The signed JSON text, byte for byte, and its base64 Ed25519 signature.
                    .col(text("document"))
                    .col(text("signature"))
                    .col(timestamp_with_time_zone("issued_at"))
                    .foreign_key(&mut fk("certificates", "volunteer_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "certificates",
                "idx_certificates_code",
                &["code"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "certificates",
                "idx_certificates_number",
                &["number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "certificates",
                "idx_certificates_volunteer",
                &["volunteer_id", "issued_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("certificates").to_owned())
            .await
    }
}
