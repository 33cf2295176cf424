//! Every kind in both languages, built into a real message and read back with mail-parser.

use super::catalogue::{Catalogue, LIBRARY, escape_html};
use super::*;
use hourbook_store::outbox::MessageKind;
use mail_parser::MimeHeaders;
use serde_json::{Value, json};
use uuid::Uuid;

const SHIFT_ID: &str = "5b1f2c3d-0000-4000-8000-000000000001";
const SIGNUP_ID: &str = "5b1f2c3d-0000-4000-8000-000000000002";
const PUBLIC_URL: &str = "http://127.0.0.1:8080";
const ACTION: &str = "http://127.0.0.1:8080/claims/host/token123";
const UNSUBSCRIBE: &str = "http://127.0.0.1:8080/unsubscribe?token=abc123";

fn from() -> Mailbox {
    "Hourbook <notify@hourbook.example>".parse().unwrap()
}

fn now() -> DateTime<Utc> {
    "2027-05-28T08:00:00Z".parse().unwrap()
}

fn shift_payload() -> Value {
    json!({
        "recipient_name": "Li Ming",
        "shift_id": SHIFT_ID,
        "signup_id": SIGNUP_ID,
        "event_id": "5b1f2c3d-0000-4000-8000-000000000003",
        "event_title": "Park clean-up",
        "shift_title": "Morning",
        "starts_at": "2027-06-02T01:00:00Z",
        "ends_at": "2027-06-02T04:00:00Z",
        "address": "88 Century Avenue, Pudong",
        "lat": 31.2304,
        "lon": 121.4737,
        "what_to_bring": "Gloves and a water bottle",
        "contact": {"name": "Wang Fang", "phone": "+86 138 0000 0000", "email": "wang.fang@example.org"},
        "risks": "Strong sun, wear a hat",
    })
}

fn message(kind: MessageKind, locale: &str, payload: Value) -> OutboxMessage {
    OutboxMessage {
        id: Uuid::parse_str("0e9d8c7b-6a59-4483-9271-605f4e3d2c1b").unwrap(),
        kind,
        recipient_account_id: None,
        recipient_email: "li.ming@example.com".into(),
        recipient_name: payload["recipient_name"]
            .as_str()
            .unwrap_or_default()
            .into(),
        locale: locale.into(),
        payload,
        attempts: 0,
    }
}

fn build(message: &OutboxMessage, unsubscribe: bool) -> Result<Vec<u8>, ComposeError> {
    let from = from();
    let c = Compose {
        from: &from,
        public_url: PUBLIC_URL,
        timezone: chrono_tz::Asia::Shanghai,
        unsubscribe_url: unsubscribe.then(|| UNSUBSCRIBE.to_string()),
        action_url: Some(ACTION.to_string()),
        now: now(),
    };
    compose(message, &c).map(|m| m.formatted())
}

/// A message read back: headers and the decoded parts.
struct Parsed {
    subject: String,
    from: (Option<String>, String),
    to: (Option<String>, String),
    reply_to: Option<String>,
    message_id: String,
    headers: Vec<(String, String)>,
    text: String,
    html: String,
    attachments: Vec<(String, String, String)>,
    content_type: String,
}

impl Parsed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The plain part contains `s` and the HTML part contains it escaped.
    fn shows(&self, s: &str) {
        assert!(self.text.contains(s), "text lacks {s:?}:\n{}", self.text);
        let escaped = escape_html(s);
        assert!(
            self.html.contains(&escaped),
            "html lacks {escaped:?}:\n{}",
            self.html
        );
    }

    fn hides(&self, s: &str) {
        assert!(!self.text.contains(s), "text has {s:?}:\n{}", self.text);
        assert!(
            !self.html.contains(&escape_html(s)),
            "html has {s:?}:\n{}",
            self.html
        );
    }
}

fn parse(bytes: &[u8]) -> Parsed {
    let m = mail_parser::MessageParser::default()
        .parse(bytes)
        .expect("parses");
    let mailbox = |a: Option<&mail_parser::Address>| {
        let a = a.and_then(|a| a.first()).expect("has an address");
        (
            a.name().map(str::to_string),
            a.address().unwrap_or_default().to_string(),
        )
    };
    let attachments = m
        .attachments()
        .map(|a| {
            let ct = a.content_type().expect("attachment type");
            let ct = format!(
                "{}/{}; method={}",
                ct.ctype(),
                ct.subtype().unwrap_or_default(),
                ct.attribute("method").unwrap_or_default()
            );
            (
                a.attachment_name().unwrap_or_default().to_string(),
                ct,
                String::from_utf8_lossy(a.contents()).into_owned(),
            )
        })
        .collect();
    let root = m.content_type().expect("content type");
    Parsed {
        subject: m.subject().unwrap_or_default().to_string(),
        from: mailbox(m.from()),
        to: mailbox(m.to()),
        reply_to: m
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        message_id: m.message_id().unwrap_or_default().to_string(),
        headers: m
            .headers_raw()
            .map(|(n, v)| (n.to_string(), v.trim().to_string()))
            .collect(),
        text: m.body_text(0).unwrap_or_default().into_owned(),
        html: m.body_html(0).unwrap_or_default().into_owned(),
        attachments,
        content_type: format!("{}/{}", root.ctype(), root.subtype().unwrap_or_default()),
    }
}

