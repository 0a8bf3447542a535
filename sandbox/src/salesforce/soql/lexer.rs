//! SOQL tokens.

use super::QueryError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A name or keyword, as written.
    Word(String),
    Text(String),
    /// A number, date or date-time, as written.
    Bare(String),
    Comma,
    Dot,
    Colon,
    Open,
    Close,
    Op(&'static str),
}

pub fn tokens(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            ',' => push(&mut out, &mut i, Token::Comma),
            '.' => push(&mut out, &mut i, Token::Dot),
            ':' => push(&mut out, &mut i, Token::Colon),
            '(' => push(&mut out, &mut i, Token::Open),
            ')' => push(&mut out, &mut i, Token::Close),
            '=' => push(&mut out, &mut i, Token::Op("=")),
            '!' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, width) = match (c, next) {
                    ('!', Some('=')) => ("!=", 2),
                    ('<', Some('>')) => ("!=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('>', Some('=')) => (">=", 2),
                    ('<', _) => ("<", 1),
                    ('>', _) => (">", 1),
                    _ => return Err(QueryError::malformed(format!("unexpected token: '{c}'"))),
                };
                out.push(Token::Op(op));
                i += width;
            }
            '\'' => {
                let (text, end) = string(&chars, i + 1)?;
                out.push(Token::Text(text));
                i = end;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || matches!(chars[i], '-' | ':' | '.' | '+'))
                {
                    i += 1;
                }
                out.push(Token::Bare(chars[start..i].iter().collect()));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => {
                return Err(QueryError::malformed(format!(
                    "unexpected token: '{other}'"
                )));
            }
        }
    }
    Ok(out)
}

fn push(out: &mut Vec<Token>, i: &mut usize, token: Token) {
    out.push(token);
    *i += 1;
}

/// `\%` in a string literal: a `%` that LIKE takes literally (a private-use character).
pub const LITERAL_PERCENT: char = '\u{F0025}';
/// `\_` in a string literal: a `_` that LIKE takes literally.
pub const LITERAL_UNDERSCORE: char = '\u{F005F}';

/// A quoted string from `start` (just past the quote): its text and the index after it.
fn string(chars: &[char], start: usize) -> Result<(String, usize), QueryError> {
    let mut text = String::new();
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\'' => return Ok((text, i + 1)),
            '\\' => {
                let escaped = chars
                    .get(i + 1)
                    .ok_or_else(|| QueryError::malformed("unterminated string"))?;
                match escaped {
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    'r' => text.push('\r'),
                    // `\%` and `\_` mean a literal `%` and `_` in LIKE, while `\\` is a plain
                    // backslash there too (one level of escapes, as Salesforce reads them): the
                    // two are kept apart as markers that no query text can hold.
                    '%' => text.push(LITERAL_PERCENT),
                    '_' => text.push(LITERAL_UNDERSCORE),
                    '\'' | '"' | '\\' => text.push(*escaped),
                    other => {
                        return Err(QueryError::malformed(format!(
                            "Invalid string literal '\\{other}'. Illegal character sequence '\\{other}' in string literal."
                        )));
                    }
                }
                i += 2;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(QueryError::malformed("unterminated string literal"))
}
