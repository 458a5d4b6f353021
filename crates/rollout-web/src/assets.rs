//! The dashboard's static files, embedded in the binary: one stylesheet (system fonts that read
//! well on Windows and macOS office machines: Meiryo, Hiragino, Noto Sans JP) and nothing that
//! comes from another origin. Served with a validator so that browsers revalidate cheaply.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const FILES: &[(&str, &str, &str)] = &[(
    "app.css",
    "text/css; charset=utf-8",
    include_str!("../assets/app.css"),
)];

pub fn routes() -> Router {
    Router::new().route("/assets/{file}", get(asset))
}

fn etag(body: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body.as_bytes());
    format!(
        "\"{}\"",
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tag = etag(body);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == tag)
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, (*content_type).to_owned()),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
            (header::ETAG, tag),
        ],
        *body,
    )
        .into_response()
}