/// One kind in one language: what must be in it besides what every shift message has.
struct Case {
    kind: MessageKind,
    locale: &'static str,
    payload: Value,
    subject: &'static str,
    lead: &'static str,
    shows: &'static [&'static str],
}

fn case(kind: MessageKind, locale: &'static str, extra: Value) -> Case {
    let mut payload = shift_payload();
    if let (Some(map), Some(extra)) = (payload.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    Case {
        kind,
        locale,
        payload,
        subject: "",
        lead: "",
        shows: &[],
    }
}

impl Case {
    fn expect(mut self, subject: &'static str, lead: &'static str) -> Self {
        self.subject = subject;
        self.lead = lead;
        self
    }

    fn showing(mut self, shows: &'static [&'static str]) -> Self {
        self.shows = shows;
        self
    }

    fn check(self) -> Parsed {
        let english = self.locale.starts_with("en");
        let safety = self.kind.always_sent();
        let m = message(self.kind, self.locale, self.payload.clone());
        let p = parse(&build(&m, !safety).expect("composes"));

        assert_eq!(p.subject, format!("Hourbook · {}", self.subject));
        assert_eq!(
            p.from,
            (Some("Hourbook".into()), "notify@hourbook.example".into())
        );
        let name = self.payload["recipient_name"].as_str().map(str::to_string);
        assert_eq!(p.to, (name, "li.ming@example.com".into()));
        assert_eq!(p.reply_to.as_deref(), Some("wang.fang@example.org"));
        assert_eq!(
            p.message_id,
            "0e9d8c7b-6a59-4483-9271-605f4e3d2c1b@hourbook.example"
        );
        let tag = if english { "en" } else { "zh-CN" };
        assert_eq!(p.header("Content-Language"), Some(tag));
        assert_eq!(p.header("Auto-Submitted"), Some("auto-generated"));
        if safety {
            assert_eq!(p.header("List-Unsubscribe"), None);
            assert_eq!(p.header("List-Unsubscribe-Post"), None);
            p.hides(UNSUBSCRIBE);
        } else {
            let header = format!("<{UNSUBSCRIBE}>");
            assert_eq!(p.header("List-Unsubscribe"), Some(header.as_str()));
            assert_eq!(
                p.header("List-Unsubscribe-Post"),
                Some("List-Unsubscribe=One-Click")
            );
            p.shows(UNSUBSCRIBE);
            let (prompt, word) = if english {
                ("Don't want these e-mails? ", "Unsubscribe")
            } else {
                ("不想再收到此类邮件？", "退订")
            };
            assert!(p.text.contains(&format!("{prompt}{word}")), "{}", p.text);
            p.shows(prompt);
            let link = format!("href=\"{UNSUBSCRIBE}\"");
            assert!(p.html.contains(&link), "{}", p.html);
            assert!(p.html.contains(&format!(">{word}</a>")), "{}", p.html);
        }

        p.shows(self.lead);
        p.shows(if english {
            "Wed 2 June 2027, 09:00–12:00 (Asia/Shanghai)"
        } else {
            "2027年6月2日（星期三）09:00–12:00（Asia/Shanghai）"
        });
        p.shows("88 Century Avenue, Pudong");
        p.shows("https://www.openstreetmap.org/?mlat=31.2304&mlon=121.4737");
        p.shows("Wang Fang");
        p.shows("+86 138 0000 0000");
        p.shows("wang.fang@example.org");
        let link = format!("{PUBLIC_URL}/shifts/{SHIFT_ID}");
        p.shows(&link);
        assert!(p.html.contains(&format!("href=\"{link}\"")), "{}", p.html);
        let preparation = !matches!(
            self.kind,
            MessageKind::ShiftCancelled | MessageKind::HoursVerified
        );
        for detail in ["Gloves and a water bottle", "Strong sun, wear a hat"] {
            if preparation {
                p.shows(detail);
            } else {
                p.hides(detail);
            }
        }
        for s in self.shows {
            p.shows(s);
        }

        let uid = format!("UID:{SIGNUP_ID}@hourbook");
        match self.kind {
            MessageKind::SignupConfirmed
            | MessageKind::WaitlistPromoted
            | MessageKind::ShiftChanged => {
                assert_eq!(p.content_type, "multipart/mixed");
                assert_eq!(p.attachments.len(), 1);
                let (name, ct, ics) = &p.attachments[0];
                assert_eq!(name, "invite.ics");
                assert_eq!(ct, "text/calendar; method=PUBLISH");
                for line in [
                    "METHOD:PUBLISH",
                    &uid,
                    "SUMMARY:Park clean-up · Morning",
                    "LOCATION:88 Century Avenue\\, Pudong",
                    "DTSTART:20270602T010000Z",
                    "DTEND:20270602T040000Z",
                    "GEO:31.2304;121.4737",
                ] {
                    assert!(ics.contains(line), "ics lacks {line}:\n{ics}");
                }
                assert!(!ics.contains("CANCELLED"), "{ics}");
            }
            MessageKind::ShiftCancelled => {
                assert_eq!(p.attachments.len(), 1);
                let (name, ct, ics) = &p.attachments[0];
                assert_eq!(name, "cancel.ics");
                assert_eq!(ct, "text/calendar; method=CANCEL");
                for line in ["METHOD:CANCEL", "STATUS:CANCELLED", "SEQUENCE:1", &uid] {
                    assert!(ics.contains(line), "ics lacks {line}:\n{ics}");
                }
            }
            _ => {
                assert_eq!(p.content_type, "multipart/alternative");
                assert!(p.attachments.is_empty());
            }
        }
        p
    }
}

