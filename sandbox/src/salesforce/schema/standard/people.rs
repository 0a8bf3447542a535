//! User, Contact and Lead.

use super::{
    TextFlavor, activity_dates, address, boolean, bounce_fields, date, datetime, flavored,
    full_name, industry, integer, lead_source, object, owner, picklist, rating, reference,
    salutation, text, textarea,
};
use crate::salesforce::schema::{Field, Kind, SObject};
use crate::salesforce::values::Value;

/// IANA zone names, as `TimeZoneSidKey` picklists list them.
pub(super) fn time_zone(name: &str, label: &str) -> Field {
    let zones: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.contains('/') && !name.starts_with("Etc/"))
        .chain(["GMT"])
        .collect();
    picklist(name, label, &zones)
}

pub(super) fn user() -> SObject {
    let mut fields = vec![
        text("Username", "Username", 80).read_only(),
        flavored("Email", "Email", TextFlavor::Email, 128).read_only(),
        text("FirstName", "First Name", 40).read_only(),
        text("LastName", "Last Name", 80).read_only(),
        full_name(),
        text("Alias", "Alias", 8).read_only(),
        text("CommunityNickname", "Nickname", 40).read_only(),
        boolean("IsActive", "Active").read_only(),
        text("Title", "Title", 80).read_only(),
        text("Department", "Department", 80).read_only(),
        text("Division", "Division", 80).read_only(),
        text("CompanyName", "Company Name", 80).read_only(),
        text("EmployeeNumber", "Employee Number", 20).read_only(),
        flavored("Phone", "Phone", TextFlavor::Phone, 40).read_only(),
        flavored("MobilePhone", "Mobile", TextFlavor::Phone, 40).read_only(),
        text("Extension", "Extension", 40).read_only(),
        reference("ManagerId", "Manager ID", &["User"], "Manager").read_only(),
        time_zone("TimeZoneSidKey", "Time Zone").read_only(),
        picklist(
            "LocaleSidKey",
            "Locale",
            &["en_US", "en_GB", "de_DE", "fr_FR", "ja_JP"],
        )
        .read_only(),
        picklist(
            "LanguageLocaleKey",
            "Language",
            &["en_US", "de", "fr", "ja", "es"],
        )
        .read_only(),
        picklist(
            "EmailEncodingKey",
            "Email Encoding",
            &["UTF-8", "ISO-8859-1"],
        )
        .read_only(),
        picklist(
            "UserType",
            "User Type",
            &["Standard", "PowerPartner", "CspLitePortal", "Guest"],
        )
        .read_only()
        .default(Value::text("Standard")),
        text("FederationIdentifier", "SAML Federation ID", 512).read_only(),
        datetime("LastLoginDate", "Last Login").read_only(),
        flavored("SmallPhotoUrl", "Small Photo URL", TextFlavor::Url, 1024).read_only(),
        flavored("FullPhotoUrl", "Full Photo URL", TextFlavor::Url, 1024).read_only(),
    ];
    fields.extend(address("", "").into_iter().map(Field::read_only));
    object("User", "Users", "005", fields).not_createable()
}

pub(super) fn contact() -> SObject {
    let mut fields = vec![
        reference(
            "MasterRecordId",
            "Master Record ID",
            &["Contact"],
            "MasterRecord",
        )
        .read_only(),
        reference("AccountId", "Account ID", &["Account"], "Account"),
        salutation(),
        text("FirstName", "First Name", 40),
        text("LastName", "Last Name", 80).required(),
        full_name(),
        flavored("Email", "Email", TextFlavor::Email, 80),
        flavored("Phone", "Business Phone", TextFlavor::Phone, 40),
        flavored("Fax", "Business Fax", TextFlavor::Phone, 40),
        flavored("MobilePhone", "Mobile Phone", TextFlavor::Phone, 40),
        flavored("HomePhone", "Home Phone", TextFlavor::Phone, 40),
        flavored("OtherPhone", "Other Phone", TextFlavor::Phone, 40),
        flavored("AssistantPhone", "Asst. Phone", TextFlavor::Phone, 40),
        text("AssistantName", "Assistant's Name", 40),
        reference("ReportsToId", "Reports To ID", &["Contact"], "ReportsTo"),
        text("Title", "Title", 128),
        text("Department", "Department", 80),
        lead_source(),
        date("Birthdate", "Birthdate"),
        textarea("Description", "Contact Description", 32_000),
        owner(),
        boolean("HasOptedOutOfEmail", "Email Opt Out"),
        boolean("HasOptedOutOfFax", "Fax Opt Out"),
        boolean("DoNotCall", "Do Not Call"),
        boolean("IsEmailBounced", "Is Email Bounced"),
        flavored("PhotoUrl", "Photo URL", TextFlavor::Url, 255).read_only(),
    ];
    fields.extend(address("Mailing", "Mailing"));
    fields.extend(address("Other", "Other"));
    fields.extend(bounce_fields());
    fields.extend(activity_dates());
    object("Contact", "Contacts", "003", fields)
}

pub(super) fn lead() -> SObject {
    let mut fields = vec![
        reference(
            "MasterRecordId",
            "Master Record ID",
            &["Lead"],
            "MasterRecord",
        )
        .read_only(),
        salutation(),
        text("FirstName", "First Name", 40),
        text("LastName", "Last Name", 80).required(),
        full_name(),
        text("Title", "Title", 128),
        text("Company", "Company", 255).required(),
        flavored("Email", "Email", TextFlavor::Email, 80),
        flavored("Phone", "Phone", TextFlavor::Phone, 40),
        flavored("MobilePhone", "Mobile Phone", TextFlavor::Phone, 40),
        flavored("Fax", "Fax", TextFlavor::Phone, 40),
        flavored("Website", "Website", TextFlavor::Url, 255),
        textarea("Description", "Description", 32_000),
        lead_source(),
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
        industry(),
        rating(),
        Field::new("AnnualRevenue", "Annual Revenue", Kind::Currency),
        integer("NumberOfEmployees", "Employees"),
        owner(),
        boolean("IsConverted", "Converted").read_only(),
        date("ConvertedDate", "Converted Date").read_only(),
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
        reference(
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            &["Opportunity"],
            "ConvertedOpportunity",
        )
        .read_only(),
        boolean("IsUnreadByOwner", "Unread By Owner"),
        boolean("HasOptedOutOfEmail", "Email Opt Out"),
        boolean("HasOptedOutOfFax", "Fax Opt Out"),
        boolean("DoNotCall", "Do Not Call"),
    ];
    fields.extend(address("", ""));
    fields.extend(bounce_fields());
    fields.extend(activity_dates());
    object("Lead", "Leads", "00Q", fields)
}
