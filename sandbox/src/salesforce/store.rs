//! An org's data: its schema, its records (deleted ones kept, flagged, for `queryAll` and
//! `getDeleted`), its list views and its open query cursors.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::ids::{IdGenerator, to_18};
use super::schema::{SObject, Schema};
use super::values::Value;

/// One record. Field names are canonical (as the schema spells them).
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub sobject: String,
    pub fields: HashMap<String, Value>,
    pub deleted: Option<DateTime<Utc>>,
}

const NULL: Value = Value::Null;

impl Record {
    pub fn get(&self, field: &str) -> &Value {
        self.fields.get(field).unwrap_or(&NULL)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.get(field).as_text()
    }

    pub fn url(&self, version: &str) -> String {
        format!(
            "/services/data/v{version}/sobjects/{}/{}",
            self.sobject, self.id
        )
    }
}

/// A saved list view: its columns and the SOQL that selects its records.
#[derive(Debug, Clone)]
pub struct ListView {
    pub id: String,
    pub sobject: String,
    pub developer_name: String,
    pub label: String,
    /// Field paths, in column order (`Name`, `Account.Name`, `Email`).
    pub columns: Vec<String>,
    /// A SOQL condition, without `WHERE`.
    pub filter: Option<String>,
    /// A SOQL ordering, without `ORDER BY`.
    pub order_by: Option<String>,
}

/// The rest of a query's result, for `nextRecordsUrl`.
pub struct Cursor {
    pub records: Vec<serde_json::Value>,
    pub batch_size: usize,
}

/// A duplicate rule that blocks a save: a live record of `sobject` already has the same
/// values (ignoring case and surrounding spaces) in every one of `fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateRule {
    pub name: String,
    pub sobject: String,
    pub fields: Vec<String>,
}

pub struct OrgData {
    pub schema: Schema,
    pub duplicate_rules: Vec<DuplicateRule>,
    pub shared_activities: bool,
    pub tables: HashMap<String, BTreeMap<String, Record>>,
    pub list_views: Vec<ListView>,
    pub cursors: BTreeMap<String, Cursor>,
    /// How long a new or changed record stays out of SOSL results (the index lags).
    pub search_lag: chrono::Duration,
    pub case_numbers: u64,
}

impl OrgData {
    pub fn new(shared_activities: bool) -> Self {
        Self {
            schema: Schema::standard(shared_activities),
            duplicate_rules: Vec::new(),
            shared_activities,
            tables: HashMap::new(),
            list_views: Vec::new(),
            cursors: BTreeMap::new(),
            search_lag: chrono::Duration::zero(),
            case_numbers: 1000,
        }
    }

    /// A record by its 15- or 18-character Id, deleted or not.
    pub fn record(&self, id: &str) -> Option<&Record> {
        let id = normalize_id(id)?;
        let object = self.schema.by_id(&id)?;
        self.tables.get(&object.name)?.get(&id)
    }

    pub fn record_mut(&mut self, id: &str) -> Option<&mut Record> {
        let id = normalize_id(id)?;
        let name = self.schema.by_id(&id)?.name.clone();
        self.tables.get_mut(&name)?.get_mut(&id)
    }

    /// A live (not deleted) record.
    pub fn live(&self, id: &str) -> Option<&Record> {
        self.record(id).filter(|r| r.deleted.is_none())
    }

    /// Every record of an object, in creation order.
    pub fn rows(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.tables.get(object).into_iter().flat_map(|t| t.values())
    }

    pub fn insert(&mut self, record: Record) {
        self.tables
            .entry(record.sobject.clone())
            .or_default()
            .insert(record.id.clone(), record);
    }

    pub fn object(&self, name: &str) -> Option<&SObject> {
        self.schema.get(name)
    }

    pub fn new_cursor_id(&self, ids: &IdGenerator) -> String {
        ids.next("01g")
    }
}

/// The 18-character form of an Id, or `None` when it cannot be one.
pub fn normalize_id(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        18 => Some(id.to_string()),
        15 => Some(to_18(id)),
        _ => None,
    }
}