fn guardian() -> Value {
    json!({"recipient_name": "Li Hua", "guardian_copy": true, "volunteer_name": "Li Ming"})
}

#[test]
fn signup_confirmed_en() {
    case(MessageKind::SignupConfirmed, "en", json!({}))
        .expect(
            "You're confirmed: Park clean-up",
            "You are confirmed for Park clean-up · Morning. See you there!",
        )
        .showing(&["Hello Li Ming,", "View the shift", "invite.ics"])
        .check();
}

#[test]
fn signup_confirmed_zh() {
    case(MessageKind::SignupConfirmed, "zh-CN", json!({}))
        .expect(
            "报名成功：Park clean-up",
            "您已确认参加「Park clean-up · Morning」，期待与您相见！",
        )
        .showing(&["Li Ming，您好：", "查看岗位", "invite.ics"])
        .check();
}

#[test]
fn signup_confirmed_guardian_en() {
    case(MessageKind::SignupConfirmed, "en-GB", guardian())
        .expect(
            "Li Ming is confirmed: Park clean-up",
            "Your child Li Ming is confirmed for Park clean-up · Morning.",
        )
        .showing(&["Hello Li Hua,"])
        .check();
}

#[test]
fn signup_confirmed_guardian_zh() {
    case(MessageKind::SignupConfirmed, "zh-CN", guardian())
        .expect(
            "Li Ming 报名成功：Park clean-up",
            "您的孩子 Li Ming 已确认参加「Park clean-up · Morning」。",
        )
        .showing(&["Li Hua，您好："])
        .check();
}

#[test]
fn signup_waitlisted_en() {
    case(
        MessageKind::SignupWaitlisted,
        "en",
        json!({"waitlist_position": 3}),
    )
    .expect(
        "On the waitlist: Park clean-up",
        "Park clean-up · Morning is full, so you are on the waitlist.",
    )
    .showing(&["You are number 3 on the waitlist."])
    .check();
}

#[test]
fn signup_waitlisted_zh() {
    let p = case(
        MessageKind::SignupWaitlisted,
        "zh-CN",
        json!({"waitlist_position": null}),
    )
    .expect(
        "已进入候补：Park clean-up",
        "「Park clean-up · Morning」已满，您已进入候补名单。",
    )
    .check();
    // Without a position the sentence about it is left out.
    p.hides("排第");
}

#[test]
fn waitlist_promoted_en() {
    case(MessageKind::WaitlistPromoted, "en", json!({}))
        .expect(
            "A seat is yours: Park clean-up",
            "A seat freed up: you are now confirmed for Park clean-up · Morning.",
        )
        .check();
}

#[test]
fn waitlist_promoted_zh() {
    case(MessageKind::WaitlistPromoted, "zh", json!({}))
        .expect(
            "候补转正：Park clean-up",
            "有空位了：您已确认参加「Park clean-up · Morning」。",
        )
        .check();
}

#[test]
fn waitlist_promoted_guardian_en() {
    case(MessageKind::WaitlistPromoted, "en", guardian())
        .expect(
            "A seat for Li Ming: Park clean-up",
            "A seat freed up: your child Li Ming is now confirmed for Park clean-up · Morning.",
        )
        .check();
}

#[test]
fn waitlist_promoted_guardian_zh() {
    case(MessageKind::WaitlistPromoted, "zh-CN", guardian())
        .expect(
            "Li Ming 候补转正：Park clean-up",
            "有空位了：您的孩子 Li Ming 已确认参加「Park clean-up · Morning」。",
        )
        .check();
}

#[test]
fn shift_cancelled_en() {
    case(MessageKind::ShiftCancelled, "en", json!({}))
        .expect(
            "Cancelled: Park clean-up",
            "The organizer cancelled Park clean-up · Morning. Please do not go.",
        )
        .showing(&["cancel.ics"])
        .check();
}

#[test]
fn shift_cancelled_zh() {
    case(MessageKind::ShiftCancelled, "zh-CN", json!({}))
        .expect(
            "岗位已取消：Park clean-up",
            "组织方取消了「Park clean-up · Morning」，请勿前往。",
        )
        .check();
}

#[test]
fn shift_cancelled_guardian_en() {
    case(MessageKind::ShiftCancelled, "en", guardian())
        .expect(
            "Cancelled for Li Ming: Park clean-up",
            "The organizer cancelled Park clean-up · Morning, which your child Li Ming had signed up for.",
        )
        .check();
}

