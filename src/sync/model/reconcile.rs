//! Bringing both sides of a meeting in step, part by part (rule 4): a part one side changed
//! since they last agreed goes to the other; a part both changed differently is a conflict the
//! policy settles, its loser kept. Pure.

use serde::Serialize;
use serde_json::Value;

use super::content::{Content, Part, Side};
use super::settings::ConflictPolicy;

/// Both sides changed a part since the last sync, each to its own value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub part: Part,
    pub outlook: Value,
    pub salesforce: Value,
    pub winner: Side,
}

impl Conflict {
    /// The losing side's value, as the item's history keeps it.
    pub fn loser_value(&self) -> &Value {
        if self.winner == Side::Outlook {
            &self.salesforce
        } else {
            &self.outlook
        }
    }
}

/// Each side as the last sync left it and as it is now, and when each last changed.
#[derive(Debug, Clone)]
pub struct Sides<'a> {
    pub outlook_base: Option<&'a Content>,
    pub outlook_now: &'a Content,
    pub salesforce_base: Option<&'a Content>,
    pub salesforce_now: &'a Content,
    pub outlook_changed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub salesforce_changed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What bringing both sides in step takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merge {
    /// The parts to write to Outlook, with their values.
    pub to_outlook: Content,
    /// The parts to write to Salesforce.
    pub to_salesforce: Content,
    pub conflicts: Vec<Conflict>,
}

impl Merge {
    pub fn is_empty(&self) -> bool {
        self.to_outlook.0.is_empty() && self.to_salesforce.0.is_empty()
    }
}

/// Brings the sides in step, part by part: a part one side changed goes to the other; a part
/// both changed to the same value needs nothing; a part both changed differently is a conflict
/// the policy settles, its loser kept in the plan. A side never synced before is taken as
/// unchanged since the other side's base (the two were in step at the last write).
pub fn reconcile(sides: &Sides<'_>, policy: ConflictPolicy) -> Merge {
    let outlook_base = sides
        .outlook_base
        .or(sides.salesforce_base)
        .unwrap_or(sides.outlook_now);
    let salesforce_base = sides
        .salesforce_base
        .or(sides.outlook_base)
        .unwrap_or(sides.outlook_now);
    let mut plan = Merge::default();
    for part in Part::ALL {
        let (Some(outlook), Some(salesforce)) =
            (sides.outlook_now.get(part), sides.salesforce_now.get(part))
        else {
            continue;
        };
        let outlook_changed = outlook_base.get(part).is_some_and(|b| b != outlook);
        let salesforce_changed = salesforce_base.get(part).is_some_and(|b| b != salesforce);
        if outlook == salesforce {
            continue;
        }
        let winner = match (outlook_changed, salesforce_changed) {
            (true, false) => Side::Outlook,
            (false, true) => Side::Salesforce,
            // Neither changed, and they differ: they were left apart on purpose (a write the
            // platform forbids); nothing to do until one side changes.
            (false, false) => continue,
            (true, true) => {
                let winner = match policy {
                    ConflictPolicy::SalesforceWins => Side::Salesforce,
                    ConflictPolicy::OutlookWins => Side::Outlook,
                    ConflictPolicy::NewestWins => {
                        match (sides.outlook_changed_at, sides.salesforce_changed_at) {
                            (Some(o), Some(s)) if o > s => Side::Outlook,
                            (Some(_), None) => Side::Outlook,
                            _ => Side::Salesforce,
                        }
                    }
                };
                plan.conflicts.push(Conflict {
                    part,
                    outlook: outlook.clone(),
                    salesforce: salesforce.clone(),
                    winner,
                });
                winner
            }
        };
        if winner == Side::Outlook {
            plan.to_salesforce.0.insert(part, outlook.clone());
        } else {
            plan.to_outlook.0.insert(part, salesforce.clone());
        }
    }
    plan
}
