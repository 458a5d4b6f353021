//! Query strings of the dashboard's URLs: repeated keys (`state=built&state=released`) read as
//! lists, and the list page's filter written back into a URL, so that a filtered view can be
//! bookmarked and sent.

/// The pairs of a query string, in order, percent-decoded.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The non-empty values of `key`.
pub fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
        .collect()
}

/// The first non-empty value of `key`.
pub fn one<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    all(pairs, key).into_iter().next()
}

/// `pairs` as a query string (without `?`), skipping `drop` keys.
pub fn encode(pairs: &[(String, String)], drop: &[&str]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !drop.contains(&k.as_str()) && !v.is_empty() {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_lists_and_round_trip() {
        let p = pairs(Some(
            "state=built&state=released&q=%E7%94%B3%E8%AB%8B&after=abc&bureau=",
        ));
        assert_eq!(all(&p, "state"), ["built", "released"]);
        assert_eq!(one(&p, "q"), Some("申請"));
        assert_eq!(one(&p, "bureau"), None);
        assert_eq!(
            encode(&p, &["after"]),
            "state=built&state=released&q=%E7%94%B3%E8%AB%8B"
        );
    }
}
