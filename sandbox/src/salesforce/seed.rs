//! The seeding and inspection API for tests, benchmarks and the demo: records written through
//! the same validation as the REST API, read back as the API renders them, plus the org
//! settings a test needs to switch (Shared Activities, custom fields, list views, index lag,
//! the clock).

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};

use super::dml::{Ctx, Errors};
use super::schema::{Field, standard};
use super::soql::{self, Outcome};
use super::store::{ListView, OrgData, Record};
use super::values::Value;
use super::{Salesforce, State, User};

/// The Id Salesforce uses for records written by the system itself.
const AUTOMATED_PROCESS: &str = "005000000000000AAA";

pub(super) fn user_record(user: &User, address: &super::UserAddress, now: DateTime<Utc>) -> Record {
    let name = format!("{} {}", user.first_name, user.last_name);
    let fields = [
        ("Id", Value::text(&user.id)),
        ("Username", Value::text(&user.username)),
        ("Email", Value::text(&user.email)),
        ("FirstName", Value::text(&user.first_name)),
        ("LastName", Value::text(&user.last_name)),
        ("Name", Value::text(name)),
        ("IsActive", Value::Bool(true)),
        ("IsDeleted", Value::Bool(false)),
        ("CreatedDate", Value::DateTime(now)),
        ("LastModifiedDate", Value::DateTime(now)),
        ("SystemModstamp", Value::DateTime(now)),
    ];
    let lives_at = [
        ("Street", &address.street),
        ("City", &address.city),
        ("State", &address.state),
        ("PostalCode", &address.postal_code),
        ("Country", &address.country),
    ];
    Record {
        id: user.id.clone(),
        sobject: "User".into(),
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .chain(
                lives_at
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_string(), Value::text(v.as_deref()?)))),
            )
            .collect(),
        deleted: None,
    }
}

