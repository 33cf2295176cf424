//! Running outbox workers from the settings: inside `serve` in the embedded default, or alone
//! as `hourbook worker` processes in production.

use crate::config::Settings;
use crate::state::{AppState, outbox_channel};
use anyhow::Context;
use chrono::Duration;
use hourbook_notifications::{Mailbox, Mailer, Transport, Worker, WorkerSettings};
use hourbook_store::outbox::DigestPolicy;
use std::time::Duration as StdDuration;

/// The base URL of links: `server.public_url`, or the address the server listens on.
pub fn public_url(settings: &Settings, port: u16) -> String {
    let server = &settings.server;
    if !server.public_url.is_empty() {
        return server.public_url.trim_end_matches('/').to_string();
    }
    let host = if server.host == "0.0.0.0" {
        "localhost"
    } else {
        server.host.as_str()
    };
    format!("http://{host}:{port}")
}

/// The configured transport.
pub fn mailer(settings: &Settings) -> anyhow::Result<Mailer> {
    let e = &settings.email;
    let transport = match e.transport.as_str() {
        "smtp" => Transport::Smtp {
            host: e.smtp_host.clone(),
            port: e.smtp_port,
            security: e
                .smtp_tls
                .parse()
                .map_err(|m| anyhow::anyhow!("email.smtp_tls {m}"))?,
            username: e.smtp_username.clone(),
            password: e.smtp_password.clone(),
            pool_size: e.smtp_pool_size,
        },
        _ => Transport::File(e.outbox_dir.clone().into()),
    };
    Mailer::new(&transport).map_err(|m| anyhow::anyhow!("e-mail configuration: {m}"))
}

/// How workers behave, from `[email]` and `[records]`; links point at `public_url`.
pub fn worker_settings(state: &AppState, public_url: String) -> anyhow::Result<WorkerSettings> {
    let s = &state.settings;
    let e = &s.email;
    let from: Mailbox = e
        .from
        .parse()
        .with_context(|| format!("email.from {:?} is not an address", e.from))?;
    let seconds = |n: u64| Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX / 1000));
    Ok(WorkerSettings {
        from,
        public_url,
        timezone: s.timezone()?,
        batch_size: e.batch_size,
        lease: seconds(e.lease_seconds),
        max_attempts: e.max_attempts,
        retry_base: seconds(e.retry_base_seconds),
        retry_max: seconds(e.retry_max_seconds),
        poll_interval: StdDuration::from_secs(e.poll_interval_seconds.max(1)),
        schedule_interval: seconds(e.schedule_interval_seconds.max(1)),
        digest: DigestPolicy {
            deadline: state.record_deadline()?,
            hour: s.records.digest_hour,
            warn_within_working_days: s.records.digest_warn_working_days,
        },
    })
}

/// Starts a worker (and, with Redis, its wake-up listener) that stops when `shutdown` is set.
pub fn spawn(
    state: &AppState,
    public_url: String,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let worker = Worker::new(
        state.store.clone(),
        mailer(&state.settings)?,
        state.links.clone(),
        worker_settings(state, public_url)?,
    );
    if !state.settings.redis.url.is_empty() {
        let client =
            redis::Client::open(state.settings.redis.url.as_str()).context("invalid redis.url")?;
        let listener = tokio::spawn(hourbook_notifications::wake::listen(
            client,
            outbox_channel(&state.settings),
            state.wakeup.bell(),
        ));
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = stop.changed().await;
            listener.abort();
        });
    }
    let clock = state.clock.clone();
    Ok(tokio::spawn(worker.run(
        move || clock.now(),
        state.wakeup.clone(),
        shutdown,
    )))
}
