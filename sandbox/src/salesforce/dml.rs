//! Writes: create, update, delete and upsert of one record, with Salesforce's validation and
//! its per-object rules. Every REST resource that writes (rows, Collections, Composite) goes
//! through here, so they all fail the same way.

mod activities;
mod input;
mod invitees;
mod rules;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json, json};

use super::ids::IdGenerator;
use super::store::{OrgData, Record, normalize_id};
use super::values::Value;
pub use input::Mode;

/// One error about one record: `statusCode` in SaveResults, `errorCode` in a row's error body.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
    /// `duplicateResult`, for a save a duplicate rule blocked.
    pub duplicate_result: Option<Json>,
}

impl RecordError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
            duplicate_result: None,
        }
    }

    pub fn on(mut self, field: &str) -> Self {
        self.fields.push(field.into());
        self
    }

    /// As it appears in a SaveResult's `errors`.
    pub fn save_result_json(&self) -> Json {
        json!({ "statusCode": self.code, "message": self.message, "fields": self.fields })
    }

    /// As it appears in a REST error body.
    pub fn rest_json(&self) -> Json {
        let mut out =
            json!({ "message": self.message, "errorCode": self.code, "fields": self.fields });
        if let Some(result) = &self.duplicate_result {
            out["duplicateResult"] = result.clone();
        }
        out
    }

    /// The status of a single-row call failing with this error.
    pub fn status(&self) -> u16 {
        match self.code {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => 404,
            _ => 400,
        }
    }

    pub fn not_found() -> Self {
        Self::new("NOT_FOUND", "The requested resource does not exist")
    }

    pub fn deleted() -> Self {
        Self::new("ENTITY_IS_DELETED", "entity is deleted")
    }
}

pub type Errors = Vec<RecordError>;

/// Who writes, when, in which org.
pub struct Ctx<'a> {
    pub org: &'a mut OrgData,
    pub ids: &'a IdGenerator,
    pub user_id: &'a str,
    pub now: DateTime<Utc>,
}

/// How an upsert by external id went wrong.
#[derive(Debug)]
pub enum UpsertFailure {
    /// The value matches several records (300, with their URLs).
    Multiple(Vec<String>),
    Errors(Errors),
}