#[test]
fn shift_cancelled_guardian_zh() {
    case(MessageKind::ShiftCancelled, "zh-CN", guardian())
        .expect(
            "Li Ming 的岗位已取消：Park clean-up",
            "组织方取消了您的孩子 Li Ming 报名的「Park clean-up · Morning」，请勿送孩子前往。",
        )
        .check();
}

fn changed() -> Value {
    json!({"previous": {"starts_at": "2027-06-02T00:30:00Z", "ends_at": "2027-06-02T03:00:00Z", "address": "Old gate"}})
}

#[test]
fn shift_changed_en() {
    case(MessageKind::ShiftChanged, "en", changed())
        .expect(
            "Changed: Park clean-up",
            "The organizer changed the time or place of Park clean-up · Morning.",
        )
        .showing(&[
            "Before the change: Wed 2 June 2027, 08:30–11:00 (Asia/Shanghai), Old gate.",
            "updates the shift in your calendar",
        ])
        .check();
}

#[test]
fn shift_changed_zh() {
    case(MessageKind::ShiftChanged, "zh-CN", changed())
        .expect(
            "岗位有变动：Park clean-up",
            "组织方调整了「Park clean-up · Morning」的时间或地点",
        )
        .showing(&["调整前：2027年6月2日（星期三）08:30–11:00（Asia/Shanghai），Old gate。"])
        .check();
}

#[test]
fn shift_changed_guardian_en() {
    let mut extra = changed();
    extra
        .as_object_mut()
        .unwrap()
        .extend(guardian().as_object().unwrap().clone());
    case(MessageKind::ShiftChanged, "en", extra)
        .expect(
            "Changed for Li Ming: Park clean-up",
            "which your child Li Ming signed up for.",
        )
        .check();
}

#[test]
fn shift_changed_needs_the_previous_time() {
    let m = message(MessageKind::ShiftChanged, "en", shift_payload());
    assert!(build(&m, false).is_err());
}

#[test]
fn shift_cancelled_without_signup_has_no_calendar_file() {
    let mut payload = shift_payload();
    payload["signup_id"] = Value::Null;
    let m = message(MessageKind::ShiftCancelled, "en", payload);
    let p = parse(&build(&m, false).unwrap());
    assert!(p.attachments.is_empty());
    assert_eq!(p.content_type, "multipart/alternative");
    p.hides("cancel.ics");
}

#[test]
fn hours_verified_en() {
    case(MessageKind::HoursVerified, "en", json!({"minutes": 150}))
        .expect(
            "Hours verified: 2 h 30 min",
            "2 h 30 min of service at Park clean-up · Morning are verified and in your record.",
        )
        .check();
}

#[test]
fn hours_verified_zh() {
    case(MessageKind::HoursVerified, "zh-CN", json!({"minutes": 150}))
        .expect(
            "服务时长已认证：2小时30分钟",
            "您在「Park clean-up · Morning」的 2小时30分钟 服务时长已认证并记入您的记录。",
        )
        .check();
}

#[test]
fn hours_verified_whole_hours_and_minutes_only() {
    for (minutes, en, zh) in [(120, "2 h", "2小时"), (45, "45 min", "45分钟")] {
        let payload = case(
            MessageKind::HoursVerified,
            "en",
            json!({"minutes": minutes}),
        )
        .payload;
        let p = parse(
            &build(
                &message(MessageKind::HoursVerified, "en", payload.clone()),
                true,
            )
            .unwrap(),
        );
        assert_eq!(p.subject, format!("Hourbook · Hours verified: {en}"));
        let p =
            parse(&build(&message(MessageKind::HoursVerified, "zh-CN", payload), true).unwrap());
        assert_eq!(p.subject, format!("Hourbook · 服务时长已认证：{zh}"));
    }
}

fn invitation() -> Value {
    let mut extra = json!({
        "invitation_id": "5b1f2c3d-0000-4000-8000-000000000004",
        "expires_at": "2027-05-30T10:00:00Z",
    });
    extra["signup_id"] = Value::Null;
    extra
}

#[test]
fn invitation_en() {
    case(MessageKind::Invitation, "en", invitation())
        .expect(
            "You're invited: Park clean-up",
            "The organizer invites you to volunteer at Park clean-up · Morning.",
        )
        .showing(&[
            "Please accept or decline it under My invitations in Hourbook by Sun 30 May 2027, 18:00.",
            "View the shift",
        ])
        .check();
}

#[test]
fn invitation_zh() {
    case(MessageKind::Invitation, "zh-CN", invitation())
        .expect(
            "志愿服务邀请：Park clean-up",
            "组织方邀请您参加「Park clean-up · Morning」的志愿服务。",
        )
        .showing(&[
            "请在 2027年5月30日（星期日）18:00 之前登录 Hourbook，在“我的邀请”中接受或谢绝。",
            "查看岗位",
        ])
        .check();
}

