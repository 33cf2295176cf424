//! The pages' words: one message catalogue per language (TOML, compiled into the binary).
//! zh-CN is the default; `?lang=` chooses (and a cookie remembers it), else the browser's
//! `Accept-Language`.

use minijinja::Value;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// One language's catalogue, one file per area of the site (so each area's words sit
/// together); their top-level tables are merged, and no two files may share one.
macro_rules! catalogue_files {
    ($lang:literal) => {
        [
            (
                concat!($lang, "/volunteer.toml"),
                include_str!(concat!("../../locales/", $lang, "/volunteer.toml")),
            ),
            (
                concat!($lang, "/organizer.toml"),
                include_str!(concat!("../../locales/", $lang, "/organizer.toml")),
            ),
            (
                concat!($lang, "/school.toml"),
                include_str!(concat!("../../locales/", $lang, "/school.toml")),
            ),
        ]
    };
}

const ZH_CN: [(&str, &str); 3] = catalogue_files!("zh-CN");
const EN: [(&str, &str); 3] = catalogue_files!("en");

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese, the default.
    ZhCn,
    /// English.
    En,
}

struct Catalogue {
    table: toml::Table,
    value: Value,
}

fn load(files: &[(&str, &str)]) -> Catalogue {
    let mut table = toml::Table::new();
    for (name, source) in files {
        // Compiled-in text: the unit tests below load both languages, so this cannot fail in
        // a build that passed them.
        let part: toml::Table = toml::from_str(source)
            .unwrap_or_else(|e| panic!("the page catalogue {name} does not parse: {e}"));
        for (key, value) in part {
            assert!(
                !table.contains_key(&key),
                "[{key}] of {name} is already in another file of its language"
            );
            table.insert(key, value);
        }
    }
    let value = Value::from_serialize(&table);
    Catalogue { table, value }
}

static CATALOGUES: LazyLock<[Catalogue; 2]> = LazyLock::new(|| [load(&ZH_CN), load(&EN)]);

/// The API's English messages in Chinese, keyed by the English (see the file's header). Kept
/// apart from the page catalogues: English has no file of its own (the key is the wording).
const API_MESSAGES_ZH_CN: &str = include_str!("../../locales/zh-CN/api_messages.toml");

/// The API messages' wordings: exact keys, and keys with `{}` split into their literal parts.
struct ApiMessages {
    exact: HashMap<String, String>,
    /// Literal parts (one more than the values) and the wording; the keys with the most
    /// literal text come first, so that "must be between -{} and {}, and not 0" wins over
    /// "must be between {} and {}" for a message both could match.
    patterns: Vec<(Vec<String>, String)>,
}

fn load_api_messages(source: &str) -> ApiMessages {
    // Compiled-in text: the unit tests below parse it, so this cannot fail in a build that
    // passed them.
    let mut file: toml::Table = toml::from_str(source)
        .unwrap_or_else(|e| panic!("locales/zh-CN/api_messages.toml does not parse: {e}"));
    let Some(toml::Value::Table(table)) = file.remove("api_messages") else {
        panic!("locales/zh-CN/api_messages.toml has no [api_messages] table");
    };
    let mut messages = ApiMessages {
        exact: HashMap::new(),
        patterns: Vec::new(),
    };
    for (english, wording) in table {
        let toml::Value::String(wording) = wording else {
            panic!("api_messages: {english:?} is not a string");
        };
        if english.contains("{}") {
            let parts = english.split("{}").map(str::to_string).collect();
            messages.patterns.push((parts, wording));
        } else {
            messages.exact.insert(english, wording);
        }
    }
    let literal_len = |parts: &[String]| parts.iter().map(String::len).sum::<usize>();
    messages
        .patterns
        .sort_by_key(|(parts, _)| std::cmp::Reverse(literal_len(parts)));
    messages
}

static API_MESSAGES: LazyLock<ApiMessages> =
    LazyLock::new(|| load_api_messages(API_MESSAGES_ZH_CN));

/// The values of `message` where a key's literal `parts` leave gaps, if it matches them in
/// order. Each value is the shortest that lets the next literal follow; none may be empty.
fn values<'m>(parts: &[String], message: &'m str) -> Option<Vec<&'m str>> {
    let (first, rest) = parts.split_first()?;
    let (last, middle) = rest.split_last()?;
    let mut tail = message.strip_prefix(first.as_str())?;
    let mut values = Vec::with_capacity(rest.len());
    for literal in middle {
        // Searching after the first character keeps every value at least one long.
        let skip = tail.chars().next()?.len_utf8();
        let at = skip + tail[skip..].find(literal.as_str())?;
        values.push(&tail[..at]);
        tail = &tail[at + literal.len()..];
    }
    let value = tail.strip_suffix(last.as_str())?;
    if value.is_empty() {
        return None;
    }
    values.push(value);
    Some(values)
}

