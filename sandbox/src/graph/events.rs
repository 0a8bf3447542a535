//! Reading events: `/events` (with the extended-property and category filters), one event or
//! occurrence, `/events/{id}/instances` and `/calendarView`; writes are in `event_writes`.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::api::{Call, Env, Reply, entity, page};
use super::event_writes;
use super::mailbox::{Event, EventKind, Mailbox, parse_occurrence_id};
use super::time::parse_query_instant;
use super::views::{
    Instance, event_json, instances_of, original_starts, window, with_shown_master,
};

/// Properties Graph computes; a client's values for them are ignored.
pub const COMPUTED: &[&str] = &[
    "id",
    "start",
    "end",
    "isAllDay",
    "type",
    "seriesMasterId",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "iCalUId",
    "uid",
    "occurrenceId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "singleValueExtendedProperties",
    "@odata.etag",
    "@odata.context",
    "@odata.type",
    "bodyPreview",
    "webLink",
];

pub fn route(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str, rest: &[&str]) -> Reply {
    match (call.method, rest) {
        ("GET", ["events"]) => list(env, call, mailbox),
        ("POST", ["events"]) => event_writes::create(env, call, mailbox),
        ("GET", ["events", id]) => get(env, call, mailbox, id),
        ("PATCH", ["events", id]) => event_writes::update(env, call, mailbox, id),
        ("DELETE", ["events", id]) => event_writes::delete(env, call, mailbox, id),
        ("GET", ["events", id, "instances"]) => instances(env, call, mailbox, id),
        ("GET", ["calendarView"]) => calendar_view(env, call, mailbox),
        _ => Reply::error(
            405,
            "ErrorInvalidRequest",
            "The OData request is not supported.",
        ),
    }
}

fn context(call: &Call<'_>, mailbox: &str, what: &str) -> String {
    format!("{}/$metadata#users('{mailbox}')/{what}", call.base)
}

/// Renders for this call, turning HTML bodies into text when the caller prefers text.
pub fn render(instance: &Instance<'_>, mailbox: &Mailbox, call: &Call<'_>) -> Value {
    let mut json = event_json(instance, mailbox, &call.render());
    body_as_preferred(&mut json, call);
    json
}

/// The event's body as text when the caller prefers text (`Prefer:
/// outlook.body-content-type="text"`, which Graph honours wherever it returns an event: one
/// event, a list, a delta round).
pub fn body_as_preferred(json: &mut Value, call: &Call<'_>) {
    if call.prefer.text_body
        && let Some(body) = json.get_mut("body")
    {
        let text = json_text(&body["content"]);
        *body = json!({ "contentType": "text", "content": text });
    }
}

fn json_text(html: &Value) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.as_str().unwrap_or_default().chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

pub fn with_preference(reply: Reply, call: &Call<'_>) -> Reply {
    match call.prefer.applied() {
        Some(applied) => reply.header("Preference-Applied", applied),
        None => reply,
    }
}

type EventFilter = Box<dyn Fn(&Event) -> bool>;

/// `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` and
/// `categories/any(c:c eq '…')`, the filters outforce sends.
fn filter(expression: &str) -> Result<EventFilter, Reply> {
    let quoted = |text: &str| -> Vec<String> {
        text.split('\'')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let lower = expression.to_ascii_lowercase();
    if lower.starts_with("singlevalueextendedproperties/any(") {
        let values = quoted(expression);
        let id = values.first().cloned().unwrap_or_default();
        let value = lower
            .contains("ep/value eq")
            .then(|| values.get(1).cloned().unwrap_or_default());
        return Ok(Box::new(move |event: &Event| {
            event.extended.get(&id).is_some_and(|v| {
                value
                    .as_ref()
                    .is_none_or(|want| v.eq_ignore_ascii_case(want))
            })
        }));
    }
    if lower.starts_with("categories/any(") {
        let wanted = quoted(expression).first().cloned().unwrap_or_default();
        return Ok(Box::new(move |event: &Event| {
            event
                .props
                .get("categories")
                .and_then(Value::as_array)
                .is_some_and(|c| c.iter().any(|v| v.as_str() == Some(wanted.as_str())))
        }));
    }
    Err(Reply::error(
        400,
        "ErrorInvalidUrlQuery",
        "The filter expression is not supported by this emulator.",
    ))
}

fn list(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str) -> Reply {
    let Some(mailbox) = env.mailboxes.get(mailbox_id) else {
        return Reply::not_found();
    };
    let keep = match call.param("$filter").map(filter).transpose() {
        Ok(keep) => keep,
        Err(reply) => return reply,
    };
    let items: Vec<Value> = mailbox
        .events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::Exception { .. }))
        .filter(|e| keep.as_ref().is_none_or(|f| f(e)))
        .map(|e| render(&Instance::of(e, call.prefer.immutable_ids), mailbox, call))
        .collect();
    with_preference(
        page(call, &context(call, mailbox_id, "events"), items, 10),
        call,
    )
}