#[test]
fn reminder_24h_en() {
    case(MessageKind::Reminder24h, "en", json!({}))
        .expect(
            "Tomorrow: Park clean-up",
            "A reminder: Park clean-up · Morning starts in about 24 hours.",
        )
        .showing(&["If you cannot come, please cancel your signup"])
        .check();
}

#[test]
fn reminder_24h_zh() {
    case(MessageKind::Reminder24h, "zh-CN", json!({}))
        .expect(
            "明天：Park clean-up",
            "温馨提醒：「Park clean-up · Morning」将在约 24 小时后开始。",
        )
        .check();
}

#[test]
fn reminder_2h_en() {
    case(MessageKind::Reminder2h, "en", json!({}))
        .expect(
            "In 2 hours: Park clean-up",
            "Park clean-up · Morning starts in 2 hours.",
        )
        .check();
}

#[test]
fn reminder_2h_zh() {
    case(MessageKind::Reminder2h, "zh-CN", json!({}))
        .expect(
            "2 小时后开始：Park clean-up",
            "「Park clean-up · Morning」将在 2 小时后开始。",
        )
        .check();
}

fn digest_payload() -> Value {
    json!({
        "recipient_name": "Zhao Lei",
        "organization_id": "5b1f2c3d-0000-4000-8000-000000000005",
        "organization_name": "Green Pudong",
        "records": [
            {
                "signup_id": "s1", "volunteer_name": "Li Ming",
                "event_title": "Park clean-up", "shift_title": "Morning",
                "shift_id": "shift-1", "ended_at": "2027-05-20T04:00:00Z",
                "due_by": "2027-05-23", "overdue": true,
            },
            {
                "signup_id": "s2", "volunteer_name": "Chen Jing",
                "event_title": "Food bank", "shift_title": "Packing",
                "shift_id": "shift-2", "ended_at": "2027-05-27T10:30:00Z",
                "due_by": "2027-05-30", "overdue": false,
            },
        ],
    })
}

fn check_digest(locale: &str) -> Parsed {
    let m = message(MessageKind::OverdueDigest, locale, digest_payload());
    let p = parse(&build(&m, true).unwrap());
    assert_eq!(
        p.to,
        (Some("Zhao Lei".into()), "li.ming@example.com".into())
    );
    assert_eq!(p.reply_to, None);
    assert_eq!(p.content_type, "multipart/alternative");
    assert!(p.attachments.is_empty());
    for record in [
        "Li Ming · Park clean-up · Morning",
        "Chen Jing · Food bank · Packing",
    ] {
        p.shows(record);
    }
    for shift in ["shift-1", "shift-2"] {
        let link = format!("{PUBLIC_URL}/shifts/{shift}");
        p.shows(&link);
        assert!(p.html.contains(&format!("href=\"{link}\"")));
    }
    p
}

#[test]
fn overdue_digest_en() {
    let p = check_digest("en");
    assert_eq!(p.subject, "Hourbook · 2 service records to verify");
    p.shows("Volunteers served on these shifts of Green Pudong");
    p.shows("2 in all, 1 overdue.");
    p.shows("Ended: Thu 20 May 2027, 12:00");
    p.shows("Due by: Sun 23 May 2027");
    p.shows("Due by: Sun 30 May 2027");
    p.shows("View the shift");
    // Only the first record is marked.
    assert!(p.text.contains("[Overdue] Li Ming"), "{}", p.text);
    assert!(!p.text.contains("[Overdue] Chen Jing"), "{}", p.text);
    assert_eq!(p.html.matches(">Overdue</span>").count(), 1, "{}", p.html);
}

#[test]
fn overdue_digest_zh() {
    let p = check_digest("zh-CN");
    assert_eq!(p.subject, "Hourbook · 2 条服务记录待认证");
    p.shows("共 2 条，其中 1 条已逾期。");
    p.shows("结束时间：2027年5月20日（星期四）12:00");
    p.shows("截止日期：2027年5月23日（星期日）");
    assert!(p.text.contains("[已逾期] Li Ming"), "{}", p.text);
    assert_eq!(p.html.matches(">已逾期</span>").count(), 1, "{}", p.html);
}

#[test]
fn overdue_digest_needs_its_records() {
    let mut payload = digest_payload();
    payload["records"][1]
        .as_object_mut()
        .unwrap()
        .remove("shift_id");
    let m = message(MessageKind::OverdueDigest, "en", payload);
    let err = build(&m, true).unwrap_err();
    assert!(
        matches!(&err, ComposeError::Missing { field, .. } if field == "records[1].shift_id"),
        "{err}"
    );
    let mut payload = digest_payload();
    payload["records"][0]["due_by"] = json!("next week");
    let m = message(MessageKind::OverdueDigest, "en", payload);
    assert!(matches!(build(&m, true), Err(ComposeError::Invalid { .. })));
    let mut payload = digest_payload();
    payload.as_object_mut().unwrap().remove("records");
    let m = message(MessageKind::OverdueDigest, "en", payload);
    assert!(matches!(build(&m, true), Err(ComposeError::Missing { .. })));
}

