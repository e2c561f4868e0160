//! Bitmap commands against the real server, after Redis's tests/unit/bitops.tcl and
//! tests/unit/bitfield.tcl.

mod common;
use common::*;

fn set_bytes(c: &mut Raw, key: &str, value: &[u8]) {
    assert_eq!(c.cmd_bytes(&[b"SET", key.as_bytes(), value]), R::ok());
}

fn raw_bulk(v: &[u8]) -> R {
    R::Bulk(v.to_vec())
}

fn int(n: i64) -> R {
    R::Int(n)
}

fn make_list(c: &mut Raw, key: &str) -> bool {
    c.cmd(&["DEL", key]);
    matches!(c.cmd(&["RPUSH", key, "x"]), R::Int(_))
}

/// A small deterministic generator for fuzz cases.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn u64(&mut self) -> u64 {
        (self.next(1 << 31) << 33) ^ (self.next(1 << 31) << 2) ^ self.next(4)
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        (0..self.next(max)).map(|_| self.next(256) as u8).collect()
    }
}

fn bit(s: &[u8], i: usize) -> bool {
    i / 8 < s.len() && s[i / 8] & (0x80 >> (i % 8)) != 0
}

// ----- SETBIT / GETBIT -----

#[test]
fn setbit_against_missing_string_and_integer_keys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SETBIT", "mykey", "1", "1"]), int(0));
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&[0b0100_0000]));
    // "@" is 0100 0000.
    c.cmd(&["SET", "mykey", "@"]);
    assert_eq!(c.cmd(&["SETBIT", "mykey", "2", "1"]), int(0));
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&[0b0110_0000]));
    assert_eq!(c.cmd(&["SETBIT", "mykey", "1", "0"]), int(1));
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&[0b0010_0000]));
    // "1" is 0011 0001.
    c.cmd(&["SET", "mykey", "1"]);
    assert_eq!(c.cmd(&["SETBIT", "mykey", "6", "1"]), int(0));
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&[0b0011_0011]));
    assert_eq!(c.cmd(&["SETBIT", "mykey", "2", "0"]), int(1));
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&[0b0001_0011]));
    // Clearing a bit past the end still grows the string.
    assert_eq!(c.cmd(&["SETBIT", "grow", "20", "0"]), int(0));
    assert_eq!(c.cmd(&["STRLEN", "grow"]), int(3));
}

#[test]
fn setbit_errors() {
    let s = Server::start();
    let mut c = s.raw();
    let offset = R::err("ERR bit offset is not an integer or out of range");
    let value = R::err("ERR bit is not an integer or out of range");
    assert_eq!(c.cmd(&["SETBIT", "mykey", "4294967296", "1"]), offset);
    assert_eq!(c.cmd(&["SETBIT", "mykey", "-1", "1"]), offset);
    assert_eq!(c.cmd(&["SETBIT", "mykey", "abc", "1"]), offset);
    for v in ["-1", "2", "10", "20", "a", ""] {
        assert_eq!(c.cmd(&["SETBIT", "mykey", "0", v]), value, "{v:?}");
    }
    assert_eq!(c.cmd(&["GET", "mykey"]), R::Nil);
    // The largest offset proto-max-bulk-len allows.
    let s = Server::start_with(&["--proto-max-bulk-len", "1048576"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SETBIT", "k", "8388607", "1"]), int(0));
    assert_eq!(c.cmd(&["STRLEN", "k"]), int(1_048_576));
    assert_eq!(c.cmd(&["SETBIT", "k", "8388608", "1"]), offset);
    assert_eq!(c.cmd(&["GETBIT", "k", "8388608"]), offset);
    assert_eq!(c.cmd(&["BITFIELD", "k", "SET", "u8", "#1048576", "1"]), offset);
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["SETBIT", "l", "0", "1"]), wrongtype());
        assert_eq!(c.cmd(&["GETBIT", "l", "0"]), wrongtype());
    }
}

