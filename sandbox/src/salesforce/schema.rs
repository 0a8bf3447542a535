//! What an org's objects look like: their fields, types, access and relationships. Names are
//! matched case-insensitively, as Salesforce matches them, and always written back canonically.

mod describe;
pub(crate) mod standard;

pub use standard::standard_objects;

use super::values::Value;

/// A field's type, with what describe reports about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Id,
    /// `string`, `email`, `phone`, `url` or `textarea`, with a maximum length.
    Text {
        flavor: TextFlavor,
        length: u32,
    },
    Picklist {
        values: Vec<String>,
    },
    Boolean,
    Int,
    Double,
    Currency,
    Date,
    DateTime,
    /// A lookup to one of `to`; the parent is reached in SOQL through `relationship`.
    Reference {
        to: Vec<String>,
        relationship: String,
    },
    /// A list of Ids that maintains junction rows (`EventWhoIds`).
    JunctionIdList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFlavor {
    String,
    Email,
    Phone,
    Url,
    TextArea,
}

/// Whether a caller may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Maintained by Salesforce (Ids, audit fields, formulas).
    ReadOnly,
    /// Set on create only.
    CreateOnly,
    ReadWrite,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub access: Access,
    /// Must be given on create.
    pub required: bool,
    pub default: Option<Value>,
    pub external_id: bool,
    pub unique: bool,
    pub custom: bool,
}

impl Field {
    pub fn new(name: &str, label: &str, kind: Kind) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            access: Access::ReadWrite,
            required: false,
            default: None,
            external_id: false,
            unique: false,
            custom: name.ends_with("__c"),
        }
    }

    pub fn read_only(mut self) -> Self {
        self.access = Access::ReadOnly;
        self
    }

    pub fn create_only(mut self) -> Self {
        self.access = Access::CreateOnly;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    pub fn external_id(mut self) -> Self {
        self.external_id = true;
        self
    }

    pub fn relationship(&self) -> Option<(&str, &[String])> {
        match &self.kind {
            Kind::Reference { to, relationship } => Some((relationship, to)),
            _ => None,
        }
    }

    /// Text fields that SOSL searches in each scope.
    pub fn is_searchable_text(&self) -> bool {
        matches!(self.kind, Kind::Text { .. } | Kind::Picklist { .. })
    }
}

/// One object (sObject type).
#[derive(Debug, Clone)]
pub struct SObject {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub createable: bool,
    pub searchable: bool,
    pub fields: Vec<Field>,
}

impl SObject {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The lookup field behind a relationship name (`Account` → `AccountId`).
    pub fn relationship(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| {
            f.relationship()
                .is_some_and(|(rel, _)| rel.eq_ignore_ascii_case(name))
        })
    }
}

/// Every object of an org.
#[derive(Debug, Clone)]
pub struct Schema {
    objects: Vec<SObject>,
}

impl Schema {
    /// The standard objects; `shared_activities` adds `EventWhoIds` to Event.
    pub fn standard(shared_activities: bool) -> Self {
        Self {
            objects: standard_objects(shared_activities),
        }
    }

    pub fn objects(&self) -> &[SObject] {
        &self.objects
    }

    pub fn get(&self, name: &str) -> Option<&SObject> {
        self.objects
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut SObject> {
        self.objects
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// The object an Id belongs to, by its key prefix.
    pub fn by_id(&self, id: &str) -> Option<&SObject> {
        let prefix = id.get(..3)?;
        self.objects.iter().find(|o| o.key_prefix == prefix)
    }
}
