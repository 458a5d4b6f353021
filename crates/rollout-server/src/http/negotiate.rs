//! Media types: which one to answer with (the `Accept` header, RFC 9110 §12.5.1) and whether a
//! request body's `Content-Type` is one the endpoint reads.
//!
//! Answering: `application/graphql-response+json` (the GraphQL-over-HTTP media type, whose
//! status codes say what went wrong) or `application/json` (the legacy one, always 200 for a
//! well-formed request), and `text/html` for GraphiQL on GET. Without an `Accept` header, or
//! when only wildcards match, `application/json` wins, as the spec asks for legacy clients.
//!
//! Reading: only `application/json` and `application/graphql-response+json` bodies, in UTF-8.
//! That is the CSRF guard (see the `http` module header): neither is a type an HTML form or a
//! "simple" cross-origin request can send.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_TYPE};

/// A media type the endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    GraphqlResponseJson,
    Json,
    Html,
}

impl MediaType {
    pub fn essence(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json",
            Self::Json => "application/json",
            Self::Html => "text/html",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }
}

/// The JSON media types, in the order that breaks ties among equally acceptable ones.
pub const JSON_TYPES: [MediaType; 2] = [MediaType::Json, MediaType::GraphqlResponseJson];

/// One media range of an `Accept` header.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f32,
}

fn ranges(headers: &HeaderMap) -> Vec<Range<'_>> {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let (kind, subtype) = parts.next()?.trim().split_once('/')?;
            let mut q = 1.0;
            for param in parts {
                if let Some((name, value)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    q = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))?;
                }
            }
            Some(Range {
                kind: kind.trim(),
                subtype: subtype.trim(),
                q,
            })
        })
        .collect()
}

/// How `candidate` is accepted: the quality of the most specific matching range and that
/// specificity (2 exact, 1 `type/*`, 0 `*/*`); `None` when no range matches.
fn acceptance(ranges: &[Range<'_>], candidate: MediaType) -> Option<(f32, u8)> {
    let (kind, subtype) = candidate.essence().split_once('/')?;
    ranges
        .iter()
        .filter_map(|r| {
            let specificity = if r.kind == "*" && r.subtype == "*" {
                0
            } else if !r.kind.eq_ignore_ascii_case(kind) {
                return None;
            } else if r.subtype == "*" {
                1
            } else if r.subtype.eq_ignore_ascii_case(subtype) {
                2
            } else {
                return None;
            };
            Some((r.q, specificity))
        })
        .max_by_key(|&(_, specificity)| specificity)
}

/// The media type to answer with among `candidates` (listed in tie-break order), or `None` when
/// the client accepts none of them (406).
pub fn negotiate(headers: &HeaderMap, candidates: &[MediaType]) -> Option<MediaType> {
    let ranges = ranges(headers);
    if ranges.is_empty() {
        // No (usable) Accept header: the spec says to assume application/json.
        return candidates
            .iter()
            .copied()
            .find(|c| *c == MediaType::Json)
            .or(candidates.first().copied());
    }
    let mut best: Option<(MediaType, (f32, u8, bool))> = None;
    for &candidate in candidates {
        let Some((q, specificity)) = acceptance(&ranges, candidate) else {
            continue;
        };
        if q <= 0.0 {
            continue;
        }
        // The GraphQL media type wins a tie only when named; through a wildcard the legacy
        // type does, so that `*/*` clients get `application/json`.
        let named_graphql = candidate == MediaType::GraphqlResponseJson && specificity == 2;
        let key = (q, specificity, named_graphql);
        if best.is_none_or(|(_, b)| key.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)) {
            best = Some((candidate, key));
        }
    }
    best.map(|(media, _)| media)
}

/// Why a request body's content type is refused (415).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentTypeError {
    #[error(
        "a Content-Type header is required: send application/json or application/graphql-response+json"
    )]
    Missing,
    #[error(
        "Content-Type {0:?} is not supported: send application/json or application/graphql-response+json"
    )]
    Unsupported(String),
    #[error("charset {0:?} is not supported: GraphQL requests must be UTF-8")]
    Charset(String),
}

/// Checks that a POST body is JSON in UTF-8.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ContentTypeError> {
    let value = headers.get(CONTENT_TYPE).ok_or(ContentTypeError::Missing)?;
    let text = value.to_str().map_err(|_| {
        ContentTypeError::Unsupported(String::from_utf8_lossy(value.as_bytes()).into())
    })?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let supported = [MediaType::Json, MediaType::GraphqlResponseJson]
        .iter()
        .any(|m| essence.eq_ignore_ascii_case(m.essence()));
    if !supported {
        return Err(ContentTypeError::Unsupported(text.to_owned()));
    }
    for param in parts {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let charset = value.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") {
                return Err(ContentTypeError::Charset(charset.to_owned()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    const WITH_HTML: [MediaType; 3] = [
        MediaType::Json,
        MediaType::GraphqlResponseJson,
        MediaType::Html,
    ];

    #[test]
    fn accept_headers_choose_the_answer() {
        use MediaType::*;
        let cases: &[(&str, Option<MediaType>)] = &[
            (
                "application/graphql-response+json",
                Some(GraphqlResponseJson),
            ),
            ("application/json", Some(Json)),
            ("*/*", Some(Json)),
            ("application/*", Some(Json)),
            (
                "application/graphql-response+json, application/json;q=0.9",
                Some(GraphqlResponseJson),
            ),
            (
                "application/json, application/graphql-response+json",
                Some(GraphqlResponseJson),
            ),
            (
                "application/graphql-response+json;q=0.5, application/json",
                Some(Json),
            ),
            ("application/json;q=0, */*", Some(GraphqlResponseJson)),
            ("APPLICATION/JSON; charset=utf-8", Some(Json)),
            ("text/html", None),
            ("application/xml, text/plain", None),
            ("application/json;q=0", None),
        ];
        for (header, expected) in cases {
            assert_eq!(
                negotiate(&accept(header), &JSON_TYPES),
                *expected,
                "Accept: {header}"
            );
        }
        assert_eq!(negotiate(&HeaderMap::new(), &JSON_TYPES), Some(Json));
        assert_eq!(negotiate(&accept("garbage"), &JSON_TYPES), Some(Json));
    }

    #[test]
    fn browsers_get_html_and_tools_get_json() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(
            negotiate(&accept(browser), &WITH_HTML),
            Some(MediaType::Html)
        );
        assert_eq!(negotiate(&accept("*/*"), &WITH_HTML), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept("application/graphql-response+json"), &WITH_HTML),
            Some(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            negotiate(&HeaderMap::new(), &WITH_HTML),
            Some(MediaType::Json)
        );
    }

    fn content_type(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn only_json_bodies_in_utf8_are_read() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=\"UTF-8\"",
            "application/graphql-response+json",
        ] {
            assert_eq!(check_content_type(&content_type(ok)), Ok(()), "{ok}");
        }
        assert_eq!(
            check_content_type(&HeaderMap::new()),
            Err(ContentTypeError::Missing)
        );
        for form in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/graphql",
        ] {
            assert_eq!(
                check_content_type(&content_type(form)),
                Err(ContentTypeError::Unsupported(form.to_owned()))
            );
        }
        assert_eq!(
            check_content_type(&content_type("application/json; charset=latin1")),
            Err(ContentTypeError::Charset("latin1".to_owned()))
        );
    }
}
