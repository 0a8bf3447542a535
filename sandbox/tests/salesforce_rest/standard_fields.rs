//! Queries written from Salesforce's Object Reference work as they do against a real org.

use serde_json::json;

use super::fixture::org;

#[tokio::test]
async fn event_has_the_recurrence_reminder_and_service_fields_of_a_real_org() {
    let org = org();
    let start = "2026-03-02T09:00:00.000+0000";
    let created = org
        .call(
            "POST",
            "sobjects/Event",
            Some(json!({
                "Subject": "Weekly review",
                "StartDateTime": start,
                "DurationInMinutes": 30,
                "IsReminderSet": true,
                "ReminderDateTime": "2026-03-02T08:45:00.000+0000",
                "RecurrenceTimeZoneSidKey": "Europe/Berlin",
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let fields = "Id, RecurrenceActivityId, RecurrenceStartDateTime, RecurrenceEndDateOnly, \
        RecurrenceTimeZoneSidKey, RecurrenceType, RecurrenceInterval, RecurrenceDayOfWeekMask, \
        RecurrenceDayOfMonth, RecurrenceInstance, RecurrenceMonthOfYear, IsRecurrence, \
        IsRecurrence2, IsRecurrence2Exception, IsRecurrence2Exclusion, Recurrence2PatternText, \
        Recurrence2PatternVersion, Recurrence2PatternStartDate, Recurrence2PatternTimeZone, \
        ReminderDateTime, IsReminderSet, ServiceAppointmentId, WhoCount, WhatCount, Type";
    let answer = org.query(&format!("SELECT {fields} FROM Event")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let event = &answer.body["records"][0];
    assert_eq!(event["ReminderDateTime"], "2026-03-02T08:45:00.000+0000");
    assert_eq!(event["RecurrenceTimeZoneSidKey"], "Europe/Berlin");
    assert_eq!(event["IsRecurrence2"], false);
    assert_eq!(event["RecurrenceActivityId"], serde_json::Value::Null);

    let read_only = org
        .call(
            "PATCH",
            &format!("sobjects/Event/{}", created.body["id"].as_str().unwrap()),
            Some(json!({ "IsRecurrence2Exception": true })),
        )
        .await;
    assert_eq!(read_only.status, 400);
    assert_eq!(read_only.error_code(), "INVALID_FIELD_FOR_INSERT_UPDATE");
}

#[tokio::test]
async fn task_is_the_other_activity_with_status_priority_and_derived_account() {
    let org = org();
    let account = org.account("Acme");
    let contact = org.contact("Jane", "Doe", "jane@acme.example", Some(&account));
    let created = org
        .call(
            "POST",
            "composite/sobjects",
            Some(json!({ "allOrNone": true, "records": [
                { "attributes": { "type": "Task" }, "Subject": "Send the proposal", "WhoId": contact,
                  "ActivityDate": "2026-03-05", "Priority": "High" },
                { "attributes": { "type": "Event" }, "Subject": "Kick-off", "WhoId": contact,
                  "StartDateTime": "2026-03-02T09:00:00.000+0000", "DurationInMinutes": 60 },
            ] })),
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(created.body[0]["success"], true, "{}", created.body);
    let task = created.body[0]["id"].as_str().unwrap();
    assert!(task.starts_with("00T"));
    let read = org
        .query("SELECT Subject, Status, Priority, IsHighPriority, IsClosed, CompletedDateTime, TaskSubtype, AccountId, Who.Name, What.Name FROM Task")
        .await;
    let row = &read.body["records"][0];
    assert_eq!(row["Status"], "Not Started");
    assert_eq!(row["IsHighPriority"], true);
    assert_eq!(row["IsClosed"], false);
    assert_eq!(row["TaskSubtype"], "Task");
    assert_eq!(row["AccountId"], account.as_str());
    assert_eq!(row["Who"]["Name"], "Jane Doe");

    let done = org
        .call(
            "PATCH",
            &format!("sobjects/Task/{task}"),
            Some(json!({ "Status": "Completed" })),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    let closed = org
        .query("SELECT IsClosed, CompletedDateTime FROM Task")
        .await;
    assert_eq!(closed.body["records"][0]["IsClosed"], true);
    assert!(closed.body["records"][0]["CompletedDateTime"].is_string());

    let lead = org.seed("Lead", json!({ "LastName": "Lee", "Company": "Initech" }));
    let refused = org
        .call(
            "POST",
            "sobjects/Task",
            Some(json!({ "Subject": "x", "WhoId": lead, "WhatId": account })),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error_code(), "FIELD_INTEGRITY_EXCEPTION");
}

#[tokio::test]
async fn documented_standard_fields_can_be_selected_on_every_object() {
    let org = org();
    let account = org.seed(
        "Account",
        json!({ "Name": "Globex", "NumberOfEmployees": 250, "AnnualRevenue": 1_000_000,
                "BillingCountry": "Germany", "Rating": "Hot" }),
    );
    org.seed(
        "Opportunity",
        json!({ "Name": "Globex renewal", "StageName": "Closed Won", "CloseDate": "2026-06-30",
                "AccountId": account }),
    );
    org.seed("Case", json!({ "Subject": "Broken", "Status": "Closed" }));
    let queries = [
        "SELECT Id, Name, Department, Title, Division, CompanyName, TimeZoneSidKey, LocaleSidKey, LanguageLocaleKey, ManagerId, Manager.Name, UserType, LastLoginDate FROM User",
        "SELECT Id, Name, NumberOfEmployees, AnnualRevenue, Industry, Type, ParentId, Parent.Name, BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry, ShippingCity, Phone, Fax, Website, Description, Rating, Ownership, AccountSource, LastActivityDate FROM Account",
        "SELECT Id, Salutation, FirstName, LastName, Name, Email, Phone, MobilePhone, HomePhone, Department, Birthdate, LeadSource, MailingStreet, MailingCity, MailingCountry, OtherCity, ReportsToId, ReportsTo.Name, DoNotCall, HasOptedOutOfEmail, EmailBouncedReason, LastActivityDate FROM Contact",
        "SELECT Id, Name, Company, Street, City, State, PostalCode, Country, Industry, AnnualRevenue, NumberOfEmployees, LeadSource, Rating, Website, ConvertedOpportunityId, IsUnreadByOwner FROM Lead",
        "SELECT Id, Name, Amount, Probability, ExpectedRevenue, Type, NextStep, LeadSource, IsClosed, IsWon, ForecastCategoryName, FiscalYear, ContactId FROM Opportunity",
        "SELECT Id, CaseNumber, Subject, Status, Priority, Reason, Type, IsClosed, ClosedDate, IsEscalated, SuppliedEmail, ParentId, ContactEmail FROM Case",
    ];
    for soql in queries {
        let answer = org.query(soql).await;
        assert_eq!(answer.status, 200, "{soql}: {}", answer.body);
    }
    let globex = org
        .query("SELECT NumberOfEmployees, BillingCountry FROM Account")
        .await;
    assert_eq!(globex.body["records"][0]["NumberOfEmployees"], 250);
    let won = org.query("SELECT IsClosed, IsWon FROM Opportunity").await;
    assert_eq!(won.body["records"][0]["IsWon"], true);
    let case = org.query("SELECT IsClosed, ClosedDate FROM Case").await;
    assert_eq!(case.body["records"][0]["IsClosed"], true);
    assert!(case.body["records"][0]["ClosedDate"].is_string());

    let unknown = org.query("SELECT Id, Nonsense__c FROM Account").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error_code(), "INVALID_FIELD");
}
