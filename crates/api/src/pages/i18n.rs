//! The pages' words: one message catalogue per language (TOML, compiled into the binary).
//! zh-CN is the default; `?lang=` chooses (and a cookie remembers it), else the browser's
//! `Accept-Language`.

use hourbook_domain::error::MessageParams;
use minijinja::Value;
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
    pub fn word(self, table: &str, code: &str, params: &MessageParams, english: &str) -> String {
        let key = match params.get("unit") {
            Some(unit) => format!("{table}.{code}_{unit}"),
            None => format!("{table}.{code}"),
        };
        let wording = self.text(&key);
        if wording == key {
            return english.to_string();
        }
        params.iter().fold(wording, |text, (name, value)| {
            let value = if *name == "skills" {
                value
                    .split(',')
                    .map(|skill| self.text(&format!("skills.{skill}")))
                    .collect::<Vec<_>>()
                    .join(&self.text("meta.list_separator"))
            } else {
                value.clone()
            };
            text.replace(&format!("{{{name}}}"), &value)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

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
            Lang::En.word("reason_detail", "urgent", &urgent, "x"),
            "starts in 2 days, 3 of 10 seats filled"
        );
        // A code the catalogue does not know keeps the API's English.
        assert_eq!(
            Lang::ZhCn.word("ineligible", "new_rule", &MessageParams::new(), "as sent"),
            "as sent"
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
