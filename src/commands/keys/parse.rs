//! Parsing of the keyspace commands' options into small structs, each checked by the
//! unit tests below. Errors come in the order Redis reports them.

use bytes::Bytes;

use crate::commands::args::{self, is};
use crate::error::{Error, Result};

/// The `NX | XX | GT | LT` conditions of the EXPIRE family.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct ExpireCond {
    pub(super) nx: bool,
    pub(super) xx: bool,
    pub(super) gt: bool,
    pub(super) lt: bool,
}

impl ExpireCond {
    /// Errors: `ERR Unsupported option <opt>`, `ERR NX and XX, GT or LT options at the
    /// same time are not compatible`, `ERR GT and LT options at the same time are not
    /// compatible`.
    pub(super) fn parse(opts: &[Bytes]) -> Result<ExpireCond> {
        let mut c = ExpireCond::default();
        for opt in opts {
            let flag = if is(opt, "nx") {
                &mut c.nx
            } else if is(opt, "xx") {
                &mut c.xx
            } else if is(opt, "gt") {
                &mut c.gt
            } else if is(opt, "lt") {
                &mut c.lt
            } else {
                return Err(Error::UnsupportedOption(String::from_utf8_lossy(opt).into_owned()));
            };
            *flag = true;
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(Error::ExpireNxAndOthers);
        }
        if c.gt && c.lt {
            return Err(Error::ExpireGtAndLt);
        }
        Ok(c)
    }

    /// Whether the conditions refuse the deadline `when` over the `current` one (0: no
    /// expiry, which GT and LT treat as infinite).
    pub(super) fn refuses(&self, current: i64, when: i64) -> bool {
        (self.nx && current != 0)
            || (self.xx && current == 0)
            || (self.gt && (current == 0 || when <= current))
            || (self.lt && current != 0 && when >= current)
    }
}

/// SCAN's options after the cursor: `[MATCH pattern] [COUNT count] [TYPE type]`.
#[derive(Debug, PartialEq)]
pub(super) struct ScanArgs<'a> {
    pub(super) count: i64,
    /// `None` for no pattern, or `*`.
    pub(super) pattern: Option<&'a [u8]>,
    pub(super) type_name: Option<&'a [u8]>,
}

