//! Accounts, organizations, events, shifts, signups, the ledger and the outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::columns::{fk, id, id_null, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("counters")
                    .col(string_len("name", 64).primary_key())
                    .col(big_integer("value"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("accounts")
                    .col(id("id").primary_key())
                    .col(string_len_uniq("email", 254))
                    .col(string_len("name", 100))
                    .col(string("password_hash"))
                    .col(boolean("is_platform_admin"))
                    .col(string_len_uniq("volunteer_number", 32))
                    .col(string_len("locale", 16))
                    .col(big_integer("lock_version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string_len("token_hash", 64).primary_key())
                    .col(id("account_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(&mut fk("sessions", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "sessions",
                "idx_sessions_account",
                &["account_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("organizations")
                    .col(id("id").primary_key())
                    .col(string_len("name", 200))
                    .col(string_len("kind", 32))
                    .col(string_len_null("region_code", 12))
                    .col(double_null("lat"))
                    .col(double_null("lon"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("memberships")
                    .col(id("id").primary_key())
                    .col(id("organization_id"))
                    .col(id("account_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("memberships", "organization_id", "organizations"))
                    .foreign_key(&mut fk("memberships", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "memberships",
                "uq_memberships_org_account_role",
                &["organization_id", "account_id", "role"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "memberships",
                "idx_memberships_account",
                &["account_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("volunteer_profiles")
                    .col(id("account_id").primary_key())
                    .col(date("birth_date"))
                    .col(string_len_null("phone", 32))
                    .col(double("home_lat"))
                    .col(double("home_lon"))
                    .col(double("travel_radius_km"))
                    .col(text("skills"))
                    .col(text("availability"))
                    .col(id_null("school_organization_id"))
                    .col(string_len_null("student_number", 40))
                    .col(string_len_null("id_number_masked", 18))
                    .col(string_len_null("id_number_hash", 64))
                    .col(boolean("discoverable"))
                    .col(text_null("guardian"))
                    .col(timestamp_with_time_zone_null("guardian_consent_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("volunteer_profiles", "account_id", "accounts"))
                    .foreign_key(&mut fk(
                        "volunteer_profiles",
                        "school_organization_id",
                        "organizations",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "volunteer_profiles",
                "idx_profiles_school",
                &["school_organization_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "volunteer_profiles",
                "idx_profiles_id_hash",
                &["id_number_hash"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("events")
                    .col(id("id").primary_key())
                    .col(id("organization_id"))
                    .col(string_len("title", 200))
                    .col(text("description"))
                    .col(text_null("risks"))
                    .col(boolean("hazardous"))
                    .col(string_len("campaign", 32))
                    .col(string_len("category", 64))
                    .col(double("lat"))
                    .col(double("lon"))
                    .col(string_len("address", 200))
                    .col(id("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("events", "organization_id", "organizations"))
                    .foreign_key(&mut fk("events", "created_by", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "events",
                "idx_events_org",
                &["organization_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("event_insurance")
                    .col(id("id").primary_key())
                    .col(id("event_id"))
                    .col(string_len("insurer", 200))
                    .col(string_len("policy_number", 100))
                    .col(date("covers_from"))
                    .col(date("covers_to"))
                    .col(id("recorded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("event_insurance", "event_id", "events"))
                    .foreign_key(&mut fk("event_insurance", "recorded_by", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "event_insurance",
                "idx_insurance_event",
                &["event_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("shifts")
                    .col(id("id").primary_key())
                    .col(id("event_id"))
                    .col(string_len("title", 200))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(integer("capacity"))
                    .col(double("lat"))
                    .col(double("lon"))
                    .col(string_len("address", 200))
                    .col(text("required_skills"))
                    .col(text("preferred_skills"))
                    .col(integer_null("min_age"))
                    .col(integer_null("max_age"))
                    .col(integer_null("minors_per_adult"))
                    .col(string_len("status", 16))
                    .col(big_integer("signup_seq"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("cancelled_at"))
                    .foreign_key(&mut fk("shifts", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("shifts", "idx_shifts_event", &["event_id"], false))
            .await?;
        manager
            .create_index(index(
                "shifts",
                "idx_shifts_starts_at",
                &["starts_at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("signups")
                    .col(id("id").primary_key())
                    .col(id("shift_id"))
                    .col(id("volunteer_id"))
                    .col(string_len("status", 16))
                    .col(big_integer("seq"))
                    .col(boolean("minor"))
                    .col(string_len_null("wait_reason", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("checked_in_at"))
                    .col(id_null("checked_in_by"))
                    .col(timestamp_with_time_zone_null("checked_out_at"))
                    .col(id_null("checked_out_by"))
                    .foreign_key(&mut fk("signups", "shift_id", "shifts"))
                    .foreign_key(&mut fk("signups", "volunteer_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "signups",
                "uq_signups_shift_seq",
                &["shift_id", "seq"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "signups",
                "idx_signups_volunteer",
                &["volunteer_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ledger_entries")
                    .col(id("id").primary_key())
                    .col(id("volunteer_id"))
                    .col(big_integer("chain_index"))
                    .col(string_len("kind", 16))
                    .col(string_len("source", 24))
                    .col(big_integer("minutes"))
                    .col(string_len("category", 64))
                    .col(id("organization_id"))
                    .col(id_null("event_id"))
                    .col(id_null("shift_id"))
                    .col(id_null("signup_id"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("ended_at"))
                    .col(text_null("note"))
                    .col(id("verified_by"))
                    .col(timestamp_with_time_zone("verified_at"))
                    .col(string_len("hash", 64))
                    .col(string_len("prev_hash", 64))
                    .foreign_key(&mut fk("ledger_entries", "volunteer_id", "accounts"))
                    .foreign_key(&mut fk(
                        "ledger_entries",
                        "organization_id",
                        "organizations",
                    ))
                    .foreign_key(&mut fk("ledger_entries", "signup_id", "signups"))
                    .to_owned(),
            )
            .await?;
        // One link per position in a volunteer's chain: two concurrent appends cannot both win.
        manager
            .create_index(index(
                "ledger_entries",
                "uq_ledger_volunteer_chain",
                &["volunteer_id", "chain_index"],
                true,
            ))
            .await?;
        // A signup's service is recorded once (NULLs, for other kinds, never collide).
        manager
            .create_index(index(
                "ledger_entries",
                "uq_ledger_signup",
                &["signup_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ledger_entries",
                "idx_ledger_org",
                &["organization_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(id("id").primary_key())
                    .col(string_len("kind", 32))
                    .col(id_null("recipient_account_id"))
                    .col(string_len("recipient_email", 254))
                    .col(string_len("locale", 16))
                    .col(text("payload"))
                    .col(string_len("status", 16))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(text_null("last_error"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "outbox",
                "idx_outbox_status_due",
                &["status", "next_attempt_at"],
                false,
            ))
            .await?;

        append_only_ledger(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "outbox",
            "ledger_entries",
            "signups",
            "shifts",
            "event_insurance",
            "events",
            "volunteer_profiles",
            "memberships",
            "organizations",
            "sessions",
            "accounts",
            "counters",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The ledger is append-only in the database itself, not just in our code: an UPDATE or
/// DELETE through any client fails. (Someone with full access can still drop the trigger;
/// the hash chain is what detects that.)
async fn append_only_ledger(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Sqlite => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ledger_entries_no_{} BEFORE {op} ON ledger_entries \
                     BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END",
                    op.to_lowercase()
                ))
                .await?;
            }
        }
        DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'ledger_entries is append-only'; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries \
                 FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()",
            )
            .await?;
        }
        _ => {
            return Err(DbErr::Migration(
                "only SQLite and PostgreSQL are supported".into(),
            ));
        }
    }
    Ok(())
}
