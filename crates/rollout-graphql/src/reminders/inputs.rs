//! The inputs of the reminder mutations and their conversion into the app's commands. Ids that
//! do not decode are reported together, with their input path, before any use case runs; the
//! rest of a rule is checked whole by the app (`RuleDefinition`), whose field paths
//! [`input_path`] turns into this API's input names.

use async_graphql::{ID, InputObject};
use rollout_app::reminders::{EndpointInput, RuleDefinition};
use rollout_domain::reminders::{Recipients, ReminderScope};
use rollout_domain::{BureauId, UserId};

use super::enums::{HolidayPolicy, Language, MisfirePolicy, NotificationChannel, ReminderKind};
use crate::errors::{ErrorCode, UserError};
use crate::ids::{NodeType, decode_global_id_as};
use crate::scalars::Date;

/// Which items a rule considers; every list empty (the default) means all.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ReminderScopeInput {
    /// Bureau ids.
    #[graphql(default)]
    pub bureau_ids: Vec<ID>,
    /// Workflow state keys.
    #[graphql(default)]
    pub states: Vec<String>,
    #[graphql(default)]
    pub priority_only: bool,
}

/// Who hears of a rule's items: at least one of these.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ReminderRecipientsInput {
    #[graphql(default)]
    pub assignee: bool,
    #[graphql(default)]
    pub bureau_coordinators: bool,
    #[graphql(default)]
    pub project_office: bool,
    /// User ids, who hear of every item.
    #[graphql(default)]
    pub user_ids: Vec<ID>,
}

/// A rule's whole definition, as `createReminderRule` takes it and `updateReminderRule`
/// replaces it.
#[derive(Debug, Clone, InputObject)]
pub struct ReminderRuleDefinitionInput {
    /// 1 to 200 characters, unique among rules.
    pub name: String,
    /// A crontab expression: 5 fields, or 6 with seconds first, e.g. "0 9 * * 1-5".
    pub schedule: String,
    /// An IANA time zone; Asia/Tokyo when absent.
    pub time_zone: Option<String>,
    pub kind: ReminderKind,
    /// The kind's number of days (1–3650), for the kinds that take one.
    pub days: Option<i32>,
    /// All items when absent.
    pub scope: Option<ReminderScopeInput>,
    pub recipients: ReminderRecipientsInput,
    pub channels: Vec<NotificationChannel>,
    #[graphql(default_with = "HolidayPolicy::Fire")]
    pub holiday_policy: HolidayPolicy,
    #[graphql(default_with = "MisfirePolicy::FireOnce")]
    pub misfire_policy: MisfirePolicy,
    #[graphql(default = 0)]
    pub quiet_days: i32,
    #[graphql(default = true)]
    pub enabled: bool,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateReminderRuleInput {
    #[graphql(flatten)]
    pub definition: ReminderRuleDefinitionInput,
}

/// Replaces a rule's whole definition.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateReminderRuleInput {
    pub id: ID,
    pub expected_version: i32,
    #[graphql(flatten)]
    pub definition: ReminderRuleDefinitionInput,
}

#[derive(Debug, Clone, InputObject)]
pub struct SetReminderRuleEnabledInput {
    pub id: ID,
    pub expected_version: i32,
    pub enabled: bool,
}

/// Ids decoded one by one, each problem at `[field, index]`.
fn ids<T>(
    raw: &[ID],
    ty: NodeType,
    field: &[&str],
    wrap: impl Fn(uuid::Uuid) -> T,
    errors: &mut Vec<UserError>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, id) in raw.iter().enumerate() {
        match decode_global_id_as(id, ty) {
            Ok(u) => out.push(wrap(u)),
            Err(e) => {
                let index = i.to_string();
                let mut path = field.to_vec();
                path.push(&index);
                errors.push(UserError::new(ErrorCode::Validation, &path, e.0));
            }
        }
    }
    out
}

impl ReminderRuleDefinitionInput {
    /// The app's definition, or every malformed id.
    pub(crate) fn into_definition(self) -> Result<RuleDefinition, Vec<UserError>> {
        let mut errors = Vec::new();
        let scope_in = self.scope.unwrap_or_default();
        let bureaus = ids(
            &scope_in.bureau_ids,
            NodeType::Bureau,
            &["scope", "bureauIds"],
            BureauId,
            &mut errors,
        );
        let users = ids(
            &self.recipients.user_ids,
            NodeType::User,
            &["recipients", "userIds"],
            UserId,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RuleDefinition {
            name: self.name,
            schedule: self.schedule,
            time_zone: self.time_zone,
            kind: self.kind.name().to_owned(),
            days: self.days.map(i64::from),
            scope: ReminderScope {
                bureaus,
                states: scope_in.states,
                priority_only: scope_in.priority_only,
            },
            recipients: Recipients {
                assignee: self.recipients.assignee,
                bureau_coordinators: self.recipients.bureau_coordinators,
                project_office: self.recipients.project_office,
                users,
            },
            channels: self.channels.into_iter().map(Into::into).collect(),
            holiday_policy: self.holiday_policy.into(),
            misfire_policy: self.misfire_policy.into(),
            quiet_days: i64::from(self.quiet_days),
            enabled: self.enabled,
        })
    }
}

