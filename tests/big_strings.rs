//! Strings longer than the inline limit (64 KiB) are kept in chunks: every string command
//! must answer exactly as for a short string, and partial writes (SETBIT, SETRANGE,
//! APPEND) must touch only the chunks they change. Checked against a byte-vector model
//! of the value, over the real server.

mod common;
use common::*;

const K: usize = 1024;

/// Seeded, so a failure replays.
fn rng() -> fastrand::Rng {
    fastrand::Rng::with_seed(0xb17)
}

fn strlen(c: &mut Raw, key: &str) -> usize {
    match c.cmd(&["STRLEN", key]) {
        R::Int(n) => n as usize,
        other => panic!("STRLEN answered {other:?}"),
    }
}

fn get(c: &mut Raw, key: &str) -> Vec<u8> {
    match c.cmd(&["GET", key]) {
        R::Bulk(v) => v,
        other => panic!("GET answered {other:?}"),
    }
}


#[test]
fn random_partial_writes_and_reads_match_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rng = rng();
    let mut model: Vec<u8> = (0..200 * K).map(|_| rng.u8(..)).collect();
    assert_eq!(c.cmd_bytes(&[b"SET", b"big", &model]), R::ok());
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "big"]), R::bulk("raw"));
    for step in 0..600 {
        let len = model.len();
        match rng.u8(..8) {
            7 => {
                // BITFIELD reads and writes a byte-aligned field, possibly past the end.
                let at = rng.usize(..len + 20 * K);
                let v = rng.u8(..);
                let r = c.cmd(&["BITFIELD", "big", "SET", "u8", &format!("#{at}"), &v.to_string(), "GET", "u16", &(at * 8).to_string()]);
                let old = model.get(at).copied().unwrap_or(0);
                if model.len() <= at {
                    model.resize(at + 1, 0);
                }
                model[at] = v;
                let next = model.get(at + 1).copied().unwrap_or(0);
                let want = R::Array(vec![R::Int(old as i64), R::Int(((v as i64) << 8) | next as i64)]);
                assert_eq!(r, want, "step {step}");
            }
            0 => {
                let offset = rng.usize(..len + 100 * K);
                let data: Vec<u8> = (0..rng.usize(1..70 * K)).map(|_| rng.u8(..)).collect();
                let r = c.cmd_bytes(&[b"SETRANGE", b"big", offset.to_string().as_bytes(), &data]);
                if model.len() < offset + data.len() {
                    model.resize(offset + data.len(), 0);
                }
                model[offset..offset + data.len()].copy_from_slice(&data);
                assert_eq!(r, R::Int(model.len() as i64), "step {step}");
            }
            1 => {
                let data: Vec<u8> = (0..rng.usize(1..40 * K)).map(|_| rng.u8(..)).collect();
                let r = c.cmd_bytes(&[b"APPEND", b"big", &data]);
                model.extend_from_slice(&data);
                assert_eq!(r, R::Int(model.len() as i64), "step {step}");
            }
            2 => {
                let bit = rng.usize(..(len + 50 * K) * 8);
                let on = rng.bool();
                let r = c.cmd(&["SETBIT", "big", &bit.to_string(), if on { "1" } else { "0" }]);
                if model.len() <= bit / 8 {
                    model.resize(bit / 8 + 1, 0);
                }
                let mask = 0x80u8 >> (bit % 8);
                let was = model[bit / 8] & mask != 0;
                if on {
                    model[bit / 8] |= mask;
                } else {
                    model[bit / 8] &= !mask;
                }
                assert_eq!(r, R::Int(was as i64), "step {step}");
            }
            3 => {
                let bit = rng.usize(..(len + 10) * 8);
                let want = model.get(bit / 8).is_some_and(|b| b & (0x80 >> (bit % 8)) != 0);
                assert_eq!(c.cmd(&["GETBIT", "big", &bit.to_string()]), R::Int(want as i64), "step {step}");
            }
            4 => {
                let (a, b) = (rng.i64(-(len as i64) - 10..len as i64 + 10), rng.i64(-(len as i64) - 10..len as i64 + 10));
                let want = {
                    let n = len as i64;
                    let (mut s, mut e) = (if a < 0 { n + a } else { a }, if b < 0 { n + b } else { b });
                    s = s.max(0);
                    e = e.min(n - 1);
                    if (a < 0 && b < 0 && a > b) || s > e || s >= n { Vec::new() } else { model[s as usize..=e as usize].to_vec() }
                };
                assert_eq!(c.cmd(&["GETRANGE", "big", &a.to_string(), &b.to_string()]), R::Bulk(want), "step {step}: {a} {b}");
            }
            5 => {
                let (a, b) = (rng.usize(..len), rng.usize(..len));
                let (a, b) = (a.min(b), a.max(b));
                let want: u32 = model[a..=b].iter().map(|x| x.count_ones()).sum();
                assert_eq!(c.cmd(&["BITCOUNT", "big", &a.to_string(), &b.to_string()]), R::Int(want as i64), "step {step}");
                // BITPOS over the same bytes, and in BIT units from a bit inside them.
                let first_one = |from_bit: usize, to_bit: usize| {
                    (from_bit..=to_bit).find(|&i| model[i / 8] & (0x80 >> (i % 8)) != 0).map_or(-1, |i| i as i64)
                };
                assert_eq!(c.cmd(&["BITPOS", "big", "1", &a.to_string(), &b.to_string()]), R::Int(first_one(a * 8, b * 8 + 7)), "step {step}");
                let (x, y) = (a * 8 + 3, b * 8 + 5);
                assert_eq!(
                    c.cmd(&["BITPOS", "big", "1", &x.to_string(), &y.to_string(), "BIT"]),
                    R::Int(first_one(x, y)),
                    "step {step}"
                );
            }
            _ => assert_eq!(strlen(&mut c, "big"), model.len(), "step {step}"),
        }
    }
    assert_eq!(get(&mut c, "big"), model);
    let ones: u32 = model.iter().map(|x| x.count_ones()).sum();
    assert_eq!(c.cmd(&["BITCOUNT", "big"]), R::Int(ones as i64));
}

