//! Starting the outbox worker from the settings.

use crate::config::Settings;
use anyhow::Context;
use hourbook_notifications::{Mailbox, Mailer, Transport};
use hourbook_store::Store;

/// Builds the mailer and sender address from `[email]`.
pub fn mailer(settings: &Settings) -> anyhow::Result<(Mailer, Mailbox)> {
    let e = &settings.email;
    let transport = match e.transport.as_str() {
        "smtp" => Transport::Smtp {
            host: e.smtp_host.clone(),
            port: e.smtp_port,
            username: e.smtp_username.clone(),
            password: e.smtp_password.clone(),
        },
        _ => Transport::File(e.outbox_dir.clone().into()),
    };
    let from: Mailbox = e
        .from
        .parse()
        .with_context(|| format!("email.from {:?} is not an address", e.from))?;
    Ok((Mailer::new(&transport)?, from))
}

/// Spawns the worker; it stops when `shutdown` is set.
pub fn spawn(
    settings: &Settings,
    store: Store,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let (mailer, from) = mailer(settings)?;
    let tz = settings.timezone()?;
    let interval = std::time::Duration::from_secs(settings.email.poll_interval_seconds.max(1));
    tokio::spawn(hourbook_notifications::run_worker(
        store, mailer, from, tz, interval, shutdown,
    ));
    Ok(())
}