/// A stored rule's definition, to save again with one thing changed.
pub(crate) fn definition_of(rule: &rollout_domain::reminders::ReminderRule) -> RuleDefinition {
    RuleDefinition {
        name: rule.name.clone(),
        schedule: rule.schedule.clone(),
        time_zone: Some(rule.time_zone.clone()),
        kind: rule.kind.name().to_owned(),
        days: rule.kind.days().map(i64::from),
        scope: rule.scope.clone(),
        recipients: rule.recipients.clone(),
        channels: rule.channels.clone(),
        holiday_policy: rule.holiday_policy,
        misfire_policy: rule.misfire_policy,
        quiet_days: i64::from(rule.quiet_days),
        enabled: rule.enabled,
    }
}

/// The API's path of a field the app names: its dotted paths split into segments, and the
/// scope's and recipients' id lists under their input names (`scope.bureaus.0` →
/// `["scope", "bureauIds", "0"]`).
pub(crate) fn input_path(path: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = path
        .iter()
        .flat_map(|p| p.split('.'))
        .map(str::to_owned)
        .collect();
    match out.as_mut_slice() {
        [scope, field, ..] if scope == "scope" && field == "bureaus" => *field = "bureauIds".into(),
        [rec, field, ..] if rec == "recipients" && field == "users" => *field = "userIds".into(),
        _ => {}
    }
    out
}

#[derive(Debug, Clone, InputObject)]
pub struct MarkNotificationsReadInput {
    /// The viewer's notifications to mark read; all of them when absent. Ids of other
    /// people's notifications change nothing.
    pub ids: Option<Vec<ID>>,
}

impl MarkNotificationsReadInput {
    pub(crate) fn into_ids(
        self,
    ) -> Result<Option<Vec<rollout_domain::NotificationId>>, Vec<UserError>> {
        let Some(raw) = self.ids else {
            return Ok(None);
        };
        let mut errors = Vec::new();
        let ids = ids(
            &raw,
            NodeType::Notification,
            &["ids"],
            rollout_domain::NotificationId,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(Some(ids))
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct SnoozeReminderItemInput {
    /// A notification line's `key`, e.g. "task:0190f5a2-…".
    pub item_key: String,
    /// No rule reminds the viewer of the item until the day after (at most a year ahead).
    pub until: Date,
}

#[derive(Debug, Clone, InputObject)]
pub struct SetMyLanguageInput {
    pub language: Language,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateWebhookEndpointInput {
    /// An http:// or https:// address.
    pub url: String,
    pub description: Option<String>,
    /// The reminder kinds it receives; all when empty.
    #[graphql(default)]
    pub event_types: Vec<ReminderKind>,
    #[graphql(default = true)]
    pub enabled: bool,
}

impl From<CreateWebhookEndpointInput> for EndpointInput {
    fn from(i: CreateWebhookEndpointInput) -> Self {
        endpoint_input(i.url, i.description, &i.event_types, i.enabled)
    }
}

/// Replaces an endpoint's fields; with `rotateSecret`, a new secret is made (shown once in the
/// payload) and the previous one stays valid for 24 hours.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub id: ID,
    pub expected_version: i32,
    pub url: String,
    pub description: Option<String>,
    #[graphql(default)]
    pub event_types: Vec<ReminderKind>,
    pub enabled: bool,
    #[graphql(default = false)]
    pub rotate_secret: bool,
}

pub(crate) fn endpoint_input(
    url: String,
    description: Option<String>,
    event_types: &[ReminderKind],
    enabled: bool,
) -> EndpointInput {
    EndpointInput {
        url,
        description,
        event_types: event_types.iter().map(|k| k.name().to_owned()).collect(),
        enabled,
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct RetryDeliveryInput {
    /// A DEAD delivery.
    pub id: ID,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_paths_become_input_paths() {
        let path = |p: &str| input_path(vec![p.to_owned()]);
        assert_eq!(path("schedule"), ["schedule"]);
        assert_eq!(path("scope.states.0"), ["scope", "states", "0"]);
        assert_eq!(path("scope.bureaus.2"), ["scope", "bureauIds", "2"]);
        assert_eq!(path("recipients.users.1"), ["recipients", "userIds", "1"]);
        assert_eq!(path("eventTypes.0"), ["eventTypes", "0"]);
    }

    #[test]
    fn malformed_ids_are_all_reported_at_their_place() {
        let input = ReminderRuleDefinitionInput {
            name: "x".into(),
            schedule: "0 9 * * *".into(),
            time_zone: None,
            kind: ReminderKind::TaskOverdue,
            days: None,
            scope: Some(ReminderScopeInput {
                bureau_ids: vec![ID("nope".into())],
                ..Default::default()
            }),
            recipients: ReminderRecipientsInput {
                user_ids: vec![
                    crate::ids::global_id(NodeType::User, uuid::Uuid::from_u128(1)),
                    crate::ids::global_id(NodeType::Bureau, uuid::Uuid::from_u128(1)),
                ],
                ..Default::default()
            },
            channels: vec![NotificationChannel::InApp],
            holiday_policy: HolidayPolicy::Fire,
            misfire_policy: MisfirePolicy::FireOnce,
            quiet_days: 0,
            enabled: true,
        };
        let errors = input.into_definition().unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.clone().unwrap()).collect();
        assert_eq!(
            paths,
            [
                vec!["scope", "bureauIds", "0"],
                vec!["recipients", "userIds", "1"]
            ]
        );
    }
}
