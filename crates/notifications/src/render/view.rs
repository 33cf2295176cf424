//! From payload to rendered subject, parts and calendar attachment.

use super::catalogue::{LIBRARY, Texts};
use super::{Compose, ComposeError, Language, display_name};
use crate::calendar::shift_event;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use hourbook_store::outbox::{MessageKind, OutboxMessage};
use icalendar::{Calendar, Component, EventStatus};
use lettre::message::Mailbox;
use minijinja::Value;
use serde::Serialize;
use serde_json::Map;
use std::collections::BTreeMap;

/// The finished pieces of one e-mail.
pub(crate) struct Rendered {
    /// The subject without the `Hourbook · ` prefix.
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
    pub(crate) reply_to: Option<Mailbox>,
    pub(crate) calendar: Option<Invite>,
}

/// An iCalendar attachment.
pub(crate) struct Invite {
    pub(crate) filename: &'static str,
    /// `PUBLISH` or `CANCEL`.
    pub(crate) method: &'static str,
    pub(crate) body: String,
}

/// What the two e-mail templates see.
#[derive(Serialize)]
struct View {
    lang: &'static str,
    subject: String,
    /// Labels and this message's sentences, by short name (`t.lead`, `t.when`...).
    t: BTreeMap<&'static str, String>,
    notes: Vec<String>,
    shift: Option<ShiftView>,
    digest: Option<DigestView>,
    button: Option<Link>,
    unsubscribe_url: Option<String>,
}

#[derive(Serialize)]
struct ShiftView {
    when: String,
    address: Option<String>,
    map_url: String,
    what_to_bring: Option<String>,
    risks: Option<String>,
    contact: Option<ContactView>,
}

#[derive(Serialize)]
struct ContactView {
    name: Option<String>,
    phone: Option<String>,
    tel_url: Option<String>,
    email: Option<String>,
}

#[derive(Serialize)]
struct DigestView {
    rows: Vec<RecordView>,
}

#[derive(Serialize)]
struct RecordView {
    volunteer_name: String,
    what: String,
    ended: String,
    due_by: String,
    overdue: bool,
    url: String,
}

#[derive(Serialize)]
struct Link {
    label: String,
    url: String,
}

/// Labels every e-mail may show, as `t.<name>` in the templates.
const LABELS: [&str; 15] = [
    "when",
    "where",
    "map",
    "what_to_bring",
    "risks",
    "contact",
    "phone",
    "email",
    "link_fallback",
    "signature",
    "footer",
    "unsubscribe_prompt",
    "unsubscribe",
    "calendar_added",
    "calendar_removed",
];

/// Labels of the overdue digest, from `kinds.overdue_digest`.
const DIGEST_LABELS: [&str; 4] = ["ended", "due_by", "overdue", "record"];

