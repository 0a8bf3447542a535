use chrono::Utc;
use outforce::ids::OrgId;
use outforce::salesforce::limits::*;

#[test]
fn reads_usage_with_or_without_bursts() {
    let now = Utc::now();
    let usage = ApiUsage::parse("api-usage=10018/100000; api-bursts=1/750", now).unwrap();
    assert_eq!(
        (usage.used, usage.max, usage.remaining()),
        (10018, 100000, 89982)
    );
    let plain = ApiUsage::parse("api-usage=3/15000", now).unwrap();
    assert_eq!((plain.used, plain.max), (3, 15000));
    let app_first = ApiUsage::parse(
        "per-app-api-usage=17/250(appName=x); api-usage=18/15000",
        now,
    );
    assert_eq!(app_first.map(|u| u.used), Some(18));
}

#[test]
fn ignores_headers_it_cannot_read() {
    let now = Utc::now();
    assert_eq!(ApiUsage::parse("", now), None);
    assert_eq!(ApiUsage::parse("api-usage=many/15000", now), None);
    assert_eq!(ApiUsage::parse("api-bursts=1/750", now), None);
}

#[test]
fn keeps_the_newest_report_per_org() {
    let limits = OrgLimits::default();
    let (org_1, org_2, org_3) = (
        OrgId::from("00D1"),
        OrgId::from("00D2"),
        OrgId::from("00D3"),
    );
    let early = Utc::now();
    let late = early + chrono::Duration::seconds(1);
    limits.record(
        &org_1,
        ApiUsage {
            used: 9,
            max: 100,
            seen_at: late,
        },
    );
    limits.record(
        &org_1,
        ApiUsage {
            used: 5,
            max: 100,
            seen_at: early,
        },
    );
    limits.record(
        &org_2,
        ApiUsage {
            used: 1,
            max: 50,
            seen_at: early,
        },
    );
    assert_eq!(limits.get(&org_1).map(|u| u.used), Some(9));
    assert_eq!(limits.get(&org_2).map(|u| u.used), Some(1));
    assert_eq!(limits.get(&org_3), None);
}