impl<'a> ScanArgs<'a> {
    /// Errors: COUNT not an integer; COUNT < 1, an option without its value or an
    /// unknown one: syntax error.
    pub(super) fn parse(argv: &'a [Bytes]) -> Result<ScanArgs<'a>> {
        let mut a = ScanArgs { count: 10, pattern: None, type_name: None };
        let mut i = 2;
        while i < argv.len() {
            let has_value = argv.len() - i >= 2;
            if is(&argv[i], "count") && has_value {
                a.count = args::int(&argv[i + 1])?;
                if a.count < 1 {
                    return Err(Error::Syntax);
                }
            } else if is(&argv[i], "match") && has_value {
                a.pattern = Some(&argv[i + 1][..]).filter(|p| *p != b"*");
            } else if is(&argv[i], "type") && has_value {
                a.type_name = Some(&argv[i + 1][..]);
            } else {
                return Err(Error::Syntax);
            }
            i += 2;
        }
        Ok(a)
    }
}

/// Parses a database index argument the way MOVE and COPY do: an int, then in range of
/// `databases`. Errors: not an integer, `ERR DB index is out of range`.
pub(super) fn db_index(raw: &[u8], databases: usize) -> Result<usize> {
    let id = args::int(raw)?;
    if id < i32::MIN as i64 || id > i32::MAX as i64 {
        return Err(Error::NotInteger);
    }
    if id < 0 || id as usize >= databases {
        return Err(Error::DbIndexOutOfRange);
    }
    Ok(id as usize)
}

/// COPY's options after the two keys: `[DB destination-db] [REPLACE]`.
#[derive(Debug, PartialEq)]
pub(super) struct CopyArgs {
    /// `None`: the client's database.
    pub(super) db: Option<usize>,
    pub(super) replace: bool,
}

impl CopyArgs {
    /// Errors: those of [`db_index`], syntax error.
    pub(super) fn parse(argv: &[Bytes], databases: usize) -> Result<CopyArgs> {
        let mut a = CopyArgs { db: None, replace: false };
        let mut i = 3;
        while i < argv.len() {
            if is(&argv[i], "replace") {
                a.replace = true;
            } else if is(&argv[i], "db") && i + 1 < argv.len() {
                a.db = Some(db_index(&argv[i + 1], databases)?);
                i += 1;
            } else {
                return Err(Error::Syntax);
            }
            i += 1;
        }
        Ok(a)
    }
}

/// RESTORE's options after the payload: `[REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ
/// frequency]` (IDLETIME and FREQ exclude each other).
#[derive(Debug, PartialEq)]
pub(super) struct RestoreArgs {
    pub(super) replace: bool,
    pub(super) absttl: bool,
    pub(super) idle: Option<i64>,
    /// Checked and ignored: there is no LFU policy.
    pub(super) freq: Option<i64>,
}

impl RestoreArgs {
    /// Errors: not an integer, `ERR Invalid IDLETIME value, must be >= 0`, `ERR Invalid
    /// FREQ value, must be >= 0 and <= 255`, syntax error.
    pub(super) fn parse(argv: &[Bytes]) -> Result<RestoreArgs> {
        let mut a = RestoreArgs { replace: false, absttl: false, idle: None, freq: None };
        let mut i = 4;
        while i < argv.len() {
            let has_value = i + 1 < argv.len();
            if is(&argv[i], "replace") {
                a.replace = true;
            } else if is(&argv[i], "absttl") {
                a.absttl = true;
            } else if is(&argv[i], "idletime") && has_value && a.freq.is_none() {
                let v = args::int(&argv[i + 1])?;
                if v < 0 {
                    return Err(Error::InvalidIdletime);
                }
                a.idle = Some(v);
                i += 1;
            } else if is(&argv[i], "freq") && has_value && a.idle.is_none() {
                let v = args::int(&argv[i + 1])?;
                if !(0..=255).contains(&v) {
                    return Err(Error::InvalidFreq);
                }
                a.freq = Some(v);
                i += 1;
            } else {
                return Err(Error::Syntax);
            }
            i += 1;
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::args::testing::{argv, err};

    #[test]
    fn expire_conditions() {
        assert_eq!(ExpireCond::parse(&argv(&["xx", "GT"])).unwrap(), ExpireCond { xx: true, gt: true, ..Default::default() });
        assert_eq!(err(ExpireCond::parse(&argv(&["nx", "xx"]))), "ERR NX and XX, GT or LT options at the same time are not compatible");
        assert_eq!(err(ExpireCond::parse(&argv(&["gt", "lt"]))), "ERR GT and LT options at the same time are not compatible");
        assert_eq!(err(ExpireCond::parse(&argv(&["later"]))), "ERR Unsupported option later");
        let c = |opts: &[&str]| ExpireCond::parse(&argv(opts)).unwrap();
        // No expiry counts as infinite for GT and LT.
        assert!(c(&["gt"]).refuses(0, 100));
        assert!(!c(&["lt"]).refuses(0, 100));
        assert!(c(&["gt"]).refuses(100, 100) && !c(&["gt"]).refuses(100, 101));
        assert!(c(&["lt"]).refuses(100, 100) && !c(&["lt"]).refuses(100, 99));
        assert!(c(&["nx"]).refuses(5, 1) && !c(&["nx"]).refuses(0, 1));
        assert!(c(&["xx"]).refuses(0, 1) && !c(&["xx"]).refuses(5, 1));
        assert!(!c(&[]).refuses(5, 1));
    }

    #[test]
    fn scan_options() {
        let a = argv(&["scan", "0", "MATCH", "user:*", "COUNT", "100", "TYPE", "hash"]);
        assert_eq!(ScanArgs::parse(&a).unwrap(), ScanArgs { count: 100, pattern: Some(b"user:*"), type_name: Some(b"hash") });
        let a = argv(&["scan", "0", "match", "*"]);
        assert_eq!(ScanArgs::parse(&a).unwrap(), ScanArgs { count: 10, pattern: None, type_name: None });
        assert_eq!(err(ScanArgs::parse(&argv(&["scan", "0", "COUNT", "0"]))), "ERR syntax error");
        assert_eq!(err(ScanArgs::parse(&argv(&["scan", "0", "COUNT", "x"]))), "ERR value is not an integer or out of range");
        assert_eq!(err(ScanArgs::parse(&argv(&["scan", "0", "COUNT"]))), "ERR syntax error");
        assert_eq!(err(ScanArgs::parse(&argv(&["scan", "0", "LIMIT", "1"]))), "ERR syntax error");
    }

    #[test]
    fn copy_options_and_db_indexes() {
        assert_eq!(CopyArgs::parse(&argv(&["copy", "a", "b", "DB", "3", "REPLACE"]), 16).unwrap(), CopyArgs { db: Some(3), replace: true });
        assert_eq!(CopyArgs::parse(&argv(&["copy", "a", "b"]), 16).unwrap(), CopyArgs { db: None, replace: false });
        assert_eq!(err(CopyArgs::parse(&argv(&["copy", "a", "b", "DB", "16"]), 16)), "ERR DB index is out of range");
        assert_eq!(err(CopyArgs::parse(&argv(&["copy", "a", "b", "DB"]), 16)), "ERR syntax error");
        assert_eq!(err(db_index(b"-1", 16)), "ERR DB index is out of range");
        assert_eq!(err(db_index(b"4294967296", 16)), "ERR value is not an integer or out of range");
        assert_eq!(db_index(b"15", 16).unwrap(), 15);
    }

    #[test]
    fn restore_options() {
        let a = argv(&["restore", "k", "0", "payload", "REPLACE", "ABSTTL", "IDLETIME", "10"]);
        assert_eq!(RestoreArgs::parse(&a).unwrap(), RestoreArgs { replace: true, absttl: true, idle: Some(10), freq: None });
        let a = argv(&["restore", "k", "0", "payload", "FREQ", "255"]);
        assert_eq!(RestoreArgs::parse(&a).unwrap().freq, Some(255));
        let bad = |items: &[&str]| err(RestoreArgs::parse(&argv(items)));
        assert_eq!(bad(&["restore", "k", "0", "p", "IDLETIME", "-1"]), "ERR Invalid IDLETIME value, must be >= 0");
        assert_eq!(bad(&["restore", "k", "0", "p", "FREQ", "256"]), "ERR Invalid FREQ value, must be >= 0 and <= 255");
        assert_eq!(bad(&["restore", "k", "0", "p", "IDLETIME", "1", "FREQ", "1"]), "ERR syntax error");
        assert_eq!(bad(&["restore", "k", "0", "p", "IDLETIME"]), "ERR syntax error");
    }
}