pub(crate) fn render(
    message: &OutboxMessage,
    c: &Compose,
    language: Language,
) -> Result<Rendered, ComposeError> {
    let texts = LIBRARY.get(language).map_err(ComposeError::Template)?;
    let kind = message.kind.name();
    let payload = Payload {
        kind,
        map: message
            .payload
            .as_object()
            .ok_or(ComposeError::Payload { kind })?,
    };
    let mut l = Localizer {
        texts,
        tz: c.timezone,
        kind,
        guardian: false,
        vars: BTreeMap::new(),
    };
    let recipient_name = payload
        .text("recipient_name")
        .map(str::to_string)
        .or_else(|| display_name(&message.recipient_name));
    let has_name = recipient_name.is_some();
    l.set("recipient_name", recipient_name);

    let mut view = View {
        lang: language.tag(),
        subject: String::new(),
        t: BTreeMap::new(),
        notes: Vec::new(),
        shift: None,
        digest: None,
        button: None,
        unsubscribe_url: c.unsubscribe_url.clone(),
    };
    let mut reply_to = None;
    let mut calendar = None;

    if message.kind == MessageKind::OverdueDigest {
        view.digest = Some(digest(&payload, &mut l, c)?);
        for label in DIGEST_LABELS {
            view.t.insert(label, l.kind_text(label)?);
        }
    } else if matches!(
        message.kind,
        MessageKind::ClaimHostRequest | MessageKind::ClaimDecided
    ) {
        (view.notes, view.button) = claim(&payload, &mut l, c, message.kind)?;
    } else if message.kind == MessageKind::CertificateIssued {
        view.button = Some(certificate(&payload, &mut l, c)?);
    } else if message.kind == MessageKind::CorrectionMade {
        view.notes = correction(&payload, &mut l)?;
    } else {
        let shift = Shift::parse(&payload)?;
        l.set("event_title", Some(shift.event_title));
        l.set("shift_title", Some(shift.shift_title));
        if payload.flag("guardian_copy") {
            let child = payload.required("volunteer_name")?;
            l.set("volunteer_name", Some(child));
            l.guardian = true;
        }
        let mut notes = Vec::new();
        match message.kind {
            MessageKind::SignupWaitlisted => {
                if let Some(position) = payload.integer("waitlist_position") {
                    l.set("waitlist_position", Some(position));
                    notes.push(l.kind_text("position")?);
                }
            }
            MessageKind::HoursVerified => {
                let minutes = payload
                    .integer("minutes")
                    .ok_or_else(|| payload.missing("minutes"))?;
                if minutes < 0 {
                    return Err(payload.invalid("minutes", "negative"));
                }
                let duration = l.duration(minutes)?;
                l.set("duration", Some(duration));
            }
            MessageKind::ShiftChanged => {
                let previous = payload.object("previous")?;
                let when = l.when(previous.time("starts_at")?, previous.time("ends_at")?)?;
                let previous = match previous.text("address") {
                    Some(place) => {
                        l.render("format.when_place", minijinja::context! { when, place })?
                    }
                    None => when,
                };
                l.set("previous", Some(previous));
                notes.push(l.kind_text("previous")?);
            }
            MessageKind::Invitation => {
                let expires = payload.time("expires_at")?;
                let expires = l.datetime(expires)?;
                l.set("expires", Some(expires));
                notes.push(l.kind_text("expires")?);
            }
            _ => {}
        }
        let note = format!("kinds.{kind}.note");
        if l.has(&note) {
            notes.push(l.text(&note)?);
        }
        let shift_url = format!(
            "{}/shifts/{}",
            c.public_url.trim_end_matches('/'),
            encode(shift.shift_id)
        );
        match message.kind {
            MessageKind::SignupConfirmed | MessageKind::WaitlistPromoted => {
                let signup_id = shift
                    .signup_id
                    .ok_or_else(|| payload.missing("signup_id"))?;
                calendar = Some(invite(&shift, signup_id, &shift_url, false, c.now));
                notes.push(l.text("labels.calendar_added")?);
            }
            MessageKind::ShiftChanged => {
                if let Some(signup_id) = shift.signup_id {
                    calendar = Some(invite(&shift, signup_id, &shift_url, false, c.now));
                    notes.push(l.text("labels.calendar_updated")?);
                }
            }
            MessageKind::ShiftCancelled => {
                if let Some(signup_id) = shift.signup_id {
                    calendar = Some(invite(&shift, signup_id, &shift_url, true, c.now));
                    notes.push(l.text("labels.calendar_removed")?);
                }
            }
            _ => {}
        }
        view.notes = notes;
        // Preparation is beside the point once a shift is cancelled or over.
        let preparation = !matches!(
            message.kind,
            MessageKind::ShiftCancelled | MessageKind::HoursVerified
        );
        view.shift = Some(ShiftView {
            when: l.when(shift.starts, shift.ends)?,
            address: shift.address.map(str::to_string),
            map_url: map_url(&shift),
            what_to_bring: shift
                .what_to_bring
                .filter(|_| preparation)
                .map(str::to_string),
            risks: shift.risks.filter(|_| preparation).map(str::to_string),
            contact: shift.contact.as_ref().map(|contact| ContactView {
                name: contact.name.map(str::to_string),
                phone: contact.phone.map(str::to_string),
                tel_url: contact.phone.map(|phone| {
                    let digits: String = phone
                        .chars()
                        .filter(|c| c.is_ascii_digit() || *c == '+')
                        .collect();
                    format!("tel:{digits}")
                }),
                email: contact.email.map(str::to_string),
            }),
        });
        reply_to = shift.contact.as_ref().and_then(|contact| {
            let address = contact.email?.parse().ok()?;
            Some(Mailbox::new(contact.name.and_then(display_name), address))
        });
        view.button = Some(Link {
            label: l.kind_text("button")?,
            url: shift_url,
        });
    }

    view.t.insert(
        "greeting",
        l.text(if has_name {
            "labels.greeting"
        } else {
            "labels.greeting_anonymous"
        })?,
    );
    view.t.insert("lead", l.kind_text("lead")?);
    view.t.insert("colon", l.text("format.colon")?);
    for label in LABELS {
        view.t.insert(label, l.text(&format!("labels.{label}"))?);
    }
    // Who is written to for another's sake (a host's contact) is told why, in their terms.
    let footer = format!("kinds.{kind}.footer");
    if l.has(&footer) {
        view.t.insert("footer", l.text(&footer)?);
    }
    view.subject = l.kind_text("subject")?;

    let render = |name: &str| {
        texts
            .env
            .get_template(name)
            .and_then(|t| t.render(&view))
            .map_err(template_error)
    };
    Ok(Rendered {
        text: render("email.txt")?,
        html: render("email.html")?,
        subject: view.subject.clone(),
        reply_to,
        calendar,
    })
}