#[test]
fn setbit_fuzzing_against_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = Lcg(1);
    let mut model = vec![0u8; 0];
    for _ in 0..500 {
        let bitnum = rng.next(256 * 8) as usize;
        let on = rng.next(2) == 1;
        let old = bit(&model, bitnum);
        if model.len() <= bitnum / 8 {
            model.resize(bitnum / 8 + 1, 0);
        }
        if on {
            model[bitnum / 8] |= 0x80 >> (bitnum % 8);
        } else {
            model[bitnum / 8] &= !(0x80 >> (bitnum % 8));
        }
        assert_eq!(c.cmd(&["SETBIT", "mykey", &bitnum.to_string(), if on { "1" } else { "0" }]), int(old as i64));
    }
    assert_eq!(c.cmd(&["GET", "mykey"]), raw_bulk(&model));
}

#[test]
fn getbit_against_missing_string_and_integer_keys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GETBIT", "mykey", "0"]), int(0));
    // "`" has its 2nd and 3rd bits set.
    c.cmd(&["SET", "mykey", "`"]);
    for (i, want) in [(0, 0), (1, 1), (2, 1), (3, 0), (8, 0), (100, 0), (10000, 0)] {
        assert_eq!(c.cmd(&["GETBIT", "mykey", &i.to_string()]), int(want), "bit {i}");
    }
    c.cmd(&["SET", "mykey", "1"]);
    for (i, want) in [(0, 0), (1, 0), (2, 1), (3, 1), (8, 0), (100, 0)] {
        assert_eq!(c.cmd(&["GETBIT", "mykey", &i.to_string()]), int(want), "bit {i}");
    }
    assert_eq!(c.cmd(&["GETBIT", "mykey", "-1"]), R::err("ERR bit offset is not an integer or out of range"));
}

// ----- BITCOUNT -----

#[test]
fn bitcount_fuzzing_without_and_with_ranges() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = Lcg(7);
    for _ in 0..200 {
        let v = rng.bytes(40);
        set_bytes(&mut c, "str", &v);
        let total: u32 = v.iter().map(|b| b.count_ones()).sum();
        assert_eq!(c.cmd(&["BITCOUNT", "str"]), int(total as i64));
        let n = v.len() as i64;
        let (a, b) = (rng.next(100) as i64 - 50, rng.next(100) as i64 - 50);
        let by_byte: i64 = if a < 0 && b < 0 && a > b {
            0
        } else {
            let s0 = if a < 0 { (n + a).max(0) } else { a };
            let e0 = (if b < 0 { (n + b).max(0) } else { b }).min(n - 1);
            (s0..=e0).map(|i| v[i as usize].count_ones() as i64).sum()
        };
        assert_eq!(c.cmd(&["BITCOUNT", "str", &a.to_string(), &b.to_string()]), int(by_byte), "{v:?} {a} {b}");
        assert_eq!(c.cmd(&["BITCOUNT", "str", &a.to_string(), &b.to_string(), "BYTE"]), int(by_byte));
        let (a, b) = (rng.next(400) as i64 - 200, rng.next(400) as i64 - 200);
        let by_bit = {
            let units = n * 8;
            if a < 0 && b < 0 && a > b {
                0
            } else {
                let s0 = if a < 0 { (units + a).max(0) } else { a };
                let e0 = (if b < 0 { (units + b).max(0) } else { b }).min(units - 1);
                (s0..=e0).filter(|&i| bit(&v, i as usize)).count() as i64
            }
        };
        assert_eq!(c.cmd(&["BITCOUNT", "str", &a.to_string(), &b.to_string(), "bit"]), int(by_bit), "{v:?} {a} {b} BIT");
    }
}

