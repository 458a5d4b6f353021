//! GraphiQL, served from the binary: the page at `GET /graphql` (for clients that prefer
//! `text/html`) and its scripts and styles under `/graphiql/`. Nothing is loaded from a CDN,
//! so it works on closed networks; the vendored files and their licences are described in
//! `graphiql/README.md`.
//!
//! The page runs under a Content-Security-Policy that allows scripts from this server only
//! (GraphiQL's styling needs inline styles) and lets it talk to this server only. GraphiQL is
//! told not to persist request headers, since they may hold a bearer token. It opens with the
//! headers editor holding `{"Authorization": "Bearer "}` and a query whose comment says where
//! tokens come from; subscriptions go to `/graphql/ws` (settings in the page's data attributes,
//! read by `graphiql/boot.js`).

use axum::Router;
use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Where the assets are served.
pub const ASSET_PREFIX: &str = "/graphiql";

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rollout GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="/graphql" data-subscription-path="/graphql/ws"
  data-headers='{"Authorization": "Bearer "}'
  data-query="# Every request needs an API token: paste it after &quot;Bearer &quot; under Headers
# below. rollout prints tokens once, when it makes them (serve --demo, demo --users,
# token create --user E-MAIL --name NAME). Subscriptions run over /graphql/ws.
query {
  rolloutSummary { total digitised digitisationRate }
}
">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/boot.js"></script>
</body>
</html>
"##;

/// `(file name, content type, bytes)` of each asset.
const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("graphiql/react-dom.production.min.js"),
    ),
    (
        "boot.js",
        "text/javascript; charset=utf-8",
        include_bytes!("graphiql/boot.js"),
    ),
];

/// The GraphiQL page.
pub fn page() -> Response {
    let mut response = (StatusCode::OK, PAGE).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("vary", HeaderValue::from_static("accept"));
    response
}

/// The asset routes.
pub fn assets() -> Router {
    Router::new().route(&format!("{ASSET_PREFIX}/{{file}}"), get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (StatusCode::OK, *bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A day: a new release may ship new files under the same names.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_local_assets() {
        for src in PAGE
            .split("src=\"")
            .skip(1)
            .chain(PAGE.split("href=\"").skip(1))
        {
            let url = src.split('"').next().unwrap();
            let file = url
                .strip_prefix("/graphiql/")
                .unwrap_or_else(|| panic!("non-local {url}"));
            assert!(
                ASSETS.iter().any(|(name, _, _)| *name == file),
                "{file} is not served"
            );
        }
        assert!(!PAGE.contains("//unpkg") && !PAGE.contains("https://"));
        for (name, _, bytes) in ASSETS {
            assert!(bytes.len() > 100, "{name} is empty");
        }
    }

    #[tokio::test]
    async fn assets_are_served_with_their_types() {
        let response = asset(Path("boot.js".to_owned())).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        let missing = asset(Path("../Cargo.toml".to_owned())).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let page = page();
        assert!(
            page.headers()[CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
    }
}