fn digest(payload: &Payload, l: &mut Localizer, c: &Compose) -> Result<DigestView, ComposeError> {
    let organization = payload.required("organization_name")?;
    let records = payload
        .map
        .get("records")
        .ok_or_else(|| payload.missing("records"))?
        .as_array()
        .ok_or_else(|| payload.invalid("records", "not a list"))?;
    let mut rows = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let field = |name: &str| format!("records[{i}].{name}");
        let record = Payload {
            kind: payload.kind,
            map: record
                .as_object()
                .ok_or_else(|| payload.invalid(&format!("records[{i}]"), "not an object"))?,
        };
        let text = |name: &str| {
            record
                .text(name)
                .ok_or_else(|| payload.missing(&field(name)))
        };
        let ended = record
            .time("ended_at")
            .map_err(|_| payload.missing(&field("ended_at")))?;
        let due_by = text("due_by")?;
        let due_by = NaiveDate::parse_from_str(due_by, "%Y-%m-%d")
            .map_err(|e| payload.invalid(&field("due_by"), &e.to_string()))?;
        rows.push(RecordView {
            volunteer_name: text("volunteer_name")?.to_string(),
            what: format!("{} · {}", text("event_title")?, text("shift_title")?),
            ended: l.datetime(ended)?,
            due_by: l.date(due_by)?,
            overdue: record.flag("overdue"),
            url: format!(
                "{}/shifts/{}",
                c.public_url.trim_end_matches('/'),
                encode(text("shift_id")?)
            ),
        });
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    l.set("organization_name", Some(organization));
    l.set("count", Some(rows.len()));
    l.set("overdue_count", Some(overdue));
    Ok(DigestView { rows })
}

