//! The Graph resources as plain functions from a [`Call`] to a [`Reply`], shared by the HTTP
//! front door and `$batch`. Changes they make are queued as [`Change`]s for notification.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::errors;
use super::mailbox::{Ids, Mailbox};
use super::views::Render;
use super::{contacts, delta, events};

/// Who calls: a user (delegated) or an application, with the permissions the token carries.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: String,
    pub app_id: String,
    /// The user's object id for a delegated token; `None` for app-only.
    pub user: Option<String>,
    pub permissions: Vec<String>,
}

impl Caller {
    fn may(&self, permission: &str) -> bool {
        self.permissions
            .iter()
            .any(|p| p.eq_ignore_ascii_case(permission))
    }

    /// Reading a user's group memberships (`getMemberGroups`): `GroupMember.Read.All`, or a
    /// broader `Group.Read.All` or `Directory.Read.All`.
    pub fn reads_memberships(&self) -> bool {
        [
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ]
        .iter()
        .any(|p| self.may(p))
    }

    /// Reading needs `X.Read` or `X.ReadWrite`; writing needs `X.ReadWrite`.
    pub fn allowed(&self, area: &str, write: bool) -> bool {
        self.may(&format!("{area}.ReadWrite")) || (!write && self.may(&format!("{area}.Read")))
    }
}

/// One request, after authentication.
pub struct Call<'a> {
    pub method: &'a str,
    /// The path after `/v1.0/`, split at `/`.
    pub path: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub prefer: Prefer,
    pub if_match: Option<String>,
    /// `https://host:port/v1.0`, for links.
    pub base: &'a str,
}

impl Call<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn render(&self) -> Render {
        Render {
            time_zone: self.prefer.time_zone.clone(),
            select: self
                .param("$select")
                .map(|s| s.split(',').map(|f| f.trim().to_string()).collect()),
            expand_extended: self.param("$expand").and_then(expanded_property_id),
        }
    }
}

/// `singleValueExtendedProperties($filter=id eq '...')` → the id.
fn expanded_property_id(expand: &str) -> Option<String> {
    let inner = expand
        .trim()
        .strip_prefix("singleValueExtendedProperties(")?
        .strip_suffix(')')?;
    let filter = inner.trim().strip_prefix("$filter=")?.trim();
    let rest = filter
        .strip_prefix("id")?
        .trim_start()
        .strip_prefix("eq")?
        .trim();
    Some(rest.trim_matches('\'').to_string())
}

/// The `Prefer` header's preferences.
#[derive(Debug, Clone, Default)]
pub struct Prefer {
    pub time_zone: Option<String>,
    pub immutable_ids: bool,
    pub max_page_size: Option<usize>,
    pub text_body: bool,
}

impl Prefer {
    pub fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Self {
        let mut prefer = Self::default();
        for part in values.flat_map(|v| v.split(',')) {
            let Some((key, value)) = part.trim().split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "outlook.timezone" => prefer.time_zone = Some(value.to_string()),
                "idtype" => prefer.immutable_ids = value.eq_ignore_ascii_case("ImmutableId"),
                "odata.maxpagesize" => prefer.max_page_size = value.parse().ok(),
                "outlook.body-content-type" => {
                    prefer.text_body = value.eq_ignore_ascii_case("text")
                }
                _ => {}
            }
        }
        prefer
    }

    /// The `Preference-Applied` value for what was honoured.
    pub fn applied(&self) -> Option<String> {
        let mut applied = Vec::new();
        if let Some(zone) = &self.time_zone {
            applied.push(format!("outlook.timezone=\"{zone}\""));
        }
        if self.immutable_ids {
            applied.push("IdType=\"ImmutableId\"".to_string());
        }
        if let Some(size) = self.max_page_size {
            applied.push(format!("odata.maxpagesize={size}"));
        }
        (!applied.is_empty()).then(|| applied.join(", "))
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self::with(200, body)
    }

    pub fn with(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::with(status, errors::body(code, message))
    }

    pub fn not_found() -> Self {
        Self::error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    pub fn bad_request(message: &str) -> Self {
        Self::error(400, "ErrorInvalidRequest", message)
    }

    pub fn unsupported() -> Self {
        Self::error(
            400,
            "Request_BadRequest",
            "Unsupported request or segment in the request URL.",
        )
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A single entity as Graph answers with one: `@odata.context` first (`…/events/$entity`).
pub fn entity(json: Value, call: &Call<'_>, mailbox: &str, collection: &str) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#users('{mailbox}')/{collection}/$entity",
            call.base
        )),
    );
    if let Value::Object(fields) = json {
        out.extend(fields);
    }
    Value::Object(out)
}

/// What changed, for change notifications.
#[derive(Debug, Clone)]
pub struct Change {
    pub mailbox: String,
    /// `Events` or `Contacts`.
    pub collection: &'static str,
    pub folder: Option<String>,
    pub ids: Ids,
    pub change_type: &'static str,
    pub etag: Option<String>,
}

