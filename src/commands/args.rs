//! Argument parsing with Redis's rules: strict integers and floats (read by
//! [`crate::num`], which the type layer shares), the error replies for arguments that are
//! not numbers, and case-insensitive option names.

use bytes::Bytes;

use crate::error::{Error, Result};
pub use crate::num::{parse_f64, parse_f64_bound, parse_i64_strict};

/// An integer argument; `ERR value is not an integer or out of range` otherwise.
pub fn int(raw: &[u8]) -> Result<i64> {
    parse_i64_strict(raw).ok_or(Error::NotInteger)
}

/// A count that may not be negative, as Redis's `getPositiveLongFromObjectOrReply` reads
/// it (LPOP/RPOP, SPOP, ZPOPMIN/ZPOPMAX counts): anything else, a non-integer included,
/// is `ERR value is out of range, must be positive`.
pub fn positive(raw: &[u8]) -> Result<u64> {
    parse_i64_strict(raw)
        .filter(|&n| n >= 0)
        .map(|n| n as u64)
        .ok_or(Error::NotPositive)
}

/// A float argument; `ERR value is not a valid float` otherwise.
pub fn float(raw: &[u8]) -> Result<f64> {
    parse_f64(raw).ok_or(Error::NotFloat)
}

/// Case-insensitive comparison with an ASCII option name.
pub fn is(raw: &[u8], name: &str) -> bool {
    raw.eq_ignore_ascii_case(name.as_bytes())
}

/// A cursor over a command's arguments, for option parsing.
pub struct Args<'a> {
    argv: &'a [Bytes],
    pos: usize,
}

impl<'a> Args<'a> {
    /// Starts at argument `from` (1 skips the command name).
    pub fn new(argv: &'a [Bytes], from: usize) -> Self {
        Args { argv, pos: from }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.argv.len()
    }

    pub fn remaining(&self) -> usize {
        self.argv.len().saturating_sub(self.pos)
    }

    pub fn next(&mut self) -> Option<&'a Bytes> {
        let v = self.argv.get(self.pos);
        if v.is_some() {
            self.pos += 1;
        }
        v
    }

    /// The next argument, or `ERR syntax error` if there is none.
    pub fn value(&mut self) -> Result<&'a Bytes> {
        self.next().ok_or(Error::Syntax)
    }

    pub fn int(&mut self) -> Result<i64> {
        int(self.value()?)
    }
}

/// Helpers for the unit tests of argument parsers.
#[cfg(test)]
pub(crate) mod testing {
    use bytes::Bytes;

    use crate::error::Result;

    /// An argument vector, command name first.
    pub(crate) fn argv(items: &[&str]) -> Vec<Bytes> {
        items.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    /// The reply text of a parse that must fail.
    pub(crate) fn err<T>(r: Result<T>) -> String {
        r.err().expect("an error").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{argv, err};
    use super::*;

    #[test]
    fn the_cursor_reads_values_and_integers() {
        let a = argv(&["cmd", "COUNT", "5", "x"]);
        let mut it = Args::new(&a, 1);
        assert_eq!(it.remaining(), 3);
        assert!(is(it.next().unwrap(), "count"));
        assert_eq!(it.int().unwrap(), 5);
        assert_eq!(err(it.int()), "ERR value is not an integer or out of range");
        assert!(it.is_empty());
        assert_eq!(err(it.value()), "ERR syntax error");
        assert_eq!(err(positive(b"-1")), "ERR value is out of range, must be positive");
        assert_eq!(err(float(b"nan")), "ERR value is not a valid float");
    }
}
