//! How messages leave: `.eml` files in a directory (the embedded default) or an SMTP relay
//! (production), both through lettre.

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    /// What went wrong.
    pub reason: String,
    /// The recipient's address is refused for good ("no such user"): trying again cannot
    /// help. Everything else (the relay down, refusing our credentials, "try later") is worth
    /// retrying, up to `email.max_attempts`.
    pub permanent: bool,
}

/// Something that delivers a built e-mail. The worker is generic over it so that tests can
/// wrap the real transport (to fail, or to "crash" between send and record).
pub trait Postman: Send + Sync + 'static {
    /// Delivers one message.
    fn deliver(
        &self,
        message: Message,
    ) -> impl std::future::Future<Output = Result<(), SendError>> + Send;
}

/// Transport security towards the SMTP relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test sink.
    None,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "starttls" => Ok(Self::StartTls),
            "tls" => Ok(Self::Tls),
            "none" => Ok(Self::None),
            other => Err(format!(
                "must be \"starttls\", \"tls\" or \"none\", not {other:?}"
            )),
        }
    }
}

/// Mailer settings.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Files in this directory.
    File(PathBuf),
    /// An SMTP relay.
    Smtp {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Transport security.
        security: SmtpSecurity,
        /// User (empty: no authentication).
        username: String,
        /// Password.
        password: String,
        /// Connections kept open and reused.
        pool_size: u32,
    },
}

/// The configured transport.
#[derive(Clone)]
pub enum Mailer {
    /// Write `.eml` files into a directory.
    File(AsyncFileTransport<Tokio1Executor>),
    /// Send through an SMTP relay over pooled connections.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// Builds the transport; the file transport creates its directory.
    pub fn new(transport: &Transport) -> Result<Self, String> {
        match transport {
            Transport::File(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Mailer::File(AsyncFileTransport::new(dir)))
            }
            Transport::Smtp {
                host,
                port,
                security,
                username,
                password,
                pool_size,
            } => {
                let tls =
                    |host: &str| TlsParameters::new(host.to_string()).map_err(|e| e.to_string());
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(*port)
                    .tls(match security {
                        SmtpSecurity::StartTls => Tls::Required(tls(host)?),
                        SmtpSecurity::Tls => Tls::Wrapper(tls(host)?),
                        SmtpSecurity::None => Tls::None,
                    })
                    .pool_config(PoolConfig::new().max_size((*pool_size).max(1)));
                if !username.is_empty() {
                    builder =
                        builder.credentials(Credentials::new(username.clone(), password.clone()));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }
}

/// A permanent reply about the mailbox itself (RFC 5321: 550 unavailable, 551 not local,
/// 553 name not allowed). A relay refusing our credentials (530, 535) or the whole
/// transaction (554) says nothing about the address, and the queue must not be thrown away
/// for a configuration mistake that an administrator will fix.
fn mailbox_refused(code: u16) -> bool {
    matches!(code, 550 | 551 | 553)
}

impl Postman for Mailer {
    async fn deliver(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
                reason: e.to_string(),
                permanent: false,
            }),
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
                reason: e.to_string(),
                permanent: e.status().is_some_and(|code| mailbox_refused(code.into())),
            }),
        }
    }
}
