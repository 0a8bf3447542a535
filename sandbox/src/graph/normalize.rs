//! What Graph keeps of what a client writes to an event: enum values in Graph's casing,
//! attendees with a response status, a location with its type and unique id (and `locations`
//! derived from it), a recurrence with every member of its pattern and range, and an HTML body
//! wrapped in the document Outlook stores. Reads then return what Graph returns, not the
//! request.

use serde_json::{Map, Value, json};

use super::api::Reply;

const SHOW_AS: &[&str] = &[
    "free",
    "tentative",
    "busy",
    "oof",
    "workingElsewhere",
    "unknown",
];
const IMPORTANCE: &[&str] = &["low", "normal", "high"];
const SENSITIVITY: &[&str] = &["normal", "personal", "private", "confidential"];
const ATTENDEE_TYPE: &[&str] = &["required", "optional", "resource"];
const LOCATION_TYPE: &[&str] = &[
    "default",
    "conferenceRoom",
    "homeAddress",
    "businessAddress",
    "geoCoordinates",
    "streetAddress",
    "hotel",
    "restaurant",
    "localBusiness",
    "postalAddress",
];
const PATTERN_TYPE: &[&str] = &[
    "daily",
    "weekly",
    "absoluteMonthly",
    "relativeMonthly",
    "absoluteYearly",
    "relativeYearly",
];
const RANGE_TYPE: &[&str] = &["endDate", "noEnd", "numbered"];
const DAYS: &[&str] = &[
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];
const WEEK_INDEX: &[&str] = &["first", "second", "third", "fourth", "last"];
const BODY_TYPE: &[&str] = &["text", "html"];

/// The response status of an attendee nobody has heard from yet.
const NO_RESPONSE_TIME: &str = "0001-01-01T00:00:00Z";

/// `value` in Graph's casing, if it is a member of the enum `name` (Graph reads enums
/// case-insensitively and writes them in camelCase).
fn member(value: &Value, members: &[&str], name: &str) -> Result<Value, Reply> {
    let text = value.as_str().unwrap_or_default();
    members
        .iter()
        .find(|m| m.eq_ignore_ascii_case(text))
        .map(|m| json!(m))
        .ok_or_else(|| {
            Reply::error(
                400,
                "RequestBodyRead",
                &format!(
                    "Cannot convert the literal '{text}' to the expected type 'microsoft.graph.{name}'."
                ),
            )
        })
}

/// Normalizes an event body in place. `zone` is the event's start time zone (the recurrence
/// range's default zone); `attendees_before` are the stored attendees, whose responses survive
/// an update that lists them again.
pub fn event(
    body: &mut Map<String, Value>,
    zone: &str,
    attendees_before: Option<&Value>,
) -> Result<(), Reply> {
    for (key, members, name) in [
        ("showAs", SHOW_AS, "freeBusyStatus"),
        ("importance", IMPORTANCE, "importance"),
        ("sensitivity", SENSITIVITY, "sensitivity"),
    ] {
        if let Some(value) = body.get(key).filter(|v| !v.is_null()) {
            let canonical = member(value, members, name)?;
            body.insert(key.into(), canonical);
        }
    }
    if let Some(attendees) = body.get("attendees").filter(|v| !v.is_null()) {
        let normalized = self::attendees(attendees, attendees_before)?;
        body.insert("attendees".into(), normalized);
    }
    if let Some(content) = body.get("body").filter(|v| !v.is_null()) {
        let normalized = self::body(content)?;
        body.insert("body".into(), normalized);
    }
    match (
        body.get("location").cloned(),
        body.get("locations").cloned(),
    ) {
        (Some(location), _) if !location.is_null() => {
            let location = self::location(&location)?;
            let locations = if named(&location) {
                json!([location.clone()])
            } else {
                json!([])
            };
            body.insert("location".into(), location);
            body.insert("locations".into(), locations);
        }
        (_, Some(Value::Array(list))) => {
            let list: Vec<Value> = list.iter().map(self::location).collect::<Result<_, _>>()?;
            // Several places show as one location named after all of them (our choice where
            // the reference is silent: Outlook joins the names with "; ").
            let names: Vec<&str> = list
                .iter()
                .filter_map(|l| l["displayName"].as_str())
                .filter(|n| !n.is_empty())
                .collect();
            let location = self::location(&json!({ "displayName": names.join("; ") }))?;
            body.insert("location".into(), location);
            body.insert("locations".into(), json!(list));
        }
        _ => {}
    }
    if let Some(recurrence) = body.get("recurrence").filter(|v| !v.is_null()) {
        let normalized = self::recurrence(recurrence, zone)?;
        body.insert("recurrence".into(), normalized);
    }
    Ok(())
}

