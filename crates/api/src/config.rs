//! Settings: the embedded `config/default.toml`, then an optional file, then `HOURBOOK__...`
//! environment variables.

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// All settings. See `config/default.toml` for what each one means.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// HTTP server.
    pub server: ServerSettings,
    /// Database.
    pub database: DatabaseSection,
    /// Redis.
    pub redis: RedisSettings,
    /// Login and tokens.
    pub auth: AuthSettings,
    /// Domain thresholds.
    pub rules: RulesSettings,
    /// Matching and roster planning.
    pub matching: MatchingSettings,
    /// Personal-data protection.
    pub privacy: PrivacySettings,
    /// Certificate signing.
    pub certificates: CertificateSettings,
    /// E-mail.
    pub email: EmailSettings,
    /// Record deadlines.
    pub records: RecordsSettings,
    /// The demo district.
    pub demo: DemoSettings,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// Listen address.
    pub host: String,
    /// Listen port.
    pub port: u16,
    /// Base URL for links.
    pub public_url: String,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSection {
    /// Connection URL.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// Wait for a connection or lock.
    pub acquire_timeout_seconds: u64,
}

/// `[redis]`
#[derive(Debug, Clone, Deserialize)]
pub struct RedisSettings {
    /// Empty for in-process state.
    pub url: String,
    /// Prefix of every key.
    pub key_prefix: String,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Token lifetime.
    pub token_ttl_hours: i64,
    /// Argon2 memory.
    pub argon2_memory_kib: u32,
    /// Argon2 passes.
    pub argon2_iterations: u32,
    /// Failures before 429.
    pub login_max_failures: u32,
    /// Failure window.
    pub login_window_seconds: u64,
}

/// `[rules]`
#[derive(Debug, Clone, Deserialize)]
pub struct RulesSettings {
    /// IANA time zone.
    pub timezone: String,
    /// Minimum age.
    pub minimum_age: u32,
    /// Adult age.
    pub adult_age: u32,
    /// Sensitive-data age.
    pub sensitive_under: u32,
    /// Check-in geofence.
    pub geofence_m: f64,
    /// Early check-in.
    pub early_check_in_minutes: i64,
    /// Service-time grace.
    pub grace_minutes: i64,
    /// Key of the rotating check-in codes.
    pub check_in_code_key: String,
}

/// `[matching]`
#[derive(Debug, Clone, Deserialize)]
pub struct MatchingSettings {
    /// Search reach around an event's shifts, km.
    pub reach_km: f64,
    /// Index hits scored per recommendation.
    pub max_nearby_shifts: usize,
    /// Urgency window, days.
    pub urgent_within_days: f64,
    /// Hours at which fairness stops counting.
    pub fairness_saturation_hours: f64,
    /// Window for hours served, days.
    pub served_window_days: i64,
    /// Requirement students work toward.
    pub requirement_name: String,
    /// Its minutes.
    pub requirement_minutes: i64,
    /// Shifts per volunteer per plan.
    pub max_shifts_per_volunteer: u32,
    /// Spread penalty, points.
    pub spread_penalty: f64,
    /// Invitation lifetime, hours.
    pub invitation_ttl_hours: i64,
    /// Index rebuild period, seconds.
    pub index_rebuild_seconds: u64,
    /// Score weights.
    pub weights: hourbook_matching::Weights,
}

/// `[privacy]`
#[derive(Clone, Deserialize)]
pub struct PrivacySettings {
    /// Keyed-hash key for ID numbers.
    pub id_hash_key: String,
}

impl std::fmt::Debug for PrivacySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivacySettings { id_hash_key: <redacted> }")
    }
}

/// `[certificates]`
#[derive(Clone, Deserialize)]
pub struct CertificateSettings {
    /// Base64 Ed25519 secret key.
    pub signing_key: String,
    /// Base64 public keys of signing keys rotated out; their certificates still check.
    #[serde(default)]
    pub retired_public_keys: Vec<String>,
}

impl std::fmt::Debug for CertificateSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertificateSettings { signing_key: <redacted> }")
    }
}

/// `[email]`
#[derive(Clone, Deserialize)]
pub struct EmailSettings {
    /// `file` or `smtp`.
    pub transport: String,
    /// Directory for `file`.
    pub outbox_dir: String,
    /// Sender.
    pub from: String,
    /// SMTP relay.
    pub smtp_host: String,
    /// SMTP port.
    pub smtp_port: u16,
    /// SMTP user.
    pub smtp_username: String,
    /// SMTP password.
    pub smtp_password: String,
    /// `starttls`, `tls` or `none`.
    pub smtp_tls: String,
    /// Pooled SMTP connections per worker.
    pub smtp_pool_size: u32,
    /// Run the worker inside `serve`.
    pub worker_in_serve: bool,
    /// Longest wait between outbox polls.
    pub poll_interval_seconds: u64,
    /// Messages claimed at once.
    pub batch_size: u64,
    /// Claim lease.
    pub lease_seconds: u64,
    /// Claims before giving up.
    pub max_attempts: i32,
    /// First retry delay.
    pub retry_base_seconds: u64,
    /// Longest retry delay.
    pub retry_max_seconds: u64,
    /// Reminder and digest schedule interval.
    pub schedule_interval_seconds: u64,
    /// Unsubscribe-link signing key.
    pub link_key: String,
}

/// `[records]`
#[derive(Debug, Clone, Deserialize)]
pub struct RecordsSettings {
    /// Working days to verify an attended shift.
    pub deadline_working_days: u32,
    /// Local hour of the daily digest.
    pub digest_hour: u32,
    /// Warn this many working days before the deadline.
    pub digest_warn_working_days: u32,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("transport", &self.transport)
            .field("outbox_dir", &self.outbox_dir)
            .field("from", &self.from)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_tls", &self.smtp_tls)
            .field("worker_in_serve", &self.worker_in_serve)
            .finish_non_exhaustive()
    }
}