#[test]
fn html_escapes_values() {
    let mut payload = shift_payload();
    payload["event_title"] = json!("<script>x</script>");
    payload["what_to_bring"] = json!("Tea & \"biscuits\"");
    payload["recipient_name"] = json!("<b>Li</b>");
    for locale in ["en", "zh-CN"] {
        let m = message(MessageKind::SignupConfirmed, locale, payload.clone());
        let p = parse(&build(&m, true).unwrap());
        assert!(!p.html.contains("<script>"), "{}", p.html);
        assert!(!p.html.contains("<b>Li"), "{}", p.html);
        assert!(
            p.html.contains("&lt;script&gt;x&lt;/script&gt;"),
            "{}",
            p.html
        );
        assert!(
            p.html.contains("Tea &amp; &quot;biscuits&quot;"),
            "{}",
            p.html
        );
        // The plain part shows the values as they are.
        assert!(p.text.contains("<script>x</script>"), "{}", p.text);
        assert!(p.text.contains("Tea & \"biscuits\""), "{}", p.text);
    }
}

#[test]
fn bad_recipient_is_a_compose_error() {
    for address in ["not an address", "", "li.ming@"] {
        let mut m = message(MessageKind::SignupConfirmed, "en", shift_payload());
        m.recipient_email = address.into();
        assert!(
            matches!(build(&m, true), Err(ComposeError::Recipient { .. })),
            "{address:?}"
        );
    }
}

#[test]
fn awkward_recipient_names_are_kept_or_dropped() {
    let mut m = message(MessageKind::Reminder2h, "en", shift_payload());
    m.recipient_name = "Ming, Li \"Mike\"".into();
    let p = parse(&build(&m, true).unwrap());
    assert_eq!(
        p.to,
        (
            Some("Ming, Li \"Mike\"".into()),
            "li.ming@example.com".into()
        )
    );
    m.recipient_name = "\r\n".into();
    m.payload["recipient_name"] = Value::Null;
    let p = parse(&build(&m, true).unwrap());
    assert_eq!(p.to, (None, "li.ming@example.com".into()));
    p.shows("Hello,");
}

#[test]
fn missing_starts_at_is_a_compose_error() {
    for kind in [
        MessageKind::SignupConfirmed,
        MessageKind::Invitation,
        MessageKind::Reminder24h,
    ] {
        let mut payload = shift_payload();
        payload.as_object_mut().unwrap().remove("starts_at");
        let m = message(kind, "zh-CN", payload);
        let err = build(&m, true).unwrap_err();
        assert!(
            matches!(&err, ComposeError::Missing { field, .. } if field == "starts_at"),
            "{err}"
        );
    }
    let mut payload = shift_payload();
    payload["starts_at"] = json!("tomorrow morning");
    let m = message(MessageKind::Reminder2h, "en", payload);
    assert!(matches!(build(&m, true), Err(ComposeError::Invalid { .. })));
}

#[test]
fn what_each_kind_cannot_do_without() {
    let without = |kind, key: &str, extra: Value| {
        let mut payload = case(kind, "en", extra).payload;
        payload.as_object_mut().unwrap().remove(key);
        build(&message(kind, "en", payload), true)
    };
    let missing = |r: Result<Vec<u8>, ComposeError>, key: &str| {
        assert!(
            matches!(&r, Err(ComposeError::Missing { field, .. }) if field == key),
            "{key}: {:?}",
            r.err()
        );
    };
    missing(
        without(MessageKind::SignupConfirmed, "signup_id", json!({})),
        "signup_id",
    );
    missing(
        without(MessageKind::HoursVerified, "minutes", json!({"minutes": 5})),
        "minutes",
    );
    missing(
        without(MessageKind::Invitation, "expires_at", invitation()),
        "expires_at",
    );
    missing(
        without(MessageKind::WaitlistPromoted, "volunteer_name", guardian()),
        "volunteer_name",
    );
    missing(
        without(MessageKind::Reminder2h, "shift_id", json!({})),
        "shift_id",
    );
    let m = message(MessageKind::Reminder2h, "en", json!([1, 2]));
    assert!(matches!(build(&m, true), Err(ComposeError::Payload { .. })));
}

#[test]
fn optional_details_may_be_absent() {
    let mut payload = shift_payload();
    let map = payload.as_object_mut().unwrap();
    for key in ["what_to_bring", "risks", "contact", "lat", "lon", "address"] {
        map.insert(key.into(), Value::Null);
    }
    for locale in ["en", "zh-CN"] {
        let m = message(MessageKind::Reminder24h, locale, payload.clone());
        let p = parse(&build(&m, false).unwrap());
        assert_eq!(p.reply_to, None);
        p.hides("Gloves");
        p.hides("Wang Fang");
        p.hides("openstreetmap");
        p.hides(if locale == "en" {
            "What to bring"
        } else {
            "请携带"
        });
    }
    // A contact without an e-mail is shown but gives no Reply-To; without a position the map
    // searches for the address.
    let mut payload = shift_payload();
    payload["contact"] = json!({"name": "Wang Fang", "phone": "123", "email": null});
    payload["lat"] = Value::Null;
    let p = parse(&build(&message(MessageKind::Reminder24h, "en", payload), false).unwrap());
    assert_eq!(p.reply_to, None);
    p.shows("Wang Fang");
    p.shows("https://www.openstreetmap.org/search?query=88%20Century%20Avenue%2C%20Pudong");
    assert!(p.html.contains("href=\"tel:123\""));
}