#[test]
fn bitcount_docs_examples_and_edge_cases() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "mykey", "foobar"]);
    assert_eq!(c.cmd(&["BITCOUNT", "mykey"]), int(26));
    assert_eq!(c.cmd(&["BITCOUNT", "mykey", "0", "0"]), int(4));
    assert_eq!(c.cmd(&["BITCOUNT", "mykey", "1", "1"]), int(6));
    assert_eq!(c.cmd(&["BITCOUNT", "mykey", "1", "1", "BYTE"]), int(6));
    assert_eq!(c.cmd(&["BITCOUNT", "mykey", "5", "30", "BIT"]), int(17));
    assert_eq!(c.cmd(&["BITCOUNT", "no-key"]), int(0));
    assert_eq!(c.cmd(&["BITCOUNT", "no-key", "0", "-1", "bit"]), int(0));
    c.cmd(&["SET", "str", "xxxx"]);
    assert_eq!(c.cmd(&["BITCOUNT", "str", "4", "10"]), int(0));
    assert_eq!(c.cmd(&["BITCOUNT", "str", "-1", "-2"]), int(0));
    // Regression for github issue #582.
    c.cmd(&["DEL", "foo"]);
    c.cmd(&["SETBIT", "foo", "0", "1"]);
    assert_eq!(c.cmd(&["BITCOUNT", "foo", "0", "4294967296"]), int(1));
    assert_eq!(c.cmd(&["BITCOUNT", "foo", "0", "9223372036854775807", "BIT"]), int(1));
    assert_eq!(c.cmd(&["BITCOUNT", "foo", "-9223372036854775808", "-1"]), int(1));
    c.cmd(&["SET", "empty", ""]);
    assert_eq!(c.cmd(&["BITCOUNT", "empty"]), int(0));
}

#[test]
fn bitcount_with_illegal_arguments() {
    let s = Server::start();
    let mut c = s.raw();
    let syntax = R::err("ERR syntax error");
    for key_exists in [false, true] {
        if key_exists {
            c.cmd(&["SET", "s", "1"]);
        }
        assert_eq!(c.cmd(&["BITCOUNT", "s", "0"]), syntax);
        assert_eq!(c.cmd(&["BITCOUNT", "s", "0", "1", "hello"]), syntax);
        assert_eq!(c.cmd(&["BITCOUNT", "s", "0", "1", "hello", "hello2"]), syntax);
        assert_eq!(c.cmd(&["BITCOUNT", "s", "a", "b"]), R::err("ERR value is not an integer or out of range"));
    }
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["BITCOUNT", "l"]), wrongtype());
    }
}

// ----- BITPOS -----

#[test]
fn bitpos_against_missing_and_small_strings() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["BITPOS", "str", "0"]), int(0));
    assert_eq!(c.cmd(&["BITPOS", "str", "1"]), int(-1));
    assert_eq!(c.cmd(&["BITPOS", "str", "0", "1", "2", "BIT"]), int(0));
    set_bytes(&mut c, "str", b"\xff\xf0\x00");
    assert_eq!(c.cmd(&["BITPOS", "str", "0"]), int(12));
    assert_eq!(c.cmd(&["BITPOS", "str", "0", "1"]), int(12));
    set_bytes(&mut c, "str", b"\x00\x0f\x00");
    assert_eq!(c.cmd(&["BITPOS", "str", "1"]), int(12));
    set_bytes(&mut c, "str", b"\x00\x0f\xff");
    assert_eq!(c.cmd(&["BITPOS", "str", "1", "1"]), int(12));
    // All zero bits, at every length.
    let mut v = Vec::new();
    for _ in 0..20 {
        set_bytes(&mut c, "zero", &v);
        assert_eq!(c.cmd(&["BITPOS", "zero", "1"]), int(-1));
        v.push(0);
    }
    c.cmd(&["SET", "empty", ""]);
    assert_eq!(c.cmd(&["BITPOS", "empty", "0"]), int(-1));
    assert_eq!(c.cmd(&["BITPOS", "empty", "1"]), int(-1));
}

