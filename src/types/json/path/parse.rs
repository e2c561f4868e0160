//! The path parser: a loop over the path's characters into [`Step`]s; only filter
//! expressions recurse, and their nesting is capped at [`MAX_NESTING`], so a path of any
//! length is an error reply, not a stack overflow.

use serde_json::Value;

use super::{Expr, Op, Operand, Sel, Step, MAX_FILTER_NESTING, MAX_NESTING};
use crate::error::{Error, Result};

pub(super) struct Parser<'a> {
    pub(super) s: &'a [u8],
    pub(super) pos: usize,
    pub(super) text: &'a str,
    pub(super) nesting: usize,
    /// Filters open around the current position.
    pub(super) filters: usize,
}

/// Characters that end a dotted name.
fn ends_name(c: u8, in_filter: bool) -> bool {
    matches!(c, b'.' | b'[' | b']') || (in_filter && (c.is_ascii_whitespace() || b"()=!<>&|,".contains(&c)))
}

impl<'a> Parser<'a> {
    pub(super) fn error(&self, expected: &'static str) -> Error {
        Error::JsonPathSyntax { pos: self.pos, path: self.text.to_string(), expected }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Steps until the end of the path (or, inside a filter, of the operand).
    pub(super) fn steps(&mut self, in_filter: bool) -> Result<Vec<Step>> {
        let mut steps = Vec::new();
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    let deep = self.eat(b'.');
                    let sel = match self.peek() {
                        Some(b'*') => {
                            self.pos += 1;
                            Sel::Wild
                        }
                        // `$.[0]`, `$..[0]`, `.["a"]`: RedisJSON reads a bracket after a dot.
                        Some(b'[') => {
                            self.pos += 1;
                            self.bracket()?
                        }
                        _ => Sel::Keys(vec![self.name(in_filter)?]),
                    };
                    steps.push(Step { deep, sel });
                }
                Some(b'[') => {
                    self.pos += 1;
                    let sel = self.bracket()?;
                    steps.push(Step { deep: false, sel });
                }
                _ => return Ok(steps),
            }
        }
    }

    fn name(&mut self, in_filter: bool) -> Result<String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| !ends_name(c, in_filter)) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("a key name, '*' or '['"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// After `[`: through the closing `]`.
    fn bracket(&mut self) -> Result<Sel> {
        self.ws();
        let sel = match self.peek() {
            Some(b'*') => {
                self.pos += 1;
                Sel::Wild
            }
            Some(b'?') => {
                self.pos += 1;
                self.ws();
                if !self.eat(b'(') {
                    return Err(self.error("'('"));
                }
                // A filter inside a filter's path multiplies the evaluation's recursion
                // (each level may walk the document's depth with `..`): few are allowed.
                self.filters += 1;
                if self.filters > MAX_FILTER_NESTING {
                    return Err(self.error("a filter nested at most 2 deep"));
                }
                let e = self.or_expr()?;
                self.filters -= 1;
                self.ws();
                if !self.eat(b')') {
                    return Err(self.error("')'"));
                }
                Sel::Filter(Box::new(e))
            }
            Some(b'\'' | b'"') => {
                let mut keys = vec![self.string()?];
                self.ws();
                while self.eat(b',') {
                    self.ws();
                    keys.push(self.string()?);
                    self.ws();
                }
                Sel::Keys(keys)
            }
            Some(b'-' | b'0'..=b'9' | b':') => {
                let first = self.opt_int()?;
                self.ws();
                if self.peek() == Some(b':') {
                    self.pos += 1;
                    self.ws();
                    let end = self.opt_int()?;
                    self.ws();
                    let mut step = 1;
                    if self.eat(b':') {
                        self.ws();
                        step = self.opt_int()?.unwrap_or(1);
                        if step == 0 {
                            return Err(self.error("a non-zero step"));
                        }
                    }
                    Sel::Slice(first, end, step)
                } else {
                    let Some(first) = first else { return Err(self.error("an index")) };
                    let mut idx = vec![first];
                    while self.eat(b',') {
                        self.ws();
                        idx.push(self.opt_int()?.ok_or_else(|| self.error("an index"))?);
                        self.ws();
                    }
                    Sel::Indexes(idx)
                }
            }
            _ => return Err(self.error("one of the following: '<string>[,<string>,...]', '<number>', ['start:end:steps'], '*'")),
        };
        self.ws();
        if !self.eat(b']') {
            return Err(self.error("']'"));
        }
        Ok(sel)
    }

    fn opt_int(&mut self) -> Result<Option<i64>> {
        let start = self.pos;
        self.eat(b'-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return Ok(None);
        }
        std::str::from_utf8(&self.s[start..self.pos])
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| self.error("an integer"))
    }

    /// A quoted string, `'...'` or `"..."`, with backslash escapes.
    fn string(&mut self) -> Result<String> {
        let Some(quote) = self.peek().filter(|c| *c == b'\'' || *c == b'"') else { return Err(self.error("a quoted string")) };
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("a closing quote")),
                Some(c) if c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(c) = self.peek() else { return Err(self.error("an escaped character")) };
                    self.pos += 1;
                    out.push(match c {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                }
                Some(c) => {
                    self.pos += 1;
                    out.push(c);
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn enter(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error("a shallower filter expression"));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Expr> {
        self.enter()?;
        let mut e = self.and_expr()?;
        loop {
            self.ws();
            if self.s[self.pos..].starts_with(b"||") {
                self.pos += 2;
                e = Expr::Or(Box::new(e), Box::new(self.and_expr()?));
            } else {
                break;
            }
        }
        self.nesting -= 1;
        Ok(e)
    }

    fn and_expr(&mut self) -> Result<Expr> {
        let mut e = self.term()?;
        loop {
            self.ws();
            if self.s[self.pos..].starts_with(b"&&") {
                self.pos += 2;
                e = Expr::And(Box::new(e), Box::new(self.term()?));
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn term(&mut self) -> Result<Expr> {
        self.ws();
        if self.eat(b'(') {
            let e = self.or_expr()?;
            self.ws();
            if !self.eat(b')') {
                return Err(self.error("')'"));
            }
            return Ok(e);
        }
        if self.peek() == Some(b'!') && self.s.get(self.pos + 1) != Some(&b'=') {
            self.pos += 1;
            self.enter()?;
            let e = Expr::Not(Box::new(self.term()?));
            self.nesting -= 1;
            return Ok(e);
        }
        let left = self.operand()?;
        self.ws();
        let rest = &self.s[self.pos..];
        let op = [
            ("==", Some(Op::Eq)),
            ("!=", Some(Op::Ne)),
            ("<=", Some(Op::Le)),
            (">=", Some(Op::Ge)),
            ("=~", None),
            ("<", Some(Op::Lt)),
            (">", Some(Op::Gt)),
        ]
        .into_iter()
        .find(|(t, _)| rest.starts_with(t.as_bytes()));
        let Some((token, op)) = op else { return Ok(Expr::Exists(left)) };
        self.pos += token.len();
        self.ws();
        match op {
            Some(op) => Ok(Expr::Cmp(left, op, self.operand()?)),
            None => {
                let at = self.pos;
                let pattern = match self.operand()? {
                    Operand::Literal(Value::String(p)) => p,
                    _ => {
                        self.pos = at;
                        return Err(self.error("a regular expression string"));
                    }
                };
                let re = regex::RegexBuilder::new(&pattern).size_limit(1 << 20).build().map_err(|_| {
                    self.pos = at;
                    self.error("a valid regular expression")
                })?;
                Ok(Expr::Match(left, re))
            }
        }
    }

    fn operand(&mut self) -> Result<Operand> {
        match self.peek() {
            Some(b'@') | Some(b'$') => {
                let root = self.peek() == Some(b'$');
                self.pos += 1;
                self.enter()?;
                let steps = self.steps(true)?;
                self.nesting -= 1;
                Ok(if root { Operand::Root(steps) } else { Operand::Current(steps) })
            }
            Some(b'\'' | b'"') => Ok(Operand::Literal(Value::String(self.string()?))),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(&c)) {
                    self.pos += 1;
                }
                serde_json::from_slice::<Value>(&self.s[start..self.pos]).map(Operand::Literal).map_err(|_| {
                    self.pos = start;
                    self.error("a number")
                })
            }
            _ => {
                for (word, v) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)] {
                    if self.s[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(Operand::Literal(v));
                    }
                }
                Err(self.error("'@', '$', a string, a number, true, false or null"))
            }
        }
    }
}
