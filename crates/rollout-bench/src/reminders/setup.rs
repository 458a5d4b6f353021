//! What the reminder measurements need, made through the API as people would: a bureau
//! coordinator for every bureau (`createUser`, as an admin), webhook endpoints (admins) and
//! reminder rules (the project office). Schedules are pinned to one instant a year
//! ([`pinned`]), so each rule fires exactly when the bench means it to and at no other moment
//! of the run, whatever the date.

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::{Value, json};

use crate::gql::Gql;

const CREATE_USER: &str = "mutation($email: String!, $name: String!, $bureau: String!) { \
    createUser(input: { email: $email, displayName: $name, role: BUREAU_COORDINATOR, \
    bureauCode: $bureau }) { user { id } errors { code message } } }";
const CREATE_ENDPOINT: &str = "mutation($url: String!, $kinds: [ReminderKind!]!) { \
    createWebhookEndpoint(input: { url: $url, eventTypes: $kinds, description: \"bench sink\" }) \
    { endpoint { id } errors { code message } } }";
const CREATE_RULE: &str = "mutation($input: CreateReminderRuleInput!) { \
    createReminderRule(input: $input) { rule { id } errors { code message } } }";
pub const STATUS: &str = "{ schedulerStatus { outboxDepth deadDeliveries } }";

/// Fails on payload errors; returns the payload.
fn payload<'a>(data: &'a Value, field: &str) -> anyhow::Result<&'a Value> {
    let p = &data[field];
    match p["errors"].as_array() {
        Some(e) if !e.is_empty() => bail!("{field} refused: {p}"),
        _ => Ok(p),
    }
}

/// One BUREAU_COORDINATOR per bureau code, as `admin`; returns how many were added.
pub async fn coordinators(admin: &Gql, bureaus: &[&str]) -> anyhow::Result<usize> {
    for code in bureaus {
        let email = format!("bench-coordinator-{}@rollout.local", code.to_lowercase());
        let data = admin
            .post(
                CREATE_USER,
                json!({ "email": email, "name": format!("Bench {code}"), "bureau": code }),
            )
            .await?;
        payload(&data, "createUser")?;
    }
    Ok(bureaus.len())
}

/// A webhook endpoint at `url` for the reminder kind `kind`, as `admin`.
pub async fn endpoint(admin: &Gql, url: &str, kind: &str) -> anyhow::Result<()> {
    let data = admin
        .post(CREATE_ENDPOINT, json!({ "url": url, "kinds": [kind] }))
        .await?;
    payload(&data, "createWebhookEndpoint")?;
    Ok(())
}

/// Rules alike but for their names and schedules, as the project office.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    /// Each rule's name is this and its number.
    pub name: &'a str,
    pub kind: &'a str,
    pub channels: &'a [&'a str],
    pub coordinators: bool,
}

impl Rules<'_> {
    /// One rule per instant, each [`pinned`] to its instant.
    pub async fn create(&self, office: &Gql, ticks: &[DateTime<Utc>]) -> anyhow::Result<()> {
        for (i, at) in ticks.iter().enumerate() {
            let input = json!({
                "name": format!("{} {i:03}", self.name),
                "schedule": pinned(*at),
                "timeZone": "UTC",
                "kind": self.kind,
                "days": 1,
                "recipients": { "bureauCoordinators": self.coordinators, "projectOffice": true },
                "channels": self.channels,
            });
            let data = office.post(CREATE_RULE, json!({ "input": input })).await?;
            payload(&data, "createReminderRule")?;
        }
        Ok(())
    }
}

/// A 6-field crontab (seconds first) whose only tick each year is `at` (UTC, whole second).
pub fn pinned(at: DateTime<Utc>) -> String {
    format!(
        "{} {} {} {} {} *",
        at.second(),
        at.minute(),
        at.hour(),
        at.day(),
        at.month()
    )
}

/// `schedulerStatus`: `(outboxDepth, deadDeliveries)`.
pub async fn status(office: &Gql) -> anyhow::Result<(i64, i64)> {
    let data = office.post(STATUS, json!({})).await?;
    let s = &data["schedulerStatus"];
    Ok((
        s["outboxDepth"].as_i64().context("no outboxDepth")?,
        s["deadDeliveries"].as_i64().context("no deadDeliveries")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_schedule_names_the_instant_field_by_field() {
        let at = DateTime::parse_from_rfc3339("2027-01-05T03:04:09Z")
            .expect("instant")
            .with_timezone(&Utc);
        assert_eq!(pinned(at), "9 4 3 5 1 *");
    }
}