#[test]
fn bitpos_works_with_intervals() {
    let s = Server::start();
    let mut c = s.raw();
    set_bytes(&mut c, "str", b"\x00\xff\x00");
    for (args, want) in [
        (["0", "0", "-1"], 0),
        (["0", "1", "-1"], 16),
        (["0", "2", "-1"], 16),
        (["0", "2", "200"], 16),
        (["0", "1", "1"], -1),
        (["1", "0", "-1"], 8),
        (["1", "1", "-1"], 8),
        (["1", "2", "-1"], -1),
        (["1", "2", "200"], -1),
        (["1", "1", "1"], 8),
    ] {
        let mut full = vec!["BITPOS", "str"];
        full.extend(args);
        assert_eq!(c.cmd(&full), int(want), "{args:?}");
    }
    // Looking for 0 changes when an end is given.
    set_bytes(&mut c, "ones", b"\xff\xff\xff");
    assert_eq!(c.cmd(&["BITPOS", "ones", "0"]), int(24));
    assert_eq!(c.cmd(&["BITPOS", "ones", "0", "0"]), int(24));
    assert_eq!(c.cmd(&["BITPOS", "ones", "0", "0", "-1"]), int(-1));
    assert_eq!(c.cmd(&["BITPOS", "ones", "0", "0", "-1", "BIT"]), int(-1));
    assert_eq!(c.cmd(&["BITPOS", "ones", "0", "3", "5", "BIT"]), int(-1));
}

#[test]
fn bitpos_bit_option_docs_examples() {
    let s = Server::start();
    let mut c = s.raw();
    set_bytes(&mut c, "mykey", b"\xff\xf0\x00");
    assert_eq!(c.cmd(&["BITPOS", "mykey", "0"]), int(12));
    set_bytes(&mut c, "mykey", b"\x00\xff\xf0");
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1", "0"]), int(8));
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1", "2"]), int(16));
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1", "2", "-1", "BYTE"]), int(16));
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1", "7", "15", "BIT"]), int(8));
    set_bytes(&mut c, "mykey", b"\x00\x00\x00");
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1"]), int(-1));
    assert_eq!(c.cmd(&["BITPOS", "mykey", "1", "7", "-3", "BIT"]), int(-1));
}

#[test]
fn bitpos_fuzzing_against_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = Lcg(99);
    for _ in 0..300 {
        let v = rng.bytes(12);
        set_bytes(&mut c, "str", &v);
        let want_bit = rng.next(2) == 1;
        let bits = v.len() as i64 * 8;
        let is_bit = rng.next(2) == 1;
        let units = if is_bit { bits } else { v.len() as i64 };
        let a = rng.next(40) as i64 - 20;
        let b = rng.next(40) as i64 - 20;
        let resolve = |x: i64| if x < 0 { (units + x).max(0) } else { x };
        let (s0, e0) = (resolve(a), resolve(b).min(units - 1));
        let (from, to) = if is_bit { (s0, e0) } else { (s0 * 8, e0 * 8 + 7) };
        let want = if s0 > e0 || units == 0 {
            -1
        } else {
            (from..=to).find(|&i| bit(&v, i as usize) == want_bit).unwrap_or(-1)
        };
        let unit = if is_bit { "BIT" } else { "BYTE" };
        let bitarg = if want_bit { "1" } else { "0" };
        assert_eq!(
            c.cmd(&["BITPOS", "str", bitarg, &a.to_string(), &b.to_string(), unit]),
            int(want),
            "{v:?} {bitarg} {a} {b} {unit}"
        );
        // Without an end, the string counts as padded with zeros on the right.
        let whole = (0..bits).find(|&i| bit(&v, i as usize) == want_bit);
        let want_open = match whole {
            Some(p) => p,
            None if !want_bit && !v.is_empty() => bits,
            None => -1,
        };
        assert_eq!(c.cmd(&["BITPOS", "str", bitarg]), int(want_open), "{v:?} {bitarg}");
    }
}

