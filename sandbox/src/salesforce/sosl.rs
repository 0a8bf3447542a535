//! SOSL (`FIND {term} IN EMAIL FIELDS RETURNING Contact(Id, Email), Lead(...)`) and the
//! parameterized search built from the same pieces.
//!
//! Matching is by tokens, as a search index works: a value is split at punctuation and
//! spaces, and a search word matches when its tokens appear in a row in the value's tokens
//! (`acme.com` finds `jane@acme.com`; `doe@acme.com` does not find `jdoe@acme.com`). `*` ends a
//! word with any suffix, `?` stands for one character; words must all match; `OR` separates
//! alternatives. Recently written records can be kept out for a while (the index lags).

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::schema::{Field, Kind, SObject, TextFlavor};
use super::soql::{self, Item, Parser, Query, QueryError};
use super::store::{OrgData, Record};
use super::values::Value;

/// Which fields a search looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Name,
    Email,
    Phone,
}

impl Scope {
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "ALL" | "SIDEBAR" => Self::All,
            "NAME" => Self::Name,
            "EMAIL" => Self::Email,
            "PHONE" => Self::Phone,
            _ => return None,
        })
    }

    fn covers(self, field: &Field) -> bool {
        match self {
            Self::All => field.is_searchable_text(),
            Self::Email => matches!(
                field.kind,
                Kind::Text {
                    flavor: TextFlavor::Email,
                    ..
                }
            ),
            Self::Phone => matches!(
                field.kind,
                Kind::Text {
                    flavor: TextFlavor::Phone,
                    ..
                }
            ),
            Self::Name => {
                field.is_searchable_text()
                    && (field.name.ends_with("Name")
                        || matches!(field.name.as_str(), "Company" | "Subject"))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Search {
    /// Alternatives (`OR`), each a list of words that must all match.
    pub any_of: Vec<Vec<String>>,
    pub scope: Scope,
    pub returning: Vec<Query>,
    pub limit: Option<usize>,
}

fn malformed(message: impl Into<String>) -> QueryError {
    QueryError {
        code: "MALFORMED_SEARCH",
        message: message.into(),
    }
}

/// The words of a search term; escapes (`\+`, `\-`, `\@`…) are undone.
pub fn words(term: &str) -> Result<Vec<Vec<String>>, QueryError> {
    let mut alternatives = vec![Vec::new()];
    let mut word = String::new();
    let mut chars = term.chars();
    let mut quoted = false;
    let flush = |word: &mut String, alternatives: &mut Vec<Vec<String>>| {
        let w = std::mem::take(word);
        match w.as_str() {
            "" | "AND" => {}
            "OR" => alternatives.push(Vec::new()),
            _ => alternatives.last_mut().map_or((), |group| group.push(w)),
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.push(chars.next().unwrap_or('\\')),
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => flush(&mut word, &mut alternatives),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut alternatives);
    alternatives.retain(|group| !group.is_empty());
    let meaningful = alternatives
        .iter()
        .flatten()
        .all(|w| w.chars().filter(|c| !matches!(c, '*' | '?')).count() >= 2);
    if alternatives.is_empty() || !meaningful {
        return Err(malformed("search term must be longer than one character"));
    }
    Ok(alternatives)
}

/// Parses SOSL text.
pub fn parse(text: &str, today: chrono::NaiveDate) -> Result<Search, QueryError> {
    let no_term = || malformed("No search term found. The search term must be enclosed in braces.");
    let rest = text.trim_start();
    let rest = rest
        .get(..4)
        .filter(|find| find.eq_ignore_ascii_case("FIND"))
        .map(|_| rest[4..].trim_start())
        .ok_or_else(|| malformed("unexpected token: expected FIND"))?;
    let body = rest.strip_prefix('{').ok_or_else(no_term)?;
    let mut end = None;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '}' if !escaped => {
                end = Some(i);
                break;
            }
            _ => escaped = false,
        }
    }
    let end = end.ok_or_else(no_term)?;
    let any_of = words(&body[..end])?;
    let as_search = |e: QueryError| malformed(e.message);
    let mut parser = Parser::from_text(&body[end + 1..], today).map_err(as_search)?;
    let mut scope = Scope::All;
    if parser.eat_keyword("IN") {
        let word = parser.keyword().map_err(as_search)?;
        scope =
            Scope::parse(&word).ok_or_else(|| malformed(format!("unexpected token: {word}")))?;
        parser.expect_keyword("FIELDS").map_err(as_search)?;
    }
    let mut returning = Vec::new();
    if parser.eat_keyword("RETURNING") {
        loop {
            let from = parser.word().map_err(as_search)?;
            let query = if parser.eat(&soql::Token::Open) {
                let select = parser.select_list().map_err(as_search)?;
                let query = parser.rest_of_query(select, from).map_err(as_search)?;
                if !parser.eat(&soql::Token::Close) {
                    return Err(malformed("unexpected token: expected ')'"));
                }
                query
            } else {
                id_only(from)
            };
            returning.push(query);
            if !parser.eat(&soql::Token::Comma) {
                break;
            }
        }
    }
    while parser.eat_keyword("WITH") {
        with_clause(&mut parser).map_err(as_search)?;
    }
    let limit = if parser.eat_keyword("LIMIT") {
        Some(parser.count().map_err(as_search)?)
    } else {
        None
    };
    if parser.eat_keyword("UPDATE") {
        loop {
            let word = parser.keyword().map_err(as_search)?;
            if !["TRACKING", "VIEWSTAT"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&word))
            {
                return Err(malformed(format!("unexpected token: {word}")));
            }
            if !parser.eat(&soql::Token::Comma) {
                break;
            }
        }
    }
    parser.finish().map_err(as_search)?;
    Ok(Search {
        any_of,
        scope,
        returning,
        limit,
    })
}

/// One `WITH` clause after `RETURNING`. The emulated org has no divisions, data categories,
/// communities, price books or knowledge articles, and no snippets, highlights, metadata or
/// spelling correction to give: the clauses are parsed as Salesforce writes them and change
/// nothing in the results (our choice; an unknown `WITH` is malformed, as in a real org).
fn with_clause(parser: &mut Parser) -> Result<(), QueryError> {
    let equals = soql::Token::Op("=");
    let word = parser.keyword()?;
    match word.to_ascii_uppercase().as_str() {
        "DIVISION" | "PRICEBOOKID" | "METADATA" | "SPELL_CORRECTION" => {
            if !parser.eat(&equals) || parser.skip().is_none() {
                return Err(parser.unexpected_here());
            }
        }
        "NETWORK" => {
            if parser.eat(&equals) {
                parser.skip().ok_or_else(|| parser.unexpected_here())?;
            } else {
                parser.expect_keyword("IN")?;
                skip_parenthesised(parser)?;
            }
        }
        "SNIPPET" => {
            if parser.peek() == Some(&soql::Token::Open) {
                skip_parenthesised(parser)?;
            }
        }
        "HIGHLIGHT" => {}
        "DATA" => {
            parser.expect_keyword("CATEGORY")?;
            // `Geography__c AT (usa__c, uk__c) AND Product__c BELOW All__c`, up to the next clause.
            let mut taken = 0;
            while !parser.at_end()
                && !["WITH", "LIMIT", "UPDATE"]
                    .iter()
                    .any(|k| parser.is_keyword(k))
            {
                parser.skip();
                taken += 1;
            }
            if taken == 0 {
                return Err(parser.unexpected_here());
            }
        }
        _ => return Err(malformed(format!("unexpected token: {word}"))),
    }
    Ok(())
}

/// `( … )`, nested parentheses included.
fn skip_parenthesised(parser: &mut Parser) -> Result<(), QueryError> {
    if !parser.eat(&soql::Token::Open) {
        return Err(parser.unexpected_here());
    }
    let mut depth = 1;
    while depth > 0 {
        match parser.skip() {
            Some(soql::Token::Open) => depth += 1,
            Some(soql::Token::Close) => depth -= 1,
            Some(_) => {}
            None => return Err(malformed("unexpected end of query")),
        }
    }
    Ok(())
}

pub fn id_only(from: String) -> Query {
    Query {
        select: vec![Item::Field(vec!["Id".into()])],
        from,
        filter: None,
        order: Vec::new(),
        limit: None,
        offset: None,
        all_rows: false,
    }
}

/// Runs a search; `indexed_before` keeps out records written after it (index lag).
pub fn run(
    org: &OrgData,
    search: &Search,
    version: &str,
    indexed_before: DateTime<Utc>,
) -> Result<Vec<Json>, QueryError> {
    let default_objects: Vec<Query>;
    let queries = if search.returning.is_empty() {
        default_objects = org
            .schema
            .objects()
            .iter()
            .filter(|o| o.searchable)
            .map(|o| id_only(o.name.clone()))
            .collect();
        &default_objects
    } else {
        &search.returning
    };
    let mut found = Vec::new();
    for query in queries {
        let object = org.object(&query.from);
        let hit = |record: &Record| {
            let indexed = match record.get("LastModifiedDate") {
                Value::DateTime(t) => *t <= indexed_before,
                _ => true,
            };
            indexed && object.is_some_and(|o| matches(o, record, search))
        };
        match soql::run(org, query, version, &hit)? {
            soql::Outcome::Records(records) => found.extend(records),
            soql::Outcome::Count(_) => return Err(malformed("COUNT() is not allowed in a search")),
        }
    }
    found.truncate(search.limit.unwrap_or(2000));
    Ok(found)
}

fn matches(object: &SObject, record: &Record, search: &Search) -> bool {
    let values: Vec<Vec<String>> = object
        .fields
        .iter()
        .filter(|f| search.scope.covers(f))
        .filter_map(|f| record.text(&f.name))
        .map(tokens)
        .collect();
    search.any_of.iter().any(|words| {
        words
            .iter()
            .all(|word| values.iter().any(|value| phrase_in(&tokens(word), value)))
    })
}

fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '*' || c == '?'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn phrase_in(phrase: &[String], value: &[String]) -> bool {
    if phrase.is_empty() || phrase.len() > value.len() {
        return false;
    }
    value.windows(phrase.len()).any(|window| {
        window.iter().zip(phrase).all(|(token, word)| {
            let pattern = word.replace('*', "%").replace('?', "_");
            soql::like(token, &pattern)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_email_terms_become_one_word() {
        assert_eq!(
            words("jane\\-doe\\+x@acme.com").unwrap(),
            vec![vec!["jane-doe+x@acme.com".to_string()]]
        );
        assert_eq!(words("acme OR globex").unwrap().len(), 2);
        assert_eq!(words("a").unwrap_err().code, "MALFORMED_SEARCH");
    }

    #[test]
    fn words_match_whole_tokens_in_a_row() {
        let value = tokens("jane.doe@acme.com");
        assert!(phrase_in(&tokens("acme.com"), &value));
        assert!(phrase_in(&tokens("jane.doe@acme.com"), &value));
        assert!(phrase_in(&tokens("ja*"), &value));
        assert!(!phrase_in(&tokens("doe@globex.com"), &value));
        assert!(!phrase_in(&tokens("ane"), &value));
    }

    #[test]
    fn a_term_without_braces_is_refused_as_salesforce_refuses_it() {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let error = parse("FIND jane RETURNING Contact", today).unwrap_err();
        assert_eq!(error.code, "MALFORMED_SEARCH");
        assert_eq!(
            error.message,
            "No search term found. The search term must be enclosed in braces."
        );
        let ok = parse("FIND {jane\\-doe} IN EMAIL FIELDS RETURNING Contact(Id, Email WHERE Email != null LIMIT 5), Lead LIMIT 20", today).unwrap();
        assert_eq!(ok.scope, Scope::Email);
        assert_eq!(ok.returning.len(), 2);
        assert_eq!(ok.returning[0].limit, Some(5));
        assert_eq!(ok.limit, Some(20));
    }
}
