//! The SOQL subset outforce and its users send: field lists with parent relationships,
//! `COUNT()`, `WHERE` with comparisons, `IN`, `LIKE`, `AND`/`OR`/`NOT` and parentheses,
//! date-time, date and relative date literals, `ORDER BY`, `LIMIT`, `OFFSET` and `ALL ROWS`.
//! Anything else is refused with `MALFORMED_QUERY`, an unknown field with `INVALID_FIELD`.

mod eval;
mod lexer;
mod parser;
mod render;

use chrono::{DateTime, NaiveDate, Utc};

pub use eval::{Outcome, like, run, select, value_at};
pub use lexer::Token;
pub use parser::{Parser, parse};

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<Item>,
    pub from: String,
    pub filter: Option<Cond>,
    pub order: Vec<Order>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// `ALL ROWS`: deleted records too, as `queryAll` gives them.
    pub all_rows: bool,
}

impl Query {
    pub fn is_count(&self) -> bool {
        self.select == [Item::Count]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `Name`, `Account.Name`, `Who.Email`: relationship names, then a field.
    Field(Vec<String>),
    Count,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Compare {
        path: Vec<String>,
        op: Op,
        value: Literal,
    },
    In {
        path: Vec<String>,
        negated: bool,
        values: Vec<Literal>,
    },
    Like {
        path: Vec<String>,
        pattern: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
    /// `TODAY`, `LAST_N_DAYS:7`…: whole UTC days from `start` (inclusive) to `end` (exclusive).
    Days {
        start: NaiveDate,
        end: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub path: Vec<String>,
    pub descending: bool,
    pub nulls_last: bool,
}

/// Why a query was refused: `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE` or
/// `INVALID_QUERY_FILTER_OPERATOR`, all 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

impl QueryError {
    pub fn malformed(message: impl Into<String>) -> Self {
        Self {
            code: "MALFORMED_QUERY",
            message: message.into(),
        }
    }

    pub fn invalid_field(field: &str, object: &str) -> Self {
        Self {
            code: "INVALID_FIELD",
            message: format!("No such column '{field}' on sobject of type {object}"),
        }
    }
}