#[test]
fn bitpos_errors() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "s", "a"]);
    assert_eq!(c.cmd(&["BITPOS", "s", "2"]), R::err("ERR The bit argument must be 1 or 0."));
    assert_eq!(c.cmd(&["BITPOS", "s", "-1"]), R::err("ERR The bit argument must be 1 or 0."));
    assert_eq!(c.cmd(&["BITPOS", "s", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["BITPOS", "s", "0", "1", "hello", "hello2"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITPOS", "s", "0", "0", "1", "hello"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITPOS", "s", "0", "a"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["BITPOS", "s"]), R::err("ERR wrong number of arguments for 'bitpos' command"));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["BITPOS", "l", "0"]), wrongtype());
    }
}

// ----- BITOP -----

#[test]
fn bitop_not() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "s", ""]);
    assert_eq!(c.cmd(&["BITOP", "NOT", "dest", "s"]), int(0));
    assert_eq!(c.cmd(&["GET", "dest"]), R::Nil);
    set_bytes(&mut c, "s", b"\xaa\x00\xff\x55");
    assert_eq!(c.cmd(&["BITOP", "not", "dest", "s"]), int(4));
    assert_eq!(c.cmd(&["GET", "dest"]), raw_bulk(b"\x55\xff\x00\xaa"));
    // Destination and source the same key.
    assert_eq!(c.cmd(&["BITOP", "NOT", "s", "s"]), int(4));
    assert_eq!(c.cmd(&["GET", "s"]), raw_bulk(b"\x55\xff\x00\xaa"));
}

#[test]
fn bitop_and_or_xor() {
    let s = Server::start();
    let mut c = s.raw();
    set_bytes(&mut c, "a", b"\x01\x02\xff");
    for op in ["AND", "OR", "XOR"] {
        assert_eq!(c.cmd(&["BITOP", op, "res", "a"]), int(3));
        assert_eq!(c.cmd(&["GET", "res"]), raw_bulk(b"\x01\x02\xff"), "{op} of one key");
    }
    // A missing key is a stream of zeros.
    for (op, want) in [("and", &b"\x00\x00\x00"[..]), ("or", b"\x01\x02\xff"), ("xor", b"\x01\x02\xff")] {
        assert_eq!(c.cmd(&["BITOP", op, "res", "no-such-key", "a"]), int(3));
        assert_eq!(c.cmd(&["GET", "res"]), raw_bulk(want), "{op} with missing key");
    }
    // Shorter keys are zero-padded.
    set_bytes(&mut c, "a", b"\x01\x02\xff\xff");
    set_bytes(&mut c, "b", b"\x01\x02\xff");
    for (op, want) in [("and", &b"\x01\x02\xff\x00"[..]), ("or", b"\x01\x02\xff\xff"), ("xor", b"\x00\x00\x00\xff")] {
        assert_eq!(c.cmd(&["BITOP", op, "res", "a", "b"]), int(4));
        assert_eq!(c.cmd(&["GET", "res"]), raw_bulk(want), "{op} padded");
    }
    // Integer-looking sources.
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SET", "b", "2"]);
    assert_eq!(c.cmd(&["BITOP", "XOR", "dest", "a", "b", "a"]), int(1));
    assert_eq!(c.cmd(&["GET", "dest"]), R::bulk("2"));
    // Empty string after a non-empty one (issue #529).
    set_bytes(&mut c, "z", &[0u8; 32]);
    assert_eq!(c.cmd(&["BITOP", "OR", "x", "z", "nokey"]), int(32));
    // All sources empty: the destination is deleted, whatever its TTL or type.
    c.cmd(&["SET", "dest", "old", "EX", "100"]);
    assert_eq!(c.cmd(&["BITOP", "AND", "dest", "nokey", "nokey2"]), int(0));
    assert_eq!(c.cmd(&["GET", "dest"]), R::Nil);
}

