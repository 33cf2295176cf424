//! What every handler shares.

use crate::clock::Clock;
use crate::config::Settings;
use crate::rate_limit::{FailureCounter, MemoryCounter, RedisCounter};
use anyhow::Context;
use chrono::Duration;
use hourbook_domain::certificate::{CertificateSigner, KeyRing};
use hourbook_domain::profile::AgePolicy;
use hourbook_matching::open_shifts::{InProcessShiftIndex, OpenShiftIndex, RedisShiftIndex};
use hourbook_notifications::{LinkSigner, Wakeup};
use hourbook_store::accounts::PasswordHasher;
use hourbook_store::records::RecordDeadline;
use hourbook_store::signups::SignupRules;
use hourbook_store::{DatabaseSettings, Store};
use std::sync::Arc;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Settings as loaded.
    pub settings: Arc<Settings>,
    /// Password hashing.
    pub hasher: PasswordHasher,
    /// A hash of a random password, verified against when a login names an unknown e-mail so
    /// that both cases take the same time.
    pub dummy_hash: Arc<String>,
    /// Failed-login counter.
    pub login_failures: Arc<dyn FailureCounter>,
    /// Redis, when configured (for readiness).
    pub redis: Option<redis::aio::ConnectionManager>,
    /// Signup rules from the configuration.
    pub rules: Arc<SignupRules>,
    /// The time.
    pub clock: Clock,
    /// Open shifts by place: in-process, or a Redis GEO set every replica shares.
    pub shift_index: Arc<dyn OpenShiftIndex>,
    /// Wakes outbox workers (in this process, and through Redis in others).
    pub wakeup: Wakeup,
    /// Signs and checks unsubscribe links.
    pub links: LinkSigner,
    /// Signs certificates.
    pub certificates: Arc<CertificateSigner>,
    /// Checks certificates (the signing key's public half and retired keys).
    pub certificate_keys: Arc<KeyRing>,
}

impl AppState {
    /// Connects to the database (and Redis, if configured) and migrates the schema.
    pub async fn connect(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let store = Store::connect(&DatabaseSettings {
            url: settings.database.url.clone(),
            max_connections: settings.database.max_connections,
            acquire_timeout: std::time::Duration::from_secs(
                settings.database.acquire_timeout_seconds,
            ),
        })
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                redact_url(&settings.database.url)
            )
        })?;
        store
            .migrate()
            .await
            .context("cannot migrate the database")?;
        let hasher = PasswordHasher::new(
            settings.auth.argon2_memory_kib,
            settings.auth.argon2_iterations,
        )
        .map_err(|e| anyhow::anyhow!("auth.argon2_memory_kib / argon2_iterations: {e}"))?;
        let dummy_hash = Arc::new(hasher.hash(&uuid::Uuid::new_v4().to_string())?);
        let window = std::time::Duration::from_secs(settings.auth.login_window_seconds);
        let (redis, login_failures, shift_index): (
            _,
            Arc<dyn FailureCounter>,
            Arc<dyn OpenShiftIndex>,
        ) = if settings.redis.url.is_empty() {
            (
                None,
                Arc::new(MemoryCounter::new(window)),
                Arc::new(InProcessShiftIndex::new()),
            )
        } else {
            let client =
                redis::Client::open(settings.redis.url.as_str()).context("invalid redis.url")?;
            let manager = redis::aio::ConnectionManager::new(client)
                .await
                .with_context(|| {
                    format!("cannot reach Redis at {}", redact_url(&settings.redis.url))
                })?;
            let prefix = settings.redis.key_prefix.clone();
            (
                Some(manager.clone()),
                Arc::new(RedisCounter::new(manager.clone(), window, prefix.clone())),
                Arc::new(RedisShiftIndex::new(
                    manager,
                    format!("{prefix}open_shifts"),
                )),
            )
        };
        let wakeup = match &redis {
            Some(manager) => Wakeup::with_redis(manager.clone(), outbox_channel(&settings)),
            None => Wakeup::in_process(),
        };
        let links = LinkSigner::new(&settings.email.link_key);
        let certificates = Arc::new(settings.certificate_signer()?);
        let certificate_keys = Arc::new(settings.certificate_keys()?);
        let rules = SignupRules {
            ages: AgePolicy {
                minimum_age: settings.rules.minimum_age,
                adult_age: settings.rules.adult_age,
                sensitive_under: settings.rules.sensitive_under,
            },
            timezone: settings.timezone()?,
            geofence_m: settings.rules.geofence_m,
            early_check_in: Duration::minutes(settings.rules.early_check_in_minutes),
            grace: Duration::minutes(settings.rules.grace_minutes),
            check_in_code_key: settings.rules.check_in_code_key.as_bytes().to_vec(),
        };
        let state = Self {
            store,
            settings: Arc::new(settings),
            hasher,
            dummy_hash,
            login_failures,
            redis,
            rules: Arc::new(rules),
            clock,
            shift_index,
            wakeup,
            links,
            certificates,
            certificate_keys,
        };
        // Redis may have been flushed, and an in-process index starts empty: either way the
        // database says what is open. Failing here would stop the server for the sake of a
        // pruning aid: the periodic rebuild tries again.
        if let Err(e) = state.rebuild_shift_index().await {
            tracing::warn!(error = %e, "could not build the open-shift index yet");
        }
        Ok(state)
    }

    /// The base URL of links in an answer: `server.public_url`, or else the host the client
    /// reached us at (so a phone on the same network gets a link it can open).
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        let configured = self.settings.server.public_url.trim_end_matches('/');
        if !configured.is_empty() {
            return configured.to_string();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// When attended shifts' records fall due.
    pub fn record_deadline(&self) -> anyhow::Result<RecordDeadline> {
        Ok(RecordDeadline {
            working_days: self.settings.records.deadline_working_days,
            timezone: self.settings.timezone()?,
        })
    }

    /// Runs the password hasher off the async threads: argon2 is deliberately slow.
    pub async fn hash_password(&self, password: String) -> anyhow::Result<String> {
        let hasher = self.hasher.clone();
        Ok(tokio::task::spawn_blocking(move || hasher.hash(&password)).await??)
    }

    /// Verifies a password off the async threads.
    pub async fn verify_password(&self, password: String, phc: String) -> anyhow::Result<bool> {
        let hasher = self.hasher.clone();
        Ok(tokio::task::spawn_blocking(move || hasher.verify(&password, &phc)).await?)
    }
}

/// The Redis channel outbox wake-ups are published on.
pub fn outbox_channel(settings: &Settings) -> String {
    format!("{}outbox", settings.redis.key_prefix)
}

/// A connection URL with its password hidden, fit for an error message.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_error_messages() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
