//! Writing events: create (with `transactionId` for retries), update (with `If-Match`; an
//! occurrence becomes an exception; a pattern change drops occurrences) and delete (an
//! occurrence is cancelled on its series), each queued for change notification and delta.

use chrono::{DateTime, Duration, Timelike as _, Utc};
use serde_json::{Map, Value};

use super::api::{Call, Change, Env, Reply, entity};
use super::events::{COMPUTED, find, render, with_preference};
use super::mailbox::{Event, EventKind, Ids, Tombstone, change_key};
use super::normalize;
use super::notices;
use super::recurrence::Recurrence;
use super::time::{parse_date_time_zone, zone};
use super::views::{Instance, etag, original_starts, with_shown_master};

const MAX_ATTENDEES: usize = 500;

/// Times, all-day rule and recurrence from a body, over `current` values when patching.
struct Timing {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    start_zone: String,
    end_zone: String,
    all_day: bool,
    recurrence: Option<Option<Recurrence>>,
}

fn timing(body: &Map<String, Value>, current: Option<&Event>) -> Result<Timing, Reply> {
    let invalid = |m: &str| Reply::error(400, "ErrorInvalidRequest", m);
    let zone_error = |m: String| Reply::error(400, "TimeZoneNotSupportedException", &m);
    let (start, start_zone) = match (body.get("start"), current) {
        (Some(v), _) => parse_date_time_zone(v).map_err(zone_error)?,
        (None, Some(e)) => (e.start, e.start_zone.clone()),
        (None, None) => return Err(invalid("The event's start is required.")),
    };
    let (end, end_zone) = match (body.get("end"), current) {
        (Some(v), _) => parse_date_time_zone(v).map_err(zone_error)?,
        (None, Some(e)) if body.contains_key("start") => {
            (start + (e.end - e.start), e.end_zone.clone())
        }
        (None, Some(e)) => (e.end, e.end_zone.clone()),
        (None, None) => return Err(invalid("The event's end is required.")),
    };
    if end < start {
        return Err(invalid("The end of an event cannot be before its start."));
    }
    let all_day = body
        .get("isAllDay")
        .and_then(Value::as_bool)
        .or(current.map(|e| e.is_all_day))
        .unwrap_or(false);
    let midnight = |t: DateTime<Utc>, name: &str| {
        zone(name).is_some_and(|tz| t.with_timezone(&tz).time().num_seconds_from_midnight() == 0)
    };
    if all_day && !(midnight(start, &start_zone) && midnight(end, &end_zone) && end > start) {
        return Err(Reply::error(
            400,
            "ErrorPropertyValidationFailure",
            "Your request can't be completed. If the event is an all-day event, start and end must be specified as midnight.",
        ));
    }
    let recurrence = match body.get("recurrence") {
        Some(Value::Null) => Some(None),
        Some(value) => Some(Some(Recurrence::parse(value).map_err(|m| invalid(&m))?)),
        None => None,
    };
    Ok(Timing {
        start,
        end,
        start_zone,
        end_zone,
        all_day,
        recurrence,
    })
}

fn check_attendees(body: &Map<String, Value>) -> Result<(), Reply> {
    if body
        .get("attendees")
        .and_then(Value::as_array)
        .is_some_and(|a| a.len() > MAX_ATTENDEES)
    {
        return Err(Reply::error(
            400,
            "ErrorInvalidRequest",
            "An event can have at most 500 attendees.",
        ));
    }
    Ok(())
}

fn apply_props(event: &mut Event, body: &Map<String, Value>) {
    for (key, value) in body {
        if !COMPUTED.contains(&key.as_str()) {
            event.props.insert(key.clone(), value.clone());
        }
    }
    if let Some(properties) = body
        .get("singleValueExtendedProperties")
        .and_then(Value::as_array)
    {
        for property in properties {
            if let (Some(id), Some(value)) = (property["id"].as_str(), property["value"].as_str()) {
                event.extended.insert(id.to_string(), value.to_string());
            }
        }
    }
}

fn start_zone(body: &Map<String, Value>) -> Option<&str> {
    body.get("start")?.get("timeZone")?.as_str()
}

fn body_object(call: &Call<'_>) -> Result<Map<String, Value>, Reply> {
    match &call.body {
        Some(Value::Object(map)) => Ok(map.clone()),
        _ => Err(Reply::error(
            400,
            "ErrorInvalidRequest",
            "Empty Payload. JSON content expected.",
        )),
    }
}

