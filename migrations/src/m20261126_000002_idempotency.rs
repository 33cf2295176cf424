//! Remembered answers to requests sent with an `Idempotency-Key`.

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
                    .table("idempotency_keys")
                    // SHA-256 of who asked, the method, the path and the client's key.
                    .col(string_len("key_hash", 64).primary_key())
                    // SHA-256 of the request body: the same key with another body is refused.
                    .col(string_len("request_hash", 64))
                    // NULL while the first request is still being answered.
                    .col(integer_null("status_code"))
                    .col(string_len_null("content_type", 100))
                    .col(text_null("response_body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("idempotency_keys").to_owned())
            .await
    }
}
