//! Delta queries: `calendarView/delta` (bound to a window; no `$select`, `$expand`, `$filter`,
//! `$orderby` or `$search`; `@removed` also for changes outside the window) and contacts delta
//! per folder (with `$select`). Tokens are opaque, carry the window and the mailbox's change
//! sequence, and stop working (410 `syncStateNotFound`) when the mailbox's sync state is reset.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api::{Call, Env, Reply};
use super::contacts::contact_json;
use super::events::window_of;
use super::mailbox::{EventKind, Mailbox, occurrence_id};
use super::views::{Instance, Render, event_json, instances_of, with_shown_master};

const DEFAULT_PAGE: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Token {
    /// Mailbox, its sync generation and the change sequence the round covers up to.
    m: String,
    g: u64,
    q: u64,
    /// The calendar window (seconds) or the contact folder.
    s: Option<i64>,
    e: Option<i64>,
    f: Option<String>,
    sel: Option<String>,
}

impl Token {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Self> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()
    }
}

/// The rest of a round, for `$skiptoken`.
pub struct Cursor {
    items: Vec<Value>,
    offset: usize,
    page: usize,
    token: Token,
    generation: u64,
}

fn gone(call: &Call<'_>) -> Reply {
    let restart = format!("{}/{}", call.base, call.path.join("/"));
    Reply::error(
        410,
        "syncStateNotFound",
        "The sync state generation is not found. Start a new sync round without a token.",
    )
    .header("Location", restart)
}

fn removed(id: &str, kind: &str) -> Value {
    json!({ "@odata.type": format!("#microsoft.graph.{kind}"), "id": id, "@removed": { "reason": "deleted" } })
}

pub fn calendar_view(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str) -> Reply {
    let refused: Vec<&str> = ["$select", "$expand", "$filter", "$orderby", "$search"]
        .into_iter()
        .filter(|p| call.param(p).is_some())
        .collect();
    if !refused.is_empty() {
        return Reply::error(
            400,
            "ErrorInvalidUrlQuery",
            &format!(
                "The following parameters are not supported with change tracking over the 'CalendarView' resource: '{}'.",
                refused.join(", ")
            ),
        );
    }
    round(
        env,
        call,
        mailbox_id,
        |mailbox, token, call| {
            let (Some(from), Some(to)) = (
                token.s.and_then(|s| DateTime::from_timestamp(s, 0)),
                token.e.and_then(|e| DateTime::from_timestamp(e, 0)),
            ) else {
                return Vec::new();
            };
            let render = Render {
                time_zone: call.prefer.time_zone.clone(),
                ..Render::default()
            };
            let mut items: Vec<(String, Value)> = Vec::new();
            let initial = token.q == 0;
            for event in mailbox.events.iter().filter(|e| initial || e.seq > token.q) {
                match &event.kind {
                    EventKind::SeriesMaster(_) => {
                        for instance in
                            instances_of(mailbox, event, from, to, call.prefer.immutable_ids)
                        {
                            let mut json = event_json(&instance, mailbox, &render);
                            super::events::body_as_preferred(&mut json, call);
                            items.push((instance.id.clone(), typed_event(json)));
                        }
                        if !initial {
                            for original in &event.cancelled {
                                let id = occurrence_id(&event.ids.immutable, *original);
                                items.push((id.clone(), removed(&id, "event")));
                            }
                            for (id, _) in event.dropped.iter().filter(|(_, seq)| *seq > token.q) {
                                items.push((id.clone(), removed(id, "event")));
                            }
                        }
                    }
                    _ => {
                        let instance = with_shown_master(
                            Instance::of(event, call.prefer.immutable_ids),
                            mailbox,
                            call.prefer.immutable_ids,
                        );
                        if instance.overlaps(from, to) {
                            let mut json = event_json(&instance, mailbox, &render);
                            super::events::body_as_preferred(&mut json, call);
                            items.push((instance.id.clone(), typed_event(json)));
                        } else if !initial {
                            items.push((instance.id.clone(), removed(&instance.id, "event")));
                        }
                    }
                }
            }
            if !initial {
                for tombstone in mailbox.event_tombstones.iter().filter(|t| t.seq > token.q) {
                    let id = tombstone.ids.shown(call.prefer.immutable_ids).to_string();
                    items.push((id.clone(), removed(&id, "event")));
                }
            }
            dedupe(items)
        },
        |call, mailbox| {
            let (from, to) = window_of(call)?;
            Ok(Token {
                m: mailbox.id.clone(),
                g: mailbox.delta_generation,
                q: 0,
                s: Some(from.timestamp()),
                e: Some(to.timestamp()),
                f: None,
                sel: None,
            })
        },
    )
}

/// An event as a delta page lists it: `@odata.type` first, as calendarView/delta writes it.
fn typed_event(json: Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("@odata.type".into(), json!("#microsoft.graph.event"));
    if let Value::Object(fields) = json {
        out.extend(fields);
    }
    Value::Object(out)
}