/// What resources work on.
pub struct Env<'a> {
    pub mailboxes: &'a mut HashMap<String, Mailbox>,
    pub caller: &'a Caller,
    pub now: DateTime<Utc>,
    pub changes: &'a mut Vec<Change>,
    pub cursors: &'a mut HashMap<String, delta::Cursor>,
    /// Application access policies: the mailboxes an app may reach (no entry: all).
    pub policies: &'a HashMap<String, Vec<String>>,
}

/// The endpoint a call counts under in the call accounting.
pub fn endpoint(path: &[String]) -> &'static str {
    let tail: Vec<&str> = match path.first().map(String::as_str) {
        Some("users") => path.iter().skip(2).map(String::as_str).collect(),
        Some("me") => path.iter().skip(1).map(String::as_str).collect(),
        Some("subscriptions") => return "subscriptions",
        Some("$batch") => return "$batch",
        _ => return "other",
    };
    let tail: Vec<&str> = match tail.first() {
        Some(&"calendar") => tail[1..].to_vec(),
        _ => tail,
    };
    match tail.as_slice() {
        ["events"] => "events",
        ["events", _, "instances"] => "instances",
        ["events", ..] => "event",
        ["calendarView"] => "calendarView",
        ["calendarView", "delta"] => "calendarView/delta",
        [.., "contacts", "delta"] => "contacts/delta",
        ["contactFolders", ..] | ["contacts", ..] => "contacts",
        ["outlook", "masterCategories", ..] => "masterCategories",
        _ => "other",
    }
}

/// Runs one mailbox call (subscriptions and `$batch` are handled by the front door).
pub fn dispatch(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    let path: Vec<&str> = call.path.iter().map(String::as_str).collect();
    let (user, rest) = match path.as_slice() {
        ["me", rest @ ..] => match &env.caller.user {
            Some(user) => (user.clone(), rest),
            None => {
                return Reply::error(
                    400,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                );
            }
        },
        ["users", user, rest @ ..] => ((*user).to_string(), rest),
        _ => return Reply::unsupported(),
    };
    if rest == ["getMemberGroups"] {
        return member_groups(env, call, &user);
    }
    let rest: &[&str] = match rest {
        ["calendar", tail @ ..] if !tail.is_empty() => tail,
        other => other,
    };
    // The master category list is a mailbox setting: Graph asks for MailboxSettings.Read to
    // list it and MailboxSettings.ReadWrite to add to it (outlookuser-post-mastercategories).
    let area = match rest {
        ["contacts", ..] | ["contactFolders", ..] => "Contacts",
        ["outlook", "masterCategories", ..] => "MailboxSettings",
        _ => "Calendars",
    };
    let mailbox_id = match super::auth::mailbox_access(env, &user, area, call.method != "GET") {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    match rest {
        ["events", ..] | ["calendarView"] => events::route(env, call, &mailbox_id, rest),
        ["calendarView", "delta"] => delta::calendar_view(env, call, &mailbox_id),
        ["contacts", ..] | ["contactFolders", ..] | ["outlook", "masterCategories", ..] => {
            contacts::route(env, call, &mailbox_id, rest)
        }
        _ => Reply::unsupported(),
    }
}

/// `POST /users/{id}/getMemberGroups` (or `/me/…`): the user's groups, transitively. A directory
/// call: the application access policy, which limits mailboxes, does not apply.
fn member_groups(env: &Env<'_>, call: &Call<'_>, user: &str) -> Reply {
    if call.method != "POST" {
        return Reply::unsupported();
    }
    let Some(id) = super::auth::resolve(env.mailboxes, user) else {
        return Reply::error(
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{user}' does not exist or one of its queried reference-property objects are not present."
            ),
        );
    };
    let own = env
        .caller
        .user
        .as_deref()
        .is_none_or(|me| me.eq_ignore_ascii_case(&id));
    if !own || !env.caller.reads_memberships() {
        return Reply::error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let groups = env
        .mailboxes
        .get(&id)
        .map(|m| m.member_groups.clone())
        .unwrap_or_default();
    Reply::ok(serde_json::json!({
        "@odata.context": format!("{}/$metadata#Collection(Edm.String)", call.base),
        "value": groups,
    }))
}

/// One page of a list, with `@odata.nextLink` (`$skip`) while more remain.
pub fn page(call: &Call<'_>, context: &str, items: Vec<Value>, default_size: usize) -> Reply {
    let top = call
        .param("$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(default_size)
        .clamp(1, 1000);
    let skip: usize = call
        .param("$skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({ "@odata.context": context, "value": page });
    if skip + top < total {
        let mut query: Vec<(String, String)> = call
            .query
            .iter()
            .filter(|(k, _)| k != "$skip")
            .cloned()
            .collect();
        query.push(("$skip".into(), (skip + top).to_string()));
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        body["@odata.nextLink"] = json!(format!("{}/{}?{encoded}", call.base, call.path.join("/")));
    }
    Reply::ok(body)
}