#[test]
fn big_strings_move_copy_dump_expire_and_survive_restarts() {
    let mut s = Server::start();
    let mut c = s.raw();
    let value: Vec<u8> = (0..300 * K).map(|i| (i % 251) as u8).collect();
    assert_eq!(c.cmd_bytes(&[b"SET", b"a", &value]), R::ok());
    assert_eq!(c.cmd(&["EXPIRE", "a", "1000"]), R::Int(1));
    assert_eq!(c.cmd(&["APPEND", "a", "tail"]), R::Int(value.len() as i64 + 4));
    let mut want = value.clone();
    want.extend_from_slice(b"tail");
    // APPEND keeps the TTL, as on Redis.
    assert!(matches!(c.cmd(&["TTL", "a"]), R::Int(t) if t > 900));
    assert_eq!(c.cmd(&["COPY", "a", "b"]), R::Int(1));
    assert_eq!(c.cmd(&["RENAME", "a", "c"]), R::ok());
    assert_eq!(c.cmd(&["SETRANGE", "b", "0", "changed"]), R::Int(want.len() as i64));
    assert_eq!(get(&mut c, "c"), want, "the copy is independent of its source");
    let R::Bulk(payload) = c.cmd(&["DUMP", "c"]) else { panic!("DUMP") };
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"d", b"0", &payload]), R::ok());
    assert_eq!(get(&mut c, "d"), want);
    assert_eq!(c.cmd(&["MOVE", "d", "3"]), R::Int(1));
    s.restart();
    let mut c = s.raw();
    assert_eq!(get(&mut c, "c"), want);
    let mut changed = want.clone();
    changed[..7].copy_from_slice(b"changed");
    assert_eq!(get(&mut c, "b"), changed);
    c.cmd(&["SELECT", "3"]);
    assert_eq!(get(&mut c, "d"), want);
    // Overwritten by a short value: an ordinary inline string again.
    assert_eq!(c.cmd(&["SET", "d", "small"]), R::ok());
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "d"]), R::bulk("embstr"));
    assert_eq!(c.cmd(&["GET", "d"]), R::bulk("small"));
}

#[test]
fn a_sparse_bitmap_stores_only_the_chunks_it_uses() {
    // SETBIT at the last bit of a 512 MiB string: the reply and the length are Redis's,
    // and neither memory nor the data directory grows by the string's length.
    let s = Server::start();
    let mut c = s.raw();
    let rss_before = s.rss_kib();
    assert_eq!(c.cmd(&["SETBIT", "bits", "4294967295", "1"]), R::Int(0));
    assert_eq!(c.cmd(&["SETBIT", "bits", "7", "1"]), R::Int(0));
    assert_eq!(strlen(&mut c, "bits"), 512 << 20);
    assert_eq!(c.cmd(&["GETBIT", "bits", "4294967295"]), R::Int(1));
    assert_eq!(c.cmd(&["GETBIT", "bits", "4294967294"]), R::Int(0));
    assert_eq!(c.cmd(&["GETRANGE", "bits", "0", "1"]), R::Bulk(vec![1, 0]));
    assert_eq!(c.cmd(&["GETRANGE", "bits", "-1", "-1"]), R::Bulk(vec![1]));
    for i in 0..200 {
        c.cmd(&["SETBIT", "bits", &(100_000_000 + i * 8).to_string(), "1"]);
    }
    assert!(s.rss_kib() < rss_before + 100 * 1024, "RSS grew by {} KiB", s.rss_kib() - rss_before);
    // DUMP carries only the written chunks.
    let R::Bulk(payload) = c.cmd(&["DUMP", "bits"]) else { panic!("DUMP") };
    assert!(payload.len() < 1 << 20, "DUMP is {} bytes", payload.len());
}
