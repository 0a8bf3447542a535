use chrono::{Offset as _, TimeZone as _};
use outforce::sync::model::codes::LinkCode;
use outforce::sync::model::event_map::{Context, GraphEvent, MapError, Mapped, hash, map};
use outforce::sync::model::settings::PrivatePolicy;
use outforce::sync::model::zones;
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use serde_json::{Value, json};

const CONTACTS: &[&str] = &["003000000000001AAA", "003000000000002AAA"];

fn contacts() -> Vec<String> {
    CONTACTS.iter().map(|c| c.to_string()).collect()
}

fn event(overrides: Value) -> GraphEvent {
    let mut base = json!({
        "id": "AAMkAD-1",
        "subject": "Quarterly review",
        "body": { "contentType": "text", "content": "Agenda: pricing" },
        "start": { "dateTime": "2026-12-03T09:00:00.0000000", "timeZone": "Pacific Standard Time" },
        "end": { "dateTime": "2026-12-03T10:00:00.0000000", "timeZone": "Pacific Standard Time" },
        "isAllDay": false,
        "location": { "displayName": "Room 4" },
        "sensitivity": "normal",
        "showAs": "busy",
        "isCancelled": false,
    });
    for (key, value) in overrides.as_object().unwrap() {
        base[key] = value.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn context(who: &[String]) -> Context<'_> {
    Context {
        who_ids: who,
        what_id: Some("006000000000001AAA"),
        shared_activities: true,
        private: PrivatePolicy::AsPrivate,
    }
}

fn fields(mapped: Mapped) -> serde_json::Map<String, Value> {
    match mapped {
        Mapped::Write(written) => written.fields,
        other => panic!("expected fields, got {other:?}"),
    }
}

/// Every Windows zone name in CLDR's mapping (`tests/data/cldr/`), and the IANA zone its
/// world-wide row names.
fn cldr_windows_zones() -> Vec<(String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cldr/windowsZones.json"
    );
    let cldr: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    cldr["supplemental"]["windowsZones"]["mapTimezones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| &row["mapZone"])
        .filter(|zone| zone["_territory"] == "001")
        .map(|zone| {
            let windows = zone["_other"].as_str().unwrap().to_string();
            let iana = zone["_type"].as_str().unwrap().split(' ').next().unwrap();
            (windows, iana.to_string())
        })
        .collect()
}

#[test]
fn every_windows_zone_in_cldr_maps_to_its_zone() {
    let table = cldr_windows_zones();
    assert_eq!(table.len(), 139, "CLDR 48's world-wide rows");
    // The zone we map to keeps CLDR's zone's offsets (a renamed zone is a link to the same
    // rules) on the first of every month from 2024 to 2030, and in both halves of each year.
    let instants: Vec<chrono::DateTime<chrono::Utc>> = (2024..=2030)
        .flat_map(|year| (1..=12).map(move |month| (year, month)))
        .map(|(year, month)| {
            chrono::Utc
                .with_ymd_and_hms(year, month, 1, 12, 0, 0)
                .unwrap()
        })
        .collect();
    for (windows, iana) in &table {
        let ours = zones::zone(windows).unwrap_or_else(|| panic!("{windows} is not known"));
        let theirs: chrono_tz::Tz = iana.parse().unwrap();
        for at in &instants {
            assert_eq!(
                ours.offset_from_utc_datetime(&at.naive_utc()).fix(),
                theirs.offset_from_utc_datetime(&at.naive_utc()).fix(),
                "{windows}: ours {ours} against CLDR's {iana} at {at}"
            );
        }
    }
    for named in [
        "Jordan Standard Time",
        "Syria Standard Time",
        "Belarus Standard Time",
        "Ekaterinburg Standard Time",
        "Georgian Standard Time",
        "Yakutsk Standard Time",
        "Samoa Standard Time",
        "Paraguay Standard Time",
        "Azerbaijan Standard Time",
        "UTC+12",
    ] {
        assert!(zones::zone(named).is_some(), "{named}");
    }
    assert!(zones::zone("Europe/Berlin").is_some(), "IANA names too");
}

#[test]
fn a_zone_nobody_knows_fails_the_meeting_with_its_code_never_utc() {
    assert!(zones::zone("tzone://Microsoft/Custom").is_none());
    let who = contacts();
    let custom = json!({
        "start": { "dateTime": "2026-12-03T09:00:00.0000000", "timeZone": "Mars Standard Time" },
        "end": { "dateTime": "2026-12-03T10:00:00.0000000", "timeZone": "Mars Standard Time" },
    });
    let error = map(&event(custom), &context(&who)).unwrap_err();
    assert_eq!(error.code(), LinkCode::UnknownTimeZone);
    assert_eq!(error.time_zone(), Some("Mars Standard Time"));
    let html = event(json!({ "body": { "contentType": "html", "content": "<p>Agenda</p>" } }));
    assert_eq!(map(&html, &context(&who)).unwrap_err(), MapError::NotText);
    assert_eq!(MapError::NotText.code(), LinkCode::GraphEventUnreadable);
}

#[test]
fn times_land_at_the_right_utc_instant_across_daylight_saving_changes() {
    let utc = |at: &str, zone: &str| zones::to_utc(at, zone).unwrap().to_rfc3339();
    assert_eq!(
        utc("2026-12-03T09:00:00.0000000", "Pacific Standard Time"),
        "2026-12-03T17:00:00+00:00"
    );
    assert_eq!(
        utc("2026-07-01T09:00:00.0000000", "Pacific Standard Time"),
        "2026-07-01T16:00:00+00:00"
    );
    // Spring forward (02:00 -> 03:00): 02:30 does not exist and reads as 03:30 PDT.
    assert_eq!(
        utc("2026-03-08T02:30:00.0000000", "Pacific Standard Time"),
        "2026-03-08T10:30:00+00:00"
    );
    // Fall back (02:00 -> 01:00): 01:30 happens twice; as Exchange (.NET's TimeZoneInfo)
    // reads it, standard time is meant: the second, 01:30 PST.
    assert_eq!(
        utc("2026-11-01T01:30:00.0000000", "America/Los_Angeles"),
        "2026-11-01T09:30:00+00:00"
    );
    assert_eq!(
        utc("2026-10-25T02:30:00.0000000", "W. Europe Standard Time"),
        "2026-10-25T01:30:00+00:00",
        "02:30 CET, the hour after summer time ends"
    );
    assert_eq!(
        utc("2026-03-29T09:00:00.0000000", "W. Europe Standard Time"),
        "2026-03-29T07:00:00+00:00"
    );
    assert_eq!(
        utc("2026-03-28T09:00:00.0000000", "W. Europe Standard Time"),
        "2026-03-28T08:00:00+00:00"
    );
    assert_eq!(
        utc("2026-12-03T17:00:00.0000000Z", "UTC"),
        "2026-12-03T17:00:00+00:00"
    );
    assert!(zones::to_utc("2026-12-03T09:00:00", "Mars Standard Time").is_err());
    assert!(zones::to_utc("3 December", "UTC").is_err());
}

#[test]
fn a_timed_meeting_becomes_an_event_with_its_fields() {
    let who = contacts();
    let written = fields(map(&event(json!({})), &context(&who)).unwrap());
    assert_eq!(written["Subject"], "Quarterly review");
    assert_eq!(written["StartDateTime"], "2026-12-03T17:00:00.000+0000");
    assert_eq!(written["EndDateTime"], "2026-12-03T18:00:00.000+0000");
    assert_eq!(written["IsAllDayEvent"], false);
    assert_eq!(written["Location"], "Room 4");
    assert_eq!(written["Description"], "Agenda: pricing");
    assert_eq!(written["ShowAs"], "Busy");
    assert_eq!(written["IsPrivate"], false);
    assert_eq!(written["EventWhoIds"], json!(CONTACTS));
    assert_eq!(written["WhatId"], "006000000000001AAA");
}

#[test]
fn an_all_day_event_keeps_its_calendar_dates_whatever_the_zone() {
    let who = contacts();
    for zone in ["UTC", "Tokyo Standard Time", "Hawaiian Standard Time"] {
        let all_day = event(json!({
            "isAllDay": true,
            "start": { "dateTime": "2026-12-04T00:00:00.0000000", "timeZone": zone },
            "end": { "dateTime": "2026-12-07T00:00:00.0000000", "timeZone": zone },
        }));
        let written = fields(map(&all_day, &context(&who)).unwrap());
        assert_eq!(written["IsAllDayEvent"], true, "{zone}");
        assert_eq!(written["ActivityDate"], "2026-12-04", "{zone}");
        assert_eq!(written["DurationInMinutes"], 3 * 24 * 60, "{zone}");
        assert!(written.get("StartDateTime").is_none());
    }
    let long = event(json!({
        "isAllDay": true,
        "start": { "dateTime": "2026-12-01T00:00:00.0000000", "timeZone": "UTC" },
        "end": { "dateTime": "2026-12-20T00:00:00.0000000", "timeZone": "UTC" },
    }));
    assert_eq!(
        map(&long, &context(&who)).unwrap(),
        Mapped::Skipped(LinkCode::LongerThan14Days)
    );
}

#[test]
fn private_events_follow_the_policy() {
    let who = contacts();
    let private = event(json!({ "sensitivity": "private" }));
    let mut policy = context(&who);
    policy.private = PrivatePolicy::Skip;
    assert_eq!(
        map(&private, &policy).unwrap(),
        Mapped::Skipped(LinkCode::Private)
    );
    policy.private = PrivatePolicy::AsPrivate;
    let whole = fields(map(&private, &policy).unwrap());
    assert_eq!(whole["IsPrivate"], true);
    assert_eq!(whole["Subject"], "Quarterly review");
    policy.private = PrivatePolicy::TimeAndAttendeesOnly;
    let bare = fields(map(&event(json!({ "sensitivity": "confidential" })), &policy).unwrap());
    assert_eq!(bare["IsPrivate"], true);
    for hidden in ["Subject", "Location", "Description"] {
        assert!(bare.get(hidden).is_none(), "{hidden} stays in the mailbox");
    }
    assert_eq!(
        bare["EventWhoIds"],
        json!(CONTACTS),
        "time and attendees only"
    );
    let personal = fields(map(&event(json!({ "sensitivity": "personal" })), &policy).unwrap());
    assert_eq!(personal["IsPrivate"], false, "personal is not private");
}

#[test]
fn relations_follow_the_orgs_rules() {
    let who = contacts();
    let mut without_shared = context(&who);
    without_shared.shared_activities = false;
    let Mapped::Write(one) = map(&event(json!({})), &without_shared).unwrap() else {
        panic!("written");
    };
    assert_eq!(one.fields["WhoId"], CONTACTS[0]);
    assert!(one.fields.get("EventWhoIds").is_none());
    assert_eq!(one.who_ids_dropped, 1, "said, so the link can show it");

    let lead = vec!["00Q000000000001AAA".to_string()];
    let with_lead = fields(map(&event(json!({})), &context(&lead)).unwrap());
    assert_eq!(with_lead["WhoId"], "00Q000000000001AAA");
    assert!(with_lead.get("WhatId").is_none(), "a Lead allows no What");
}

#[test]
fn show_as_cancellation_text_and_the_hash() {
    let who = contacts();
    let free = fields(map(&event(json!({ "showAs": "free" })), &context(&who)).unwrap());
    assert_eq!(free["ShowAs"], "Free");
    let away = fields(map(&event(json!({ "showAs": "oof" })), &context(&who)).unwrap());
    assert_eq!(away["ShowAs"], "OutOfOffice");
    assert_eq!(
        map(&event(json!({ "isCancelled": true })), &context(&who)).unwrap(),
        Mapped::Cancelled
    );

    let text = event(
        json!({ "body": { "contentType": "text", "content": "  Agenda & pricing\n\nQ&A  " } }),
    );
    assert_eq!(
        fields(map(&text, &context(&who)).unwrap())["Description"],
        "Agenda & pricing\n\nQ&A",
        "Graph's own text body, trimmed"
    );

    let once = fields(map(&event(json!({})), &context(&who)).unwrap());
    let again = fields(map(&event(json!({})), &context(&who)).unwrap());
    assert_eq!(hash(&once), hash(&again), "the same event hashes alike");
    let moved = fields(map(&event(json!({ "subject": "Moved" })), &context(&who)).unwrap());
    assert_ne!(hash(&once), hash(&moved));
}

#[test]
fn the_emulated_salesforce_takes_the_fields_and_keeps_the_instant() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Map", 1_000_000);
    sf.set_shared_activities(&org.id, true);
    let account = sf
        .create_record(&org.id, "Account", json!({ "Name": "Acme" }))
        .unwrap();
    let who: Vec<String> = (0..2)
        .map(|i| {
            sf.create_record(
                &org.id,
                "Contact",
                json!({ "LastName": format!("C{i}"), "AccountId": account }),
            )
            .unwrap()
        })
        .collect();
    let mut context = context(&who);
    context.what_id = Some(&account);
    for (name, overrides) in [
        ("timed", json!({ "sensitivity": "private" })),
        (
            "all day",
            json!({ "isAllDay": true,
            "start": { "dateTime": "2026-12-04T00:00:00.0000000", "timeZone": "UTC" },
            "end": { "dateTime": "2026-12-05T00:00:00.0000000", "timeZone": "UTC" } }),
        ),
    ] {
        let written = fields(map(&event(overrides), &context).unwrap());
        let id = sf
            .create_record(&org.id, "Event", Value::Object(written.clone()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let stored = sf.record(&org.id, &id).unwrap();
        if name == "timed" {
            assert_eq!(stored["StartDateTime"], written["StartDateTime"]);
            assert_eq!(stored["IsPrivate"], true);
        } else {
            assert_eq!(stored["ActivityDate"], "2026-12-04");
            assert_eq!(stored["DurationInMinutes"], 1440);
        }
        let rows = sf
            .query(
                &org.id,
                &format!("SELECT RelationId FROM EventRelation WHERE EventId = '{id}'"),
            )
            .unwrap();
        assert!(rows.len() >= 2, "{name}: both Contacts related: {rows:?}");
    }
}