impl Ctx<'_> {
    /// Creates a record; its new Id.
    pub fn create(&mut self, sobject: &str, body: &Map<String, Json>) -> Result<String, Errors> {
        let object = self
            .org
            .object(sobject)
            .ok_or_else(|| {
                vec![RecordError::new(
                    "INVALID_TYPE",
                    format!("sObject type '{sobject}' is not supported."),
                )]
            })?
            .clone();
        if !object.createable {
            return Err(vec![RecordError::new(
                "INVALID_TYPE_FOR_OPERATION",
                format!("entity type {} does not support insert", object.name),
            )]);
        }
        let changes = input::parse(&object, self.org, body, Mode::Create)?;
        let mut record = Record {
            id: self.ids.next(&object.key_prefix),
            sobject: object.name.clone(),
            fields: object
                .fields
                .iter()
                .filter_map(|f| Some((f.name.clone(), f.default.clone()?)))
                .collect(),
            deleted: None,
        };
        record
            .fields
            .insert("Id".into(), Value::text(record.id.clone()));
        record
            .fields
            .insert("OwnerId".into(), Value::text(self.user_id));
        let changed: Vec<String> = changes.iter().map(|(name, _)| name.clone()).collect();
        record.fields.extend(changes);
        rules::complete(self, &object, &mut record, &changed, Mode::Create)?;
        self.stamp(&mut record, true);
        let id = record.id.clone();
        self.org.insert(record);
        activities::after_write(self, &id, Mode::Create);
        Ok(id)
    }

    /// Updates a record; `sobject` is the type the URL named, if it named one.
    pub fn update(
        &mut self,
        sobject: Option<&str>,
        id: &str,
        body: &Map<String, Json>,
    ) -> Result<(), Errors> {
        let mut record = self.writable(sobject, id)?;
        let object = self
            .org
            .object(&record.sobject)
            .ok_or_else(|| vec![RecordError::not_found()])?
            .clone();
        let changes = input::parse(&object, self.org, body, Mode::Update)?;
        let changed: Vec<String> = changes.iter().map(|(name, _)| name.clone()).collect();
        record.fields.extend(changes);
        rules::complete(self, &object, &mut record, &changed, Mode::Update)?;
        self.stamp(&mut record, false);
        let id = record.id.clone();
        self.org.insert(record);
        activities::after_write(self, &id, Mode::Update);
        Ok(())
    }

    /// Deletes a record (it stays behind, flagged, for `queryAll` and `getDeleted`).
    pub fn delete(&mut self, sobject: Option<&str>, id: &str) -> Result<(), Errors> {
        let record = self.writable(sobject, id)?;
        if !self
            .org
            .object(&record.sobject)
            .is_some_and(|o| o.createable)
        {
            return Err(vec![RecordError::new(
                "INVALID_TYPE_FOR_OPERATION",
                format!("entity type {} does not support delete", record.sobject),
            )]);
        }
        self.mark_deleted(&record.id);
        activities::after_delete(self, &record);
        Ok(())
    }

    /// Creates or updates the record whose `field` equals `value`.
    pub fn upsert(
        &mut self,
        sobject: &str,
        field: &str,
        value: &str,
        update_only: bool,
        body: &Map<String, Json>,
    ) -> Result<(String, bool), UpsertFailure> {
        let object = self
            .org
            .object(sobject)
            .ok_or_else(|| UpsertFailure::Errors(vec![RecordError::not_found()]))?;
        let key = object
            .field(field)
            .filter(|f| f.external_id || f.name == "Id")
            .map(|f| f.name.clone())
            .ok_or_else(|| {
                UpsertFailure::Errors(vec![RecordError::new(
                    "NOT_FOUND",
                    format!(
                        "Provided external ID field does not exist or is not accessible: {field}"
                    ),
                )])
            })?;
        let object_name = object.name.clone();
        let matches: Vec<String> = self
            .org
            .rows(&object_name)
            .filter(|r| r.deleted.is_none())
            .filter(|r| {
                r.text(&key).is_some_and(|v| {
                    v.eq_ignore_ascii_case(value)
                        || (key == "Id" && normalize_id(value).as_deref() == Some(v))
                })
            })
            .map(|r| r.id.clone())
            .collect();
        match matches.as_slice() {
            [] if update_only || key == "Id" => {
                Err(UpsertFailure::Errors(vec![RecordError::not_found()]))
            }
            [] => {
                let mut body = body.clone();
                body.insert(key, json!(value));
                let id = self
                    .create(&object_name, &body)
                    .map_err(UpsertFailure::Errors)?;
                Ok((id, true))
            }
            [id] => {
                let id = id.clone();
                self.update(Some(&object_name), &id, body)
                    .map_err(UpsertFailure::Errors)?;
                Ok((id, false))
            }
            many => Err(UpsertFailure::Multiple(many.to_vec())),
        }
    }

    /// A copy of the live record `id` to change, checked against the type the URL named.
    fn writable(&self, sobject: Option<&str>, id: &str) -> Result<Record, Errors> {
        let malformed = || {
            vec![RecordError::new(
                "MALFORMED_ID",
                format!(
                    "{} ID: id value of incorrect type: {id}",
                    sobject.unwrap_or("Record")
                ),
            )]
        };
        normalize_id(id).ok_or_else(malformed)?;
        let record = self.org.record(id).ok_or_else(|| {
            let known_type = self.org.schema.by_id(id).is_some();
            if known_type {
                vec![RecordError::not_found()]
            } else {
                malformed()
            }
        })?;
        if sobject.is_some_and(|s| !s.eq_ignore_ascii_case(&record.sobject)) {
            return Err(malformed());
        }
        if record.deleted.is_some() {
            return Err(vec![RecordError::deleted()]);
        }
        Ok(record.clone())
    }

    fn stamp(&self, record: &mut Record, created: bool) {
        let now = Value::DateTime(self.now);
        let user = Value::text(self.user_id);
        if created {
            record.fields.insert("CreatedDate".into(), now.clone());
            record.fields.insert("CreatedById".into(), user.clone());
            record.fields.insert("IsDeleted".into(), Value::Bool(false));
        }
        record.fields.insert("LastModifiedDate".into(), now.clone());
        record.fields.insert("LastModifiedById".into(), user);
        record.fields.insert("SystemModstamp".into(), now);
    }

    fn mark_deleted(&mut self, id: &str) {
        let now = self.now;
        if let Some(record) = self.org.record_mut(id) {
            record.deleted = Some(now);
            record.fields.insert("IsDeleted".into(), Value::Bool(true));
            record
                .fields
                .insert("SystemModstamp".into(), Value::DateTime(now));
        }
    }
}
