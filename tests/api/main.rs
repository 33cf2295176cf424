//! Black-box HTTP tests. Each module's tests run on SQLite and, when configured, PostgreSQL.

mod accounts;
mod bad_input;
mod certificates;
mod check_in_codes;
mod disputes;
mod events;
mod every_endpoint;
mod health;
mod hours;
mod idempotency;
mod ledger;
mod matching;
mod matching_safety;
mod notifications;
mod notifications_safety;
mod openapi;
mod organizations;
mod pages;
mod policies;
mod presence;
mod privacy;
mod races;
mod requirements;
mod roles;
mod signups;
mod trust_safety;