/// A claim of off-platform hours: the request to the host's contact (with the signed link to
/// confirm it) or the decision, to the volunteer.
fn claim(
    payload: &Payload,
    l: &mut Localizer,
    c: &Compose,
    kind: MessageKind,
) -> Result<(Vec<String>, Option<Link>), ComposeError> {
    l.set("title", Some(payload.required("title")?));
    let when = l.when(payload.time("started_at")?, payload.time("ended_at")?)?;
    l.set("when", Some(when));
    let minutes = |key: &str| {
        payload
            .integer(key)
            .filter(|m| *m >= 0)
            .ok_or_else(|| payload.missing(key))
    };
    let mut notes = Vec::new();
    if kind == MessageKind::ClaimHostRequest {
        l.set("volunteer_name", Some(payload.required("volunteer_name")?));
        l.set("host_name", Some(payload.required("host_name")?));
        let duration = l.duration(minutes("minutes")?)?;
        l.set("duration", Some(duration));
        let expires = l.datetime(payload.time("expires_at")?)?;
        l.set("expires", Some(expires));
        notes.push(l.kind_text("claimed")?);
        for (key, field) in [("description", "description"), ("evidence_url", "evidence")] {
            if let Some(value) = payload.text(key) {
                l.set(key, Some(value));
                notes.push(l.kind_text(field)?);
            }
        }
        notes.push(l.kind_text("expires")?);
        let url = c
            .action_url
            .clone()
            .ok_or_else(|| payload.missing("action_url"))?;
        let button = Link {
            label: l.kind_text("button")?,
            url,
        };
        return Ok((notes, Some(button)));
    }
    let verified = payload.required("status")? == "verified";
    l.set("verified", Some(verified));
    l.set(
        "organization_name",
        Some(payload.required("organization_name")?),
    );
    let credited = if verified {
        "minutes"
    } else {
        "claimed_minutes"
    };
    let duration = l.duration(minutes(credited)?)?;
    l.set("duration", Some(duration));
    if let Some(note) = payload.text("note") {
        l.set("note", Some(note));
        notes.push(l.kind_text("note")?);
    }
    Ok((notes, None))
}

/// A certificate the volunteer issued: its number, code and period, and the link to its
/// printable page.
fn certificate(payload: &Payload, l: &mut Localizer, c: &Compose) -> Result<Link, ComposeError> {
    let code = payload.required("code")?;
    l.set("number", Some(payload.required("number")?));
    l.set("code", Some(code));
    let total = payload
        .integer("total_minutes")
        .filter(|m| *m >= 0)
        .ok_or_else(|| payload.missing("total_minutes"))?;
    let duration = l.duration(total)?;
    l.set("duration", Some(duration));
    for (key, var) in [("period_from", "from"), ("period_to", "to")] {
        let day = payload.required(key)?;
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|e| payload.invalid(key, &e.to_string()))?;
        let day = l.date(day)?;
        l.set(var, Some(day));
    }
    Ok(Link {
        label: l.kind_text("button")?,
        url: format!(
            "{}/verify/{}",
            c.public_url.trim_end_matches('/'),
            encode(code)
        ),
    })
}

/// A correction of one of the volunteer's entries: the service, the minutes before and
/// after, and the organization's reason.
fn correction(payload: &Payload, l: &mut Localizer) -> Result<Vec<String>, ComposeError> {
    l.set(
        "organization_name",
        Some(payload.required("organization_name")?),
    );
    let when = l.when(payload.time("started_at")?, payload.time("ended_at")?)?;
    l.set("when", Some(when));
    for (key, var) in [("previous_minutes", "previous"), ("minutes", "corrected")] {
        let minutes = payload
            .integer(key)
            .filter(|m| *m >= 0)
            .ok_or_else(|| payload.missing(key))?;
        let duration = l.duration(minutes)?;
        l.set(var, Some(duration));
    }
    l.set("note", Some(payload.required("note")?));
    Ok(vec![l.kind_text("note")?])
}

/// The calendar attachment: the shared event, plus the shift page, the place and, for a
/// cancellation, `STATUS:CANCELLED` with a higher sequence so calendar apps drop the entry.
fn invite(
    shift: &Shift,
    signup_id: &str,
    shift_url: &str,
    cancel: bool,
    now: DateTime<Utc>,
) -> Invite {
    let mut event = shift_event(
        signup_id,
        &format!("{} · {}", shift.event_title, shift.shift_title),
        shift.address.unwrap_or_default(),
        shift.starts,
        shift.ends,
        now,
    );
    event.url(shift_url);
    if let Some((lat, lon)) = shift.position() {
        event.add_property("GEO", format!("{lat};{lon}"));
    }
    let method = if cancel {
        event.status(EventStatus::Cancelled).sequence(1);
        "CANCEL"
    } else {
        "PUBLISH"
    };
    let mut calendar = Calendar::new();
    calendar.append_property(("METHOD", method));
    calendar.push(event.done());
    Invite {
        filename: if cancel { "cancel.ics" } else { "invite.ics" },
        method,
        body: calendar.done().to_string(),
    }
}

