//! The template environment: every template embedded at build time, HTML auto-escaping, the
//! formatting filters, the `t(key)` words function and the chart functions. Rendering errors are
//! bugs of this crate (every page is rendered by the tests), reported as 500 with the details
//! logged.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, State, Value};

use crate::format;
use crate::i18n::Catalog;
use crate::svg;

/// The embedded templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    (
        "procedures.html",
        include_str!("../templates/procedures.html"),
    ),
    (
        "procedure.html",
        include_str!("../templates/procedure.html"),
    ),
    (
        "bottlenecks.html",
        include_str!("../templates/bottlenecks.html"),
    ),
    (
        "law_changes.html",
        include_str!("../templates/law_changes.html"),
    ),
    ("quality.html", include_str!("../templates/quality.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("my.html", include_str!("../templates/my.html")),
    ("admin.html", include_str!("../templates/admin.html")),
];

/// Templates and words, loaded once per process.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    catalog: Arc<Catalog>,
}

impl Templates {
    pub fn load() -> Self {
        let catalog = Arc::new(Catalog::load());
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
        }
        env.add_filter("date", format::date);
        env.add_filter("datetime", format::datetime);
        env.add_filter("quarter", format::quarter);
        env.add_filter("num", format::num);
        env.add_filter("pct", format::pct);
        let words = catalog.clone();
        env.add_function("t", move |state: &State, key: String| -> String {
            words.get(format::lang_of(state), &key).to_owned()
        });
        svg::register(&mut env);
        Self { env, catalog }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Renders `name` with `context`; a template error is logged and becomes a plain 500.
    pub fn render(&self, name: &str, context: Value) -> Response {
        match self.render_string(name, context) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %format!("{e:#}"), "a dashboard template failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the page could not be rendered",
                )
                    .into_response()
            }
        }
    }

    pub fn render_string(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")` of every template names a key of the catalogs (in both languages, which
    /// the catalog loader enforces).
    #[test]
    fn every_word_a_template_uses_is_translated() {
        let catalog = Catalog::load();
        let mut missing = Vec::new();
        for (name, source) in TEMPLATES {
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                // `t("error." ~ code)`: a prefix completed at run time.
                if !key.ends_with(['.', '_']) && !catalog.contains(key) {
                    missing.push(format!("{name}: {key}"));
                }
            }
        }
        assert!(missing.is_empty(), "keys without words: {missing:#?}");
    }

    #[test]
    fn every_template_compiles() {
        let templates = Templates::load();
        for (name, _) in TEMPLATES {
            assert!(templates.env.get_template(name).is_ok(), "{name}");
        }
    }
}
