//! Running a parsed query against an org: field paths checked against the schema, rows
//! filtered, sorted, limited and rendered.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::render::render;
use super::{Cond, Item, Literal, Op, Query, QueryError};
use crate::salesforce::schema::{Field, Kind, SObject, TextFlavor};
use crate::salesforce::store::{OrgData, Record, normalize_id};
use crate::salesforce::values::Value;

/// What a query returned.
pub enum Outcome {
    /// `SELECT COUNT()`.
    Count(usize),
    Records(Vec<Json>),
}

/// Runs `query`; `also` narrows the rows further (SOSL's search term).
pub fn run(
    org: &OrgData,
    query: &Query,
    version: &str,
    also: &dyn Fn(&Record) -> bool,
) -> Result<Outcome, QueryError> {
    let rows = select(org, query, also)?;
    if query.is_count() {
        return Ok(Outcome::Count(rows.len()));
    }
    let paths: Vec<&[String]> = query
        .select
        .iter()
        .filter_map(|item| match item {
            Item::Field(path) => Some(path.as_slice()),
            Item::Count => None,
        })
        .collect();
    let records = rows
        .into_iter()
        .map(|r| render(org, r, &paths, version))
        .collect();
    Ok(Outcome::Records(records))
}

/// The records a query selects, checked, filtered, sorted and limited.
pub fn select<'a>(
    org: &'a OrgData,
    query: &Query,
    also: &dyn Fn(&Record) -> bool,
) -> Result<Vec<&'a Record>, QueryError> {
    let object = org.object(&query.from).ok_or_else(|| QueryError {
        code: "INVALID_TYPE",
        message: format!(
            "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
            query.from
        ),
    })?;
    for item in &query.select {
        if let Item::Field(path) = item {
            resolve(org, object, path)?;
        }
    }
    for order in &query.order {
        resolve(org, object, &order.path)?;
    }
    if let Some(filter) = &query.filter {
        check(org, object, filter)?;
    }
    let mut rows: Vec<&Record> = org
        .rows(&object.name)
        .filter(|r| query.all_rows || r.deleted.is_none())
        .filter(|r| query.filter.as_ref().is_none_or(|c| matches(org, r, c)))
        .filter(|r| also(r))
        .collect();
    for order in query.order.iter().rev() {
        rows.sort_by(|a, b| {
            let (a, b) = (value_at(org, a, &order.path), value_at(org, b, &order.path));
            let ordering = match (a.is_null(), b.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    return if order.nulls_last {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                (false, true) => {
                    return if order.nulls_last {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                }
                (false, false) => a.compare(&b).unwrap_or(Ordering::Equal),
            };
            if order.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
    }
    Ok(rows
        .into_iter()
        .skip(query.offset.unwrap_or(0))
        .take(query.limit.unwrap_or(usize::MAX))
        .collect())
}

/// The field a path ends at, checked hop by hop (a polymorphic hop accepts a field that any
/// of its targets has).
fn resolve<'a>(
    org: &'a OrgData,
    object: &'a SObject,
    path: &[String],
) -> Result<&'a Field, QueryError> {
    let mut objects = vec![object];
    let (last, hops) = path
        .split_last()
        .ok_or_else(|| QueryError::malformed("empty field"))?;
    for hop in hops {
        let field = objects
            .iter()
            .find_map(|o| o.relationship(hop))
            .ok_or_else(|| QueryError::invalid_field(&path.join("."), &objects[0].name))?;
        let (_, targets) = field.relationship().unwrap_or_default();
        objects = targets.iter().filter_map(|t| org.object(t)).collect();
    }
    objects
        .iter()
        .find_map(|o| o.field(last))
        .ok_or_else(|| QueryError::invalid_field(&path.join("."), &object.name))
}

fn check(org: &OrgData, object: &SObject, cond: &Cond) -> Result<(), QueryError> {
    match cond {
        Cond::And(parts) | Cond::Or(parts) => parts.iter().try_for_each(|c| check(org, object, c)),
        Cond::Not(inner) => check(org, object, inner),
        Cond::Compare { path, value, .. } => check_literal(resolve(org, object, path)?, value),
        Cond::In { path, values, .. } => {
            let field = resolve(org, object, path)?;
            values.iter().try_for_each(|v| check_literal(field, v))
        }
        Cond::Like { path, .. } => {
            let field = resolve(org, object, path)?;
            check_literal(field, &Literal::Text(String::new()))
        }
    }
}

/// A literal must have the field's type: quoted for text, bare for everything else.
fn check_literal(field: &Field, literal: &Literal) -> Result<(), QueryError> {
    let (expected, ok) = match &field.kind {
        Kind::Id | Kind::Reference { .. } | Kind::Text { .. } | Kind::Picklist { .. } => {
            ("string", matches!(literal, Literal::Text(_)))
        }
        Kind::Boolean => ("boolean", matches!(literal, Literal::Bool(_))),
        Kind::Int | Kind::Double | Kind::Currency => {
            ("double", matches!(literal, Literal::Number(_)))
        }
        Kind::Date => (
            "date",
            matches!(literal, Literal::Date(_) | Literal::Days { .. }),
        ),
        Kind::DateTime => (
            "dateTime",
            matches!(literal, Literal::DateTime(_) | Literal::Days { .. }),
        ),
        Kind::JunctionIdList => ("JunctionIdList", false),
    };
    if ok || *literal == Literal::Null {
        return Ok(());
    }
    let quoting = if expected == "string" {
        "should be enclosed in quotes"
    } else {
        "should not be enclosed in quotes"
    };
    Err(QueryError {
        code: "INVALID_QUERY_FILTER_OPERATOR",
        message: format!(
            "value of filter criterion for field '{}' must be of type {expected} and {quoting}",
            field.name
        ),
    })
}

/// The value at the end of a path; a missing or deleted parent gives null.
pub fn value_at(org: &OrgData, record: &Record, path: &[String]) -> Value {
    let mut current = record;
    let Some((last, hops)) = path.split_last() else {
        return Value::Null;
    };
    for hop in hops {
        let Some(object) = org.object(&current.sobject) else {
            return Value::Null;
        };
        let Some(field) = object.relationship(hop) else {
            return Value::Null;
        };
        match current.text(&field.name).and_then(|id| org.live(id)) {
            Some(parent) => current = parent,
            None => return Value::Null,
        }
    }
    let canonical = org
        .object(&current.sobject)
        .and_then(|o| o.field(last))
        .map_or(last.as_str(), |f| f.name.as_str());
    current.get(canonical).clone()
}

fn matches(org: &OrgData, record: &Record, cond: &Cond) -> bool {
    match cond {
        Cond::And(parts) => parts.iter().all(|c| matches(org, record, c)),
        Cond::Or(parts) => parts.iter().any(|c| matches(org, record, c)),
        Cond::Not(inner) => !matches(org, record, inner),
        Cond::Compare { path, op, value } => compare(&value_at(org, record, path), *op, value),
        Cond::In {
            path,
            negated,
            values,
        } => {
            let value = value_at(org, record, path);
            values.iter().any(|v| compare(&value, Op::Eq, v)) != *negated
        }
        Cond::Like { path, pattern } => match value_at(org, record, path) {
            Value::Text(text) => like(&text, pattern),
            _ => false,
        },
    }
}

fn compare(value: &Value, op: Op, literal: &Literal) -> bool {
    let is_null = value.is_null();
    match literal {
        Literal::Null => return (op == Op::Eq) == is_null && matches!(op, Op::Eq | Op::Ne),
        _ if is_null => return op == Op::Ne,
        Literal::Days { start, end } => return in_days(value, op, *start, *end),
        _ => {}
    }
    let literal = match literal {
        Literal::Text(s) => match (value, normalize_id(s)) {
            // A 15-character Id literal matches the stored 18-character Id.
            (Value::Text(v), Some(id)) if v.len() == 18 && s.len() == 15 => Value::Text(id),
            _ => Value::Text(s.clone()),
        },
        Literal::Number(n) => Value::Number(*n),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::DateTime(t) => Value::DateTime(*t),
        Literal::Date(d) => Value::Date(*d),
        Literal::Null | Literal::Days { .. } => return false,
    };
    // Equality on text is the common case (Email IN (...)): no lower-cased copies.
    if let (Value::Text(a), Value::Text(b), Op::Eq | Op::Ne) = (value, &literal, op) {
        let equal = if a.is_ascii() && b.is_ascii() {
            a.eq_ignore_ascii_case(b)
        } else {
            a.to_lowercase() == b.to_lowercase()
        };
        return equal == (op == Op::Eq);
    }
    let Some(ordering) = value.compare(&literal) else {
        return false;
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

fn in_days(value: &Value, op: Op, start: NaiveDate, end: NaiveDate) -> bool {
    let day = match value {
        Value::DateTime(t) => t.date_naive(),
        Value::Date(d) => *d,
        _ => return false,
    };
    match op {
        Op::Eq => start <= day && day < end,
        Op::Ne => !(start <= day && day < end),
        Op::Lt => day < start,
        Op::Le => day < end,
        Op::Gt => day >= end,
        Op::Ge => day >= start,
    }
}

/// SOQL `LIKE`: `%` any run, `_` one character, `\%` and `\_` (which the lexer marks)
/// themselves; case-insensitive. A backslash is an ordinary character by then.
pub fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Piece {
        Any,
        One,
        Char(char),
    }
    let pieces: Vec<Piece> = pattern
        .chars()
        .map(|c| match c {
            '%' => Piece::Any,
            '_' => Piece::One,
            super::lexer::LITERAL_PERCENT => Piece::Char('%'),
            super::lexer::LITERAL_UNDERSCORE => Piece::Char('_'),
            c => Piece::Char(c),
        })
        .collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    // Classic wildcard matching with backtracking to the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pieces.get(p) {
            Some(Piece::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Piece::One) => {
                t += 1;
                p += 1;
            }
            Some(Piece::Char(c)) if c.to_lowercase().eq(std::iter::once(text[t])) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pieces[p..].iter().all(|piece| *piece == Piece::Any)
}

impl Field {
    /// An email field, which SOSL's `IN EMAIL FIELDS` searches.
    pub fn is_email(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text {
                flavor: TextFlavor::Email,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::{LITERAL_PERCENT, LITERAL_UNDERSCORE};
    use super::like;

    #[test]
    fn like_matches_wildcards_and_escapes_case_insensitively() {
        assert!(like("Jane.Smith@Acme.com", "%@acme.com"));
        assert!(like("Smith", "Sm_th"));
        assert!(!like("Smyth", "Sm_ths"));
        assert!(like("100% sure", &format!("100{LITERAL_PERCENT}%")));
        assert!(!like("100 sure", &format!("100{LITERAL_PERCENT}%")));
        assert!(like("a_b", &format!("a{LITERAL_UNDERSCORE}b")));
        assert!(!like("axb", &format!("a{LITERAL_UNDERSCORE}b")));
        assert!(like("a\\b", "a\\b"), "a backslash is itself");
    }
}
