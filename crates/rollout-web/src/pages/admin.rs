//! Administration (`/admin`): users, API tokens, reminder rules, webhook endpoints and the
//! scheduler's status, read-only, through the API's admin-only fields (anyone else gets their
//! FORBIDDEN as a 403 page). Changing them stays with the API and the CLI.
//!
//! The one action is `POST /admin/users/{id}/sessions/revoke` ("end all sessions"): it calls
//! the app's `revoke_web_sessions` as the viewer, which refuses non-admins with FORBIDDEN (and
//! audits the refusal), so the page carries no permission rule of its own. Web sessions are not
//! part of the GraphQL schema, hence a use case rather than a mutation.

use axum::extract::{Form, Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rollout_domain::UserId;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Web;
use crate::gql::GqlError;
use crate::page;
use crate::session::Viewer;

const QUERY: &str = r#"
query Admin {
  users { id email displayName role disabled createdAt bureau { code } }
  tokens { id name prefix createdAt expiresAt lastUsedAt revokedAt user { email } }
  reminderRules(first: 100) { totalCount edges { node { id name kind schedule timeZone enabled channels } } }
  webhookEndpoints { id url description enabled eventTypes }
  schedulerStatus { outboxDepth oldestPendingAt deadDeliveries missedTicks
    rules { lastFiredAt nextFireAt missedTicks rule { id name } } }
}"#;

pub async fn page(State(web): State<Web>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let pairs = crate::query::pairs(raw.as_deref());
    let revoked = crate::query::one(&pairs, "revoked").and_then(|n| n.parse::<u32>().ok());
    match page::query(&web, &viewer, QUERY, json!({})).await {
        Ok(data) => {
            let mut context = data;
            context["revoked"] = revoked.map_or(Value::Null, Value::from);
            page::render(&web, &viewer, "admin", "admin.html", context)
        }
        Err(e) => page::error(&web, &viewer, &e),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: Option<String>,
}

pub async fn revoke_sessions(
    State(web): State<Web>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Response {
    if !crate::csrf::matches(form.csrf.as_deref(), &viewer.session.csrf_token) {
        return crate::signin::forbidden_form();
    }
    let Some(user) = user_id(&id) else {
        return page::not_found(&web, &viewer);
    };
    match web.app.revoke_web_sessions(&viewer.actor, user).await {
        Ok(ended) => Redirect::to(&format!("/admin?revoked={ended}")).into_response(),
        Err(e) => {
            let error = GqlError {
                code: e.code().as_str().to_owned(),
                // Unexpected failures are logged by the error page, never shown.
                message: if e.is_expected() {
                    e.to_string()
                } else {
                    format!("{e:#}")
                },
            };
            page::error(&web, &viewer, &error)
        }
    }
}

/// The user a GraphQL global id names: base64url of `User:<uuid>`, as rollout-graphql's `ids`
/// writes it (that module is the API's own and not public; only this shape is read here).
fn user_id(global: &str) -> Option<UserId> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global).ok()?).ok()?;
    let uuid = text.strip_prefix("User:")?;
    uuid::Uuid::parse_str(uuid).ok().map(UserId::from_uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_user_ids_decode() {
        let uuid = uuid::Uuid::new_v4();
        let id = URL_SAFE_NO_PAD.encode(format!("User:{uuid}"));
        assert_eq!(user_id(&id), Some(UserId::from_uuid(uuid)));
        let procedure = URL_SAFE_NO_PAD.encode(format!("Procedure:{uuid}"));
        assert_eq!(user_id(&procedure), None);
        assert_eq!(user_id("not base64!"), None);
        assert_eq!(user_id(&URL_SAFE_NO_PAD.encode("User:nope")), None);
    }
}
