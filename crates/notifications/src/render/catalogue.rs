//! The two message catalogues and the templates, parsed and compiled once.
//!
//! Each language gets its own minijinja environment holding the two e-mail templates
//! (`email.html`, auto-escaped because of its name, and `email.txt`) and every catalogue
//! string as a template of its own, named by its dotted key (`kinds.invitation.lead`).
//! Catalogue strings are rendered as plain text; the HTML template escapes them when it
//! inserts them, so a value such as an event title is escaped exactly once.

use super::Language;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::collections::BTreeMap;
use std::sync::LazyLock;

const HTML: &str = include_str!("../../templates/email.html");
const TEXT: &str = include_str!("../../templates/email.txt");
const ZH_CN: &str = include_str!("../../locales/zh-CN.toml");
const EN: &str = include_str!("../../locales/en.toml");

/// One language's strings: dotted key to template source, and the lists (weekday names...).
#[derive(Debug, Default)]
pub(crate) struct Catalogue {
    pub(crate) strings: BTreeMap<String, String>,
    pub(crate) lists: BTreeMap<String, Vec<String>>,
}

impl Catalogue {
    pub(crate) fn parse(source: &str) -> Result<Self, String> {
        let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
        let mut catalogue = Catalogue::default();
        catalogue.flatten("", &table)?;
        Ok(catalogue)
    }

    fn flatten(&mut self, prefix: &str, table: &toml::Table) -> Result<(), String> {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::String(s) => {
                    self.strings.insert(path, s.clone());
                }
                toml::Value::Table(t) => self.flatten(&path, t)?,
                toml::Value::Array(items) => {
                    let list = items
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| format!("{path}: only lists of strings are allowed"))?;
                    self.lists.insert(path, list);
                }
                _ => {
                    return Err(format!(
                        "{path}: only strings, lists and tables are allowed"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A language's catalogue and its compiled templates.
pub(crate) struct Texts {
    pub(crate) catalogue: &'static Catalogue,
    pub(crate) env: Environment<'static>,
}

/// Both languages, or why the compiled-in sources are broken (a unit test keeps them sound).
pub(crate) struct Library {
    zh_cn: Result<Texts, String>,
    en: Result<Texts, String>,
}

impl Library {
    pub(crate) fn get(&self, language: Language) -> Result<&Texts, String> {
        match language {
            Language::ZhCn => self.zh_cn.as_ref(),
            Language::En => self.en.as_ref(),
        }
        .map_err(|e| format!("{}: {e}", language.tag()))
    }
}

static CATALOGUES: LazyLock<[Result<Catalogue, String>; 2]> =
    LazyLock::new(|| [Catalogue::parse(ZH_CN), Catalogue::parse(EN)]);

pub(crate) static LIBRARY: LazyLock<Library> = LazyLock::new(|| Library {
    zh_cn: texts(&CATALOGUES[0]),
    en: texts(&CATALOGUES[1]),
});

fn texts(catalogue: &'static Result<Catalogue, String>) -> Result<Texts, String> {
    let catalogue = catalogue.as_ref()?;
    let mut env = Environment::new();
    // A misspelt value in a template or catalogue fails the render instead of going out empty.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(|out, state, value| {
        // minijinja's HTML escaping also turns `/` into `&#x2f;`, which is valid but makes
        // every link unreadable in the source; the five characters below are what matters
        // in text and in quoted attributes.
        if state.auto_escape() == AutoEscape::Html
            && !value.is_safe()
            && let Some(text) = value.as_str()
        {
            return out
                .write_str(&escape_html(text))
                .map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_template("email.html", HTML)
        .map_err(|e| e.to_string())?;
    env.add_template("email.txt", TEXT)
        .map_err(|e| e.to_string())?;
    for (key, source) in &catalogue.strings {
        env.add_template(key, source)
            .map_err(|e| format!("{key}: {e}"))?;
    }
    Ok(Texts { catalogue, env })
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
