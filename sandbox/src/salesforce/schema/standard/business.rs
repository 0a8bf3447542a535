//! Account, Opportunity and Case.

use super::{
    TextFlavor, activity_dates, address, boolean, date, datetime, flavored, industry, integer,
    lead_source, number, object, owner, picklist, rating, reference, text, textarea,
};
use crate::salesforce::schema::{Field, Kind, SObject};
use crate::salesforce::values::Value;

pub(super) fn account() -> SObject {
    let mut fields = vec![
        reference(
            "MasterRecordId",
            "Master Record ID",
            &["Account"],
            "MasterRecord",
        )
        .read_only(),
        text("Name", "Account Name", 255).required(),
        picklist(
            "Type",
            "Account Type",
            &[
                "Prospect",
                "Customer - Direct",
                "Customer - Channel",
                "Channel Partner / Reseller",
                "Installation Partner",
                "Technology Partner",
                "Partner",
                "Other",
            ],
        ),
        reference("ParentId", "Parent Account ID", &["Account"], "Parent"),
        flavored("Phone", "Account Phone", TextFlavor::Phone, 40),
        flavored("Fax", "Account Fax", TextFlavor::Phone, 40),
        text("AccountNumber", "Account Number", 40),
        flavored("Website", "Website", TextFlavor::Url, 255),
        flavored("PhotoUrl", "Photo URL", TextFlavor::Url, 255).read_only(),
        text("Sic", "SIC Code", 20),
        industry(),
        Field::new("AnnualRevenue", "Annual Revenue", Kind::Currency),
        integer("NumberOfEmployees", "Employees"),
        picklist(
            "Ownership",
            "Ownership",
            &["Public", "Private", "Subsidiary", "Other"],
        ),
        text("TickerSymbol", "Ticker Symbol", 20),
        textarea("Description", "Account Description", 32_000),
        rating(),
        text("Site", "Account Site", 80),
        picklist(
            "AccountSource",
            "Account Source",
            &[
                "Web",
                "Phone Inquiry",
                "Partner Referral",
                "Purchased List",
                "Other",
            ],
        ),
        owner(),
    ];
    fields.extend(address("Billing", "Billing"));
    fields.extend(address("Shipping", "Shipping"));
    fields.extend(activity_dates());
    object("Account", "Accounts", "001", fields)
}

pub(super) fn opportunity() -> SObject {
    let mut fields = vec![
        reference("AccountId", "Account ID", &["Account"], "Account"),
        reference("ContactId", "Contact ID", &["Contact"], "Contact"),
        boolean("IsPrivate", "Private"),
        text("Name", "Name", 120).required(),
        textarea("Description", "Description", 32_000),
        picklist(
            "StageName",
            "Stage",
            &[
                "Prospecting",
                "Qualification",
                "Needs Analysis",
                "Value Proposition",
                "Id. Decision Makers",
                "Perception Analysis",
                "Proposal/Price Quote",
                "Negotiation/Review",
                "Closed Won",
                "Closed Lost",
            ],
        )
        .required(),
        Field::new("Amount", "Amount", Kind::Currency),
        number("Probability", "Probability (%)"),
        Field::new("ExpectedRevenue", "Expected Amount", Kind::Currency).read_only(),
        number("TotalOpportunityQuantity", "Quantity"),
        date("CloseDate", "Close Date").required(),
        picklist(
            "Type",
            "Opportunity Type",
            &[
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ],
        ),
        text("NextStep", "Next Step", 255),
        lead_source(),
        boolean("IsClosed", "Closed").read_only(),
        boolean("IsWon", "Won").read_only(),
        picklist(
            "ForecastCategory",
            "Forecast Category",
            &["Omitted", "Pipeline", "BestCase", "Forecast", "Closed"],
        )
        .read_only(),
        picklist(
            "ForecastCategoryName",
            "Forecast Category",
            &["Omitted", "Pipeline", "Best Case", "Commit", "Closed"],
        ),
        boolean("HasOpportunityLineItem", "Has Line Item").read_only(),
        owner(),
        integer("FiscalQuarter", "Fiscal Quarter").read_only(),
        integer("FiscalYear", "Fiscal Year").read_only(),
        text("Fiscal", "Fiscal Period", 6).read_only(),
    ];
    fields.extend(activity_dates());
    object("Opportunity", "Opportunities", "006", fields)
}

pub(super) fn case() -> SObject {
    let mut fields = vec![
        reference(
            "MasterRecordId",
            "Master Record ID",
            &["Case"],
            "MasterRecord",
        )
        .read_only(),
        text("CaseNumber", "Case Number", 30).read_only(),
        reference("ContactId", "Contact ID", &["Contact"], "Contact"),
        reference("AccountId", "Account ID", &["Account"], "Account"),
        reference("ParentId", "Parent Case ID", &["Case"], "Parent"),
        text("SuppliedName", "Name", 80),
        flavored("SuppliedEmail", "Email Address", TextFlavor::Email, 80),
        flavored("SuppliedPhone", "Phone", TextFlavor::Phone, 40),
        text("SuppliedCompany", "Company", 80),
        picklist(
            "Type",
            "Case Type",
            &[
                "Mechanical",
                "Electrical",
                "Electronic",
                "Structural",
                "Other",
            ],
        ),
        picklist(
            "Status",
            "Status",
            &["New", "Working", "Escalated", "Closed"],
        )
        .default(Value::text("New")),
        picklist(
            "Reason",
            "Case Reason",
            &[
                "Installation",
                "Equipment Complexity",
                "Performance",
                "Breakdown",
                "Equipment Design",
                "Feedback",
                "Other",
            ],
        ),
        picklist("Origin", "Case Origin", &["Phone", "Email", "Web"]),
        text("Subject", "Subject", 255),
        picklist("Priority", "Priority", &["High", "Medium", "Low"]).default(Value::text("Medium")),
        textarea("Description", "Description", 32_000),
        textarea("Comments", "Internal Comments", 4_000),
        boolean("IsClosed", "Closed").read_only(),
        datetime("ClosedDate", "Closed Date").read_only(),
        boolean("IsEscalated", "Escalated"),
        flavored("ContactPhone", "Contact Phone", TextFlavor::Phone, 40).read_only(),
        flavored("ContactMobile", "Contact Mobile", TextFlavor::Phone, 40).read_only(),
        flavored("ContactEmail", "Contact Email", TextFlavor::Email, 80).read_only(),
        flavored("ContactFax", "Contact Fax", TextFlavor::Phone, 40).read_only(),
        owner(),
    ];
    fields.extend(
        activity_dates()
            .into_iter()
            .filter(|f| f.name != "LastActivityDate"),
    );
    object("Case", "Cases", "500", fields)
}