pub fn contacts(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str, folder: &str) -> Reply {
    let folder = folder.to_string();
    round(
        env,
        call,
        mailbox_id,
        |mailbox, token, call| {
            let folder = token.f.clone().unwrap_or_default();
            let select: Option<Vec<String>> = token
                .sel
                .as_ref()
                .map(|s| s.split(',').map(|f| f.trim().to_string()).collect());
            let initial = token.q == 0;
            let mut items = Vec::new();
            for contact in mailbox
                .contacts
                .iter()
                .filter(|c| initial || c.seq > token.q)
            {
                let id = contact.ids.shown(call.prefer.immutable_ids).to_string();
                if contact.folder == folder {
                    items.push((
                        id,
                        contact_json(contact, call.prefer.immutable_ids, select.as_deref()),
                    ));
                } else if !initial {
                    items.push((id.clone(), removed(&id, "contact")));
                }
            }
            if !initial {
                for tombstone in mailbox
                    .contact_tombstones
                    .iter()
                    .filter(|t| t.seq > token.q && t.folder.as_deref() == Some(folder.as_str()))
                {
                    let id = tombstone.ids.shown(call.prefer.immutable_ids).to_string();
                    items.push((id.clone(), removed(&id, "contact")));
                }
            }
            dedupe(items)
        },
        move |call, mailbox| {
            if mailbox.folder(&folder).is_none() {
                return Err(Reply::not_found());
            }
            Ok(Token {
                m: mailbox.id.clone(),
                g: mailbox.delta_generation,
                q: 0,
                s: None,
                e: None,
                f: Some(folder.clone()),
                sel: call.param("$select").map(str::to_string),
            })
        },
    )
}

/// The later entry for an id wins, in first-seen order.
fn dedupe(items: Vec<(String, Value)>) -> Vec<Value> {
    let mut order: Vec<String> = Vec::new();
    let mut latest: HashMap<String, Value> = HashMap::new();
    for (id, value) in items {
        if !latest.contains_key(&id) {
            order.push(id.clone());
        }
        latest.insert(id, value);
    }
    order
        .into_iter()
        .filter_map(|id| latest.remove(&id))
        .collect()
}

/// A delta round: continue a cursor (`$skiptoken`), or start from a token (`$deltatoken`) or
/// from scratch, then hand out the first page.
fn round(
    env: &mut Env<'_>,
    call: &Call<'_>,
    mailbox_id: &str,
    changes: impl Fn(&Mailbox, &Token, &Call<'_>) -> Vec<Value>,
    initial: impl Fn(&Call<'_>, &Mailbox) -> Result<Token, Reply>,
) -> Reply {
    let Some(mailbox) = env.mailboxes.get(mailbox_id) else {
        return Reply::not_found();
    };
    if let Some(skip) = call.param("$skiptoken") {
        return match env.cursors.remove(skip) {
            Some(cursor)
                if cursor.generation == mailbox.delta_generation
                    && cursor.token.m == mailbox.id =>
            {
                next_page(env, call, cursor)
            }
            _ => gone(call),
        };
    }
    let since = match call.param("$deltatoken") {
        Some(text) => match Token::decode(text) {
            Some(token) if token.m == mailbox.id && token.g == mailbox.delta_generation => token,
            _ => return gone(call),
        },
        None => match initial(call, mailbox) {
            Ok(token) => token,
            Err(reply) => return reply,
        },
    };
    let items = changes(mailbox, &since, call);
    let next = Token {
        q: mailbox.seq,
        ..since
    };
    let cursor = Cursor {
        items,
        offset: 0,
        page: call.prefer.max_page_size.unwrap_or(DEFAULT_PAGE).max(1),
        token: next,
        generation: mailbox.delta_generation,
    };
    next_page(env, call, cursor)
}

fn next_page(env: &mut Env<'_>, call: &Call<'_>, mut cursor: Cursor) -> Reply {
    let link = format!("{}/{}", call.base, call.path.join("/"));
    let end = (cursor.offset + cursor.page).min(cursor.items.len());
    let value: Vec<Value> = cursor.items[cursor.offset..end].to_vec();
    let mut body = json!({ "@odata.context": format!("{}/$metadata#Collection(event)", call.base), "value": value });
    if end < cursor.items.len() {
        cursor.offset = end;
        let skip = super::mailbox::opaque("");
        body["@odata.nextLink"] = json!(format!("{link}?$skiptoken={skip}"));
        env.cursors.insert(skip, cursor);
    } else {
        body["@odata.deltaLink"] = json!(format!("{link}?$deltatoken={}", cursor.token.encode()));
    }
    let reply = Reply::ok(body);
    match call.prefer.applied() {
        Some(applied) => reply.header("Preference-Applied", applied),
        None => reply,
    }
}
