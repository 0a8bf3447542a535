//! Event, Task and EventRelation: the activity objects, with their recurrence fields.

use super::people::time_zone;
use super::{boolean, date, datetime, integer, object, owner, picklist, reference, text, textarea};
use crate::salesforce::schema::{Field, Kind, SObject};
use crate::salesforce::values::Value;

/// `EventWhoIds`: present only while the org has Shared Activities on.
pub fn event_who_ids() -> Field {
    Field::new("EventWhoIds", "Event Who Ids", Kind::JunctionIdList)
}

fn who() -> Field {
    reference("WhoId", "Name ID", &["Contact", "Lead"], "Who")
}

fn what() -> Field {
    reference(
        "WhatId",
        "Related To ID",
        &["Account", "Opportunity", "Case"],
        "What",
    )
}

/// Fields every activity has beside its own.
fn common() -> Vec<Field> {
    vec![
        who(),
        what(),
        integer("WhoCount", "Relation Count").read_only(),
        integer("WhatCount", "Related To Count").read_only(),
        reference("AccountId", "Account ID", &["Account"], "Account").read_only(),
        owner(),
        textarea("Description", "Description", 32_000),
        picklist("Type", "Type", &["Call", "Email", "Meeting", "Other"]),
        boolean("IsArchived", "Archived").read_only(),
        boolean("IsReminderSet", "Reminder Set"),
        datetime("ReminderDateTime", "Reminder Date/Time"),
        boolean("IsRecurrence", "Create Recurring Series"),
        reference(
            "RecurrenceActivityId",
            "Recurrence Activity ID",
            &["Event", "Task"],
            "RecurrenceActivity",
        )
        .read_only(),
        date("RecurrenceEndDateOnly", "Recurrence End"),
        time_zone("RecurrenceTimeZoneSidKey", "Recurrence Time Zone"),
        picklist(
            "RecurrenceType",
            "Recurrence Pattern",
            &[
                "RecursDaily",
                "RecursEveryWeekday",
                "RecursMonthly",
                "RecursMonthlyNth",
                "RecursWeekly",
                "RecursYearly",
                "RecursYearlyNth",
            ],
        ),
        integer("RecurrenceInterval", "Recurrence Interval"),
        integer("RecurrenceDayOfWeekMask", "Recurrence Day of Week Mask"),
        integer("RecurrenceDayOfMonth", "Recurrence Day of Month"),
        picklist(
            "RecurrenceInstance",
            "Recurrence Instance",
            &["First", "Second", "Third", "Fourth", "Last"],
        ),
        picklist(
            "RecurrenceMonthOfYear",
            "Recurrence Month of Year",
            &[
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
        ),
    ]
}

/// The emulator stores the recurrence fields as written and validates none of them; it does not
/// expand a series into occurrences (our choice: outforce writes one Event per occurrence).
pub(super) fn event(shared_activities: bool) -> SObject {
    let mut fields = vec![
        text("Subject", "Subject", 255),
        datetime("StartDateTime", "Start Date Time"),
        datetime("EndDateTime", "End Date Time"),
        datetime("ActivityDateTime", "Due Date Time"),
        date("ActivityDate", "Due Date Only"),
        date("EndDate", "End Date").read_only(),
        integer("DurationInMinutes", "Duration"),
        boolean("IsAllDayEvent", "All-Day Event"),
        text("Location", "Location", 255),
        picklist("ShowAs", "Show Time As", &["Busy", "OutOfOffice", "Free"])
            .default(Value::text("Busy")),
        boolean("IsPrivate", "Private"),
        boolean("IsChild", "Is Child").read_only(),
        boolean("IsGroupEvent", "Is Group Event").read_only(),
        picklist("GroupEventType", "Group Event Type", &["0", "1", "2", "3"])
            .read_only()
            .default(Value::text("0")),
        picklist("EventSubtype", "Event Subtype", &["Event"])
            .create_only()
            .default(Value::text("Event")),
        boolean("IsVisibleInSelfService", "Public"),
        datetime("RecurrenceStartDateTime", "Recurrence Begins"),
        boolean("IsRecurrence2", "Repeat"),
        boolean("IsRecurrence2Exception", "Is Recurrence 2 Exception").read_only(),
        boolean("IsRecurrence2Exclusion", "Historical Event Exclusion").read_only(),
        textarea("Recurrence2PatternText", "Recurrence Pattern", 1_024),
        picklist(
            "Recurrence2PatternVersion",
            "Recurrence Pattern Version",
            &["1"],
        ),
        datetime(
            "Recurrence2PatternStartDate",
            "Recurrence Pattern Start Date",
        )
        .read_only(),
        text(
            "Recurrence2PatternTimeZone",
            "Recurrence Pattern Time Zone Reference",
            255,
        )
        .read_only(),
        reference(
            "ServiceAppointmentId",
            "Service Appointment ID",
            &["ServiceAppointment"],
            "ServiceAppointment",
        )
        .read_only(),
    ];
    fields.extend(common());
    if shared_activities {
        fields.push(event_who_ids());
    }
    object("Event", "Events", "00U", fields)
}

pub(super) fn task() -> SObject {
    let mut fields = vec![
        text("Subject", "Subject", 255),
        date("ActivityDate", "Due Date Only"),
        picklist(
            "Status",
            "Status",
            &[
                "Not Started",
                "In Progress",
                "Completed",
                "Waiting on someone else",
                "Deferred",
            ],
        )
        .required()
        .default(Value::text("Not Started")),
        picklist("Priority", "Priority", &["High", "Normal", "Low"])
            .required()
            .default(Value::text("Normal")),
        boolean("IsHighPriority", "High Priority").read_only(),
        boolean("IsClosed", "Closed").read_only(),
        datetime("CompletedDateTime", "Completed Date/Time").read_only(),
        picklist(
            "TaskSubtype",
            "Task Subtype",
            &["Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"],
        )
        .create_only()
        .default(Value::text("Task")),
        integer("CallDurationInSeconds", "Call Duration"),
        picklist(
            "CallType",
            "Call Type",
            &["Internal", "Inbound", "Outbound"],
        ),
        text("CallDisposition", "Call Result", 255),
        text("CallObject", "Call Object Identifier", 255),
        date("RecurrenceStartDateOnly", "Recurrence Start"),
        picklist(
            "RecurrenceRegeneratedType",
            "Repeat This Task",
            &[
                "RecurrenceRegenerateAfterDueDate",
                "RecurrenceRegenerateAfterToday",
                "RecurrenceRegenerated",
            ],
        ),
    ];
    fields.extend(common());
    object("Task", "Tasks", "00T", fields)
}

pub(super) fn event_relation() -> SObject {
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
            datetime("RespondedDate", "Response Date"),
            text("Response", "Response", 255),
            reference("AccountId", "Account ID", &["Account"], "Account").read_only(),
        ],
    )
    .not_searchable()
}
