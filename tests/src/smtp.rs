//! An SMTP server on loopback that a test starts itself, to see the e-mails the application
//! sends: [`SmtpSink::start`] binds `127.0.0.1` on a free port and keeps every message it is
//! given; [`Received`] decodes one with `mail-parser`.
//!
//! The protocol (command parsing, the session's state machine, replies, dot-unstuffing) is the
//! `mailin` crate's; this module only moves lines between sockets and `mailin` sessions, one
//! thread per connection. It serves plain SMTP: no STARTTLS. AUTH (PLAIN and LOGIN, over the
//! plain connection) is offered by [`SmtpSink::start_with_auth`], which then requires it.
//!
//! Failures can be injected: [`SmtpSink::reject_recipient`] answers `RCPT TO` for an address
//! with a given code, [`SmtpSink::fail_data_times`] answers the next `DATA` commands with 451.
//!
//! ```text
//! let sink = SmtpSink::start();
//! // … point the application at 127.0.0.1:sink.port() and let it send …
//! let messages = sink.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(messages.len(), 1);
//! assert_eq!(messages[0].subject().as_deref(), Some("Welcome"));
//! ```

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// An SMTP server on `127.0.0.1` that keeps what it receives. Dropping it closes the port
/// and every open connection, and its threads end.
pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
}

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets, in the order given.
    pub to: Vec<String>,
    /// The message as sent after `DATA`: headers and body, CRLF line ends, dots unstuffed.
    pub raw: Vec<u8>,
    /// The user name the client authenticated as (only on a sink from
    /// [`SmtpSink::start_with_auth`]).
    pub authenticated_as: Option<String>,
}

impl SmtpSink {
    /// Starts a server on `127.0.0.1` on a free port, serving in background threads; no
    /// authentication (a client that tries AUTH gets an error: none is advertised).
    ///
    /// # Panics
    /// When no port can be bound or no thread started.
    pub fn start() -> SmtpSink {
        SmtpSink::serve(None)
    }

    /// Like [`SmtpSink::start`], but the server offers AUTH PLAIN and LOGIN on the plain
    /// connection and requires it before `MAIL FROM`: these credentials get 235, others 535.
    pub fn start_with_auth(username: &str, password: &str) -> SmtpSink {
        SmtpSink::serve(Some((username.to_owned(), password.to_owned())))
    }

    fn serve(credentials: Option<(String, String)>) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an SMTP port on 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let mut builder = SessionBuilder::new("smtp-sink.test");
        if credentials.is_some() {
            builder
                .enable_auth(AuthMechanism::Plain)
                .enable_auth(AuthMechanism::Login)
                .insecure_enable_plaintext_auth();
        }
        let shared = Arc::new(Shared {
            credentials,
            ..Shared::default()
        });
        let accepting = Arc::clone(&shared);
        thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn(move || accept_loop(&listener, &builder, &accepting))
            .expect("start the SMTP sink thread");
        SmtpSink { port, shared }
    }

    /// The port the server listens on (on `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, in the order they arrived.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.state().messages.clone()
    }

    /// Waits until at least `n` messages have arrived, or `timeout` has passed, and returns
    /// what has arrived by then (possibly fewer than `n`: the caller asserts).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let shared = Arc::clone(&self.shared);
        // A blocking wait on a thread of its own, so it works on any runtime flavour and
        // takes real time even where tokio's clock is paused.
        tokio::task::spawn_blocking(move || shared.wait_for(n, timeout))
            .await
            .expect("wait for SMTP messages")
    }

    /// From now on, `RCPT TO` for `address` (compared without regard to case) answers `code`:
    /// 550 for "no such user" (permanent), 451 or 450 for a temporary failure, or any other
    /// 4xx/5xx code. A message with such a recipient is not accepted (the client gives up).
    ///
    /// # Panics
    /// When `code` is not a 4xx or 5xx code.
    pub fn reject_recipient(&self, address: &str, code: u16) {
        assert!(
            (400..600).contains(&code),
            "a rejection needs a 4xx or 5xx code, not {code}"
        );
        self.shared
            .state()
            .rejected
            .insert(address.to_ascii_lowercase(), code);
    }

    /// Accepts `address` again after [`SmtpSink::reject_recipient`].
    pub fn accept_recipient(&self, address: &str) {
        self.shared
            .state()
            .rejected
            .remove(&address.to_ascii_lowercase());
    }

    /// The next `n` `DATA` commands (over all connections) answer 451, a temporary failure;
    /// later ones are accepted. Replaces any count still left.
    pub fn fail_data_times(&self, n: usize) {
        self.shared.state().data_failures_left = n;
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        {
            let mut state = self.shared.state();
            self.shared.stopped.store(true, Ordering::SeqCst);
            for (_, connection) in state.connections.drain() {
                let _ = connection.shutdown(Shutdown::Both);
            }
        }
        // Wake the accept loop so that it sees the flag and closes the port.
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let _ = TcpStream::connect_timeout(&address, Duration::from_secs(1));
    }
}

