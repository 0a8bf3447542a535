//! Tokens to a [`Query`]. The SOSL parser reuses the pieces (field lists, conditions, orderings).

use chrono::{Days, NaiveDate};

use super::lexer::{Token, tokens};
use super::{Cond, Item, Literal, Op, Order, Query, QueryError};
use crate::salesforce::values::{parse_date, parse_datetime};

/// Parses a whole query; `today` anchors relative date literals.
pub fn parse(text: &str, today: NaiveDate) -> Result<Query, QueryError> {
    let mut parser = Parser::new(tokens(text)?, today);
    parser.expect_keyword("SELECT")?;
    let select = parser.select_list()?;
    parser.expect_keyword("FROM")?;
    let from = parser.word()?;
    let query = parser.rest_of_query(select, from)?;
    parser.finish()?;
    Ok(query)
}

pub struct Parser {
    tokens: Vec<Token>,
    at: usize,
    today: NaiveDate,
}

const CLAUSE_WORDS: &[&str] = &[
    "WHERE", "ORDER", "LIMIT", "OFFSET", "ALL", "FOR", "WITH", "GROUP", "HAVING", "USING",
];

impl Parser {
    pub fn new(tokens: Vec<Token>, today: NaiveDate) -> Self {
        Self {
            tokens,
            at: 0,
            today,
        }
    }

    pub fn from_text(text: &str, today: NaiveDate) -> Result<Self, QueryError> {
        Ok(Self::new(tokens(text)?, today))
    }

    pub fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    pub fn at_end(&self) -> bool {
        self.at >= self.tokens.len()
    }

    fn unexpected(&self) -> QueryError {
        match self.peek() {
            Some(token) => QueryError::malformed(format!("unexpected token: {}", show(token))),
            None => QueryError::malformed("unexpected end of query"),
        }
    }

