//! One webhook POST: the three Standard Webhooks headers on a JSON body, and the classification
//! of the answer into an [`Outcome`].
//!
//! Classification: 2xx is delivered. 408, 429, 5xx, refused connections and timeouts may pass, so
//! they are retried, honouring `Retry-After`. Every other 4xx is the receiver telling us the
//! request itself is wrong (400 bad payload, 401/403 wrong secret, 404/410 endpoint gone), which
//! repeating will not fix. 3xx is dead too: redirects are not followed, because a signed request
//! replayed to wherever a `Location` points would leak reminder content to a host the operator
//! never configured, and a silently moved endpoint is better fixed in the configuration.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};

use super::signature::{WebhookSecret, signature_header};
use crate::delivery::{Outcome, cause_chain};

/// The longest `Retry-After` we honour; a receiver asking for a day would otherwise park the
/// reminder past its usefulness.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// How much of an error response's body goes into the error message.
const BODY_SNIPPET_BYTES: usize = 200;

/// One message to one endpoint.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    /// The endpoint; `http` or `https`.
    pub url: String,
    /// The `webhook-id`: the same on every retry of the message, so receivers can drop repeats.
    pub msg_id: String,
    /// The `webhook-timestamp`, Unix seconds: when this attempt is made (a retry signs anew, so
    /// that receivers' replay tolerance does not reject it).
    pub timestamp: i64,
    /// The JSON body, signed byte for byte.
    pub payload: Vec<u8>,
    /// The endpoint's live secrets: one normally, two while a rotation is under way.
    pub secrets: Vec<WebhookSecret>,
}

/// The client webhooks should be sent with: it never follows redirects (see the module
/// documentation) and names itself. Build it once and share it; it pools connections.
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("rollout-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// POSTs `req` and classifies the answer. `timeout` bounds the whole exchange, from connecting
/// to the end of the response body. Pass a client from [`client`]: one that follows redirects
/// would hide a 3xx behind whatever the redirect target answered.
pub async fn send(client: &reqwest::Client, req: &WebhookRequest, timeout: Duration) -> Outcome {
    if req.secrets.is_empty() {
        return Outcome::dead(
            "the endpoint has no signing secret, so a receiver could not verify the message",
        );
    }
    let secrets: Vec<&WebhookSecret> = req.secrets.iter().collect();
    let signature = signature_header(&secrets, &req.msg_id, req.timestamp, &req.payload);
    let sent = client
        .post(&req.url)
        .timeout(timeout)
        .header("webhook-id", &req.msg_id)
        .header("webhook-timestamp", req.timestamp.to_string())
        .header("webhook-signature", signature)
        .header(CONTENT_TYPE, "application/json")
        .body(req.payload.clone())
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => return classify_error(err, timeout),
    };
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered;
    }
    let after = retry_after(response.headers(), Utc::now());
    let error = format!("HTTP {status}{}", body_snippet(&mut response).await);
    if status.is_redirection() {
        Outcome::dead(format!(
            "{error} (redirects are not followed: configure the final URL)"
        ))
    } else if is_transient(status) {
        Outcome::Retry { after, error }
    } else {
        Outcome::dead(error)
    }
}

fn is_transient(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

fn classify_error(err: reqwest::Error, timeout: Duration) -> Outcome {
    // The URL may carry a token of the receiver's; the endpoint is known to the caller anyway.
    let err = err.without_url();
    if err.is_builder() {
        return Outcome::dead(format!("invalid webhook request: {}", cause_chain(&err)));
    }
    if err.is_timeout() {
        return Outcome::retry(format!(
            "no complete answer within {} ms",
            timeout.as_millis()
        ));
    }
    Outcome::retry(cause_chain(&err))
}

/// The first bytes of an error response's body, as `": <text>"`, or nothing. Control characters
/// are flattened so the message stays one log line.
async fn body_snippet(response: &mut reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < BODY_SNIPPET_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(BODY_SNIPPET_BYTES);
    let text: String = String::from_utf8_lossy(&body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, now)
}

/// `Retry-After` as delay-seconds or an HTTP-date (the IMF-fixdate form every current server
/// sends; the obsolete RFC 850 and asctime forms are ignored), capped at [`RETRY_AFTER_CAP`].
/// A date in the past means "now".
pub(super) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let delay = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than u64 holds is still "a very long time".
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let at = DateTime::parse_from_rfc2822(value)
            .ok()?
            .with_timezone(&Utc);
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(delay.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap()
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("7", now()), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_as_an_http_date() {
        let value = "Sun, 06 Dec 2026 09:02:30 GMT";
        assert_eq!(
            parse_retry_after(value, now()),
            Some(Duration::from_secs(150))
        );
        let past = "Sun, 06 Dec 2026 08:00:00 GMT";
        assert_eq!(parse_retry_after(past, now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_is_capped_at_an_hour() {
        assert_eq!(parse_retry_after("86400", now()), Some(RETRY_AFTER_CAP));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now()),
            Some(RETRY_AFTER_CAP)
        );
        assert_eq!(
            parse_retry_after("Mon, 07 Dec 2026 09:00:00 GMT", now()),
            Some(RETRY_AFTER_CAP)
        );
    }

    #[test]
    fn unreadable_retry_after_is_ignored() {
        for value in ["", "-5", "1.5", "soon", "Sunday, 06-Dec-26 09:02:30 GMT"] {
            assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
        }
    }

    #[test]
    fn transient_statuses() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 401, 403, 404, 410, 413, 422] {
            assert!(!is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