impl Received {
    /// The message parsed by `mail-parser`, for whatever the helpers below don't cover.
    ///
    /// # Panics
    /// When the message cannot be parsed at all.
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default()
            .parse(&self.raw)
            .unwrap_or_else(|| {
                panic!(
                    "unparseable message: {}",
                    String::from_utf8_lossy(&self.raw)
                )
            })
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.parsed().subject().map(str::to_owned)
    }

    /// The `Message-ID`, without angle brackets.
    pub fn message_id(&self) -> Option<String> {
        self.parsed().message_id().map(str::to_owned)
    }

    /// A header's value as text (name compared without regard to case; the last one if it
    /// occurs more than once): unfolded, trimmed, and with RFC 2047 encoded words decoded,
    /// otherwise as sent (so `header("Message-ID")` keeps its angle brackets).
    pub fn header(&self, name: &str) -> Option<String> {
        let message = MessageParser::new()
            .header_text(name.to_owned())
            .parse(&self.raw)?;
        message
            .header(name.to_owned())
            .and_then(|value| value.as_text())
            .map(|text| text.trim().to_owned())
    }

    /// The addresses in the `To` header (not the envelope: see [`Received::to`]).
    pub fn to_header(&self) -> Vec<String> {
        let message = self.parsed();
        message
            .to()
            .map(|to| {
                to.iter()
                    .filter_map(|addr| addr.address())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The decoded text/plain body (the first one), or empty when there is none.
    pub fn text(&self) -> String {
        let message = self.parsed();
        message
            .text_bodies()
            .find_map(|part| match &part.body {
                PartType::Text(text) => Some(text.to_string()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The decoded text/html body (the first one), or empty when there is none.
    pub fn html(&self) -> String {
        let message = self.parsed();
        message
            .html_bodies()
            .find_map(|part| match &part.body {
                PartType::Html(html) => Some(html.to_string()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The attachments: content type (`type/subtype`, lower case, without parameters),
    /// file name if given, and decoded contents.
    pub fn attachments(&self) -> Vec<(String, Option<String>, Vec<u8>)> {
        let message = self.parsed();
        message
            .attachments()
            .map(|part| {
                let content_type = part.content_type().map_or_else(
                    || "text/plain".to_owned(),
                    |ct| match ct.subtype() {
                        Some(subtype) => format!("{}/{}", ct.ctype(), subtype),
                        None => ct.ctype().to_owned(),
                    },
                );
                (
                    content_type.to_ascii_lowercase(),
                    part.attachment_name().map(str::to_owned),
                    part.contents().to_vec(),
                )
            })
            .collect()
    }
}

/// What the server threads and the test share.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled whenever a message arrives.
    arrived: Condvar,
    /// Set (with `state` locked) when the [`SmtpSink`] is dropped.
    stopped: AtomicBool,
    /// The user name and password AUTH accepts, if the sink requires AUTH.
    credentials: Option<(String, String)>,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    /// Lower-case address → the code `RCPT TO` answers.
    rejected: HashMap<String, u16>,
    data_failures_left: usize,
    /// The open connections (clones of their sockets), to close them on drop.
    connections: HashMap<u64, TcpStream>,
    next_connection: u64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the messages from the others.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        while state.messages.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .arrived
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        state.messages.clone()
    }

    /// Registers an accepted connection, unless the sink is being dropped.
    fn register(&self, stream: &TcpStream) -> Option<u64> {
        let clone = stream.try_clone().ok()?;
        let mut state = self.state();
        if self.stopped() {
            return None;
        }
        let id = state.next_connection;
        state.next_connection += 1;
        state.connections.insert(id, clone);
        Some(id)
    }
}

/// Accepts connections until the sink is dropped, one thread per connection.
fn accept_loop(listener: &TcpListener, builder: &SessionBuilder, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopped() {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Some(id) = shared.register(&stream) else {
            break;
        };
        let builder = builder.clone();
        let session_shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name(format!("smtp-sink-session-{id}"))
            .spawn(move || {
                // An I/O error just ends the session, as a dropped connection would.
                let _ = serve_connection(stream, &builder, &session_shared);
                session_shared.state().connections.remove(&id);
            });
        if spawned.is_err() {
            shared.state().connections.remove(&id);
        }
    }
}

/// Runs one SMTP session: each line the client sends goes to `mailin`, whose answer goes back.
fn serve_connection(
    stream: TcpStream,
    builder: &SessionBuilder,
    shared: &Arc<Shared>,
) -> io::Result<()> {
    let peer = stream.peer_addr()?.ip();
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = BufWriter::new(stream);
    let mut session = builder.build(peer, Connection::new(Arc::clone(shared)));
    reply(&mut writer, &session.greeting())?;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => reply(&mut writer, &response)?,
            // UpgradeTls cannot happen: STARTTLS is not offered.
            Action::Close | Action::UpgradeTls => return reply(&mut writer, &response),
        }
    }
}

fn reply(writer: &mut impl Write, response: &Response) -> io::Result<()> {
    response.write_to(writer)?;
    writer.flush()
}

/// One connection's handler (what `mailin` calls back with the envelope and data).
struct Connection {
    shared: Arc<Shared>,
    authenticated_as: Option<String>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Connection {
    fn new(shared: Arc<Shared>) -> Connection {
        Connection {
            shared,
            authenticated_as: None,
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        }
    }

    fn authenticate(&mut self, username: &str, password: &str) -> Response {
        match &self.shared.credentials {
            Some((user, pass)) if user == username && pass == password => {
                self.authenticated_as = Some(username.to_owned());
                response::AUTH_OK
            }
            _ => response::INVALID_CREDENTIALS,
        }
    }
}

/// A refusal whose text matches its code's class.
fn refusal(code: u16, what: &str) -> Response {
    let text = match code {
        550 => format!("5.1.1 {what}: no such user here"),
        500..=599 => format!("5.0.0 {what}: rejected"),
        _ => format!("4.3.0 {what}: temporary failure, try again later"),
    };
    Response::custom(code, text)
}

impl Handler for Connection {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        if self.shared.stopped() {
            return response::NO_SERVICE;
        }
        response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        if self.shared.stopped() {
            return response::NO_SERVICE;
        }
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        match self.shared.state().rejected.get(&to.to_ascii_lowercase()) {
            Some(&code) => refusal(code, to),
            None => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        {
            let mut state = self.shared.state();
            if state.data_failures_left > 0 {
                state.data_failures_left -= 1;
                return refusal(451, "DATA");
            }
        }
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let received = Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
            authenticated_as: self.authenticated_as.clone(),
        };
        self.shared.state().messages.push(received);
        self.shared.arrived.notify_all();
        response::OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        authentication_id: &str,
        password: &str,
    ) -> Response {
        self.authenticate(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.authenticate(username, password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, MultiPart};
    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

    fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(sink.port())
            .timeout(Some(Duration::from_secs(10)))
            .build()
    }

    fn simple(to: &str, subject: &str) -> lettre::Message {
        lettre::Message::builder()
            .from("Hourbook <noreply@hourbook.test>".parse().unwrap())
            .to(to.parse().unwrap())
            .subject(subject)
            .body("hello".to_owned())
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_multipart_message_round_trips() {
        let sink = SmtpSink::start();
        // Sent 7bit: the line that starts with a dot is dot-stuffed on the wire.
        let calendar =
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n.X-DOT:1\r\n.\r\nEND:VCALENDAR\r\n".to_vec();
        let pdf: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let text = "你好，张三！\n您的班次：6月5日（周六）09:00–12:00，上海图书馆。\n";
        let html = "<p>你好，<b>张三</b>！</p><p>6月5日（周六）09:00–12:00</p>";
        let email = lettre::Message::builder()
            .from("Hourbook 志愿者 <noreply@hourbook.test>".parse().unwrap())
            .to("张三 <zhang.san@example.test>".parse().unwrap())
            .to("li.si@example.test".parse().unwrap())
            .bcc("audit@hourbook.test".parse().unwrap())
            .subject("排班确认：周六上午 — 上海图书馆")
            .message_id(Some("<shift-42.volunteer-7@hourbook.test>".to_owned()))
            .multipart(
                MultiPart::mixed()
                    .multipart(MultiPart::alternative_plain_html(
                        text.to_owned(),
                        html.to_owned(),
                    ))
                    .singlepart(Attachment::new("班次.ics".to_owned()).body(
                        calendar.clone(),
                        ContentType::parse("text/calendar").unwrap(),
                    ))
                    .singlepart(
                        Attachment::new("certificate.pdf".to_owned())
                            .body(pdf.clone(), ContentType::parse("application/pdf").unwrap()),
                    ),
            )
            .unwrap();

        transport(&sink).send(email).await.expect("sent");
        let messages = sink.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        let m = &messages[0];

        assert_eq!(m.from, "noreply@hourbook.test");
        assert_eq!(m.authenticated_as, None);
        assert_eq!(
            m.to,
            [
                "zhang.san@example.test",
                "li.si@example.test",
                "audit@hourbook.test"
            ]
        );
        assert_eq!(
            m.to_header(),
            ["zhang.san@example.test", "li.si@example.test"],
            "Bcc is in the envelope only"
        );
        assert_eq!(m.header("Bcc"), None);
        assert_eq!(
            m.subject().as_deref(),
            Some("排班确认：周六上午 — 上海图书馆")
        );
        assert_eq!(
            m.header("subject").as_deref(),
            Some("排班确认：周六上午 — 上海图书馆")
        );
        assert_eq!(
            m.message_id().as_deref(),
            Some("shift-42.volunteer-7@hourbook.test")
        );
        assert_eq!(
            m.header("MESSAGE-ID").as_deref(),
            Some("<shift-42.volunteer-7@hourbook.test>")
        );
        let from = m.header("From").unwrap();
        assert!(from.contains("Hourbook 志愿者"), "{from}");
        assert!(from.contains("<noreply@hourbook.test>"), "{from}");
        assert_eq!(m.header("X-Not-There"), None);
        assert_eq!(m.text().replace("\r\n", "\n"), text);
        assert_eq!(m.html().replace("\r\n", "\n"), html);
        assert_eq!(
            m.attachments(),
            [
                (
                    "text/calendar".to_owned(),
                    Some("班次.ics".to_owned()),
                    calendar
                ),
                (
                    "application/pdf".to_owned(),
                    Some("certificate.pdf".to_owned()),
                    pdf
                ),
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rejected_recipients_give_permanent_or_temporary_errors() {
        let sink = SmtpSink::start();
        sink.reject_recipient("Gone@Example.test", 550);
        sink.reject_recipient("busy@example.test", 451);
        let transport = transport(&sink);

        let error = transport
            .send(simple("gone@example.test", "one"))
            .await
            .expect_err("550 for a rejected recipient");
        assert!(error.is_permanent(), "{error:?}");
        assert_eq!(error.status().map(u16::from), Some(550));

        let error = transport
            .send(simple("busy@example.test", "two"))
            .await
            .expect_err("451 for a rejected recipient");
        assert!(!error.is_permanent(), "{error:?}");
        assert!(error.is_transient(), "{error:?}");
        assert_eq!(error.status().map(u16::from), Some(451));

        transport
            .send(simple("fine@example.test", "three"))
            .await
            .expect("other recipients are accepted");
        sink.accept_recipient("busy@example.test");
        transport
            .send(simple("busy@example.test", "four"))
            .await
            .expect("accepted again");

        let messages = sink.wait_for(2, Duration::from_secs(5)).await;
        let subjects: Vec<_> = messages.iter().filter_map(Received::subject).collect();
        assert_eq!(subjects, ["three", "four"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fail_data_times_fails_that_many_data_commands() {
        let sink = SmtpSink::start();
        sink.fail_data_times(2);
        let transport = transport(&sink);
        for attempt in 1..=2 {
            let error = transport
                .send(simple("a@example.test", "retry me"))
                .await
                .expect_err("DATA fails");
            assert!(error.is_transient(), "attempt {attempt}: {error:?}");
            assert_eq!(error.status().map(u16::from), Some(451));
        }
        transport
            .send(simple("a@example.test", "retry me"))
            .await
            .expect("the third DATA is accepted");
        let messages = sink.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].to, ["a@example.test"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn auth_is_required_and_checked_when_asked_for() {
        let sink = SmtpSink::start_with_auth("hourbook", "s3cret");
        let with = |username: &str, password: &str, mechanism: Mechanism| {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(sink.port())
                .credentials(Credentials::new(username.to_owned(), password.to_owned()))
                .authentication(vec![mechanism])
                .build()
        };

        let error = transport(&sink)
            .send(simple("a@example.test", "anonymous"))
            .await
            .expect_err("MAIL FROM before AUTH");
        assert!(error.is_permanent(), "{error:?}");
        for mechanism in [Mechanism::Plain, Mechanism::Login] {
            let error = with("hourbook", "wrong", mechanism)
                .send(simple("a@example.test", "wrong password"))
                .await
                .expect_err("a wrong password");
            assert!(error.is_permanent(), "{mechanism:?}: {error:?}");
            assert_eq!(error.status().map(u16::from), Some(535));
            with("hourbook", "s3cret", mechanism)
                .send(simple("a@example.test", &format!("{mechanism:?}")))
                .await
                .expect("the right password");
        }

        let messages = sink.wait_for(2, Duration::from_secs(5)).await;
        let seen: Vec<_> = messages
            .iter()
            .map(|m| (m.subject().unwrap(), m.authenticated_as.clone().unwrap()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Plain".to_owned(), "hourbook".to_owned()),
                ("Login".to_owned(), "hourbook".to_owned())
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn wait_for_returns_early_or_after_the_timeout() {
        let sink = SmtpSink::start();
        let port = sink.port();
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(port)
                .build();
            transport.send(simple("late@example.test", "late")).await
        });
        let started = Instant::now();
        let messages = sink.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(messages.len(), 1);
        assert!(started.elapsed() < Duration::from_secs(5));
        sender.await.unwrap().expect("sent");

        let started = Instant::now();
        let messages = sink.wait_for(2, Duration::from_millis(300)).await;
        assert_eq!(messages.len(), 1, "only what arrived");
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_sink_frees_its_port_and_closes_connections() {
        let sink = SmtpSink::start();
        let port = sink.port();
        // lettre's pool keeps this connection open after sending.
        let transport = transport(&sink);
        transport
            .send(simple("a@example.test", "before"))
            .await
            .expect("sent");
        let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
        idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut greeting = [0u8; 64];
        let n = io::Read::read(&mut idle, &mut greeting).unwrap();
        assert!(greeting[..n].starts_with(b"220 "), "{:?}", &greeting[..n]);
        drop(sink);
        assert_eq!(
            io::Read::read(&mut idle, &mut greeting).unwrap(),
            0,
            "the open connection is closed"
        );
        transport
            .send(simple("a@example.test", "after"))
            .await
            .expect_err("nobody listens any more");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            assert!(Instant::now() < deadline, "port {port} still open");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
