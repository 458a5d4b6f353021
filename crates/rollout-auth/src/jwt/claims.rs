//! Reading a compact JWS before and after its signature is checked: splitting it, reading its
//! header (nothing in it is trusted yet), and turning the verified payload into a
//! [`JwtIdentity`] under the registered-claim rules (`iss`, `aud`, `exp`, `nbf`, `sub`) and the
//! configured claim mapping. Choosing a key and checking the signature is [`super`]'s job.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use rollout_domain::identity::{Email, Role};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{JwtError, JwtIdentity, OidcConfig};

/// Far above any real ID or access token (a few kilobytes), and small enough that decoding a
/// hostile one costs nothing.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A token split into its parts, the header read but nothing verified.
pub(crate) struct Parts<'a> {
    pub(crate) header: Header,
    /// `base64(header) "." base64(payload)`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
}

#[derive(Deserialize)]
pub(crate) struct Header {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
    /// RFC 7515 §4.1.11: a verifier must refuse a token whose critical extensions it does not
    /// understand, and rollout understands none.
    crit: Option<Value>,
}

pub(crate) fn split(token: &str) -> Result<Parts<'_>, JwtError> {
    let malformed = |why: &str| JwtError::Malformed(why.to_owned());
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed("longer than 16 KiB"));
    }
    let mut pieces = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(malformed("a JWS has three dot-separated parts"));
    };
    let header: Header = serde_json::from_slice(&decode(header, "header")?)
        .map_err(|e| JwtError::Malformed(format!("header: {e}")))?;
    if header.crit.is_some() {
        return Err(malformed("header has critical extensions (crit)"));
    }
    Ok(Parts {
        header,
        signing_input: &token[..token.len() - signature.len() - 1],
        payload,
        signature,
    })
}

pub(crate) fn decode(part: &str, name: &str) -> Result<Vec<u8>, JwtError> {
    if part.is_empty() {
        return Err(JwtError::Malformed(format!("the {name} is empty")));
    }
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| JwtError::Malformed(format!("{name} is not base64url: {e}")))
}

/// Checks a payload whose signature has already verified and maps it to an identity.
pub(crate) fn identity(
    payload: &str,
    config: &OidcConfig,
    now: DateTime<Utc>,
) -> Result<JwtIdentity, JwtError> {
    let claims: Map<String, Value> = serde_json::from_slice(&decode(payload, "payload")?)
        .map_err(|e| JwtError::Malformed(format!("payload is not a JSON object: {e}")))?;
    // Validation caps the leeway at minutes; the checked arithmetic below keeps a far-future
    // `exp` or `nbf` (up to chrono's year 262143) from overflowing into a panic.
    let leeway = i64::try_from(config.leeway_seconds)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .unwrap_or(TimeDelta::MAX);

    let issuer = required_string(&claims, "iss")?;
    if issuer != config.issuer {
        return Err(JwtError::WrongIssuer(issuer.to_owned()));
    }
    check_audience(&claims, &config.audience)?;
    let expires_at =
        numeric_date(&claims, "exp")?.ok_or_else(|| JwtError::MissingClaim("exp".into()))?;
    if expires_at
        .checked_add_signed(leeway)
        .is_some_and(|end| now >= end)
    {
        return Err(JwtError::Expired(expires_at));
    }
    if let Some(not_before) = numeric_date(&claims, "nbf")?
        && now
            .checked_add_signed(leeway)
            .is_some_and(|latest| not_before > latest)
    {
        return Err(JwtError::NotYetValid(not_before));
    }
    let subject = required_string(&claims, "sub")?.to_owned();

    let mapping = &config.claims;
    let email_raw = required_string(&claims, &mapping.email)?;
    let email =
        Email::parse(email_raw).map_err(|e| JwtError::invalid(&mapping.email, e.to_string()))?;
    // An address the provider has not verified could belong to anyone who typed it in; taking
    // it as a login name would let them act as its real owner. Some providers send the flag
    // as a string.
    if !config.allow_unverified_email
        && claims
            .get("email_verified")
            .is_some_and(|v| *v == Value::Bool(false) || v.as_str() == Some("false"))
    {
        return Err(JwtError::invalid(
            "email_verified",
            "the provider has not verified the e-mail address",
        ));
    }
    let role = match optional_string(&claims, &mapping.role)? {
        None => None,
        Some(raw) => Some(Role::parse(raw).ok_or_else(|| {
            JwtError::invalid(&mapping.role, format!("{raw:?} is not a rollout role"))
        })?),
    };
    Ok(JwtIdentity {
        subject,
        email,
        display_name: optional_string(&claims, &mapping.name)?.map(str::to_owned),
        role,
        bureau_code: optional_string(&claims, &mapping.bureau)?.map(str::to_owned),
        expires_at,
    })
}

fn required_string<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str, JwtError> {
    optional_string(claims, name)?.ok_or_else(|| JwtError::MissingClaim(name.to_owned()))
}

/// A string claim, trimmed; absent, `null` and blank all count as absent.
fn optional_string<'a>(
    claims: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, JwtError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(JwtError::invalid(name, "expected a string")),
    }
}

/// `aud` may be one string or an array of strings (RFC 7519 §4.1.3).
fn check_audience(claims: &Map<String, Value>, audience: &str) -> Result<(), JwtError> {
    let listed = match claims.get("aud") {
        None | Some(Value::Null) => return Err(JwtError::MissingClaim("aud".into())),
        Some(Value::String(s)) => s == audience,
        Some(Value::Array(items)) => {
            if !items.iter().all(Value::is_string) {
                return Err(JwtError::invalid(
                    "aud",
                    "expected a string or an array of strings",
                ));
            }
            items.iter().any(|v| v.as_str() == Some(audience))
        }
        Some(_) => {
            return Err(JwtError::invalid(
                "aud",
                "expected a string or an array of strings",
            ));
        }
    };
    if listed {
        Ok(())
    } else {
        Err(JwtError::WrongAudience)
    }
}

/// A NumericDate (seconds since the epoch, possibly fractional), truncated to whole seconds.
fn numeric_date(
    claims: &Map<String, Value>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, JwtError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let seconds = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.floor() as i64)
        }),
        _ => None,
    }
    .ok_or_else(|| JwtError::invalid(name, "expected a number of seconds"))?;
    DateTime::from_timestamp(seconds, 0)
        .map(Some)
        .ok_or_else(|| JwtError::invalid(name, "out of range"))
}