#[test]
fn overnight_shift_shows_both_dates() {
    let mut payload = shift_payload();
    payload["starts_at"] = json!("2027-06-02T14:00:00Z");
    payload["ends_at"] = json!("2027-06-02T17:00:00Z");
    let p = parse(
        &build(
            &message(MessageKind::Reminder2h, "en", payload.clone()),
            true,
        )
        .unwrap(),
    );
    p.shows("Wed 2 June 2027, 22:00 – Thu 3 June 2027, 01:00 (Asia/Shanghai)");
    let p = parse(&build(&message(MessageKind::Reminder2h, "zh-CN", payload), true).unwrap());
    p.shows("2027年6月2日（星期三）22:00 – 2027年6月3日（星期四）01:00（Asia/Shanghai）");
}

#[test]
fn message_id_is_stable_and_date_is_now() {
    let m = message(MessageKind::Reminder2h, "en", shift_payload());
    let (a, b) = (build(&m, true).unwrap(), build(&m, true).unwrap());
    assert_eq!(parse(&a).message_id, parse(&b).message_id);
    let parsed = mail_parser::MessageParser::default().parse(&a).unwrap();
    assert_eq!(parsed.date().unwrap().to_timestamp(), now().timestamp());
}

#[test]
fn locales_choose_the_language() {
    assert_eq!(Language::from_locale("en"), Language::En);
    assert_eq!(Language::from_locale("en-US"), Language::En);
    assert_eq!(Language::from_locale("EN_gb"), Language::En);
    assert_eq!(Language::from_locale("zh-CN"), Language::ZhCn);
    assert_eq!(Language::from_locale(""), Language::ZhCn);
    assert_eq!(Language::from_locale("fr"), Language::ZhCn);
}

#[test]
fn catalogues_parse_compile_and_have_the_same_keys() {
    let zh = Catalogue::parse(include_str!("../../locales/zh-CN.toml")).unwrap();
    let en = Catalogue::parse(include_str!("../../locales/en.toml")).unwrap();
    assert_eq!(
        zh.strings.keys().collect::<Vec<_>>(),
        en.strings.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        zh.lists.keys().collect::<Vec<_>>(),
        en.lists.keys().collect::<Vec<_>>()
    );
    for c in [&zh, &en] {
        assert_eq!(c.lists["calendar.weekdays"].len(), 7);
        assert_eq!(c.lists["calendar.months"].len(), 12);
    }
    LIBRARY.get(Language::ZhCn).unwrap();
    LIBRARY.get(Language::En).unwrap();
}

#[test]
fn templates_hold_no_words() {
    // Everything a reader sees comes from the catalogues: strip the tags and the template
    // expressions and only punctuation may remain.
    for template in [
        include_str!("../../templates/email.html"),
        include_str!("../../templates/email.txt"),
    ] {
        let mut rest = String::new();
        let mut depth = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if matches!(chars.peek(), Some('{' | '%')) => depth += 1,
                '}' | '%' if depth > 0 && chars.peek() == Some(&'}') => {
                    chars.next();
                    depth -= 1;
                }
                '<' if depth == 0 => depth += 1,
                '>' if depth > 0 => depth -= 1,
                c if depth == 0 => rest.push(c),
                _ => {}
            }
        }
        let words: Vec<&str> = rest
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        assert!(words.is_empty(), "words in a template: {words:?}");
    }
}

fn host_request() -> Value {
    json!({
        "claim_id": "5b1f2c3d-0000-4000-8000-000000000005",
        "recipient_name": "Wang Fang", "volunteer_name": "Li Ming",
        "title": "Reading to residents", "host_name": "Longevity Care Home",
        "started_at": "2027-05-20T01:00:00Z", "ended_at": "2027-05-20T03:30:00Z",
        "minutes": 150, "evidence_url": "https://example.org/<photo>.jpg",
        "description": "Read stories & sang", "expires_at": "2027-06-27T08:00:00Z",
    })
}

