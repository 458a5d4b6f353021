//! The dashboard's cookies: reading them from a request and writing `Set-Cookie` values with
//! the attributes every one of them carries (HttpOnly, SameSite=Lax, Path=/, Secure over TLS).

use axum::http::{HeaderMap, HeaderValue, header};

/// The session cookie: a random secret whose SHA-256 the database keeps.
pub const SESSION: &str = "rollout_session";
/// The language of signed-out pages (signed-in users keep theirs in the database).
pub const LANGUAGE: &str = "rollout_lang";
/// The double-submit token of the forms shown before sign-in.
pub const PRE_SESSION: &str = "rollout_pre";
/// The OIDC sign-in in progress: `state.verifier.nonce.next`.
pub const OIDC: &str = "rollout_oidc";

/// The value of cookie `name`, if the request sent it.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for `name=value`, living `max_age` seconds (a session cookie when `None`).
pub fn set(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe ASCII")
}

/// `Set-Cookie` that deletes `name`.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", Some(0), secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; rollout_session=abc"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("rollout_lang=en"));
        assert_eq!(get(&headers, SESSION), Some("abc"));
        assert_eq!(get(&headers, LANGUAGE), Some("en"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_over_tls() {
        let plain = set(SESSION, "x", Some(60), false);
        assert_eq!(
            plain.to_str().unwrap(),
            "rollout_session=x; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(
            set(SESSION, "x", None, true)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
        assert!(
            clear(SESSION, false)
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}