impl Lang {
    /// The BCP 47 tag (`zh-CN`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// A tag as a visitor or a browser sends it: `en`, `en-GB`, `zh`, `zh-CN`, `zh-Hans`...
    pub fn parse(raw: &str) -> Option<Lang> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers most among those we speak.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// `?lang=` first, then the remembered choice, then the browser's preference, then zh-CN.
    pub fn choose(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Lang {
        query
            .and_then(Lang::parse)
            .or_else(|| cookie.and_then(Lang::parse))
            .or_else(|| accept.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::ZhCn)
    }

    fn catalogue(self) -> &'static Catalogue {
        &CATALOGUES[match self {
            Lang::ZhCn => 0,
            Lang::En => 1,
        }]
    }

    /// Every word, for templates (`t.section.key`).
    pub fn words(self) -> Value {
        self.catalogue().value.clone()
    }

    /// One string by its dotted key, for words put together in Rust. A missing key gives the
    /// key itself (the catalogue tests make sure none is missing).
    pub fn text(self, key: &str) -> String {
        let mut table = &self.catalogue().table;
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            match table.get(part) {
                Some(toml::Value::Table(t)) if parts.peek().is_some() => table = t,
                Some(toml::Value::String(s)) if parts.peek().is_none() => return s.clone(),
                _ => break,
            }
        }
        key.to_string()
    }

    /// A service category's name: organizers choose categories freely, so the catalogue
    /// names the common ones and any other shows as written (`elder_care` as "elder care").
    pub fn category(self, category: &str) -> String {
        let key = format!("categories.{category}");
        match self.text(&key) {
            name if name != key => name,
            _ => category.replace('_', " "),
        }
    }

    /// Words a coded message (a matching reason, an ineligibility) from the catalogue's
    /// `table`: the wording under its code (or `{code}_{unit}` when it has a `unit`), with
    /// each `{name}` replaced by its value; skill codes (`skills`) become skill names.
    /// `english` (the API's own detail) where the catalogue has no wording for the code.
    pub fn word<K: Borrow<str> + Ord>(
        self,
        table: &str,
        code: &str,
        params: &BTreeMap<K, String>,
        english: &str,
    ) -> String {
        let key = match params.get("unit") {
            Some(unit) => format!("{table}.{code}_{unit}"),
            None => format!("{table}.{code}"),
        };
        let wording = self.text(&key);
        if wording == key {
            return english.to_string();
        }
        params.iter().fold(wording, |text, (name, value)| {
            let value = if name.borrow() == "skills" {
                value
                    .split(',')
                    .map(|skill| self.text(&format!("skills.{skill}")))
                    .collect::<Vec<_>>()
                    .join(&self.text("meta.list_separator"))
            } else {
                value.clone()
            };
            text.replace(&format!("{{{}}}", name.borrow()), &value)
        })
    }

    /// An English message of the API (a field error, a conflict, a refusal) as the pages show
    /// it: English pages as written, Chinese ones from `api_messages.toml` (the exact message,
    /// else the most specific key with `{}` whose literal text it matches, its values put in
    /// place). A message the file does not know stays English rather than disappearing.
    pub fn api_message(self, english: &str) -> String {
        if self == Lang::En {
            return english.to_string();
        }
        let messages = &*API_MESSAGES;
        if let Some(wording) = messages.exact.get(english) {
            return wording.clone();
        }
        messages
            .patterns
            .iter()
            .find_map(|(parts, wording)| Some(self.place(wording, &values(parts, english)?)))
            .unwrap_or_else(|| english.to_string())
    }

    /// A wording with each `{n}` replaced by the n-th value, and each `{n|table}` by the
    /// catalogue's word for that value in `table` (a signup status), or the value itself when
    /// the table has no such word.
    fn place(self, wording: &str, values: &[&str]) -> String {
        let mut out = String::with_capacity(wording.len());
        let mut rest = wording;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let (index, table) = match after[..close].split_once('|') {
                Some((index, table)) => (index, Some(table)),
                None => (&after[..close], None),
            };
            match index.parse::<usize>().ok().and_then(|i| values.get(i)) {
                Some(value) => match table {
                    Some(table) => {
                        let key = format!("{table}.{value}");
                        let word = self.text(&key);
                        out.push_str(if word == key { value } else { &word });
                    }
                    None => out.push_str(value),
                },
                None => out.push_str(&rest[open..open + close + 2]),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hourbook_domain::error::MessageParams;
    use std::collections::{BTreeMap, BTreeSet};

    /// Every key, with lists named by their length so a missing weekday is noticed too.
    fn keys(prefix: &str, table: &toml::Table, out: &mut BTreeSet<String>) {
        for (key, value) in table {
            let path = format!("{prefix}{key}");
            match value {
                toml::Value::Table(t) => keys(&format!("{path}."), t, out),
                toml::Value::Array(items) => {
                    out.insert(format!("{path}[{}]", items.len()));
                }
                toml::Value::String(_) => {
                    out.insert(path);
                }
                other => panic!("{path}: only strings, lists and tables belong here: {other}"),
            }
        }
    }

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let (mut zh, mut en) = (BTreeSet::new(), BTreeSet::new());
        keys("", &load(&ZH_CN).table, &mut zh);
        keys("", &load(&EN).table, &mut en);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "missing in locales/en: {only_zh:?}; missing in locales/zh-CN: {only_en:?}"
        );
    }

    #[test]
    fn coded_messages_are_worded_from_their_values() {
        let params: MessageParams = [
            ("skills", "first_aid".to_string()),
            ("date", "2027-07-01".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            Lang::ZhCn.word("ineligible", "certificate_expired", &params, "x"),
            "需要在 2027-07-01 仍有效的急救证书"
        );
        let urgent: MessageParams = [
            ("unit", "days".to_string()),
            ("in", "2".into()),
            ("confirmed", "3".into()),
            ("capacity", "10".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            Lang::En.word("reasons_detail", "urgent", &urgent, "x"),
            "starts in 2 days, 3 of 10 seats filled"
        );
        // A code the catalogue does not know keeps the API's English.
        assert_eq!(
            Lang::ZhCn.word("ineligible", "new_rule", &MessageParams::new(), "as sent"),
            "as sent"
        );
    }

    /// Calls whose message is computed, not written at the call: (file under crates/, the
    /// message argument, why the file needs no key for it).
    const COMPUTED: &[(&str, &str, &str)] = &[
        (
            "domain/src/error.rs",
            "message",
            "DomainError::invalid and Validator::error pass their callers' messages on",
        ),
        (
            "domain/src/error.rs",
            "other.to_string()",
            "Validator::check runs parses, which fail with field errors; another error is a bug",
        ),
        (
            "api/src/extract.rs",
            "clean_serde_message(&err.into_inner().to_string())",
            "serde's words about a JSON body; pages post forms, which never get there",
        ),
        (
            "api/src/extract.rs",
            "what",
            "path_id's callers name what is missing, and they are scanned",
        ),
        ("api/src/error.rs", "what", "the API's answer to a NotFound"),
        ("api/src/error.rs", "why", "the API's answer to a Forbidden"),
        (
            "api/src/pages/forms.rs",
            "what",
            "the pages' answer to a NotFound",
        ),
        (
            "api/src/pages/forms.rs",
            "why",
            "the pages' answer to a Forbidden",
        ),
        (
            "api/src/pages/organizer/mod.rs",
            "why",
            "must_organize's callers pass the store's own words for the same refusal",
        ),
    ];

    /// The arguments of a call, `src` starting just after its `(`.
    fn call_args(src: &str) -> Vec<&str> {
        let bytes = src.as_bytes();
        let (mut depth, mut start, mut i) = (0usize, 0usize, 0usize);
        let mut args = Vec::new();
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i += 1;
                    while bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                // A char literal ('x', '\''), not a lifetime ('static).
                b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                    i += 3;
                    while bytes[i] != b'\'' {
                        i += 1;
                    }
                }
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => {
                    args.push(src[start..i].trim());
                    break;
                }
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    args.push(src[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        args.retain(|a| !a.is_empty());
        args
    }

    /// A string literal's text: escapes undone, continued lines joined as rustc joins them.
    fn unescape(literal: &str) -> String {
        let mut out = String::new();
        let mut chars = literal.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every message the domain, the store and the API write, as the file keys it (a
    /// format!'s values as `{}`), with a file that writes it; and the computed ones, as (file,
    /// argument). Test modules are left out: their messages never reach a page.
    fn source_messages() -> (BTreeMap<String, String>, BTreeSet<(String, String)>) {
        use regex::Regex;
        let call = Regex::new(
            r"(DomainError::invalid|FieldError::new|\.error|StoreError::conflict|StoreError::Forbidden|StoreError::NotFound|path_id)\s*\(",
        )
        .unwrap();
        let tests = Regex::new(r"#\[cfg\(test\)\]\s*mod\s").unwrap();
        let literal = Regex::new(r#"(?s)^"((?:\\.|[^"\\])*)"$"#).unwrap();
        let format = Regex::new(r#"(?s)^format!\(\s*"((?:\\.|[^"\\])*)""#).unwrap();
        let placeholder = Regex::new(r"\{[^{}]*\}").unwrap();
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["domain/src", "store/src", "api/src"] {
            rust_files(&crates.join(dir), &mut files);
        }
        files.sort();
        let (mut found, mut computed) = (BTreeMap::new(), BTreeSet::new());
        for path in files {
            let name = path
                .strip_prefix(&crates)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(&path).unwrap();
            let source = match tests.find(&source) {
                Some(m) => &source[..m.start()],
                None => &source[..],
            };
            for m in call.captures_iter(source) {
                let whole = m.get(0).unwrap();
                if source[..whole.start()].ends_with("fn ") {
                    continue; // path_id's own definition
                }
                let args = call_args(&source[whole.end()..]);
                let (index, prefix) = match &m[1] {
                    "StoreError::NotFound" => (0, "no such "),
                    "path_id" => (1, "no such "),
                    "StoreError::conflict" | "StoreError::Forbidden" => (0, ""),
                    _ => (1, ""),
                };
                let Some(arg) = args.get(index).filter(|_| args.len() == index + 1) else {
                    computed.insert((name.clone(), args.join(", ")));
                    continue;
                };
                if arg.trim() == "_" {
                    continue; // a pattern matching a NotFound or a Forbidden: no message made
                }
                let text = if let Some(l) = literal.captures(arg) {
                    unescape(&l[1])
                } else if let Some(f) = format.captures(arg) {
                    placeholder.replace_all(&unescape(&f[1]), "{}").into_owned()
                } else {
                    computed.insert((name.clone(), arg.to_string()));
                    continue;
                };
                found
                    .entry(format!("{prefix}{text}"))
                    .or_insert_with(|| name.clone());
            }
        }
        (found, computed)
    }

    #[test]
    fn every_message_of_the_api_has_a_chinese_wording() {
        let (found, computed) = source_messages();
        let table = &API_MESSAGES;
        let known = |message: &str| {
            table.exact.contains_key(message)
                || table
                    .patterns
                    .iter()
                    .any(|(parts, _)| parts.join("{}") == message)
        };
        let missing: Vec<_> = found
            .iter()
            .filter(|(message, _)| !known(message))
            .map(|(message, file)| format!("{message:?} ({file})"))
            .collect();
        assert!(
            missing.is_empty(),
            "add to locales/zh-CN/api_messages.toml:\n{}",
            missing.join("\n")
        );
        let stale: Vec<_> = table
            .exact
            .keys()
            .cloned()
            .chain(table.patterns.iter().map(|(parts, _)| parts.join("{}")))
            .filter(|key| !found.contains_key(key))
            .collect();
        assert!(
            stale.is_empty(),
            "no code writes these any more; remove them from api_messages.toml: {stale:?}"
        );
        let excused: BTreeSet<_> = COMPUTED
            .iter()
            .map(|(file, arg, _)| (file.to_string(), arg.to_string()))
            .collect();
        let unread: Vec<_> = computed.difference(&excused).collect();
        assert!(
            unread.is_empty(),
            "messages that are not a literal or a format! at the call: write them there, or \
             list them in COMPUTED with the reason they need no wording: {unread:?}"
        );
        let gone: Vec<_> = excused.difference(&computed).collect();
        assert!(
            gone.is_empty(),
            "COMPUTED names calls no longer there: {gone:?}"
        );
        // The scan itself still sees what it is for (rustfmt splits most of these calls).
        for message in [
            "must be between 0.1 and 200",
            "must be at most {} characters",
            "you are {} m from the shift; check in within {} m",
            "a signup that is {} cannot check in",
            "no such signup",
            "only the event's organizers check volunteers in and out",
            "{} of the volunteers holding a seat have another shift at the new time; keep the \
             time, or cancel the shift and post a new one",
        ] {
            assert!(found.contains_key(message), "the scan missed {message:?}");
        }
    }

    #[test]
    fn each_wording_places_exactly_the_values_of_its_key() {
        let placeholder = regex::Regex::new(r"\{(\d+)(?:\|(\w+))?\}").unwrap();
        let file: toml::Table = toml::from_str(API_MESSAGES_ZH_CN).unwrap();
        let table = file["api_messages"].as_table().expect("[api_messages]");
        assert!(file.len() == 1, "only [api_messages] belongs in the file");
        for (key, wording) in table {
            let wording = wording.as_str().expect("a string");
            assert!(
                !key.contains("{}{}"),
                "{key:?}: values need text between them"
            );
            let values = key.matches("{}").count();
            let mut used = BTreeSet::new();
            for c in placeholder.captures_iter(wording) {
                used.insert(c[1].parse::<usize>().unwrap());
                if let Some(words) = c.get(2) {
                    assert!(
                        Lang::ZhCn.catalogue().table.get(words.as_str()).is_some(),
                        "{key:?}: the catalogue has no [{}] table",
                        words.as_str()
                    );
                }
            }
            assert_eq!(
                used,
                (0..values).collect(),
                "{key:?} = {wording:?}: the key has {values} value(s); place each of them \
                 ({{0}}, {{1}}...) and no other"
            );
            let rest = placeholder.replace_all(wording, "");
            assert!(
                !rest.contains(['{', '}']),
                "{key:?} = {wording:?}: a brace that places nothing"
            );
            assert!(!wording.trim().is_empty(), "{key:?} has no wording");
        }
    }

    #[test]
    fn api_messages_are_worded_in_the_visitors_language() {
        let zh = |m: &str| Lang::ZhCn.api_message(m);
        assert_eq!(zh("must be between 0.1 and 200"), "须在 0.1 到 200 之间");
        assert_eq!(zh("no such signup"), "报名不存在");
        assert_eq!(zh("must be at most 40 characters"), "最多 40 个字符");
        assert_eq!(
            zh("you are 1112 m from the shift; check in within 200 m"),
            "你距离岗位 1112 米，须在 200 米以内签到"
        );
        // Values in another order than the English's.
        assert_eq!(
            zh("the entry must stay between 0 and 600 minutes: it stands at 700"),
            "记录须在 0 到 600 分钟之间，目前为 700 分钟"
        );
        // The most specific key wins over "must be between {} and {}".
        assert_eq!(
            zh("must be between -480 and 480, and not 0"),
            "须在 -480 到 480 之间，且不能为 0"
        );
        // A status is worded by the page catalogue; one it does not know stays as it is.
        assert_eq!(
            zh("a signup that is checked_out cannot check in"),
            "报名状态为“已签退，等待认证”，无法签到"
        );
        assert_eq!(
            zh("a signup that is on_hold cannot check in"),
            "报名状态为“on_hold”，无法签到"
        );
        assert_eq!(
            zh("this invitation is already accepted"),
            "此邀请已处理（已接受）"
        );
        // A message the file does not know yet stays English rather than disappearing.
        assert_eq!(zh("a rule added last week"), "a rule added last week");
        assert_eq!(
            zh("you are  m from the shift; check in within  m"),
            "you are  m from the shift; check in within  m"
        );
        assert_eq!(
            Lang::En.api_message("must be between 0.1 and 200"),
            "must be between 0.1 and 200"
        );
    }

    #[test]
    fn each_catalogue_names_its_own_language() {
        assert_eq!(Lang::ZhCn.text("meta.lang"), "zh-CN");
        assert_eq!(Lang::En.text("meta.lang"), "en");
        assert_eq!(Lang::En.text("no.such.key"), "no.such.key");
    }

    #[test]
    fn the_query_beats_the_cookie_which_beats_the_browser() {
        assert_eq!(Lang::choose(None, None, None), Lang::ZhCn);
        assert_eq!(Lang::choose(None, None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::choose(None, Some("zh-CN"), Some("en")), Lang::ZhCn);
        assert_eq!(Lang::choose(Some("en"), Some("zh-CN"), None), Lang::En);
        assert_eq!(
            Lang::choose(Some("fr"), None, Some("fr,en;q=0.5")),
            Lang::En
        );
        assert_eq!(
            Lang::choose(None, None, Some("en;q=0.4,zh-CN;q=0.8")),
            Lang::ZhCn
        );
        assert_eq!(Lang::choose(None, None, Some("de,fr")), Lang::ZhCn);
    }
}
