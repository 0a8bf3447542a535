//! Graph's `recurrence` (`pattern` + `range`) and the local dates a series falls on: daily,
//! weekly, absolute and relative monthly and yearly patterns; ranges that end on a date, after a
//! number of occurrences, or never.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    kind: PatternKind,
    interval: u32,
    days_of_week: Vec<Weekday>,
    first_day_of_week: Weekday,
    day_of_month: u32,
    month: u32,
    index: Index,
    start: NaiveDate,
    end: Option<NaiveDate>,
    count: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatternKind {
    Daily,
    Weekly,
    AbsoluteMonthly,
    RelativeMonthly,
    AbsoluteYearly,
    RelativeYearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    Nth(u32),
    Last,
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name.to_ascii_lowercase().as_str() {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// A series' occurrences are bounded: no pattern is expanded past this many.
const MAX_OCCURRENCES: usize = 10_000;

impl Recurrence {
    /// Parses `{"pattern": {...}, "range": {...}}`, with the messages Graph gives.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let pattern = &value["pattern"];
        let range = &value["range"];
        let kind = match pattern["type"].as_str().unwrap_or_default() {
            "daily" => PatternKind::Daily,
            "weekly" => PatternKind::Weekly,
            "absoluteMonthly" => PatternKind::AbsoluteMonthly,
            "relativeMonthly" => PatternKind::RelativeMonthly,
            "absoluteYearly" => PatternKind::AbsoluteYearly,
            "relativeYearly" => PatternKind::RelativeYearly,
            other => return Err(format!("Recurrence pattern type '{other}' is not valid.")),
        };
        let days_of_week: Vec<Weekday> = pattern["daysOfWeek"]
            .as_array()
            .map(|days| {
                days.iter()
                    .filter_map(|d| d.as_str().and_then(weekday))
                    .collect()
            })
            .unwrap_or_default();
        let needs_days = matches!(
            kind,
            PatternKind::Weekly | PatternKind::RelativeMonthly | PatternKind::RelativeYearly
        );
        if needs_days && days_of_week.is_empty() {
            return Err("The recurrence pattern needs at least one day of the week.".into());
        }
        let date = |key: &str| {
            range[key]
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let start = date("startDate").ok_or("The recurrence range needs a startDate.")?;
        let (end, count) = match range["type"].as_str().unwrap_or_default() {
            "endDate" => (
                Some(date("endDate").ok_or("The recurrence range needs an endDate.")?),
                None,
            ),
            "numbered" => {
                let n = range["numberOfOccurrences"]
                    .as_u64()
                    .filter(|n| *n > 0)
                    .ok_or("numberOfOccurrences must be positive.")?;
                (None, Some(n as usize))
            }
            "noEnd" => (None, None),
            other => return Err(format!("Recurrence range type '{other}' is not valid.")),
        };
        if end.is_some_and(|end| end < start) {
            return Err("The recurrence range's endDate is before its startDate.".into());
        }
        Ok(Self {
            kind,
            interval: pattern["interval"].as_u64().unwrap_or(1).max(1) as u32,
            days_of_week,
            first_day_of_week: pattern["firstDayOfWeek"]
                .as_str()
                .and_then(weekday)
                .unwrap_or(Weekday::Sun),
            // Graph writes 0 for a member the pattern does not use.
            day_of_month: pattern["dayOfMonth"]
                .as_u64()
                .filter(|d| *d > 0)
                .unwrap_or(u64::from(start.day())) as u32,
            month: pattern["month"]
                .as_u64()
                .filter(|m| *m > 0)
                .unwrap_or(u64::from(start.month())) as u32,
            index: match pattern["index"].as_str().unwrap_or("first") {
                "second" => Index::Nth(2),
                "third" => Index::Nth(3),
                "fourth" => Index::Nth(4),
                "last" => Index::Last,
                _ => Index::Nth(1),
            },
            start,
            end,
            count,
        })
    }

    /// The local dates the series falls on, in order, up to `until` (inclusive).
    pub fn dates(&self, until: NaiveDate) -> Vec<NaiveDate> {
        let last = self.end.map_or(until, |end| end.min(until));
        let limit = self.count.unwrap_or(MAX_OCCURRENCES).min(MAX_OCCURRENCES);
        let mut out = Vec::new();
        let mut period = 0u32;
        while out.len() < limit {
            let candidates = self.period(period);
            let Some(first) = candidates
                .first()
                .copied()
                .or_else(|| self.period_start(period))
            else {
                break;
            };
            if first > last {
                break;
            }
            for date in candidates {
                if date >= self.start && date <= last && out.len() < limit {
                    out.push(date);
                }
            }
            period += 1;
            if period as usize > MAX_OCCURRENCES {
                break;
            }
        }
        out
    }

    fn period_start(&self, n: u32) -> Option<NaiveDate> {
        let step = n.checked_mul(self.interval)?;
        match self.kind {
            PatternKind::Daily => self.start.checked_add_days(Days::new(u64::from(step))),
            PatternKind::Weekly => {
                let back = (7 + self.start.weekday().num_days_from_monday()
                    - self.first_day_of_week.num_days_from_monday())
                    % 7;
                let week = self.start.checked_sub_days(Days::new(u64::from(back)))?;
                week.checked_add_days(Days::new(u64::from(step) * 7))
            }
            PatternKind::AbsoluteMonthly | PatternKind::RelativeMonthly => self
                .start
                .with_day(1)?
                .checked_add_months(Months::new(step)),
            PatternKind::AbsoluteYearly | PatternKind::RelativeYearly => {
                NaiveDate::from_ymd_opt(self.start.year() + step as i32, self.month, 1)
            }
        }
    }

    /// The dates of the `n`th period (day, week, month or year), in order.
    fn period(&self, n: u32) -> Vec<NaiveDate> {
        let Some(start) = self.period_start(n) else {
            return Vec::new();
        };
        match self.kind {
            PatternKind::Daily => vec![start],
            PatternKind::Weekly => {
                let mut days: Vec<NaiveDate> = self
                    .days_of_week
                    .iter()
                    .filter_map(|d| {
                        let offset = (7 + d.num_days_from_monday()
                            - self.first_day_of_week.num_days_from_monday())
                            % 7;
                        start.checked_add_days(Days::new(u64::from(offset)))
                    })
                    .collect();
                days.sort();
                days
            }
            PatternKind::AbsoluteMonthly | PatternKind::AbsoluteYearly => {
                // A day past the month's end falls on its last day, as Outlook does.
                let last_day = last_day_of_month(start);
                start
                    .with_day(self.day_of_month.min(last_day))
                    .into_iter()
                    .collect()
            }
            PatternKind::RelativeMonthly | PatternKind::RelativeYearly => {
                let matching: Vec<NaiveDate> = (1..=last_day_of_month(start))
                    .filter_map(|d| start.with_day(d))
                    .filter(|d| self.days_of_week.contains(&d.weekday()))
                    .collect();
                let pick = match self.index {
                    Index::Nth(n) => matching.get(n as usize - 1),
                    Index::Last => matching.last(),
                };
                pick.copied().into_iter().collect()
            }
        }
    }
}

fn last_day_of_month(first: NaiveDate) -> u32 {
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekly_on_two_days_numbered() {
        let r = Recurrence::parse(&json!({
            "pattern": { "type": "weekly", "interval": 1, "daysOfWeek": ["monday", "thursday"], "firstDayOfWeek": "sunday" },
            "range": { "type": "numbered", "startDate": "2025-09-25", "numberOfOccurrences": 4 }
        }))
        .unwrap();
        assert_eq!(
            r.dates(d("2026-01-01")),
            [
                d("2025-09-25"),
                d("2025-09-29"),
                d("2025-10-02"),
                d("2025-10-06")
            ]
        );
    }

    #[test]
    fn monthly_patterns_and_end_dates() {
        let last_friday = Recurrence::parse(&json!({
            "pattern": { "type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last" },
            "range": { "type": "endDate", "startDate": "2025-01-01", "endDate": "2025-03-31" }
        }))
        .unwrap();
        assert_eq!(
            last_friday.dates(d("2030-01-01")),
            [d("2025-01-31"), d("2025-02-28"), d("2025-03-28")]
        );
        let on_31st = Recurrence::parse(&json!({
            "pattern": { "type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31 },
            "range": { "type": "numbered", "startDate": "2025-01-31", "numberOfOccurrences": 3 }
        }))
        .unwrap();
        assert_eq!(
            on_31st.dates(d("2030-01-01")),
            [d("2025-01-31"), d("2025-02-28"), d("2025-03-31")]
        );
        let daily = Recurrence::parse(&json!({
            "pattern": { "type": "daily", "interval": 2 },
            "range": { "type": "noEnd", "startDate": "2025-01-01" }
        }))
        .unwrap();
        assert_eq!(
            daily.dates(d("2025-01-06")),
            [d("2025-01-01"), d("2025-01-03"), d("2025-01-05")]
        );
    }
}
