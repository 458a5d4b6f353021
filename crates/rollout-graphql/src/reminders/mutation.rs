//! The reminder mutations. Rules (`createReminderRule`, `updateReminderRule`,
//! `setReminderRuleEnabled`) are the project office's and admins'; webhook endpoints
//! (`createWebhookEndpoint`, `updateWebhookEndpoint`) admins' only; `retryDelivery` is for
//! those who operate the scheduler. `markNotificationsRead`, `snoozeReminderItem` and
//! `setMyLanguage` act on the viewer's own things only: the user is the actor, never an input.
//!
//! Each calls one `App` use case; expected failures come back in the payload's `errors` with
//! their input path (a rule's `scope.states.0` as `["scope", "states", "0"]`). A webhook
//! endpoint's secret appears in the payload that created or rotated it, and nowhere else.

use async_graphql::{Context, Object, SimpleObject};
use rollout_app::AppError;
use rollout_domain::{DeliveryId, ReminderRuleId, WebhookEndpointId};
use tracing::instrument;

use super::enums::Language;
use super::inputs::{
    CreateReminderRuleInput, CreateWebhookEndpointInput, MarkNotificationsReadInput,
    RetryDeliveryInput, SetMyLanguageInput, SetReminderRuleEnabledInput, SnoozeReminderItemInput,
    UpdateReminderRuleInput, UpdateWebhookEndpointInput, definition_of, endpoint_input, input_path,
};
use super::operations::{Delivery, WebhookEndpoint};
use super::rule::ReminderRule;
use crate::errors::{UserError, payload_errors};
use crate::ids::NodeType;
use crate::inputs::input_id;
use crate::scalars::Date;
use crate::{actor, app};

