//! Schema migrations. Portable across SQLite and PostgreSQL: enums are strings, ids are
//! UUID strings, foreign keys are declared in `create_table`, one `alter_table` per change.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261126_000001_foundation;
mod m20261126_000002_idempotency;
mod m20261126_000003_matching;
mod m20261126_000004_notifications;
mod m20261126_000005_certificates;
mod m20261126_000006_requirements;
mod m20261126_000007_disputes;
mod m20261126_000008_check_in_method;
mod m20261126_000009_record_policies;
mod m20261126_000010_claims;
mod m20261206_000011_plan_fill_bound;
mod m20261206_000012_plan_score_gap;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_idempotency::Migration),
            Box::new(m20261126_000003_matching::Migration),
            Box::new(m20261126_000004_notifications::Migration),
            Box::new(m20261126_000005_certificates::Migration),
            Box::new(m20261126_000006_requirements::Migration),
            Box::new(m20261126_000007_disputes::Migration),
            Box::new(m20261126_000008_check_in_method::Migration),
            Box::new(m20261126_000009_record_policies::Migration),
            Box::new(m20261126_000010_claims::Migration),
            Box::new(m20261206_000011_plan_fill_bound::Migration),
            Box::new(m20261206_000012_plan_score_gap::Migration),
        ]
    }
}
