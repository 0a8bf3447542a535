//! `/limits`: every limit a real org reports, each with `Max` and `Remaining`. Only the daily
//! API requests are counted by the emulator; the others stay at a Developer Edition org's
//! allocation, untouched (our choice: nothing in the emulator consumes them).

use serde_json::{Map, Value as Json, json};

use super::{Env, Reply};

/// Limits that list a bucket per connected app under the org-wide figures. An app without an
/// allocation of its own shows zeros, as in a real org's answer.
const APP_BUCKETS: &[&str] = &[
    "Ant Migration Tool",
    "Chatter Desktop",
    "Chatter Mobile for BlackBerry",
    "Dataloader Bulk",
    "Dataloader Partner",
    "EAM",
    "Force.com IDE",
    "Salesforce CLI",
    "Salesforce Chatter",
    "Salesforce Files",
    "Salesforce Mobile Dashboards",
    "Salesforce Social Customer Service (SCS)",
    "Salesforce Touch",
    "Salesforce for Outlook",
    "SalesforceA",
    "SalesforceIQ",
    "Workbench",
];

/// Name and allocation, in the order Salesforce lists them (alphabetical).
const FIXED: &[(&str, u64)] = &[
    ("ActiveScratchOrgs", 3),
    ("AnalyticsExternalDataSizeMB", 40_960),
    ("ConcurrentAsyncGetReportInstances", 200),
    ("ConcurrentEinsteinDataInsightsStoryCreation", 5),
    ("ConcurrentEinsteinDiscoveryStoryCreation", 2),
    ("ConcurrentSyncReportRuns", 20),
    ("DailyAnalyticsDataflowJobExecutions", 60),
    ("DailyAnalyticsUploadedFilesSizeMB", 51_200),
    ("DailyApiRequests", 0),
    ("DailyAsyncApexExecutions", 250_000),
    ("DailyAsyncApexTests", 500),
    ("DailyBulkApiBatches", 15_000),
    ("DailyBulkV2QueryFileStorageMB", 976_562),
    ("DailyBulkV2QueryJobs", 10_000),
    ("DailyDeliveredPlatformEvents", 10_000),
    ("DailyDurableGenericStreamingApiEvents", 10_000),
    ("DailyDurableStreamingApiEvents", 10_000),
    ("DailyEinsteinDataInsightsStoryCreation", 1_000),
    ("DailyEinsteinDiscoveryPredictAPICalls", 50_000),
    ("DailyEinsteinDiscoveryPredictionsByCDC", 5_000_000),
    ("DailyEinsteinDiscoveryStoryCreation", 100),
    ("DailyFunctionsApiCallLimit", 235_000),
    ("DailyGenericStreamingApiEvents", 10_000),
    ("DailyScratchOrgs", 6),
    ("DailyStandardVolumePlatformEvents", 10_000),
    ("DailyStreamingApiEvents", 10_000),
    ("DailyWorkflowEmails", 1_000),
    ("DataStorageMB", 5),
    ("DurableStreamingApiConcurrentClients", 20),
    ("FileStorageMB", 20),
    ("HourlyAsyncReportRuns", 1_200),
    ("HourlyDashboardRefreshes", 200),
    ("HourlyDashboardResults", 5_000),
    ("HourlyDashboardStatuses", 999_999_999),
    ("HourlyLongTermIdMapping", 100_000),
    ("HourlyManagedContentPublicRequests", 50_000),
    ("HourlyODataCallout", 10_000),
    ("HourlyPublishedPlatformEvents", 50_000),
    ("HourlyPublishedStandardVolumePlatformEvents", 1_000),
    ("HourlyShortTermIdMapping", 100_000),
    ("HourlySyncReportRuns", 500),
    ("HourlyTimeBasedWorkflow", 50),
    ("MassEmail", 10),
    ("MonthlyEinsteinDiscoveryStoryCreation", 500),
    ("MonthlyPlatformEventsUsageEntitlement", 0),
    ("Package2VersionCreates", 6),
    ("Package2VersionCreatesWithoutValidation", 500),
    ("PermissionSets", 1_500),
    ("PrivateConnectOutboundCalloutHourlyLimitMB", 0),
    ("PublishCallbackUsageInApex", 5_000_000),
    ("SingleEmail", 15),
    ("StreamingApiConcurrentClients", 20),
];

fn allocation(max: u64, remaining: u64) -> Map<String, Json> {
    let mut out = Map::new();
    out.insert("Max".into(), json!(max));
    out.insert("Remaining".into(), json!(remaining));
    out
}

fn with_app_buckets(mut limit: Map<String, Json>) -> Map<String, Json> {
    for app in APP_BUCKETS {
        limit.insert((*app).into(), Json::Object(allocation(0, 0)));
    }
    limit
}

pub fn limits(env: &Env<'_>) -> Reply {
    let (api_max, api_remaining) = env.api;
    let mut out = Map::new();
    for &(name, max) in FIXED {
        let limit = match name {
            "DailyApiRequests" => with_app_buckets(allocation(api_max, api_remaining)),
            "DailyBulkApiBatches" => with_app_buckets(allocation(max, max)),
            "PermissionSets" => {
                let mut sets = allocation(max, max);
                sets.insert(
                    "CreateCustom".into(),
                    Json::Object(allocation(1_000, 1_000)),
                );
                sets
            }
            _ => allocation(max, max),
        };
        out.insert(name.into(), Json::Object(limit));
    }
    Reply::ok(Json::Object(out))
}