/// Payload errors of a failed reminder use case, with the app's field paths as input paths.
fn reminder_errors(e: &AppError, id_field: &str) -> async_graphql::Result<Vec<UserError>> {
    Ok(payload_errors(e, id_field)?
        .into_iter()
        .map(|mut u| {
            u.path = u.path.map(input_path);
            u
        })
        .collect())
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ReminderRulePayload {
    pub rule: Option<ReminderRule>,
    pub errors: Vec<UserError>,
}

fn rule_payload(
    result: Result<rollout_domain::reminders::ReminderRule, AppError>,
) -> async_graphql::Result<ReminderRulePayload> {
    Ok(match result {
        Ok(rule) => ReminderRulePayload {
            rule: Some(ReminderRule::single(rule)),
            errors: Vec::new(),
        },
        Err(e) => rule_failed(reminder_errors(&e, "id")?),
    })
}

fn rule_failed(errors: Vec<UserError>) -> ReminderRulePayload {
    ReminderRulePayload { rule: None, errors }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// How many notifications changed from unread to read.
    pub count: i64,
    /// The viewer's unread notifications afterwards.
    pub unread_count: i64,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct SnoozeReminderItemPayload {
    pub item_key: Option<String>,
    pub until: Option<Date>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct SetMyLanguagePayload {
    pub language: Option<Language>,
    pub errors: Vec<UserError>,
}

/// An endpoint and, when it was just made or rotated, its secret. `Debug` shows no secret.
#[derive(Clone)]
pub struct WebhookEndpointPayload {
    endpoint: Option<rollout_domain::reminders::WebhookEndpoint>,
    show_secret: bool,
    errors: Vec<UserError>,
}

impl std::fmt::Debug for WebhookEndpointPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpointPayload")
            .field("endpoint", &self.endpoint.as_ref().map(|e| e.id))
            .field("show_secret", &self.show_secret)
            .field("errors", &self.errors)
            .finish()
    }
}

impl WebhookEndpointPayload {
    fn new(
        result: Result<rollout_domain::reminders::WebhookEndpoint, AppError>,
        show_secret: bool,
    ) -> async_graphql::Result<Self> {
        Ok(match result {
            Ok(e) => Self {
                endpoint: Some(e),
                show_secret,
                errors: Vec::new(),
            },
            Err(e) => Self::failed(reminder_errors(&e, "id")?),
        })
    }

    fn failed(errors: Vec<UserError>) -> Self {
        Self {
            endpoint: None,
            show_secret: false,
            errors,
        }
    }
}

#[Object]
impl WebhookEndpointPayload {
    async fn endpoint(&self) -> Option<WebhookEndpoint> {
        self.endpoint.clone().map(WebhookEndpoint)
    }

    /// The signing secret (`whsec_…`, Standard Webhooks): shown here once, when the endpoint is
    /// created or its secret rotated, and never again; null otherwise.
    async fn secret(&self) -> Option<&str> {
        self.endpoint
            .as_ref()
            .filter(|_| self.show_secret)
            .map(|e| e.secret.as_str())
    }

    async fn errors(&self) -> &[UserError] {
        &self.errors
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct DeliveryPayload {
    pub delivery: Option<Delivery>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub(crate) struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Creates a reminder rule, validated whole. Project office and admins.
    #[instrument(skip_all)]
    async fn create_reminder_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateReminderRuleInput,
    ) -> async_graphql::Result<ReminderRulePayload> {
        let actor = actor(ctx)?;
        let def = match input.definition.into_definition() {
            Ok(def) => def,
            Err(errors) => return Ok(rule_failed(errors)),
        };
        rule_payload(app(ctx)?.create_reminder_rule(&actor, def).await)
    }

    /// Replaces a rule's definition. A rule re-enabled or rescheduled counts ticks from now.
    /// Project office and admins.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_reminder_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdateReminderRuleInput,
    ) -> async_graphql::Result<ReminderRulePayload> {
        let actor = actor(ctx)?;
        let id = input_id(&input.id, NodeType::ReminderRule, "id").map(ReminderRuleId);
        let def = input.definition.into_definition();
        let (id, def) = match (id, def) {
            (Ok(id), Ok(def)) => (id, def),
            (id, def) => {
                let errors = id.err().into_iter().chain(def.err().into_iter().flatten());
                return Ok(rule_failed(errors.collect()));
            }
        };
        rule_payload(
            app(ctx)?
                .update_reminder_rule(&actor, id, input.expected_version, def)
                .await,
        )
    }

    /// Pauses (false) or resumes (true) a rule; a paused rule's ticks are neither fired nor
    /// counted missed. Project office and admins.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn set_reminder_rule_enabled(
        &self,
        ctx: &Context<'_>,
        input: SetReminderRuleEnabledInput,
    ) -> async_graphql::Result<ReminderRulePayload> {
        let actor = actor(ctx)?;
        let id = match input_id(&input.id, NodeType::ReminderRule, "id") {
            Ok(id) => ReminderRuleId(id),
            Err(e) => return Ok(rule_failed(vec![e])),
        };
        let app = app(ctx)?;
        // Read without a permission check: the update below checks it, and records a refusal
        // in the audit trail as every refused change is.
        let current = match app.store().reminder_rule(id).await {
            Ok(Some(rule)) => rule,
            Ok(None) => {
                // FORBIDDEN before NOT_FOUND, so that ids tell a refused caller nothing.
                let e = match app.reminder_rule(&actor, id).await {
                    Err(e) => e,
                    Ok(_) => AppError::NotFound {
                        entity: "reminder rule",
                        key: id.to_string(),
                    },
                };
                return rule_payload(Err(e));
            }
            Err(e) => return rule_payload(Err(e.into())),
        };
        let mut def = definition_of(&current);
        def.enabled = input.enabled;
        rule_payload(
            app.update_reminder_rule(&actor, id, input.expected_version, def)
                .await,
        )
    }

    /// Marks the viewer's notifications read: those named, or all. Anyone signed in.
    #[instrument(skip_all)]
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationsReadInput,
    ) -> async_graphql::Result<MarkNotificationsReadPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| MarkNotificationsReadPayload {
            count: 0,
            unread_count: 0,
            errors,
        };
        let ids = match input.into_ids() {
            Ok(ids) => ids,
            Err(errors) => return Ok(failed(errors)),
        };
        let app = app(ctx)?;
        let marked = app.mark_my_notifications_read(&actor, ids.as_deref()).await;
        let count = match marked {
            Ok(n) => i64::try_from(n).unwrap_or(i64::MAX),
            Err(e) => return Ok(failed(reminder_errors(&e, "ids")?)),
        };
        Ok(match app.my_unread_notifications(&actor).await {
            Ok(unread_count) => MarkNotificationsReadPayload {
                count,
                unread_count,
                errors: Vec::new(),
            },
            Err(e) => failed(reminder_errors(&e, "ids")?),
        })
    }

    /// Stops every rule reminding the viewer of an item until the day after `until`.
    #[instrument(skip_all)]
    async fn snooze_reminder_item(
        &self,
        ctx: &Context<'_>,
        input: SnoozeReminderItemInput,
    ) -> async_graphql::Result<SnoozeReminderItemPayload> {
        let actor = actor(ctx)?;
        let result = app(ctx)?
            .snooze_item(&actor, input.item_key, input.until.0)
            .await;
        Ok(match result {
            Ok(s) => SnoozeReminderItemPayload {
                item_key: Some(s.item_key),
                until: Some(Date(s.until)),
                errors: Vec::new(),
            },
            Err(e) => SnoozeReminderItemPayload {
                item_key: None,
                until: None,
                errors: reminder_errors(&e, "itemKey")?,
            },
        })
    }

    /// Sets the language the viewer reads reminders in (subject, body and lines of what
    /// fires from now on).
    #[instrument(skip_all)]
    async fn set_my_language(
        &self,
        ctx: &Context<'_>,
        input: SetMyLanguageInput,
    ) -> async_graphql::Result<SetMyLanguagePayload> {
        let actor = actor(ctx)?;
        let result = app(ctx)?
            .set_my_language(&actor, input.language.into())
            .await;
        Ok(match result {
            Ok(l) => SetMyLanguagePayload {
                language: Some(l.into()),
                errors: Vec::new(),
            },
            Err(e) => SetMyLanguagePayload {
                language: None,
                errors: reminder_errors(&e, "language")?,
            },
        })
    }

    /// Adds a webhook endpoint; the payload shows its secret, once. Admins.
    #[instrument(skip_all)]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointPayload> {
        let actor = actor(ctx)?;
        let result = app(ctx)?
            .create_webhook_endpoint(&actor, input.into())
            .await;
        WebhookEndpointPayload::new(result, true)
    }

    /// Replaces an endpoint's fields, and with `rotateSecret` its secret (shown once in the
    /// payload; the previous one stays valid for 24 hours). Admins.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointPayload> {
        let actor = actor(ctx)?;
        let id = match input_id(&input.id, NodeType::WebhookEndpoint, "id") {
            Ok(id) => WebhookEndpointId(id),
            Err(e) => return Ok(WebhookEndpointPayload::failed(vec![e])),
        };
        let fields = endpoint_input(
            input.url,
            input.description,
            &input.event_types,
            input.enabled,
        );
        let result = app(ctx)?
            .update_webhook_endpoint(
                &actor,
                id,
                input.expected_version,
                fields,
                input.rotate_secret,
            )
            .await;
        WebhookEndpointPayload::new(result, input.rotate_secret)
    }

    /// Puts a DEAD delivery back in the queue, due now, under the same id. Project office
    /// and admins.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn retry_delivery(
        &self,
        ctx: &Context<'_>,
        input: RetryDeliveryInput,
    ) -> async_graphql::Result<DeliveryPayload> {
        let actor = actor(ctx)?;
        let id = match input_id(&input.id, NodeType::Delivery, "id") {
            Ok(id) => DeliveryId(id),
            Err(e) => {
                return Ok(DeliveryPayload {
                    delivery: None,
                    errors: vec![e],
                });
            }
        };
        Ok(match app(ctx)?.retry_delivery(&actor, id).await {
            Ok(d) => DeliveryPayload {
                delivery: Some(Delivery(d)),
                errors: Vec::new(),
            },
            Err(e) => DeliveryPayload {
                delivery: None,
                errors: reminder_errors(&e, "id")?,
            },
        })
    }
}