#[test]
fn bitop_fuzzing_against_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = Lcg(5);
    for _ in 0..60 {
        let n = 1 + rng.next(4) as usize;
        let vals: Vec<Vec<u8>> = (0..n).map(|_| rng.bytes(20)).collect();
        let mut keys = Vec::new();
        for (i, v) in vals.iter().enumerate() {
            let k = format!("k{i}");
            set_bytes(&mut c, &k, v);
            keys.push(k);
        }
        let max = vals.iter().map(|v| v.len()).max().unwrap();
        for op in ["AND", "OR", "XOR"] {
            let want: Vec<u8> = (0..max)
                .map(|i| {
                    let at = |v: &Vec<u8>| v.get(i).copied().unwrap_or(0);
                    match op {
                        "AND" => vals.iter().fold(0xff, |a, v| a & at(v)),
                        "OR" => vals.iter().fold(0, |a, v| a | at(v)),
                        _ => vals.iter().fold(0, |a, v| a ^ at(v)),
                    }
                })
                .collect();
            let mut args = vec!["BITOP", op, "dest"];
            args.extend(keys.iter().map(|s| s.as_str()));
            assert_eq!(c.cmd(&args), int(max as i64));
            assert_eq!(c.cmd(&["GET", "dest"]), if max == 0 { R::Nil } else { raw_bulk(&want) }, "{op} {vals:?}");
        }
    }
}

#[test]
fn bitop_errors() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "x"]);
    assert_eq!(c.cmd(&["BITOP", "NOT", "dest", "a", "a"]), R::err("ERR BITOP NOT must be called with a single source key."));
    assert_eq!(c.cmd(&["BITOP", "NAND", "dest", "a"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITOP", "AND", "dest"]), R::err("ERR wrong number of arguments for 'bitop' command"));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["BITOP", "OR", "dest", "a", "l"]), wrongtype());
        assert_eq!(c.cmd(&["GET", "dest"]), R::Nil);
    }
}

// ----- BITFIELD -----

#[test]
fn bitfield_signed_and_unsigned_set_and_get_basics() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "i8", "0", "-100"]), ints(&[0]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "i8", "0", "101"]), ints(&[-100]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", "i8", "0"]), ints(&[101]));
    c.cmd(&["DEL", "bits"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "set", "u8", "0", "255"]), ints(&[0]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "set", "u8", "0", "100"]), ints(&[255]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "get", "u8", "0"]), ints(&[100]));
    c.cmd(&["DEL", "bits"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "i8", "0", "255", "SET", "i8", "0", "100", "GET", "i8", "0"]), ints(&[0, -1, 100]));
}

