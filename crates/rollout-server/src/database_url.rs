//! [`DatabaseUrl`]: a connection URL that may carry a password and therefore never prints it.
//! `Debug` and `Display` show the redacted form; only [`DatabaseUrl::expose`] gives the real
//! string, and only the backend calls it. Keeping the secret out of `Debug` matters because
//! configuration structs end up in `tracing` fields and error messages.

use std::fmt;

/// A database URL whose password is hidden from every printed form.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

/// For clap: any string is accepted here; the backend judges the scheme.
impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The real URL, password included; for connecting and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with the password of the user part and any `password=` query parameter replaced
    /// by `***`. Written by hand rather than with a URL parser so that malformed input (which
    /// is exactly what ends up in error messages) is redacted too.
    pub fn redacted(&self) -> String {
        let url = self.0.as_str();
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return redact_query(url);
        };
        let rest = &url[scheme_end..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let authority = match authority.rfind('@') {
            Some(at) => match authority[..at].find(':') {
                Some(colon) => format!("{}:***{}", &authority[..colon], &authority[at..]),
                None => authority.to_owned(),
            },
            None => authority.to_owned(),
        };
        format!(
            "{}{authority}{}",
            &url[..scheme_end],
            redact_query(&rest[authority_end..])
        )
    }
}

/// Hides the value of every `password` query parameter (libpq accepts one there too).
fn redact_query(s: &str) -> String {
    let Some(q) = s.find('?') else {
        return s.to_owned();
    };
    let (path, query) = s.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{path}{}{fragment}", params.join("&"))
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        let cases = [
            (
                "postgres://rollout:s3cr%40t@db:5432/rollout",
                "postgres://rollout:***@db:5432/rollout",
            ),
            (
                "postgresql://u:p@h/db?sslmode=require&password=hunter2#x",
                "postgresql://u:***@h/db?sslmode=require&password=***#x",
            ),
            ("postgres://u:p:q@h", "postgres://u:***@h"),
            (
                "postgres://postgres@127.0.0.1/db",
                "postgres://postgres@127.0.0.1/db",
            ),
            ("sqlite:rollout.db", "sqlite:rollout.db"),
            ("sqlite:x.db?PASSWORD=x", "sqlite:x.db?PASSWORD=***"),
            ("mysql://a:b@c", "mysql://a:***@c"),
        ];
        for (raw, shown) in cases {
            let url = DatabaseUrl::new(raw);
            assert_eq!(url.to_string(), shown);
            assert_eq!(format!("{url:?}"), format!("DatabaseUrl({shown:?})"));
            assert_eq!(url.expose(), raw);
        }
    }

    #[test]
    fn nested_debug_output_is_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            url: DatabaseUrl,
        }
        let printed = format!(
            "{:?}",
            Holder {
                url: DatabaseUrl::new("postgres://app:topsecret@db/rollout")
            }
        );
        assert!(!printed.contains("topsecret"), "{printed}");
        assert!(printed.contains("app:***@db"), "{printed}");
    }
}
