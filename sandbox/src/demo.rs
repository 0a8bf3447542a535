//! The accounts the demo and `outforce sandbox` start with: one Entra tenant with outforce's app
//! registration, one Salesforce org with a rep and outforce's connected app. The values are
//! throw-away and public on purpose; nothing real ever uses them.

use crate::entra::{AppRegistration, Entra};
use crate::salesforce::{ConnectedApp, LoginPage, Salesforce};

pub const TENANT_ID: &str = "7e1c3d2a-5b4f-4c8e-9a6d-0f2b1e3c4d5a";
pub const API_CLIENT_ID: &str = "a3f1c2d4-6b5e-4f70-8a9b-1c2d3e4f5a6b";
pub const API_CLIENT_SECRET: &str = "demo-entra-secret";
pub const SALESFORCE_CONSUMER_KEY: &str = "3MVG9demo.outforce.consumer";
pub const SALESFORCE_CONSUMER_SECRET: &str = "demo-salesforce-secret";
pub const REP_USERNAME: &str = "avery.rep@contoso-demo.example";

/// What was seeded, for printing and for configuring the service.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    pub tenant_id: String,
    pub api_client_id: String,
    pub salesforce_org_id: String,
    pub salesforce_rep_id: String,
    pub salesforce_consumer_key: String,
}

/// Seeds both emulators; `callback` is where the service receives Salesforce's OAuth redirect.
pub fn seed(entra: &Entra, salesforce: &Salesforce, callback: &str) -> DemoAccounts {
    entra.register_app(AppRegistration {
        tenant_id: TENANT_ID.into(),
        client_id: API_CLIENT_ID.into(),
        client_secret: API_CLIENT_SECRET.into(),
        app_id_uri: format!("api://localhost/{API_CLIENT_ID}"),
        application_permissions: vec!["Calendars.ReadWrite".into(), "Contacts.ReadWrite".into()],
    });
    let org = salesforce.add_org("Contoso Demo", 15_000);
    let rep = salesforce.add_user(&org.id, REP_USERNAME, "Avery", "Rep");
    salesforce.add_connected_app(ConnectedApp {
        consumer_key: SALESFORCE_CONSUMER_KEY.into(),
        consumer_secret: SALESFORCE_CONSUMER_SECRET.into(),
        callback_urls: vec![callback.into()],
        rotate_refresh_tokens: false,
        jwt_certificate_pem: None,
        pre_authorized_users: vec![rep.id.clone()],
    });
    salesforce.set_login_page(LoginPage::Approve(rep.id.clone()));
    DemoAccounts {
        tenant_id: TENANT_ID.into(),
        api_client_id: API_CLIENT_ID.into(),
        salesforce_org_id: org.id,
        salesforce_rep_id: rep.id,
        salesforce_consumer_key: SALESFORCE_CONSUMER_KEY.into(),
    }
}