fn named(location: &Value) -> bool {
    location["displayName"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
}

fn attendees(list: &Value, before: Option<&Value>) -> Result<Value, Reply> {
    let Some(list) = list.as_array() else {
        return Err(Reply::error(
            400,
            "RequestBodyRead",
            "The property 'attendees' must be an array.",
        ));
    };
    let earlier_status = |address: &str| -> Option<Value> {
        before?.as_array()?.iter().find_map(|a| {
            let same = a["emailAddress"]["address"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(address));
            same.then(|| a["status"].clone())
        })
    };
    let mut out = Vec::new();
    for attendee in list {
        let address = attendee["emailAddress"]["address"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = attendee["emailAddress"]["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or(&address)
            .to_string();
        let kind = match attendee.get("type").filter(|t| !t.is_null()) {
            Some(kind) => member(kind, ATTENDEE_TYPE, "attendeeType")?,
            None => json!("required"),
        };
        let status = earlier_status(&address)
            .filter(|s| s.is_object())
            .unwrap_or_else(|| json!({ "response": "none", "time": NO_RESPONSE_TIME }));
        out.push(json!({
            "type": kind,
            "status": status,
            "emailAddress": { "name": name, "address": address },
        }));
    }
    Ok(Value::Array(out))
}

/// An HTML body is kept as the document Outlook stores: the client's markup inside `<html>`,
/// a `<head>` with the charset, and `<body>`; a text body is kept as text.
fn body(value: &Value) -> Result<Value, Reply> {
    let kind = match value.get("contentType").filter(|t| !t.is_null()) {
        Some(kind) => member(kind, BODY_TYPE, "bodyType")?,
        None => json!("text"),
    };
    let content = value["content"].as_str().unwrap_or_default();
    let content = if kind == "html"
        && !content
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<html")
    {
        format!(
            "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n{content}\r\n</body>\r\n</html>\r\n"
        )
    } else {
        content.to_string()
    };
    Ok(json!({ "contentType": kind, "content": content }))
}

fn location(value: &Value) -> Result<Value, Reply> {
    let name = value["displayName"].as_str().unwrap_or_default();
    let kind = match value.get("locationType").filter(|t| !t.is_null()) {
        Some(kind) => member(kind, LOCATION_TYPE, "locationType")?,
        None => json!("default"),
    };
    let mut out = Map::new();
    out.insert("displayName".into(), json!(name));
    out.insert("locationType".into(), kind);
    if name.is_empty() {
        out.insert("uniqueIdType".into(), json!("unknown"));
        out.insert("address".into(), json!({}));
        out.insert("coordinates".into(), json!({}));
        return Ok(Value::Object(out));
    }
    let unique_id = value["uniqueId"].as_str().unwrap_or(name);
    out.insert("uniqueId".into(), json!(unique_id));
    out.insert(
        "uniqueIdType".into(),
        value
            .get("uniqueIdType")
            .cloned()
            .filter(|t| !t.is_null())
            .unwrap_or(json!("private")),
    );
    for key in [
        "locationUri",
        "locationEmailAddress",
        "address",
        "coordinates",
    ] {
        if let Some(v) = value.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

/// Every member of the pattern and the range, as Graph returns them.
fn recurrence(value: &Value, zone: &str) -> Result<Value, Reply> {
    let pattern = &value["pattern"];
    let range = &value["range"];
    let or_default = |v: &Value, members: &[&str], name: &str, default: &str| match v {
        Value::Null => Ok(json!(default)),
        v => member(v, members, name),
    };
    let days: Vec<Value> = pattern["daysOfWeek"]
        .as_array()
        .map(|days| {
            days.iter()
                .map(|d| member(d, DAYS, "dayOfWeek"))
                .collect::<Result<_, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let range_type = or_default(&range["type"], RANGE_TYPE, "recurrenceRangeType", "noEnd")?;
    let end_date = if range_type == "endDate" {
        range["endDate"].clone()
    } else {
        json!("0001-01-01")
    };
    let count = if range_type == "numbered" {
        range["numberOfOccurrences"].clone()
    } else {
        json!(0)
    };
    Ok(json!({
        "pattern": {
            "type": or_default(&pattern["type"], PATTERN_TYPE, "recurrencePatternType", "")?,
            "interval": pattern["interval"].as_u64().unwrap_or(1),
            "month": pattern["month"].as_u64().unwrap_or(0),
            "dayOfMonth": pattern["dayOfMonth"].as_u64().unwrap_or(0),
            "daysOfWeek": days,
            "firstDayOfWeek": or_default(&pattern["firstDayOfWeek"], DAYS, "dayOfWeek", "sunday")?,
            "index": or_default(&pattern["index"], WEEK_INDEX, "weekIndex", "first")?,
        },
        "range": {
            "type": range_type,
            "startDate": range["startDate"],
            "endDate": end_date,
            "recurrenceTimeZone": range["recurrenceTimeZone"].as_str().filter(|z| !z.is_empty()).unwrap_or(zone),
            "numberOfOccurrences": count,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_type_outside_the_enum_is_refused_as_graph_refuses_it() {
        let refused = recurrence(
            &json!({ "pattern": { "type": "fortnightly" }, "range": { "type": "noEnd", "startDate": "2026-01-05" } }),
            "UTC",
        )
        .unwrap_err();
        assert_eq!(refused.status, 400);
    }
}