pub fn create(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str) -> Reply {
    let mut body = match body_object(call).and_then(|b| check_attendees(&b).map(|()| b)) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let zone = start_zone(&body).unwrap_or("UTC").to_string();
    if let Err(reply) = normalize::event(&mut body, &zone, None) {
        return reply;
    }
    let now = env.now;
    let Some(mailbox) = env.mailboxes.get_mut(mailbox_id) else {
        return Reply::not_found();
    };
    // A retried create with the same transactionId gets the event it already made.
    if let Some(transaction) = body.get("transactionId").and_then(Value::as_str)
        && let Some(existing) = mailbox
            .events
            .iter()
            .find(|e| e.props.get("transactionId").and_then(Value::as_str) == Some(transaction))
    {
        let json = render(
            &Instance::of(existing, call.prefer.immutable_ids),
            mailbox,
            call,
        );
        let json = entity(json, call, mailbox_id, "events");
        return with_preference(Reply::with(201, json), call);
    }
    let timing = match timing(&body, None) {
        Ok(timing) => timing,
        Err(reply) => return reply,
    };
    let seq = mailbox.next_seq();
    let mut event = Event {
        ids: Ids::new(),
        ical_uid: format!(
            "040000008200E00074C5B7101A82E008{}",
            uuid::Uuid::new_v4().simple()
        )
        .to_uppercase(),
        kind: match timing.recurrence.flatten() {
            Some(recurrence) => EventKind::SeriesMaster(recurrence),
            None => EventKind::SingleInstance,
        },
        start: timing.start,
        end: timing.end,
        start_zone: timing.start_zone,
        end_zone: timing.end_zone,
        is_all_day: timing.all_day,
        props: Map::new(),
        extended: Default::default(),
        created: now,
        modified: now,
        change_key: change_key(),
        seq,
        cancelled: Vec::new(),
        dropped: Vec::new(),
    };
    apply_props(&mut event, &body);
    let shown = event.ids.shown(call.prefer.immutable_ids).to_string();
    let caller = env.caller;
    let sent = notices::of(
        mailbox_id,
        &event,
        &shown,
        caller,
        "invitation",
        Some(&body),
    );
    mailbox.sent.extend(sent);
    let instance_json = entity(
        render(
            &Instance::of(&event, call.prefer.immutable_ids),
            mailbox,
            call,
        ),
        call,
        mailbox_id,
        "events",
    );
    env.changes.push(change(mailbox_id, &event, "created"));
    let location = format!(
        "{}/users('{mailbox_id}')/events('{}')",
        call.base,
        event.ids.shown(call.prefer.immutable_ids)
    );
    mailbox.events.push(event);
    with_preference(
        Reply::with(201, instance_json).header("Location", location),
        call,
    )
}

pub(super) fn change(mailbox: &str, event: &Event, change_type: &'static str) -> Change {
    Change {
        mailbox: mailbox.into(),
        collection: "Events",
        folder: None,
        ids: event.ids.clone(),
        change_type,
        etag: Some(etag(&event.change_key)),
    }
}

fn precondition(call: &Call<'_>, change_key: &str) -> Result<(), Reply> {
    match &call.if_match {
        Some(tag) if tag != "*" && *tag != etag(change_key) => Err(Reply::error(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        )),
        _ => Ok(()),
    }
}

pub fn update(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str, id: &str) -> Reply {
    let mut body = match body_object(call).and_then(|b| check_attendees(&b).map(|()| b)) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let now = env.now;
    let Some(mailbox) = env.mailboxes.get_mut(mailbox_id) else {
        return Reply::not_found();
    };
    let mut event = match find(mailbox, id, call.prefer.immutable_ids) {
        Ok(instance) if instance.kind == "occurrence" => exception_from(&instance),
        Ok(instance) => instance.base.clone(),
        Err(reply) => return reply,
    };
    if let Err(reply) = precondition(call, &event.change_key) {
        return reply;
    }
    let zone = start_zone(&body).unwrap_or(&event.start_zone).to_string();
    if let Err(reply) = normalize::event(&mut body, &zone, event.props.get("attendees")) {
        return reply;
    }
    let timing = match timing(&body, Some(&event)) {
        Ok(timing) => timing,
        Err(reply) => return reply,
    };
    let seq = mailbox.next_seq();
    if let (Some(recurrence), EventKind::SingleInstance | EventKind::SeriesMaster(_)) =
        (timing.recurrence, &event.kind)
    {
        if matches!(event.kind, EventKind::SeriesMaster(_)) {
            let horizon = now + Duration::days(730);
            let before: Vec<String> = occurrence_ids(&event, horizon);
            event.kind = recurrence
                .clone()
                .map_or(EventKind::SingleInstance, EventKind::SeriesMaster);
            let after = occurrence_ids(&event, horizon);
            event.dropped.extend(
                before
                    .into_iter()
                    .filter(|id| !after.contains(id))
                    .map(|id| (id, seq)),
            );
        } else if let Some(recurrence) = recurrence {
            event.kind = EventKind::SeriesMaster(recurrence);
        }
    }
    event.start = timing.start;
    event.end = timing.end;
    event.start_zone = timing.start_zone;
    event.end_zone = timing.end_zone;
    event.is_all_day = timing.all_day;
    apply_props(&mut event, &body);
    let sent = notices::of(mailbox_id, &event, id, env.caller, "update", Some(&body));
    mailbox.sent.extend(sent);
    event.modified = now;
    event.change_key = change_key();
    event.seq = seq;
    let json = entity(
        render(
            &with_shown_master(
                Instance::of(&event, call.prefer.immutable_ids),
                mailbox,
                call.prefer.immutable_ids,
            ),
            mailbox,
            call,
        ),
        call,
        mailbox_id,
        "events",
    );
    env.changes.push(change(mailbox_id, &event, "updated"));
    match mailbox.event_index(&event.ids.immutable) {
        Some(index) => mailbox.events[index] = event,
        None => mailbox.events.push(event),
    }
    with_preference(Reply::ok(json), call)
}