fn describe_errors(errors: Errors) -> anyhow::Error {
    anyhow!(
        errors
            .iter()
            .map(|e| format!("{}: {}", e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    )
}

fn fields_of(fields: Json) -> anyhow::Result<Map<String, Json>> {
    match fields {
        Json::Object(map) => Ok(map),
        other => bail!("fields must be a JSON object, not {other}"),
    }
}

impl Salesforce {
    /// Runs `write` as the org's first user (or the automated process) at the org's time.
    fn write<T>(
        &self,
        org_id: &str,
        write: impl FnOnce(&mut Ctx<'_>) -> Result<T, Errors>,
    ) -> anyhow::Result<T> {
        let mut state = self.shared.lock();
        let now = state.now();
        let user_id = state
            .users
            .values()
            .filter(|u| u.org_id == org_id)
            .map(|u| u.id.clone())
            .min()
            .unwrap_or_else(|| AUTOMATED_PROCESS.into());
        let State { ids, data, .. } = &mut *state;
        let org = data.get_mut(org_id).context("no such org")?;
        let mut ctx = Ctx {
            org,
            ids,
            user_id: &user_id,
            now,
        };
        write(&mut ctx).map_err(describe_errors)
    }

    fn read<T>(&self, org_id: &str, read: impl FnOnce(&OrgData) -> T) -> anyhow::Result<T> {
        let state = self.shared.lock();
        Ok(read(state.data.get(org_id).context("no such org")?))
    }

    /// Creates a record as the API would; its Id.
    pub fn create_record(
        &self,
        org_id: &str,
        sobject: &str,
        fields: Json,
    ) -> anyhow::Result<String> {
        let fields = fields_of(fields)?;
        self.write(org_id, |ctx| ctx.create(sobject, &fields))
    }

    pub fn update_record(&self, org_id: &str, id: &str, fields: Json) -> anyhow::Result<()> {
        let fields = fields_of(fields)?;
        self.write(org_id, |ctx| ctx.update(None, id, &fields))
    }

    pub fn delete_record(&self, org_id: &str, id: &str) -> anyhow::Result<()> {
        self.write(org_id, |ctx| ctx.delete(None, id))
    }

    /// A record with every field, as `GET /sobjects/{type}/{id}` renders it (deleted ones too,
    /// with `IsDeleted: true`).
    pub fn record(&self, org_id: &str, id: &str) -> Option<Json> {
        self.read(org_id, |org| {
            let record = org.record(id)?;
            let object = org.object(&record.sobject)?;
            let mut out = Map::new();
            out.insert(
                "attributes".into(),
                serde_json::json!({ "type": record.sobject }),
            );
            for field in &object.fields {
                out.insert(field.name.clone(), record.get(&field.name).to_json());
            }
            Some(Json::Object(out))
        })
        .ok()
        .flatten()
    }

    /// The records a SOQL query returns (deleted ones with `ALL ROWS`).
    pub fn query(&self, org_id: &str, soql_text: &str) -> anyhow::Result<Vec<Json>> {
        self.read(org_id, |org| {
            let query = soql::parse(soql_text, Utc::now().date_naive())
                .map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
            match soql::run(org, &query, "64.0", &|_| true)
                .map_err(|e| anyhow!("{}: {}", e.code, e.message))?
            {
                Outcome::Records(records) => Ok(records),
                Outcome::Count(n) => Ok(vec![serde_json::json!({ "count": n })]),
            }
        })?
    }

    /// The records a SOSL search finds (as the REST API would, index lag aside).
    pub fn search(&self, org_id: &str, sosl_text: &str) -> anyhow::Result<Vec<Json>> {
        self.read(org_id, |org| {
            let search = super::sosl::parse(sosl_text, Utc::now().date_naive())
                .map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
            super::sosl::run(org, &search, "64.0", Utc::now())
                .map_err(|e| anyhow!("{}: {}", e.code, e.message))
        })?
    }

    /// Adds a custom field (its name must end in `__c`), as an admin does in Setup.
    pub fn add_field(&self, org_id: &str, sobject: &str, field: Field) -> anyhow::Result<()> {
        if !field.name.ends_with("__c") {
            bail!("custom field names end in __c: {}", field.name);
        }
        let mut state = self.shared.lock();
        let org = state.data.get_mut(org_id).context("no such org")?;
        let object = org.schema.get_mut(sobject).context("no such object")?;
        if object.field(&field.name).is_some() {
            bail!("{} already has {}", object.name, field.name);
        }
        object.fields.push(field);
        Ok(())
    }

    /// Adds a duplicate rule that blocks saves matching a live record on all its fields.
    pub fn add_duplicate_rule(
        &self,
        org_id: &str,
        rule: super::DuplicateRule,
    ) -> anyhow::Result<()> {
        let mut state = self.shared.lock();
        let org = state.data.get_mut(org_id).context("no such org")?;
        let object = org.schema.get(&rule.sobject).context("no such object")?;
        for field in &rule.fields {
            object
                .field(field)
                .with_context(|| format!("{} has no field {field}", object.name))?;
        }
        org.duplicate_rules.push(rule);
        Ok(())
    }

    /// Switches Shared Activities: with it, events relate to up to 50 contacts (`EventWhoIds`).
    pub fn set_shared_activities(&self, org_id: &str, on: bool) {
        let mut state = self.shared.lock();
        if let Some(org) = state.data.get_mut(org_id) {
            org.shared_activities = on;
            if let Some(event) = org.schema.get_mut("Event") {
                event.fields.retain(|f| f.name != "EventWhoIds");
                if on {
                    event.fields.push(standard::event_who_ids());
                }
            }
        }
    }

    /// Adds a list view over `sobject` showing `columns`, filtered by a SOQL condition.
    pub fn add_list_view(
        &self,
        org_id: &str,
        sobject: &str,
        label: &str,
        columns: &[&str],
        filter: Option<&str>,
    ) -> anyhow::Result<String> {
        let mut state = self.shared.lock();
        let id = state.ids.next("00B");
        let org = state.data.get_mut(org_id).context("no such org")?;
        let sobject = org.object(sobject).context("no such object")?.name.clone();
        org.list_views.push(ListView {
            id: id.clone(),
            sobject,
            developer_name: label.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
            label: label.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            filter: filter.map(str::to_string),
            order_by: None,
        });
        Ok(id)
    }

    /// Marks a lead converted into a contact and an account, as lead conversion does.
    pub fn convert_lead(
        &self,
        org_id: &str,
        lead_id: &str,
        contact_id: &str,
        account_id: &str,
    ) -> anyhow::Result<()> {
        let mut state = self.shared.lock();
        let now = state.now();
        let org = state.data.get_mut(org_id).context("no such org")?;
        let lead = org
            .record_mut(lead_id)
            .filter(|r| r.sobject == "Lead")
            .context("no such lead")?;
        for (name, value) in [
            ("IsConverted", Value::Bool(true)),
            ("ConvertedDate", Value::Date(now.date_naive())),
            ("ConvertedContactId", Value::text(contact_id)),
            ("ConvertedAccountId", Value::text(account_id)),
            ("Status", Value::text("Closed - Converted")),
            ("LastModifiedDate", Value::DateTime(now)),
            ("SystemModstamp", Value::DateTime(now)),
        ] {
            lead.fields.insert(name.into(), value);
        }
        Ok(())
    }

    /// New and changed records stay out of search results for `lag`, as the index catches up.
    pub fn set_search_lag(&self, org_id: &str, lag: Duration) {
        if let Some(org) = self.shared.lock().data.get_mut(org_id) {
            org.search_lag = chrono::Duration::from_std(lag).unwrap_or_default();
        }
    }

    /// Moves the emulator's clock forward (dates written and windows checked from then on, and
    /// open sessions and codes that much nearer their end).
    pub fn advance_clock(&self, by: Duration) {
        let mut state = self.shared.lock();
        state.clock_offset += chrono::Duration::from_std(by).unwrap_or_default();
        state.sessions.advance(by);
    }
}