#[test]
fn claim_host_request_carries_the_signed_link_in_both_languages() {
    for (locale, subject, shows) in [
        (
            "en",
            "Please confirm Li Ming's volunteer hours",
            [
                "Service claimed: Reading to residents, Thu 20 May 2027, 09:00–11:30 (Asia/Shanghai), 2 h 30 min.",
                "In their words: Read stories & sang",
                "Evidence they attached: https://example.org/<photo>.jpg",
                "by Sun 27 June 2027, 16:00",
                "Confirm or decline",
            ],
        ),
        (
            "zh-CN",
            "请确认 Li Ming 的志愿服务时长",
            [
                "申报的服务：Reading to residents，2027年5月20日（星期四）09:00–11:30（Asia/Shanghai），共 2小时30分钟。",
                "本人说明：Read stories & sang",
                "附带的证明材料：https://example.org/<photo>.jpg",
                "2027年6月27日（星期日）16:00",
                "确认或拒绝",
            ],
        ),
    ] {
        let m = message(MessageKind::ClaimHostRequest, locale, host_request());
        // Nobody with an account: no unsubscribe link.
        let p = parse(&build(&m, false).expect("composes"));
        assert_eq!(p.subject, format!("Hourbook · {subject}"));
        assert_eq!(p.header("List-Unsubscribe"), None);
        for s in shows {
            p.shows(s);
        }
        p.shows(ACTION);
        assert!(p.html.contains(&format!("href=\"{ACTION}\"")), "{}", p.html);
        // The footer says why a stranger got it, not that they volunteer here.
        p.shows(if locale == "en" {
            "because Li Ming named you on Hourbook"
        } else {
            "是因为 Li Ming 在 Hourbook 填写您"
        });
        // The volunteer's words are escaped in the HTML part.
        assert!(p.html.contains("Read stories &amp; sang"), "{}", p.html);
        assert!(!p.html.contains("<photo>"), "{}", p.html);
        assert!(p.attachments.is_empty());
    }
}

#[test]
fn claim_host_request_without_a_link_cannot_be_sent() {
    let m = message(MessageKind::ClaimHostRequest, "en", host_request());
    let from = from();
    let c = Compose {
        from: &from,
        public_url: PUBLIC_URL,
        timezone: chrono_tz::Asia::Shanghai,
        unsubscribe_url: None,
        action_url: None,
        now: now(),
    };
    assert!(matches!(
        compose(&m, &c),
        Err(ComposeError::Missing { field, .. }) if field == "action_url"
    ));
}

#[test]
fn claim_decided_says_verified_or_why_not() {
    let base = json!({
        "claim_id": "5b1f2c3d-0000-4000-8000-000000000005", "recipient_name": "Li Ming",
        "title": "Reading to residents", "organization_name": "Longevity Care Home",
        "started_at": "2027-05-20T01:00:00Z", "ended_at": "2027-05-20T03:30:00Z",
        "claimed_minutes": 150,
    });
    let mut verified = base.clone();
    verified["status"] = json!("verified");
    verified["minutes"] = json!(120);
    verified["note"] = json!("left at 11:00");
    let m = message(MessageKind::ClaimDecided, "en", verified);
    let p = parse(&build(&m, true).expect("composes"));
    assert_eq!(p.subject, "Hourbook · Hours recorded: Reading to residents");
    p.shows("Longevity Care Home confirmed 2 h of service, Reading to residents");
    p.shows("Their note: left at 11:00");
    p.shows(UNSUBSCRIBE);

    let mut rejected = base;
    rejected["status"] = json!("rejected");
    rejected["note"] = json!("不是本院的活动");
    let m = message(MessageKind::ClaimDecided, "zh-CN", rejected);
    let p = parse(&build(&m, true).expect("composes"));
    assert_eq!(p.subject, "Hourbook · 申报未通过：Reading to residents");
    p.shows("Longevity Care Home 未通过您申报的「Reading to residents」");
    p.shows("2小时30分钟");
    p.shows("原因：不是本院的活动");
}

#[test]
fn certificate_issued_links_to_the_printable_page() {
    let payload = json!({
        "recipient_name": "Li Ming", "number": "HBC-2027-000042", "code": "7KQ4M2XD9P",
        "total_minutes": 1260, "period_from": "2027-01-01", "period_to": "2027-06-30",
    });
    let p = parse(
        &build(
            &message(MessageKind::CertificateIssued, "en", payload.clone()),
            true,
        )
        .expect("composes"),
    );
    assert_eq!(p.subject, "Hourbook · Your certificate HBC-2027-000042");
    p.shows("21 h from Fri 1 January 2027 to Wed 30 June 2027");
    p.shows("the code 7KQ4M2XD9P");
    let link = format!("{PUBLIC_URL}/verify/7KQ4M2XD9P");
    assert!(p.html.contains(&format!("href=\"{link}\"")), "{}", p.html);
    let p = parse(
        &build(
            &message(MessageKind::CertificateIssued, "zh-CN", payload),
            true,
        )
        .expect("composes"),
    );
    p.shows("共 21小时");
    p.shows("查看并打印");
}

#[test]
fn correction_made_says_before_after_and_why() {
    let payload = json!({
        "recipient_name": "Li Ming", "entry_id": "5b1f2c3d-0000-4000-8000-000000000006",
        "organization_name": "Changfeng Community Centre",
        "started_at": "2027-06-02T01:00:00Z", "ended_at": "2027-06-02T04:00:00Z",
        "previous_minutes": 180, "minutes": 150, "note": "left at 11:30",
    });
    let p = parse(
        &build(&message(MessageKind::CorrectionMade, "en", payload), true).expect("composes"),
    );
    assert_eq!(p.subject, "Hourbook · Your service record was corrected");
    p.shows("Changfeng Community Centre corrected your service on Wed 2 June 2027, 09:00–12:00 (Asia/Shanghai): 3 h before, 2 h 30 min now.");
    p.shows("Their reason: left at 11:30");
}