/// A map centred on the shift, or a search for its address when it has no position.
fn map_url(shift: &Shift) -> String {
    match shift.position() {
        Some((lat, lon)) => {
            format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
        }
        None => format!(
            "https://www.openstreetmap.org/search?query={}",
            encode(shift.address.unwrap_or_default())
        ),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn template_error(e: minijinja::Error) -> ComposeError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    ComposeError::Template(message)
}

/// Catalogue look-ups and the locale's date and duration formats.
struct Localizer<'t> {
    texts: &'t Texts,
    tz: Tz,
    /// The message kind's name, for `kinds.<kind>.<field>`.
    kind: &'static str,
    /// A copy to a minor's guardian: `kinds.<kind>.guardian.<field>` where there is one.
    guardian: bool,
    /// The values catalogue entries may use.
    vars: BTreeMap<&'static str, Value>,
}

impl Localizer<'_> {
    fn set<T: Into<Value>>(&mut self, name: &'static str, value: Option<T>) {
        self.vars
            .insert(name, value.map(Into::into).unwrap_or(Value::from(())));
    }

    /// This kind's entry `field`, in the guardian's wording where the copy is a guardian's.
    fn kind_text(&self, field: &str) -> Result<String, ComposeError> {
        let kind = self.kind;
        let guardian = format!("kinds.{kind}.guardian.{field}");
        if self.guardian && self.has(&guardian) {
            self.text(&guardian)
        } else {
            self.text(&format!("kinds.{kind}.{field}"))
        }
    }

    fn has(&self, key: &str) -> bool {
        self.texts.catalogue.strings.contains_key(key)
    }

    fn render(&self, key: &str, values: impl Serialize) -> Result<String, ComposeError> {
        self.texts
            .env
            .get_template(key)
            .and_then(|t| t.render(values))
            .map_err(template_error)
    }

    /// A catalogue entry rendered with the message's values.
    fn text(&self, key: &str) -> Result<String, ComposeError> {
        self.render(key, &self.vars)
    }

    fn list(&self, key: &str, index: usize) -> Result<&str, ComposeError> {
        self.texts
            .catalogue
            .lists
            .get(key)
            .and_then(|list| list.get(index))
            .map(String::as_str)
            .ok_or_else(|| ComposeError::Template(format!("catalogue lacks {key}[{index}]")))
    }

    fn date(&self, date: NaiveDate) -> Result<String, ComposeError> {
        let month = date.month0() as usize;
        self.render(
            "format.date",
            minijinja::context! {
                weekday => self.list("calendar.weekdays", date.weekday().num_days_from_monday() as usize)?,
                day => date.day(),
                month => self.list("calendar.months", month)?,
                month_number => month + 1,
                year => date.year(),
            },
        )
    }

    fn datetime(&self, at: DateTime<Utc>) -> Result<String, ComposeError> {
        let local = at.with_timezone(&self.tz);
        self.render(
            "format.datetime",
            minijinja::context! {
                date => self.date(local.date_naive())?,
                time => local.format("%H:%M").to_string(),
            },
        )
    }

    /// The shift's time in the zone, with the zone's name.
    fn when(&self, starts: DateTime<Utc>, ends: DateTime<Utc>) -> Result<String, ComposeError> {
        let (starts, ends) = (starts.with_timezone(&self.tz), ends.with_timezone(&self.tz));
        let date = self.date(starts.date_naive())?;
        let (start, end) = (
            starts.format("%H:%M").to_string(),
            ends.format("%H:%M").to_string(),
        );
        let when = if starts.date_naive() == ends.date_naive() {
            self.render(
                "format.time_range",
                minijinja::context! { date, start, end },
            )?
        } else {
            let end_date = self.date(ends.date_naive())?;
            self.render(
                "format.time_range_overnight",
                minijinja::context! { date, start, end_date, end },
            )?
        };
        self.render(
            "format.when_zone",
            minijinja::context! { when, zone => self.tz.name() },
        )
    }

    /// `2 h 30 min`, `2 h`, `45 min`.
    fn duration(&self, minutes: i64) -> Result<String, ComposeError> {
        let (hours, minutes) = (minutes / 60, minutes % 60);
        let key = match (hours, minutes) {
            (0, _) => "format.duration_minutes",
            (_, 0) => "format.duration_hours",
            _ => "format.duration_hours_minutes",
        };
        self.render(key, minijinja::context! { hours, minutes })
    }
}

