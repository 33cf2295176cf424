//! Hourbook's HTTP API, web pages and command line.

pub mod app;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod matching;
pub mod openapi;
pub mod pages;
pub mod qr;
pub mod rate_limit;
pub mod registration;
pub mod routes;
pub mod state;
pub mod upkeep;
pub mod worker;

pub use app::Application;
pub use clock::Clock;
pub use config::Settings;
pub use state::AppState;