/// `[demo]`
#[derive(Debug, Clone, Deserialize)]
pub struct DemoSettings {
    /// Generator seed.
    pub seed: u64,
    /// Volunteers to generate.
    pub volunteers: usize,
    /// Password of every demo account.
    pub password: String,
}

impl Settings {
    /// Reads the defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            anyhow::ensure!(
                path.exists(),
                "config file {} does not exist",
                path.display()
            );
            builder = builder.add_source(config::File::from(path));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("HOURBOOK")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .context("invalid configuration")?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> anyhow::Result<()> {
        self.timezone()?;
        self.certificate_keys()?;
        anyhow::ensure!(
            matches!(self.email.transport.as_str(), "file" | "smtp"),
            "email.transport must be \"file\" or \"smtp\", not {:?}",
            self.email.transport
        );
        anyhow::ensure!(
            self.email.transport != "smtp" || !self.email.smtp_host.is_empty(),
            "email.smtp_host is required when email.transport is \"smtp\""
        );
        self.email
            .smtp_tls
            .parse::<hourbook_notifications::SmtpSecurity>()
            .map_err(|e| anyhow::anyhow!("email.smtp_tls {e}"))?;
        let e = &self.email;
        anyhow::ensure!(
            e.batch_size > 0
                && e.lease_seconds > 0
                && e.max_attempts > 0
                && e.retry_base_seconds > 0,
            "email.batch_size, lease_seconds, max_attempts and retry_base_seconds must be positive"
        );
        anyhow::ensure!(
            e.retry_max_seconds >= e.retry_base_seconds,
            "email.retry_max_seconds must be at least retry_base_seconds"
        );
        const DAY: u64 = 86_400;
        anyhow::ensure!(
            e.lease_seconds <= DAY
                && e.schedule_interval_seconds <= DAY
                && e.poll_interval_seconds <= DAY
                && e.retry_max_seconds <= 7 * DAY,
            "email.lease_seconds, schedule_interval_seconds and poll_interval_seconds must be at \
             most a day (86400), retry_max_seconds at most a week"
        );
        anyhow::ensure!(
            (1..=1000).contains(&e.batch_size) && e.max_attempts <= 100 && e.smtp_pool_size >= 1,
            "email.batch_size must be 1-1000, max_attempts at most 100, smtp_pool_size at least 1"
        );
        anyhow::ensure!(!e.link_key.is_empty(), "email.link_key must not be empty");
        anyhow::ensure!(
            self.records.digest_hour < 24,
            "records.digest_hour must be an hour of the day (0-23)"
        );
        anyhow::ensure!(
            !self.rules.check_in_code_key.is_empty(),
            "rules.check_in_code_key must not be empty"
        );
        anyhow::ensure!(
            !self.privacy.id_hash_key.is_empty(),
            "privacy.id_hash_key must not be empty"
        );
        anyhow::ensure!(
            self.auth.token_ttl_hours > 0,
            "auth.token_ttl_hours must be positive"
        );
        let m = &self.matching;
        let w = &m.weights;
        anyhow::ensure!(
            [
                w.distance,
                w.preferred_skill,
                w.urgency,
                w.fairness,
                w.requirement_progress
            ]
            .iter()
            .all(|x| x.is_finite() && *x >= 0.0),
            "matching.weights must be finite and not negative"
        );
        anyhow::ensure!(
            m.reach_km.is_finite() && m.reach_km >= 0.0 && m.reach_km <= 500.0,
            "matching.reach_km must be between 0 and 500"
        );
        anyhow::ensure!(
            m.spread_penalty.is_finite() && m.spread_penalty >= 0.0,
            "matching.spread_penalty must not be negative"
        );
        anyhow::ensure!(
            m.invitation_ttl_hours > 0 && m.served_window_days > 0 && m.max_nearby_shifts > 0,
            "matching.invitation_ttl_hours, served_window_days and max_nearby_shifts must be positive"
        );
        Ok(())
    }

    /// The certificate signing key.
    pub fn certificate_signer(
        &self,
    ) -> anyhow::Result<hourbook_domain::certificate::CertificateSigner> {
        hourbook_domain::certificate::CertificateSigner::from_base64(&self.certificates.signing_key)
            .map_err(|e| {
                anyhow::anyhow!(
                    "certificates.signing_key {e}; make one with `hourbook keys generate`"
                )
            })
    }

    /// The keys certificates are checked with: the signing key's and the retired ones.
    pub fn certificate_keys(&self) -> anyhow::Result<hourbook_domain::certificate::KeyRing> {
        let retired = self
            .certificates
            .retired_public_keys
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                hourbook_domain::certificate::public_key_from_base64(raw)
                    .map_err(|e| anyhow::anyhow!("certificates.retired_public_keys[{i}] {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(hourbook_domain::certificate::KeyRing::new(
            self.certificate_signer()?.public_key(),
            retired,
        ))
    }

    /// The district's time zone.
    pub fn timezone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.rules.timezone.parse().map_err(|_| {
            anyhow::anyhow!(
                "rules.timezone {:?} is not an IANA time zone",
                self.rules.timezone
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_load_and_describe_the_embedded_mode() {
        let s = Settings::load(None).unwrap();
        assert!(s.database.url.starts_with("sqlite://"));
        assert_eq!(s.email.transport, "file");
        assert!(s.redis.url.is_empty());
        assert!(!format!("{:?}", s.privacy).contains("change-me"));
    }

    #[test]
    fn a_missing_config_file_is_a_clear_error() {
        let err = Settings::load(Some(Path::new("/nonexistent/hourbook.toml"))).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
    }
}