#[test]
fn bitfield_hash_offsets_incrby_and_chaining() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#0", "65"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#1", "66"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#2", "67"]);
    assert_eq!(c.cmd(&["GET", "bits"]), R::bulk("ABC"));
    c.cmd(&["DEL", "bits"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#0", "10"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "INCRBY", "u8", "#0", "100"]), ints(&[110]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "INCRBY", "u8", "#0", "100"]), ints(&[210]));
    c.cmd(&["DEL", "bits"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#0", "10"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "INCRBY", "u8", "#0", "100", "INCRBY", "u8", "#0", "100"]), ints(&[110, 210]));
    // Unaligned fields across bytes, and GETs past the end read zeros.
    c.cmd(&["DEL", "bits"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "u5", "3", "31", "GET", "u8", "0", "GET", "u16", "100"]), ints(&[0, 31, 0]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "i64", "8", "-1", "GET", "i64", "8", "GET", "u63", "9"]), ints(&[0, -1, i64::MAX]));
    // Regression for #3564.
    for _ in 0..10 {
        c.cmd(&["DEL", "mystring"]);
        assert_eq!(c.cmd(&["BITFIELD", "mystring", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY", "i8", "10", "99900"]), ints(&[0, 0, 60]));
    }
    // Regression for #3221.
    c.cmd(&["SET", "one", "1"]);
    assert_eq!(c.cmd(&["BITFIELD", "one", "GET", "u1", "0"]), ints(&[0]));
}

#[test]
fn bitfield_overflow_wrap_sat_and_fail() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#0", "100"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "u8", "#0", "257"]), ints(&[101]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "get", "u8", "#0"]), ints(&[101]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "u8", "#0", "255"]), ints(&[100]));
    c.cmd(&["DEL", "bits"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "#0", "100"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "sat", "incrby", "u8", "#0", "257"]), ints(&[255]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "get", "u8", "#0"]), ints(&[255]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "sat", "incrby", "u8", "#0", "-255"]), ints(&[0]));
    c.cmd(&["DEL", "bits"]);
    c.cmd(&["BITFIELD", "bits", "SET", "i8", "0", "100"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "i8", "0", "257"]), ints(&[101]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "i8", "0", "255"]), ints(&[100]));
    c.cmd(&["DEL", "bits"]);
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "0", "100"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "sat", "incrby", "i8", "0", "257"]), ints(&[127]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "get", "i8", "0"]), ints(&[127]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "overflow", "sat", "incrby", "i8", "0", "-255"]), ints(&[-128]));
    // FAIL answers nil and writes nothing; the overflow mode applies to later ops only.
    c.cmd(&["DEL", "bits"]);
    assert_eq!(
        c.cmd(&["BITFIELD", "bits", "incrby", "u2", "0", "5", "overflow", "fail", "incrby", "u2", "0", "3", "incrby", "u2", "0", "1", "get", "u2", "0"]),
        R::Array(vec![int(1), R::Nil, int(2), int(2)])
    );
    // SET with values outside the type.
    c.cmd(&["DEL", "bits"]);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "u8", "0", "-1", "GET", "u8", "0"]), ints(&[0, 255]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "OVERFLOW", "SAT", "SET", "i8", "0", "1000", "GET", "i8", "0"]), ints(&[-1, 127]));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "GET", "u8", "0"]), R::Array(vec![R::Nil, int(127)]));
    // i64 wraps and saturates at the 64-bit limits.
    assert_eq!(
        c.cmd(&["BITFIELD", "big", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "-9223372036854775808"]),
        ints(&[0, i64::MIN, i64::MIN, i64::MIN])
    );
}

#[test]
fn bitfield_overflow_fuzzing_against_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = Lcg(3);
    for _ in 0..400 {
        let signed = rng.next(2) == 1;
        let bits = 1 + rng.next(if signed { 64 } else { 63 }) as u32;
        let (min, max): (i128, i128) =
            if signed { (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1) } else { (0, (1i128 << bits) - 1) };
        let span = (max - min + 1) as u128;
        let start = min + (rng.u64() as u128 % span) as i128;
        let incr = rng.u64() as i64 >> rng.next(64);
        let incr = if rng.next(2) == 1 { incr } else { -incr };
        let mode = ["WRAP", "SAT", "FAIL"][rng.next(3) as usize];
        let ty = format!("{}{}", if signed { "i" } else { "u" }, bits);
        c.cmd(&["DEL", "k"]);
        c.cmd(&["BITFIELD", "k", "SET", &ty, "0", &(start as i64).to_string()]);
        let sum = start + incr as i128;
        let want = if sum >= min && sum <= max {
            int(sum as i64)
        } else {
            match mode {
                "SAT" => int(if sum > max { max } else { min } as i64),
                "FAIL" => R::Nil,
                _ => {
                    let m = sum.rem_euclid(span as i128);
                    int((if m > max { m - span as i128 } else { m }) as i64)
                }
            }
        };
        assert_eq!(
            c.cmd(&["BITFIELD", "k", "OVERFLOW", mode, "INCRBY", &ty, "0", &incr.to_string()]),
            R::Array(vec![want]),
            "{ty} {start} + {incr} {mode}"
        );
    }
}

