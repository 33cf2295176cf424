//! Notifications: the worker that drains the transactional outbox through lettre.
//!
//! Messages are queued by the store in the same transaction as the change they announce
//! (`hourbook_store::outbox`). Here they are rendered in the recipient's language
//! ([`render`]), sent ([`transport`]), and their outcome recorded ([`worker`]); workers are
//! woken early by [`wake`] and unsubscribe links are signed by [`links`].

pub mod calendar;
pub mod links;
pub mod render;
pub mod transport;
pub mod wake;
pub mod worker;

pub use lettre::message::Mailbox;
pub use links::LinkSigner;
pub use transport::{Mailer, Postman, SendError, SmtpSecurity, Transport};
pub use wake::Wakeup;
pub use worker::{PassReport, Worker, WorkerSettings};
