//! Rendering one outbox message into a complete e-mail.
//!
//! [`compose`] turns an [`OutboxMessage`] into a `lettre::Message` in the recipient's language
//! (Simplified Chinese by default, English when the locale starts with `en`): a plain-text and
//! an HTML alternative from the minijinja templates in `templates/`, every word from the
//! catalogues in `locales/`, and for confirmations an `invite.ics` (or, for a cancellation,
//! a `cancel.ics` that removes the entry) built by [`crate::calendar::shift_event`].
//!
//! A [`ComposeError`] means the message can never be sent as it is (a bad recipient address,
//! a payload that lacks what its kind needs); the worker records it as a permanent failure.

mod catalogue;
mod headers;
mod view;

#[cfg(test)]
mod tests;

pub use headers::{AutoSubmitted, ContentLanguage, ListUnsubscribe, ListUnsubscribePost};

use chrono::{DateTime, Utc};
use hourbook_store::outbox::OutboxMessage;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{Address, message::SinglePart};
use std::time::SystemTime;

/// What [`compose`] needs besides the message.
#[derive(Debug, Clone)]
pub struct Compose<'a> {
    /// The sender; its domain is also the domain of the Message-ID.
    pub from: &'a Mailbox,
    /// The web front end's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    pub public_url: &'a str,
    /// The time zone shifts are shown in.
    pub timezone: chrono_tz::Tz,
    /// The recipient's one-click unsubscribe URL; `None` for safety-critical messages.
    pub unsubscribe_url: Option<String>,
    /// The signed link a message asks its recipient to follow (a host confirming a claim).
    pub action_url: Option<String>,
    /// The time of sending (the `Date` header and the calendar entry's stamp).
    pub now: DateTime<Utc>,
}

/// Why a message can never be sent as it is.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The recipient's address does not parse.
    #[error("bad recipient address {address:?}: {reason}")]
    Recipient {
        /// The address as stored.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The payload is not a JSON object.
    #[error("the {kind} payload is not a JSON object")]
    Payload {
        /// The message kind.
        kind: &'static str,
    },
    /// The payload lacks a value the kind needs.
    #[error("the {kind} payload lacks {field}")]
    Missing {
        /// The message kind.
        kind: &'static str,
        /// The missing key (`records[2].shift_id` for a digest record).
        field: String,
    },
    /// A payload value has the wrong shape.
    #[error("the {kind} payload has an invalid {field}: {reason}")]
    Invalid {
        /// The message kind.
        kind: &'static str,
        /// The key.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A template or catalogue entry failed to render.
    #[error("rendering the e-mail: {0}")]
    Template(String),
    /// lettre refused to build the message.
    #[error("building the e-mail: {0}")]
    Build(String),
}

/// The language an e-mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Simplified Chinese, the default.
    ZhCn,
    /// English.
    En,
}

impl Language {
    /// English for locales starting with `en` (`en`, `en-GB`...), Simplified Chinese otherwise.
    pub fn from_locale(locale: &str) -> Self {
        if locale.trim().to_ascii_lowercase().starts_with("en") {
            Language::En
        } else {
            Language::ZhCn
        }
    }

    /// The language tag, as in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

/// Every subject starts with this.
const SUBJECT_PREFIX: &str = "Hourbook · ";

/// Renders `message` into a complete e-mail.
pub fn compose(message: &OutboxMessage, c: &Compose) -> Result<Message, ComposeError> {
    let language = Language::from_locale(&message.locale);
    let to = recipient(message)?;
    let rendered = view::render(message, c, language)?;

    let mut builder = Message::builder()
        .from(c.from.clone())
        .to(to)
        .subject(format!("{SUBJECT_PREFIX}{}", rendered.subject))
        .date(SystemTime::from(c.now))
        // The outbox id keeps the Message-ID stable across resends, so a message sent twice
        // after a crash is recognisably the same message.
        .message_id(Some(format!("<{}@{}>", message.id, c.from.email.domain())))
        .header(ContentLanguage(language.tag().to_string()))
        .header(AutoSubmitted("auto-generated".to_string()));
    if let Some(reply_to) = rendered.reply_to {
        builder = builder.reply_to(reply_to);
    }
    if let Some(url) = &c.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost(
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }

    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(rendered.text))
        .singlepart(SinglePart::html(rendered.html));
    let body = match rendered.calendar {
        None => alternative,
        Some(calendar) => {
            let content_type = ContentType::parse(&format!(
                "text/calendar; charset=utf-8; method={}",
                calendar.method
            ))
            .map_err(|e| ComposeError::Build(e.to_string()))?;
            MultiPart::mixed().multipart(alternative).singlepart(
                Attachment::new(calendar.filename.to_string()).body(calendar.body, content_type),
            )
        }
    };
    builder
        .multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// `name <address>`, or the bare address when the name is empty; the address must parse.
fn recipient(message: &OutboxMessage) -> Result<Mailbox, ComposeError> {
    let address: Address =
        message
            .recipient_email
            .trim()
            .parse()
            .map_err(|e: lettre::address::AddressError| ComposeError::Recipient {
                address: message.recipient_email.clone(),
                reason: e.to_string(),
            })?;
    Ok(Mailbox::new(display_name(&message.recipient_name), address))
}

/// A name fit for an address header: control characters removed, `None` when nothing is left.
/// lettre quotes and encodes whatever remains, so commas, quotes and CJK are all fine.
pub(crate) fn display_name(name: &str) -> Option<String> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}
