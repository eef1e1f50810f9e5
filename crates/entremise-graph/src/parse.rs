//! Edge-list parsing straight from bytes.
//!
//! Accepted lines: `a b` with the two ids separated by spaces, tabs, commas,
//! `|` or `;`, optionally followed by a separator and anything else (an LDBC
//! SNB `Person_knows_Person` line `a|b|creationDate`, a weight); empty lines,
//! and lines starting with `#` or `%`, are skipped. A first line that does not
//! start with a digit is a header (LDBC's `:START_ID(Person)|...`) and is
//! skipped. Ids are unsigned 64-bit integers.

use std::fmt;

use crate::ExternalId;

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number in the input.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses an edge list fed in chunks of whole lines (so that a large file can
/// be read block by block, with progress), keeping count of lines.
#[derive(Debug, Default, Clone)]
pub struct EdgeListParser {
    line: u64,
}

#[inline]
fn is_separator(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b',' | b'|' | b';')
}

impl EdgeListParser {
    /// A parser at the start of an input.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lines consumed so far.
    pub fn lines(&self) -> u64 {
        self.line
    }

    /// Counts `lines` more lines as consumed (parsed elsewhere, for example by
    /// another parser working on a later part of the same input in parallel).
    pub fn skip_lines(&mut self, lines: u64) {
        self.line += lines;
    }

    /// Parses `chunk`, which must hold whole lines (the last one may lack its
    /// `\n` only at the end of the input), calling `edge(a, b)` for each
    /// contact line. Stops at the first malformed line.
    pub fn parse(
        &mut self,
        chunk: &[u8],
        mut edge: impl FnMut(ExternalId, ExternalId),
    ) -> Result<(), ParseError> {
        let mut i = 0;
        let n = chunk.len();
        while i < n {
            self.line += 1;
            let start = i;
            // Fast path: digits, separators, digits, end of line.
            let c = chunk[i];
            if c.is_ascii_digit() {
                let (a, after_a) = self.number(chunk, i)?;
                i = after_a;
                if i >= n || !is_separator(chunk[i]) {
                    return Err(self.error(
                        chunk,
                        start,
                        "expected two ids separated by a space, tab, comma or |",
                    ));
                }
                while i < n && is_separator(chunk[i]) {
                    i += 1;
                }
                if i >= n || !chunk[i].is_ascii_digit() {
                    return Err(self.error(chunk, start, "expected a second id"));
                }
                let (b, after_b) = self.number(chunk, i)?;
                i = after_b;
                match chunk.get(i) {
                    None => {}
                    Some(b'\n') => i += 1,
                    Some(b'\r') if chunk.get(i + 1).is_none_or(|&c| c == b'\n') => i += 2,
                    Some(&c) if is_separator(c) => i = line_end(chunk, i),
                    Some(_) => {
                        return Err(self.error(
                            chunk,
                            start,
                            "unexpected character after the second id",
                        ));
                    }
                }
                edge(a, b);
                continue;
            }
            let end = line_end(chunk, i);
            let text = trim(&chunk[start..end]);
            let skippable = text.is_empty()
                || text[0] == b'#'
                || text[0] == b'%'
                || (self.line == 1 && !text[0].is_ascii_digit() && !is_separator(text[0]));
            if !skippable {
                return Err(self.error(chunk, start, "expected two ids"));
            }
            i = end;
        }
        Ok(())
    }

    #[inline]
    fn number(&self, chunk: &[u8], mut i: usize) -> Result<(ExternalId, usize), ParseError> {
        let start = i;
        let mut value: u64 = 0;
        while i < chunk.len() && chunk[i].is_ascii_digit() {
            let digit = (chunk[i] - b'0') as u64;
            value = match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
                Some(v) => v,
                None => {
                    return Err(self.error(
                        chunk,
                        line_start(chunk, start),
                        "id does not fit in 64 bits",
                    ));
                }
            };
            i += 1;
        }
        Ok((value, i))
    }

    fn error(&self, chunk: &[u8], start: usize, message: &str) -> ParseError {
        let end = line_end(chunk, start);
        let text = String::from_utf8_lossy(trim(&chunk[start..end]));
        let shown: String = text.chars().take(80).collect();
        ParseError {
            line: self.line,
            message: format!("{message}: {shown:?}"),
        }
    }
}

/// Index just past the end of the line containing `i` (past its `\n`).
fn line_end(chunk: &[u8], i: usize) -> usize {
    match chunk[i..].iter().position(|&c| c == b'\n') {
        Some(p) => i + p + 1,
        None => chunk.len(),
    }
}

fn line_start(chunk: &[u8], i: usize) -> usize {
    chunk[..i]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1)
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && first.is_ascii_whitespace()
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && last.is_ascii_whitespace()
    {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(text: &str) -> Result<Vec<(u64, u64)>, ParseError> {
        let mut edges = Vec::new();
        EdgeListParser::new().parse(text.as_bytes(), |a, b| edges.push((a, b)))?;
        Ok(edges)
    }

    #[test]
    fn accepts_plain_csv_ldbc_and_comments() {
        let plain = "# a comment\n0 1\n1\t2\r\n\n% other\n3,4\n5  6";
        assert_eq!(
            parse_all(plain).unwrap(),
            vec![(0, 1), (1, 2), (3, 4), (5, 6)]
        );
        let ldbc = ":START_ID(Person)|:END_ID(Person)|creationDate:LONG\n933|2199023256077|20100422123057947\n";
        assert_eq!(parse_all(ldbc).unwrap(), vec![(933, 2199023256077)]);
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let err = parse_all("0 1\n2 x\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("2 x"), "{err}");
        assert_eq!(parse_all("0 1\nfoo bar\n").unwrap_err().line, 2);
        assert_eq!(parse_all("7\n").unwrap_err().line, 1);
        assert_eq!(parse_all("1 2x\n").unwrap_err().line, 1);
        assert_eq!(parse_all("99999999999999999999 1").unwrap_err().line, 1);
    }

    #[test]
    fn chunks_keep_line_numbers() {
        let mut parser = EdgeListParser::new();
        let mut edges = Vec::new();
        parser
            .parse(b"1 2\n3 4\n", |a, b| edges.push((a, b)))
            .unwrap();
        let err = parser
            .parse(b"5 6\n-1 2\n", |a, b| edges.push((a, b)))
            .unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(edges.len(), 3);
    }
}
