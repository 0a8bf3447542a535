//! The standard objects outforce touches, with the fields that Salesforce's Object Reference
//! lists for them (the ones a query written from the documentation selects), so that a query or a
//! write that works against a real org works here. Fields that only serve features the emulator
//! has no model of (territories, Data.com, compound address and geolocation fields, the objects
//! behind `ProfileId` or `CampaignId`) are left out; selecting one is `INVALID_FIELD`.

mod activities;
mod business;
mod people;

pub use activities::event_who_ids;

use super::{Field, Kind, SObject, TextFlavor};
use crate::salesforce::values::Value;

pub(super) fn text(name: &str, label: &str, length: u32) -> Field {
    Field::new(
        name,
        label,
        Kind::Text {
            flavor: TextFlavor::String,
            length,
        },
    )
}

pub(super) fn flavored(name: &str, label: &str, flavor: TextFlavor, length: u32) -> Field {
    Field::new(name, label, Kind::Text { flavor, length })
}

pub(super) fn boolean(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::Boolean).default(Value::Bool(false))
}

pub(super) fn picklist(name: &str, label: &str, values: &[&str]) -> Field {
    Field::new(
        name,
        label,
        Kind::Picklist {
            values: values.iter().map(|v| v.to_string()).collect(),
        },
    )
}

pub(super) fn reference(name: &str, label: &str, to: &[&str], relationship: &str) -> Field {
    Field::new(
        name,
        label,
        Kind::Reference {
            to: to.iter().map(|t| t.to_string()).collect(),
            relationship: relationship.into(),
        },
    )
}

/// `Name` on Contact, Lead and User: first and last name joined, kept by Salesforce.
pub(super) fn full_name() -> Field {
    text("Name", "Full Name", 121).read_only()
}

pub(super) fn owner() -> Field {
    reference("OwnerId", "Owner ID", &["User"], "Owner")
}

/// Id and the audit fields every object has.
fn system_fields() -> Vec<Field> {
    vec![
        Field::new("Id", "Record ID", Kind::Id).read_only(),
        boolean("IsDeleted", "Deleted").read_only(),
        Field::new("CreatedDate", "Created Date", Kind::DateTime).read_only(),
        reference("CreatedById", "Created By ID", &["User"], "CreatedBy").read_only(),
        Field::new("LastModifiedDate", "Last Modified Date", Kind::DateTime).read_only(),
        reference(
            "LastModifiedById",
            "Last Modified By ID",
            &["User"],
            "LastModifiedBy",
        )
        .read_only(),
        Field::new("SystemModstamp", "System Modstamp", Kind::DateTime).read_only(),
    ]
}

pub(super) fn object(name: &str, plural: &str, prefix: &str, fields: Vec<Field>) -> SObject {
    let mut all = system_fields();
    all.extend(fields);
    SObject {
        name: name.into(),
        label: name.into(),
        label_plural: plural.into(),
        key_prefix: prefix.into(),
        createable: true,
        searchable: true,
        fields: all,
    }
}

/// Integers, doubles and percentages alike.
pub(super) fn number(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::Double)
}

pub(super) fn integer(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::Int)
}

pub(super) fn date(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::Date)
}

pub(super) fn datetime(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::DateTime)
}

pub(super) fn textarea(name: &str, label: &str, length: u32) -> Field {
    flavored(name, label, TextFlavor::TextArea, length)
}

/// `{prefix}Street`, `City`, `State`, `PostalCode` and `Country`: the parts of an address.
pub(super) fn address(prefix: &str, label: &str) -> Vec<Field> {
    let label = |part: &str| format!("{label} {part}").trim().to_string();
    let name = |part: &str| format!("{prefix}{part}");
    vec![
        textarea(&name("Street"), &label("Street"), 255),
        text(&name("City"), &label("City"), 40),
        text(&name("State"), &label("State/Province"), 80),
        text(&name("PostalCode"), &label("Zip/Postal Code"), 20),
        text(&name("Country"), &label("Country"), 80),
    ]
}

/// `LastActivityDate`, `LastViewedDate` and `LastReferencedDate`, kept by Salesforce.
pub(super) fn activity_dates() -> Vec<Field> {
    vec![
        date("LastActivityDate", "Last Activity").read_only(),
        datetime("LastViewedDate", "Last Viewed Date").read_only(),
        datetime("LastReferencedDate", "Last Referenced Date").read_only(),
    ]
}

pub(super) fn lead_source() -> Field {
    picklist(
        "LeadSource",
        "Lead Source",
        &[
            "Web",
            "Phone Inquiry",
            "Partner Referral",
            "Purchased List",
            "Other",
        ],
    )
}

pub(super) fn industry() -> Field {
    picklist(
        "Industry",
        "Industry",
        &[
            "Agriculture",
            "Apparel",
            "Banking",
            "Biotechnology",
            "Chemicals",
            "Communications",
            "Construction",
            "Consulting",
            "Education",
            "Electronics",
            "Energy",
            "Engineering",
            "Entertainment",
            "Environmental",
            "Finance",
            "Food & Beverage",
            "Government",
            "Healthcare",
            "Hospitality",
            "Insurance",
            "Machinery",
            "Manufacturing",
            "Media",
            "Not For Profit",
            "Recreation",
            "Retail",
            "Shipping",
            "Technology",
            "Telecommunications",
            "Transportation",
            "Utilities",
            "Other",
        ],
    )
}

pub(super) fn rating() -> Field {
    picklist("Rating", "Rating", &["Hot", "Warm", "Cold"])
}

pub(super) fn salutation() -> Field {
    picklist(
        "Salutation",
        "Salutation",
        &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."],
    )
}

/// Email bounce details, kept by Salesforce.
pub(super) fn bounce_fields() -> Vec<Field> {
    vec![
        text("EmailBouncedReason", "Email Bounced Reason", 255).read_only(),
        datetime("EmailBouncedDate", "Email Bounced Date").read_only(),
    ]
}

pub fn standard_objects(shared_activities: bool) -> Vec<SObject> {
    vec![
        people::user(),
        business::account(),
        people::contact(),
        people::lead(),
        business::opportunity(),
        business::case(),
        activities::event(shared_activities),
        activities::task(),
        activities::event_relation(),
    ]
}

impl SObject {
    pub(super) fn not_createable(mut self) -> Self {
        self.createable = false;
        self
    }

    pub(super) fn not_searchable(mut self) -> Self {
        self.searchable = false;
        self
    }
}
