//! Webhook endpoints, managed by admins (`Action::ManageWebhooks`): a URL, the reminder kinds
//! it receives and a signing secret in the Standard Webhooks form (`whsec_` and 32 random bytes
//! in base64), shown once when created or rotated and never again. Rotating keeps the previous
//! secret valid for a grace period, so receivers can switch without losing a delivery.

use base64::Engine;
use chrono::Duration;
use rand::RngCore;
use rollout_domain::WebhookEndpointId;
use rollout_domain::authz::Action;
use rollout_domain::reminders::records::WebhookEndpoint;
use rollout_domain::reminders::rule::KIND_NAMES;
use rollout_domain::text::TextKind;
use rollout_store::Write;
use serde_json::{Value, json};

use crate::audit::Target;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// How long the previous secret stays valid after a rotation.
pub const ROTATION_GRACE: Duration = Duration::hours(24);

/// An endpoint to create or the fields to replace.
#[derive(Debug, Clone)]
pub struct EndpointInput {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The endpoint without its secrets, for the audit trail.
fn endpoint_json(e: &WebhookEndpoint) -> Value {
    json!({"url": e.url, "description": e.description, "eventTypes": e.event_types,
           "enabled": e.enabled, "version": e.version})
}

fn check(input: &mut EndpointInput) -> AppResult<()> {
    input.url = input.url.trim().to_owned();
    let ok_scheme = input.url.starts_with("https://") || input.url.starts_with("http://");
    let bad_char = |c: char| c.is_whitespace() || c.is_control();
    if !ok_scheme || input.url.len() > 2000 || input.url.chars().any(bad_char) {
        return Err(AppError::validation(
            "url",
            "an endpoint URL is an http:// or https:// address of at most 2,000 characters",
        ));
    }
    for (i, t) in input.event_types.iter().enumerate() {
        if !KIND_NAMES.contains(&t.as_str()) {
            return Err(AppError::validation(
                &format!("eventTypes.{i}"),
                format!("unknown reminder kind {t:?}"),
            ));
        }
    }
    input.event_types.sort();
    input.event_types.dedup();
    // The free-text rule (no control characters, NUL included) before the length.
    TextChecks::default()
        .check_opt("description", TextKind::Comment, input.description.as_mut())
        .finish()?;
    if let Some(d) = &input.description
        && d.chars().count() > 500
    {
        return Err(AppError::validation(
            "description",
            "at most 500 characters",
        ));
    }
    Ok(())
}

impl App {
    /// Creates an endpoint; the returned value carries the secret, shown this once.
    pub async fn create_webhook_endpoint(
        &self,
        actor: &Actor,
        input: EndpointInput,
    ) -> AppResult<WebhookEndpoint> {
        let id = WebhookEndpointId(new_uuid());
        let target = Target::new("WebhookEndpoint", id);
        self.require(
            actor,
            Action::ManageWebhooks,
            "webhook_endpoint.create",
            &target,
        )
        .await?;
        let mut input = input;
        check(&mut input)?;
        let now = self.now();
        let endpoint = WebhookEndpoint {
            id,
            url: input.url,
            description: input.description.filter(|d| !d.trim().is_empty()),
            event_types: input.event_types,
            secret: new_secret(),
            previous_secret: None,
            previous_secret_expires_at: None,
            enabled: input.enabled,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let audit = self.audit_entry(
            actor,
            "webhook_endpoint.create",
            &target,
            None,
            Some(endpoint_json(&endpoint)),
        );
        self.store()
            .commit(&[
                Write::InsertWebhookEndpoint(endpoint.clone()),
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(endpoint)
    }

    /// Replaces an endpoint's fields under its version; with `rotate`, a new secret (returned,
    /// shown this once) and the old one valid for [`ROTATION_GRACE`].
    pub async fn update_webhook_endpoint(
        &self,
        actor: &Actor,
        id: WebhookEndpointId,
        expected_version: i32,
        input: EndpointInput,
        rotate: bool,
    ) -> AppResult<WebhookEndpoint> {
        let target = Target::new("WebhookEndpoint", id);
        self.require(
            actor,
            Action::ManageWebhooks,
            "webhook_endpoint.update",
            &target,
        )
        .await?;
        let mut input = input;
        check(&mut input)?;
        let current =
            self.store()
                .webhook_endpoint(id)
                .await?
                .ok_or_else(|| AppError::NotFound {
                    entity: "webhook endpoint",
                    key: id.to_string(),
                })?;
        crate::blockers::check_version(expected_version, current.version)?;
        let now = self.now();
        let mut after = WebhookEndpoint {
            url: input.url,
            description: input.description.filter(|d| !d.trim().is_empty()),
            event_types: input.event_types,
            enabled: input.enabled,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        if rotate {
            after.previous_secret = Some(current.secret.clone());
            after.previous_secret_expires_at = Some(now + ROTATION_GRACE);
            after.secret = new_secret();
        }
        let mut after_json = endpoint_json(&after);
        after_json["secretRotated"] = json!(rotate);
        let audit = self.audit_entry(
            actor,
            "webhook_endpoint.update",
            &target,
            Some(endpoint_json(&current)),
            Some(after_json),
        );
        self.store()
            .commit(&[
                Write::UpdateWebhookEndpoint {
                    endpoint: after.clone(),
                    expected_version: current.version,
                },
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(after)
    }

    /// Every endpoint (secrets included: the API never shows them after creation).
    pub async fn webhook_endpoints(&self, actor: &Actor) -> AppResult<Vec<WebhookEndpoint>> {
        self.require_quietly(actor, Action::ManageWebhooks)?;
        Ok(self.store().webhook_endpoints().await?)
    }
}
