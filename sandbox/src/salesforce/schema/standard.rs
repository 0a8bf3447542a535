//! The standard objects outforce touches, with the fields the wire contracts list.

use super::{Field, Kind, SObject, TextFlavor};
use crate::salesforce::values::Value;

fn text(name: &str, label: &str, length: u32) -> Field {
    Field::new(
        name,
        label,
        Kind::Text {
            flavor: TextFlavor::String,
            length,
        },
    )
}

fn flavored(name: &str, label: &str, flavor: TextFlavor, length: u32) -> Field {
    Field::new(name, label, Kind::Text { flavor, length })
}

fn boolean(name: &str, label: &str) -> Field {
    Field::new(name, label, Kind::Boolean).default(Value::Bool(false))
}

fn picklist(name: &str, label: &str, values: &[&str]) -> Field {
    Field::new(
        name,
        label,
        Kind::Picklist {
            values: values.iter().map(|v| v.to_string()).collect(),
        },
    )
}

fn reference(name: &str, label: &str, to: &[&str], relationship: &str) -> Field {
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
fn full_name() -> Field {
    text("Name", "Full Name", 121).read_only()
}

fn owner() -> Field {
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

fn object(name: &str, plural: &str, prefix: &str, fields: Vec<Field>) -> SObject {
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

/// `EventWhoIds`: present only while the org has Shared Activities on.
pub fn event_who_ids() -> Field {
    Field::new("EventWhoIds", "Event Who Ids", Kind::JunctionIdList)
}

pub fn standard_objects(shared_activities: bool) -> Vec<SObject> {
    let mut event = object(
        "Event",
        "Events",
        "00U",
        vec![
            text("Subject", "Subject", 255),
            Field::new("StartDateTime", "Start Date Time", Kind::DateTime),
            Field::new("EndDateTime", "End Date Time", Kind::DateTime),
            Field::new("ActivityDateTime", "Due Date Time", Kind::DateTime),
            Field::new("ActivityDate", "Due Date Only", Kind::Date),
            Field::new("EndDate", "End Date", Kind::Date).read_only(),
            Field::new("DurationInMinutes", "Duration", Kind::Int),
            boolean("IsAllDayEvent", "All-Day Event"),
            text("Location", "Location", 255),
            flavored("Description", "Description", TextFlavor::TextArea, 32_000),
            picklist("ShowAs", "Show Time As", &["Busy", "OutOfOffice", "Free"])
                .default(Value::text("Busy")),
            boolean("IsPrivate", "Private"),
            reference("WhoId", "Name ID", &["Contact", "Lead"], "Who"),
            reference(
                "WhatId",
                "Related To ID",
                &["Account", "Opportunity", "Case"],
                "What",
            ),
            reference("AccountId", "Account ID", &["Account"], "Account").read_only(),
            owner(),
            boolean("IsChild", "Is Child").read_only(),
            boolean("IsGroupEvent", "Is Group Event").read_only(),
            picklist("GroupEventType", "Group Event Type", &["0", "1", "2", "3"])
                .read_only()
                .default(Value::text("0")),
            picklist("EventSubtype", "Event Subtype", &["Event"])
                .create_only()
                .default(Value::text("Event")),
            boolean("IsReminderSet", "Reminder Set"),
            boolean("IsRecurrence", "Create Recurring Series of Events"),
            boolean("IsArchived", "Archived").read_only(),
        ],
    );
    if shared_activities {
        event.fields.push(event_who_ids());
    }
    vec![
        object(
            "User",
            "Users",
            "005",
            vec![
                text("Username", "Username", 80).read_only(),
                flavored("Email", "Email", TextFlavor::Email, 128).read_only(),
                text("FirstName", "First Name", 40).read_only(),
                text("LastName", "Last Name", 80).read_only(),
                full_name(),
                boolean("IsActive", "Active").read_only(),
            ],
        )
        .not_createable(),
        object(
            "Account",
            "Accounts",
            "001",
            vec![
                text("Name", "Account Name", 255).required(),
                flavored("Website", "Website", TextFlavor::Url, 255),
                flavored("Phone", "Account Phone", TextFlavor::Phone, 40),
                picklist(
                    "Industry",
                    "Industry",
                    &["Banking", "Technology", "Manufacturing", "Retail", "Other"],
                ),
                picklist(
                    "Type",
                    "Account Type",
                    &["Prospect", "Customer - Direct", "Partner", "Other"],
                ),
                text("BillingCity", "Billing City", 40),
                owner(),
            ],
        ),
        object(
            "Contact",
            "Contacts",
            "003",
            vec![
                text("FirstName", "First Name", 40),
                text("LastName", "Last Name", 80).required(),
                full_name(),
                flavored("Email", "Email", TextFlavor::Email, 80),
                flavored("Phone", "Business Phone", TextFlavor::Phone, 40),
                flavored("MobilePhone", "Mobile Phone", TextFlavor::Phone, 40),
                text("Title", "Title", 128),
                reference("AccountId", "Account ID", &["Account"], "Account"),
                owner(),
                boolean("IsEmailBounced", "Is Email Bounced"),
                boolean("HasOptedOutOfEmail", "Email Opt Out"),
                flavored(
                    "Description",
                    "Contact Description",
                    TextFlavor::TextArea,
                    32_000,
                ),
            ],
        ),
        object(
            "Lead",
            "Leads",
            "00Q",
            vec![
                text("FirstName", "First Name", 40),
                text("LastName", "Last Name", 80).required(),
                full_name(),
                text("Company", "Company", 255).required(),
                flavored("Email", "Email", TextFlavor::Email, 80),
                flavored("Phone", "Phone", TextFlavor::Phone, 40),
                text("Title", "Title", 128),
                picklist(
                    "Status",
                    "Status",
                    &[
                        "Open - Not Contacted",
                        "Working - Contacted",
                        "Closed - Converted",
                        "Closed - Not Converted",
                    ],
                )
                .default(Value::text("Open - Not Contacted")),
                boolean("IsConverted", "Converted").read_only(),
                Field::new("ConvertedDate", "Converted Date", Kind::Date).read_only(),
                reference(
                    "ConvertedContactId",
                    "Converted Contact ID",
                    &["Contact"],
                    "ConvertedContact",
                )
                .read_only(),
                reference(
                    "ConvertedAccountId",
                    "Converted Account ID",
                    &["Account"],
                    "ConvertedAccount",
                )
                .read_only(),
                owner(),
            ],
        ),
        object(
            "Opportunity",
            "Opportunities",
            "006",
            vec![
                text("Name", "Name", 120).required(),
                picklist(
                    "StageName",
                    "Stage",
                    &[
                        "Prospecting",
                        "Qualification",
                        "Negotiation/Review",
                        "Closed Won",
                        "Closed Lost",
                    ],
                )
                .required(),
                Field::new("CloseDate", "Close Date", Kind::Date).required(),
                Field::new("Amount", "Amount", Kind::Currency),
                reference("AccountId", "Account ID", &["Account"], "Account"),
                owner(),
            ],
        ),
        object(
            "Case",
            "Cases",
            "500",
            vec![
                text("CaseNumber", "Case Number", 30).read_only(),
                text("Subject", "Subject", 255),
                picklist(
                    "Status",
                    "Status",
                    &["New", "Working", "Escalated", "Closed"],
                )
                .default(Value::text("New")),
                picklist("Origin", "Case Origin", &["Phone", "Email", "Web"]),
                reference("ContactId", "Contact ID", &["Contact"], "Contact"),
                reference("AccountId", "Account ID", &["Account"], "Account"),
                owner(),
            ],
        ),
        event,
        object(
            "EventRelation",
            "Event Relations",
            "0RE",
            vec![
                reference("EventId", "Event ID", &["Event"], "Event")
                    .create_only()
                    .required(),
                reference(
                    "RelationId",
                    "Relation ID",
                    &["User", "Contact", "Lead", "Account", "Opportunity", "Case"],
                    "Relation",
                )
                .create_only()
                .required(),
                boolean("IsInvitee", "Invitee").default(Value::Bool(true)),
                boolean("IsParent", "Parent"),
                boolean("IsWhat", "Is What").create_only(),
                picklist("Status", "Status", &["New", "Accepted", "Declined"])
                    .default(Value::text("New")),
                Field::new("RespondedDate", "Response Date", Kind::DateTime),
                text("Response", "Response", 255),
                reference("AccountId", "Account ID", &["Account"], "Account").read_only(),
            ],
        )
        .not_searchable(),
    ]
}

impl SObject {
    fn not_createable(mut self) -> Self {
        self.createable = false;
        self
    }

    fn not_searchable(mut self) -> Self {
        self.searchable = false;
        self
    }
}