#[test]
fn bitfield_errors() {
    let s = Server::start();
    let mut c = s.raw();
    let bad_type = R::err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    for ty in ["u64", "i65", "u0", "i0", "x8", "U8", "u", "u-1", "u8a"] {
        assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", ty, "0"]), bad_type, "{ty}");
    }
    assert_eq!(c.cmd(&["BITFIELD", "bits", "OVERFLOW", "foo"]), R::err("ERR Invalid OVERFLOW type specified"));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", "u8"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "u8", "0"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BITFIELD", "bits", "INCRBY", "u8", "0", "x"]), R::err("ERR value is not an integer or out of range"));
    let offset = R::err("ERR bit offset is not an integer or out of range");
    assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", "u8", "4294967296"]), offset);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", "u8", "-1"]), offset);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "GET", "u8", "#-1"]), offset);
    assert_eq!(c.cmd(&["BITFIELD", "bits", "SET", "u8", "#536870912", "1"]), offset);
    // Nothing was created by the refused commands.
    assert_eq!(c.cmd(&["GET", "bits"]), R::Nil);
    assert_eq!(c.cmd(&["BITFIELD", "bits"]), R::Array(vec![]));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["BITFIELD", "l", "GET", "u8", "0"]), wrongtype());
        assert_eq!(c.cmd(&["BITFIELD", "l", "SET", "u8", "0", "1"]), wrongtype());
        assert_eq!(c.cmd(&["BITFIELD_RO", "l", "GET", "u8", "0"]), wrongtype());
    }
}

#[test]
fn bitfield_ro_reads_only() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["BITFIELD", "bits", "SET", "u8", "0", "255"]);
    assert_eq!(c.cmd(&["BITFIELD_RO", "bits"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["BITFIELD_RO", "bits", "GET", "u8", "0", "GET", "i8", "0"]), ints(&[255, -1]));
    assert_eq!(
        c.cmd(&["BITFIELD_RO", "bits", "SET", "u8", "0", "100", "GET", "u8", "0"]),
        R::err("ERR BITFIELD_RO only supports the GET subcommand")
    );
    assert_eq!(c.cmd(&["BITFIELD_RO", "bits", "INCRBY", "u8", "0", "1"]), R::err("ERR BITFIELD_RO only supports the GET subcommand"));
    assert_eq!(c.cmd(&["BITFIELD_RO", "bits", "OVERFLOW", "SAT", "GET", "u8", "0"]), ints(&[255]));
    assert_eq!(c.cmd(&["BITFIELD_RO", "nokey", "GET", "u8", "0"]), ints(&[0]));
    assert_eq!(c.cmd(&["GET", "bits"]), raw_bulk(&[255]));
    assert_eq!(c.cmd(&["GET", "nokey"]), R::Nil);
}

#[test]
fn bit_writes_keep_the_ttl_and_survive_a_restart() {
    let mut s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "short", "a", "PX", "300"]);
    c.cmd(&["SETBIT", "short", "0", "1"]);
    c.cmd(&["BITFIELD", "short", "SET", "u8", "8", "66"]);
    assert_eq!(c.cmd(&["GET", "short"]), raw_bulk(b"\xe1B"));
    c.cmd(&["SETBIT", "bits", "7", "1"]);
    c.cmd(&["BITFIELD", "field", "SET", "u16", "#1", "1000"]);
    c.cmd(&["SET", "src", "abc"]);
    c.cmd(&["BITOP", "NOT", "notsrc", "src"]);
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GET", "bits"]), raw_bulk(b"\x01"));
    assert_eq!(c.cmd(&["BITFIELD_RO", "field", "GET", "u16", "#1"]), ints(&[1000]));
    assert_eq!(c.cmd(&["GET", "notsrc"]), raw_bulk(&[!b'a', !b'b', !b'c']));
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(c.cmd(&["GET", "short"]), R::Nil);
}