    pub fn finish(&self) -> Result<(), QueryError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    pub fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.is_keyword(keyword);
        if found {
            self.at += 1;
        }
        found
    }

    pub fn expect_keyword(&mut self, keyword: &str) -> Result<(), QueryError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub fn eat(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, token: &Token) -> Result<(), QueryError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub fn word(&mut self) -> Result<String, QueryError> {
        match self.peek() {
            Some(Token::Word(w)) if !CLAUSE_WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// The next word even when it is a clause word (`ALL` in SOSL's `IN ALL FIELDS`).
    pub fn keyword(&mut self) -> Result<String, QueryError> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Takes the next token, whatever it is.
    pub fn skip(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        if token.is_some() {
            self.at += 1;
        }
        token
    }

    pub fn unexpected_here(&self) -> QueryError {
        self.unexpected()
    }

    fn path(&mut self) -> Result<Vec<String>, QueryError> {
        let mut path = vec![self.word()?];
        while self.eat(&Token::Dot) {
            path.push(self.word()?);
        }
        Ok(path)
    }

    pub fn select_list(&mut self) -> Result<Vec<Item>, QueryError> {
        let mut items = Vec::new();
        loop {
            if self.is_keyword("COUNT") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
                self.at += 2;
                self.expect(&Token::Close)?;
                items.push(Item::Count);
            } else if self.peek() == Some(&Token::Open) {
                return Err(QueryError::malformed(
                    "child relationship subqueries are not supported by this emulator",
                ));
            } else {
                items.push(Item::Field(self.path()?));
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        if items.len() > 1 && items.contains(&Item::Count) {
            return Err(QueryError::malformed(
                "COUNT() cannot be combined with other fields",
            ));
        }
        Ok(items)
    }

    /// Everything after `FROM Object`.
    pub fn rest_of_query(&mut self, select: Vec<Item>, from: String) -> Result<Query, QueryError> {
        let filter = if self.eat_keyword("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let order = if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            self.order_list()?
        } else {
            Vec::new()
        };
        let limit = if self.eat_keyword("LIMIT") {
            Some(self.count()?)
        } else {
            None
        };
        let offset = if self.eat_keyword("OFFSET") {
            Some(self.count()?)
        } else {
            None
        };
        let all_rows = if self.eat_keyword("ALL") {
            self.expect_keyword("ROWS")?;
            true
        } else {
            false
        };
        if self.eat_keyword("FOR")
            && !(self.eat_keyword("VIEW")
                || self.eat_keyword("REFERENCE")
                || self.eat_keyword("UPDATE"))
        {
            return Err(self.unexpected());
        }
        Ok(Query {
            select,
            from,
            filter,
            order,
            limit,
            offset,
            all_rows,
        })
    }

    pub fn count(&mut self) -> Result<usize, QueryError> {
        match self.next() {
            Some(Token::Bare(n)) => n
                .parse()
                .map_err(|_| QueryError::malformed(format!("unexpected token: {n}"))),
            _ => {
                self.at -= 1;
                Err(self.unexpected())
            }
        }
    }

    pub fn order_list(&mut self) -> Result<Vec<Order>, QueryError> {
        let mut order = Vec::new();
        loop {
            let path = self.path()?;
            let descending = if self.eat_keyword("DESC") {
                true
            } else {
                self.eat_keyword("ASC");
                false
            };
            let nulls_last = if self.eat_keyword("NULLS") {
                if self.eat_keyword("LAST") {
                    true
                } else {
                    self.expect_keyword("FIRST")?;
                    false
                }
            } else {
                descending
            };
            order.push(Order {
                path,
                descending,
                nulls_last,
            });
            if !self.eat(&Token::Comma) {
                return Ok(order);
            }
        }
    }

    pub fn condition(&mut self) -> Result<Cond, QueryError> {
        let mut any = vec![self.conjunction()?];
        while self.eat_keyword("OR") {
            any.push(self.conjunction()?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Cond::Or(any)
        })
    }

    fn conjunction(&mut self) -> Result<Cond, QueryError> {
        let mut all = vec![self.negation()?];
        while self.eat_keyword("AND") {
            all.push(self.negation()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Cond::And(all)
        })
    }

    fn negation(&mut self) -> Result<Cond, QueryError> {
        if self.eat_keyword("NOT") {
            return Ok(Cond::Not(Box::new(self.negation()?)));
        }
        if self.eat(&Token::Open) {
            let inner = self.condition()?;
            self.expect(&Token::Close)?;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Cond, QueryError> {
        let path = self.path()?;
        if self.eat_keyword("LIKE") {
            return match self.literal()? {
                Literal::Text(pattern) => Ok(Cond::Like { path, pattern }),
                _ => Err(QueryError::malformed("LIKE needs a string")),
            };
        }
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            self.expect(&Token::Open)?;
            let mut values = vec![self.literal()?];
            while self.eat(&Token::Comma) {
                values.push(self.literal()?);
            }
            self.expect(&Token::Close)?;
            return Ok(Cond::In {
                path,
                negated,
                values,
            });
        }
        if negated {
            return Err(self.unexpected());
        }
        let op = match self.next() {
            Some(Token::Op("=")) => Op::Eq,
            Some(Token::Op("!=")) => Op::Ne,
            Some(Token::Op("<")) => Op::Lt,
            Some(Token::Op("<=")) => Op::Le,
            Some(Token::Op(">")) => Op::Gt,
            Some(Token::Op(">=")) => Op::Ge,
            _ => {
                self.at -= 1;
                return Err(self.unexpected());
            }
        };
        let value = self.literal()?;
        Ok(Cond::Compare { path, op, value })
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        let token = self
            .next()
            .ok_or_else(|| QueryError::malformed("unexpected end of query"))?;
        Ok(match token {
            Token::Text(s) => Literal::Text(s),
            Token::Bare(s) => {
                if let Some(t) = parse_datetime(&s) {
                    Literal::DateTime(t)
                } else if let Some(d) = parse_date(&s) {
                    Literal::Date(d)
                } else {
                    Literal::Number(
                        s.parse()
                            .map_err(|_| QueryError::malformed(format!("unexpected token: {s}")))?,
                    )
                }
            }
            Token::Word(w) => self.word_literal(&w)?,
            other => {
                return Err(QueryError::malformed(format!(
                    "unexpected token: {}",
                    show(&other)
                )));
            }
        })
    }

    fn word_literal(&mut self, word: &str) -> Result<Literal, QueryError> {
        let today = self.today;
        let day = |offset: i64| {
            if offset >= 0 {
                today.checked_add_days(Days::new(offset.unsigned_abs()))
            } else {
                today.checked_sub_days(Days::new(offset.unsigned_abs()))
            }
            .unwrap_or(today)
        };
        let span = |from: i64, to: i64| Literal::Days {
            start: day(from),
            end: day(to),
        };
        Ok(match word.to_ascii_uppercase().as_str() {
            "NULL" => Literal::Null,
            "TRUE" => Literal::Bool(true),
            "FALSE" => Literal::Bool(false),
            "TODAY" => span(0, 1),
            "YESTERDAY" => span(-1, 0),
            "TOMORROW" => span(1, 2),
            "LAST_N_DAYS" | "NEXT_N_DAYS" => {
                self.expect(&Token::Colon)?;
                let n = self.count()? as i64;
                if word.eq_ignore_ascii_case("LAST_N_DAYS") {
                    span(-n, 1)
                } else {
                    span(0, n + 1)
                }
            }
            _ => return Err(QueryError::malformed(format!("unexpected token: {word}"))),
        })
    }
}

fn show(token: &Token) -> String {
    match token {
        Token::Word(w) | Token::Bare(w) => w.clone(),
        Token::Text(s) => format!("'{s}'"),
        Token::Comma => ",".into(),
        Token::Dot => ".".into(),
        Token::Colon => ":".into(),
        Token::Open => "(".into(),
        Token::Close => ")".into(),
        Token::Op(op) => (*op).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 24).unwrap()
    }

    #[test]
    fn a_matching_query_parses_with_precedence_and_literals() {
        let q = parse(
            "SELECT Id, Account.Name FROM Contact WHERE Email IN ('a@x.com','b@x.com') AND (LastName LIKE 'Sm%' OR CreatedDate > 2025-01-01T00:00:00Z) ORDER BY LastName DESC LIMIT 10",
            today(),
        )
        .unwrap();
        assert_eq!(q.from, "Contact");
        assert_eq!(
            q.select[1],
            Item::Field(vec!["Account".into(), "Name".into()])
        );
        assert!(
            matches!(&q.filter, Some(Cond::And(parts)) if parts.len() == 2 && matches!(parts[1], Cond::Or(_)))
        );
        assert!(q.order[0].descending && q.order[0].nulls_last);
        assert_eq!(q.limit, Some(10));
    }

    #[test]
    fn malformed_queries_are_refused() {
        for bad in [
            "SELECT FROM Contact",
            "SELECT Id Contact",
            "SELECT Id FROM Contact WHERE",
            "SELECT Id FROM Contact WHERE Name = 'unterminated",
            "SELECT Id FROM Contact LIMIT x",
            "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
            "SELECT Id FROM Contact GROUP BY Id",
        ] {
            let error = parse(bad, today()).unwrap_err();
            assert_eq!(error.code, "MALFORMED_QUERY", "{bad}");
        }
    }

    #[test]
    fn relative_dates_cover_whole_days() {
        let q = parse(
            "SELECT Id FROM Event WHERE StartDateTime = LAST_N_DAYS:7",
            today(),
        )
        .unwrap();
        let Some(Cond::Compare {
            value: Literal::Days { start, end },
            ..
        }) = q.filter
        else {
            panic!("not a day range");
        };
        assert_eq!(start, NaiveDate::from_ymd_opt(2025, 9, 17).unwrap());
        assert_eq!(end, NaiveDate::from_ymd_opt(2025, 9, 25).unwrap());
    }
}