fn occurrence_ids(master: &Event, until: DateTime<Utc>) -> Vec<String> {
    match &master.kind {
        EventKind::SeriesMaster(recurrence) => original_starts(master, recurrence, until)
            .into_iter()
            .map(|start| super::mailbox::occurrence_id(&master.ids.immutable, start))
            .collect(),
        _ => Vec::new(),
    }
}

/// A new exception standing in for an occurrence: the master's properties, the occurrence's id.
fn exception_from(occurrence: &Instance<'_>) -> Event {
    let mut event = occurrence.base.clone();
    event.ids = Ids {
        immutable: occurrence.id.clone(),
        regular: occurrence.id.clone(),
    };
    event.kind = EventKind::Exception {
        master: occurrence.base.ids.immutable.clone(),
        original_start: occurrence.start,
    };
    event.start = occurrence.start;
    event.end = occurrence.end;
    event.props.remove("recurrence");
    event.cancelled.clear();
    event.dropped.clear();
    event
}

pub fn delete(env: &mut Env<'_>, call: &Call<'_>, mailbox_id: &str, id: &str) -> Reply {
    let now = env.now;
    let Some(mailbox) = env.mailboxes.get_mut(mailbox_id) else {
        return Reply::not_found();
    };
    let (kind, current_key, master, start) = match find(mailbox, id, call.prefer.immutable_ids) {
        Ok(instance) => (
            instance.kind,
            instance.base.change_key.clone(),
            instance.series_master.clone(),
            instance.start,
        ),
        Err(reply) => return reply,
    };
    if let Err(reply) = precondition(call, &current_key) {
        return reply;
    }
    let seq = mailbox.next_seq();
    let mut gone: Vec<Ids> = Vec::new();
    match kind {
        "occurrence" | "exception" => {
            let original = match mailbox.exception(id).map(|e| e.kind.clone()) {
                Some(EventKind::Exception { original_start, .. }) => original_start,
                _ => start,
            };
            mailbox
                .events
                .retain(|e| !(matches!(e.kind, EventKind::Exception { .. }) && e.ids.is(id)));
            if let Some(index) = master.as_deref().and_then(|m| mailbox.event_index(m)) {
                let series = &mut mailbox.events[index];
                series.cancelled.push(original);
                series.seq = seq;
                series.modified = now;
                series.change_key = change_key();
                // Cancelling an occurrence changes its series: subscribers hear of the master.
                env.changes.push(change(mailbox_id, series, "updated"));
                let sent = notices::of(mailbox_id, series, id, env.caller, "cancellation", None);
                mailbox.sent.extend(sent);
            }
            gone.push(Ids {
                immutable: id.to_string(),
                regular: id.to_string(),
            });
        }
        _ => {
            let Some(index) = mailbox.event_index(id) else {
                return Reply::not_found();
            };
            let event = mailbox.events.remove(index);
            let sent = notices::of(mailbox_id, &event, id, env.caller, "cancellation", None);
            mailbox.sent.extend(sent);
            if matches!(event.kind, EventKind::SeriesMaster(_)) {
                for occurrence in occurrence_ids(&event, now + Duration::days(730)) {
                    gone.push(Ids {
                        immutable: occurrence.clone(),
                        regular: occurrence,
                    });
                }
                mailbox.events.retain(|e| !matches!(&e.kind, EventKind::Exception { master, .. } if *master == event.ids.immutable));
            }
            env.changes.push(change(mailbox_id, &event, "deleted"));
            gone.push(event.ids);
        }
    }
    for ids in gone {
        mailbox.event_tombstones.push(Tombstone {
            ids,
            seq,
            folder: None,
        });
    }
    Reply::no_content()
}
