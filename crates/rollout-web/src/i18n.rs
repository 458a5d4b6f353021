//! The dashboard's words in Japanese and English. Each page area has its catalog under
//! `crates/rollout-web/i18n/*.toml` (`key = { ja = "…", en = "…" }`, grouped in tables), embedded
//! at build time and read once. A test checks that every key a template uses exists in both
//! languages, so a missing translation fails the build's tests rather than a meeting.

use std::collections::HashMap;

pub use rollout_domain::reminders::Language as Lang;

/// The embedded catalogs, one per page area.
const FILES: &[(&str, &str)] = &[
    ("common", include_str!("../i18n/common.toml")),
    ("overview", include_str!("../i18n/overview.toml")),
    ("procedures", include_str!("../i18n/procedures.toml")),
    ("procedure", include_str!("../i18n/procedure.toml")),
    ("bottlenecks", include_str!("../i18n/bottlenecks.toml")),
    ("law_changes", include_str!("../i18n/law_changes.toml")),
    ("quality", include_str!("../i18n/quality.toml")),
    ("report", include_str!("../i18n/report.toml")),
    ("my", include_str!("../i18n/my.toml")),
    ("admin", include_str!("../i18n/admin.toml")),
];

/// Every key in both languages.
#[derive(Debug, Default)]
pub struct Catalog {
    words: HashMap<String, [String; 2]>,
}

impl Catalog {
    /// Reads the embedded catalogs; a malformed one is a bug of this crate (caught by tests).
    pub fn load() -> Self {
        let mut words = HashMap::new();
        for (name, text) in FILES {
            let table: toml::Table = text
                .parse()
                .unwrap_or_else(|e| panic!("i18n/{name}.toml: {e}"));
            flatten("", &table, &mut words, name);
        }
        Self { words }
    }

    /// The words for `key` in `lang`; the key itself when unknown (tests keep that from
    /// happening).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        match self.words.get(key) {
            Some([ja, en]) => match lang {
                Lang::Ja => ja,
                Lang::En => en,
            },
            None => key,
        }
    }

    #[cfg(test)]
    pub fn contains(&self, key: &str) -> bool {
        self.words.contains_key(key)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, [String; 2]>, file: &str) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let toml::Value::Table(inner) = value else {
            panic!("i18n/{file}.toml: {full} is not a table");
        };
        match (inner.get("ja"), inner.get("en")) {
            (Some(toml::Value::String(ja)), Some(toml::Value::String(en))) => {
                let previous = out.insert(full.clone(), [ja.clone(), en.clone()]);
                assert!(previous.is_none(), "i18n/{file}.toml: {full} defined twice");
            }
            (None, None) => flatten(&full, inner, out, file),
            _ => panic!("i18n/{file}.toml: {full} needs both ja and en"),
        }
    }
}

/// The language of a page for someone who has not chosen one: the `rollout_lang` cookie (the
/// switch, before sign-in), else Japanese, the programme's language, whatever the browser's
/// locale (office machines are not always set up in Japanese; English is one click away).
pub fn negotiate(cookie: Option<&str>) -> Lang {
    cookie.and_then(Lang::parse).unwrap_or(Lang::Ja)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_load_and_answer_in_both_languages() {
        let catalog = Catalog::load();
        assert_eq!(catalog.get(Lang::Ja, "nav.overview"), "概要");
        assert_eq!(catalog.get(Lang::En, "nav.overview"), "Overview");
        assert_eq!(catalog.get(Lang::En, "no.such.key"), "no.such.key");
    }

    #[test]
    fn visitors_get_their_switch_else_japanese() {
        assert_eq!(negotiate(Some("en")), Lang::En);
        assert_eq!(negotiate(Some("xx")), Lang::Ja);
        assert_eq!(negotiate(None), Lang::Ja);
    }
}