/// Typed, forgiving access to a payload object: absent, null, empty and mistyped values all
/// read as absent; what a kind cannot do without is checked with [`Payload::required`].
struct Payload<'a> {
    kind: &'static str,
    map: &'a Map<String, serde_json::Value>,
}

impl<'a> Payload<'a> {
    fn missing(&self, field: &str) -> ComposeError {
        ComposeError::Missing {
            kind: self.kind,
            field: field.to_string(),
        }
    }

    fn invalid(&self, field: &str, reason: &str) -> ComposeError {
        ComposeError::Invalid {
            kind: self.kind,
            field: field.to_string(),
            reason: reason.to_string(),
        }
    }

    /// A non-blank string.
    fn text(&self, key: &str) -> Option<&'a str> {
        self.map
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn required(&self, key: &str) -> Result<&'a str, ComposeError> {
        self.text(key).ok_or_else(|| self.missing(key))
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.map
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .filter(|n| n.is_finite())
    }

    fn integer(&self, key: &str) -> Option<i64> {
        let value = self.map.get(key)?;
        value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|n| n.is_finite() && n.abs() < 1e15)
                .map(|n| n.round() as i64)
        })
    }

    /// A required nested object, read the same way.
    fn object(&self, key: &str) -> Result<Payload<'a>, ComposeError> {
        match self.map.get(key) {
            Some(serde_json::Value::Object(map)) => Ok(Payload {
                kind: self.kind,
                map,
            }),
            _ => Err(self.missing(key)),
        }
    }

    fn flag(&self, key: &str) -> bool {
        self.map
            .get(key)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }

    /// A required RFC 3339 time.
    fn time(&self, key: &str) -> Result<DateTime<Utc>, ComposeError> {
        let text = self.required(key)?;
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.invalid(key, &e.to_string()))
    }
}

/// What every shift message carries.
struct Shift<'a> {
    shift_id: &'a str,
    signup_id: Option<&'a str>,
    event_title: &'a str,
    shift_title: &'a str,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    address: Option<&'a str>,
    lat: Option<f64>,
    lon: Option<f64>,
    what_to_bring: Option<&'a str>,
    risks: Option<&'a str>,
    contact: Option<Contact<'a>>,
}

struct Contact<'a> {
    name: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

impl<'a> Shift<'a> {
    fn parse(p: &Payload<'a>) -> Result<Self, ComposeError> {
        let contact = p
            .map
            .get("contact")
            .and_then(serde_json::Value::as_object)
            .map(|map| {
                let c = Payload { kind: p.kind, map };
                Contact {
                    name: c.text("name"),
                    phone: c.text("phone"),
                    email: c.text("email"),
                }
            })
            .filter(|c| c.name.is_some() || c.phone.is_some() || c.email.is_some());
        Ok(Shift {
            shift_id: p.required("shift_id")?,
            signup_id: p.text("signup_id"),
            event_title: p.required("event_title")?,
            shift_title: p.required("shift_title")?,
            starts: p.time("starts_at")?,
            ends: p.time("ends_at")?,
            address: p.text("address"),
            lat: p.number("lat"),
            lon: p.number("lon"),
            what_to_bring: p.text("what_to_bring"),
            risks: p.text("risks"),
            contact,
        })
    }

    fn position(&self) -> Option<(f64, f64)> {
        let (lat, lon) = (self.lat?, self.lon?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    }
}
