//! Notifications: the worker that drains the outbox through lettre.
//!
//! This first cut renders plain-text messages in the recipient's language and sends them one
//! worker per process; templates, reminders, guardians' copies, preferences and multi-worker
//! claiming are the notifications issue's work.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hourbook_store::Store;
use hourbook_store::outbox::{MessageKind, OutboxMessage};
pub use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// How to send.
#[derive(Clone)]
pub enum Mailer {
    /// Write `.eml` files into a directory (the embedded default).
    File(AsyncFileTransport<Tokio1Executor>),
    /// Send through an SMTP relay with STARTTLS.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
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
        /// User (empty: no authentication).
        username: String,
        /// Password.
        password: String,
    },
}

/// Errors from notifications.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Bad settings.
    #[error("e-mail configuration: {0}")]
    Config(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] hourbook_store::StoreError),
}

impl Mailer {
    /// Builds the transport; the file transport creates its directory.
    pub fn new(transport: &Transport) -> Result<Self, NotifyError> {
        match transport {
            Transport::File(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    NotifyError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                Ok(Mailer::File(AsyncFileTransport::new(dir)))
            }
            Transport::Smtp {
                host,
                port,
                username,
                password,
            } => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                    .map_err(|e| NotifyError::Config(e.to_string()))?
                    .port(*port);
                if !username.is_empty() {
                    builder =
                        builder.credentials(Credentials::new(username.clone(), password.clone()));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    async fn send(&self, message: Message) -> Result<(), (String, bool)> {
        match self {
            Mailer::File(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), false)),
            Mailer::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), e.is_permanent())),
        }
    }
}

/// Subject and body of a message in the recipient's language.
pub fn render_text(message: &OutboxMessage, tz: Tz) -> (String, String) {
    let p = &message.payload;
    let s = |key: &str| p[key].as_str().unwrap_or_default().to_string();
    let when = p["starts_at"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let (event, shift, address, name) = (
        s("event_title"),
        s("shift_title"),
        s("address"),
        s("recipient_name"),
    );
    let english = message.locale.starts_with("en");
    let (subject, line) = match (message.kind, english) {
        (MessageKind::SignupConfirmed, false) => (
            "报名成功",
            format!("您已确认参加「{event} · {shift}」，时间 {when}，地点 {address}。"),
        ),
        (MessageKind::SignupConfirmed, true) => (
            "You're signed up",
            format!("You are confirmed for \"{event} · {shift}\" at {when}, {address}."),
        ),
        (MessageKind::SignupWaitlisted, false) => (
            "已进入候补",
            format!("「{event} · {shift}」（{when}）已满，您在候补名单中，有空位时会通知您。"),
        ),
        (MessageKind::SignupWaitlisted, true) => (
            "You're on the waitlist",
            format!(
                "\"{event} · {shift}\" ({when}) is full; you are on the waitlist and will hear from us if a seat frees up."
            ),
        ),
        (MessageKind::WaitlistPromoted, false) => (
            "候补转正",
            format!("有空位了：您已确认参加「{event} · {shift}」，时间 {when}，地点 {address}。"),
        ),
        (MessageKind::WaitlistPromoted, true) => (
            "A seat is yours",
            format!(
                "A seat freed up: you are now confirmed for \"{event} · {shift}\" at {when}, {address}."
            ),
        ),
        (MessageKind::ShiftCancelled, false) => (
            "岗位已取消",
            format!("组织方取消了「{event} · {shift}」（{when}），请勿前往。"),
        ),
        (MessageKind::ShiftCancelled, true) => (
            "Shift cancelled",
            format!("The organizer cancelled \"{event} · {shift}\" ({when}). Please do not go."),
        ),
        (MessageKind::HoursVerified, false) => (
            "服务时长已认证",
            format!(
                "「{event} · {shift}」的 {} 分钟服务时长已认证并记入您的记录。",
                p["minutes"]
            ),
        ),
        (MessageKind::HoursVerified, true) => (
            "Hours verified",
            format!(
                "{} minutes for \"{event} · {shift}\" are verified and in your record.",
                p["minutes"]
            ),
        ),
        (MessageKind::Invitation, false) => (
            "志愿服务邀请",
            format!(
                "组织方邀请您参加「{event} · {shift}」，时间 {when}，地点 {address}。请在“我的邀请”中接受或谢绝。"
            ),
        ),
        (MessageKind::Invitation, true) => (
            "You are invited to volunteer",
            format!(
                "The organizer invites you to \"{event} · {shift}\" on {when} at {address}. Accept or decline it under \"My invitations\"."
            ),
        ),
    };
    let greeting = if english {
        format!("Hello {name},")
    } else {
        format!("{name}，您好：")
    };
    (
        format!("Hourbook · {subject}"),
        format!("{greeting}\n\n{line}\n\n— Hourbook\n"),
    )
}

fn build(message: &OutboxMessage, from: &Mailbox, tz: Tz) -> Result<Message, String> {
    let to: Mailbox = format!("{} <{}>", message.recipient_name, message.recipient_email)
        .parse()
        .or_else(|_| message.recipient_email.parse())
        .map_err(|e| format!("bad recipient: {e}"))?;
    let (subject, body) = render_text(message, tz);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        // The outbox id makes a resend after a crash recognisable as the same message.
        .message_id(Some(format!("<{}@hourbook>", message.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// Sends every due message once; returns how many went out.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    from: &Mailbox,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<usize, NotifyError> {
    let mut sent = 0;
    for message in store
        .claim_due_messages(now, 100, Duration::minutes(5))
        .await?
    {
        let outcome = match build(&message, from, tz) {
            Ok(email) => mailer.send(email).await,
            Err(e) => Err((e, true)),
        };
        match outcome {
            Ok(()) => {
                store.mark_sent(message.id, now).await?;
                sent += 1;
            }
            Err((error, permanent)) => {
                // Exponential backoff: 1, 2, 4 ... minutes, at most a day.
                let retry_in = Duration::minutes(1_i64 << message.attempts.clamp(0, 10))
                    .min(Duration::days(1));
                tracing::warn!(message_id = %message.id, %error, permanent, "sending failed");
                store
                    .mark_failed(message.id, &error, permanent, retry_in, now)
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Polls the outbox every `interval` until `shutdown` fires.
pub async fn run_worker(
    store: Store,
    mailer: Mailer,
    from: Mailbox,
    tz: Tz,
    interval: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = deliver_due(&store, &mailer, &from, tz, Utc::now()).await {
            tracing::error!(error = %e, "outbox pass failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