/// A stored event, or an occurrence of a series, by id.
pub fn find<'a>(mailbox: &'a Mailbox, id: &str, immutable: bool) -> Result<Instance<'a>, Reply> {
    if let Some(event) = mailbox.event(id) {
        return Ok(with_shown_master(
            Instance::of(event, immutable),
            mailbox,
            immutable,
        ));
    }
    let (master_id, original) = parse_occurrence_id(id).ok_or_else(malformed_or_missing(id))?;
    let master = mailbox.event(&master_id).ok_or_else(Reply::not_found)?;
    let EventKind::SeriesMaster(recurrence) = &master.kind else {
        return Err(Reply::not_found());
    };
    let exists = !master.cancelled.contains(&original)
        && original_starts(master, recurrence, original + Duration::days(1)).contains(&original);
    if !exists {
        return Err(Reply::not_found());
    }
    Ok(Instance {
        base: master,
        id: id.to_string(),
        kind: "occurrence",
        start: original,
        end: original + (master.end - master.start),
        series_master: Some(master.ids.shown(immutable).to_string()),
    })
}

fn malformed_or_missing(id: &str) -> impl Fn() -> Reply + '_ {
    move || {
        if id.starts_with("AAMk") || id.starts_with("AAkA") {
            Reply::not_found()
        } else {
            Reply::error(400, "ErrorInvalidIdMalformed", "Id is malformed.")
        }
    }
}

fn get(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str, id: &str) -> Reply {
    let Some(mailbox) = env.mailboxes.get(mailbox_id) else {
        return Reply::not_found();
    };
    match find(mailbox, id, call.prefer.immutable_ids) {
        Ok(instance) => {
            let json = entity(render(&instance, mailbox, call), call, mailbox_id, "events");
            with_preference(Reply::ok(json), call)
        }
        Err(reply) => reply,
    }
}

/// The window from `startDateTime` and `endDateTime`, both required.
pub fn window_of(call: &Call<'_>) -> Result<(DateTime<Utc>, DateTime<Utc>), Reply> {
    let bound = |name: &str| call.param(name).and_then(parse_query_instant);
    match (bound("startDateTime"), bound("endDateTime")) {
        (Some(start), Some(end)) => Ok((start, end)),
        _ => Err(Reply::error(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )),
    }
}

fn instances(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str, id: &str) -> Reply {
    let (from, to) = match window_of(call) {
        Ok(window) => window,
        Err(reply) => return reply,
    };
    let Some(mailbox) = env.mailboxes.get(mailbox_id) else {
        return Reply::not_found();
    };
    let Some(master) = mailbox
        .event(id)
        .filter(|e| matches!(e.kind, EventKind::SeriesMaster(_)))
    else {
        return malformed_or_missing(id)();
    };
    let items = instances_of(mailbox, master, from, to, call.prefer.immutable_ids)
        .iter()
        .map(|i| render(i, mailbox, call))
        .collect();
    with_preference(
        page(call, &context(call, mailbox_id, "events"), items, 10),
        call,
    )
}

fn calendar_view(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str) -> Reply {
    let (from, to) = match window_of(call) {
        Ok(window) => window,
        Err(reply) => return reply,
    };
    let Some(mailbox) = env.mailboxes.get(mailbox_id) else {
        return Reply::not_found();
    };
    let items = window(mailbox, from, to, call.prefer.immutable_ids)
        .iter()
        .map(|i| render(i, mailbox, call))
        .collect();
    with_preference(
        page(call, &context(call, mailbox_id, "calendarView"), items, 10),
        call,
    )
}
