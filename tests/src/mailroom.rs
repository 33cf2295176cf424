//! What the e-mail tests share: a worker as `hourbook worker` builds it, sending over SMTP to
//! the test's own [`SmtpSink`], and ways to look at what was queued and what arrived.

use crate::TestApp;
use crate::smtp::{Received, SmtpSink};
use hourbook_notifications::{Mailer, Postman, SmtpSecurity, Transport, Worker};
use sea_orm::{ConnectionTrait, Statement};

/// The SMTP transport towards `sink`, logging in when `credentials` are given.
pub fn smtp_with(sink: &SmtpSink, credentials: Option<(&str, &str)>) -> Mailer {
    let (username, password) = credentials.unwrap_or_default();
    Mailer::new(&Transport::Smtp {
        host: "127.0.0.1".into(),
        port: sink.port(),
        security: SmtpSecurity::None,
        username: username.into(),
        password: password.into(),
        pool_size: 2,
    })
    .expect("SMTP transport")
}

/// The SMTP transport towards `sink`.
pub fn smtp(sink: &SmtpSink) -> Mailer {
    smtp_with(sink, None)
}

/// A worker with the application's settings, sending through `postman`.
pub fn worker<P: Postman>(app: &TestApp, postman: P) -> Worker<P> {
    let settings = hourbook_api::worker::worker_settings(&app.state, app.address.clone())
        .expect("worker settings");
    Worker::new(
        app.state.store.clone(),
        postman,
        app.state.links.clone(),
        settings,
    )
}

/// Sends everything due now and returns everything the sink has received so far.
pub async fn deliver(app: &TestApp, sink: &SmtpSink) -> Vec<Received> {
    worker(app, smtp(sink))
        .drain(app.clock.now())
        .await
        .expect("outbox pass");
    sink.messages()
}

/// The messages to `address`.
pub fn to(messages: &[Received], address: &str) -> Vec<Received> {
    messages
        .iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .cloned()
        .collect()
}

/// Outbox rows as (id, kind, status), oldest first.
pub async fn outbox_rows(app: &TestApp) -> Vec<(String, String, String)> {
    let db = app.state.store.connection();
    let sql = "SELECT id, kind, status FROM outbox ORDER BY created_at, id";
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("outbox")
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "id").expect("id"),
                r.try_get::<String>("", "kind").expect("kind"),
                r.try_get::<String>("", "status").expect("status"),
            )
        })
        .collect()
}
