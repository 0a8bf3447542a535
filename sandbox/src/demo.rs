//! What the demo and `outforce sandbox` start with: one Entra tenant with outforce's app
//! registration, one Salesforce org with a rep and outforce's connected app, one mailbox, and
//! the believable data in a demo-data file (`sandbox/demo-data.json` unless another is given).
//! The accounts are throw-away and public on purpose; nothing real ever uses them.

mod data;

use anyhow::Context as _;

pub use data::{DemoData, MailboxData, SalesforceData, SeedRecord};

use crate::Sandbox;
use crate::entra::{AppRegistration, DirectoryUser};
use crate::salesforce::{ConnectedApp, LoginPage};

pub const TENANT_ID: &str = "7e1c3d2a-5b4f-4c8e-9a6d-0f2b1e3c4d5a";
pub const API_CLIENT_ID: &str = "a3f1c2d4-6b5e-4f70-8a9b-1c2d3e4f5a6b";
pub const API_CLIENT_SECRET: &str = "demo-entra-secret";
pub const SALESFORCE_CONSUMER_KEY: &str = "3MVG9demo.outforce.consumer";
pub const SALESFORCE_CONSUMER_SECRET: &str = "demo-salesforce-secret";
pub const REP_USERNAME: &str = "avery.rep@contoso-demo.example";
/// The rep's Entra object id: their mailbox's id in Graph.
pub const REP_OBJECT_ID: &str = "5d6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";

/// What was seeded, for printing and for configuring the service.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    pub tenant_id: String,
    pub api_client_id: String,
    pub salesforce_org_id: String,
    pub salesforce_rep_id: String,
    pub salesforce_consumer_key: String,
    pub rep_object_id: String,
    pub salesforce_records: usize,
    pub mailbox_events: usize,
    /// The Monday of the week the meetings were placed in (in the mailbox's zone).
    pub mailbox_week: chrono::NaiveDate,
    /// The mailbox's zone, as Outlook names it (Windows).
    pub mailbox_time_zone: String,
}

/// Seeds every emulator; `callback` is where the service receives Salesforce's OAuth redirect.
pub fn seed(sandbox: &Sandbox, data: &DemoData, callback: &str) -> anyhow::Result<DemoAccounts> {
    sandbox.entra.register_app(AppRegistration {
        tenant_id: TENANT_ID.into(),
        client_id: API_CLIENT_ID.into(),
        client_secret: API_CLIENT_SECRET.into(),
        app_id_uri: format!("api://localhost/{API_CLIENT_ID}"),
        application_permissions: vec![
            "Calendars.ReadWrite".into(),
            "Contacts.ReadWrite".into(),
            "MailboxSettings.ReadWrite".into(),
        ],
    });
    sandbox.entra.add_user(DirectoryUser {
        tenant_id: TENANT_ID.into(),
        object_id: REP_OBJECT_ID.into(),
        username: REP_USERNAME.into(),
        name: "Avery Rep".into(),
    });
    let sf = &sandbox.salesforce;
    let org = sf.add_org(&data.salesforce.org, data.salesforce.api_allowance);
    sf.set_shared_activities(&org.id, data.salesforce.shared_activities);
    let rep = sf.add_user(&org.id, REP_USERNAME, "Avery", "Rep");
    sf.add_user(&org.id, "sam.lee@contoso-demo.example", "Sam", "Lee");
    sf.add_connected_app(ConnectedApp {
        consumer_key: SALESFORCE_CONSUMER_KEY.into(),
        consumer_secret: SALESFORCE_CONSUMER_SECRET.into(),
        callback_urls: vec![callback.into()],
        rotate_refresh_tokens: false,
        jwt_certificate_pem: None,
        pre_authorized_users: vec![rep.id.clone()],
    });
    sf.set_login_page(LoginPage::Approve(rep.id.clone()));
    let salesforce_records = data.seed_salesforce(sf, &org.id)?;

    sandbox
        .graph
        .add_mailbox(TENANT_ID, REP_OBJECT_ID, REP_USERNAME, "Avery Rep");
    sandbox.graph.allow_http_webhooks(true);
    let (mailbox_events, mailbox_week) =
        data.seed_mailbox(&sandbox.graph, REP_OBJECT_ID, chrono::Utc::now())?;
    if let Some(switches) = &data.switches {
        switches
            .apply(sandbox)
            .context("applying the demo data's switches")?;
    }
    Ok(DemoAccounts {
        tenant_id: TENANT_ID.into(),
        api_client_id: API_CLIENT_ID.into(),
        salesforce_org_id: org.id,
        salesforce_rep_id: rep.id,
        salesforce_consumer_key: SALESFORCE_CONSUMER_KEY.into(),
        rep_object_id: REP_OBJECT_ID.into(),
        salesforce_records,
        mailbox_events,
        mailbox_week,
        mailbox_time_zone: data.mailbox.time_zone.clone(),
    })
}
