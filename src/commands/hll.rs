//! HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST): read the string
//! at a key, check it is an HLL, change it with [`crate::types::hll`], write it back with
//! its TTL kept. The value stays an ordinary string in Redis's HLL format, so GET, SET,
//! DUMP and RESTORE carry it unchanged.

use bytes::Bytes;

use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::{hll, string, Access};
use crate::notify::STRING;

/// An HLL read from a key: its bytes and the key's expiry.
struct Hll {
    bytes: Vec<u8>,
    expire_at: i64,
}

/// The HLL string at `key` as stored (no copy), for PFCOUNT of one key, whose cached
/// cardinality is usually all it needs; `None` if missing. Errors as [`load`].
fn peek(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<(Bytes, i64)>> {
    let Some(s) = string::open(&mut ctx.txn, key, Access::Read)? else { return Ok(None) };
    let bytes = s.value(&ctx.txn)?;
    if !hll::is_hll(&bytes) {
        return Err(Error::HllWrongType);
    }
    Ok(Some((bytes, s.expire_at())))
}

/// The HLL at `key`, `None` if missing. Errors: WRONGTYPE (another type), `WRONGTYPE
/// Key is not a valid HyperLogLog string value.` (a string that is not one).
fn load(ctx: &mut Ctx<'_>, key: &[u8], access: Access) -> Result<Option<Hll>> {
    let Some(s) = string::open(&mut ctx.txn, key, access)? else { return Ok(None) };
    // A dense HLL is 12,304 bytes and a sparse one is bounded by hll-sparse-max-bytes;
    // a longer string is read only to be refused if its header says dense.
    let bytes = s.value(&ctx.txn)?.to_vec();
    if !hll::is_hll(&bytes) {
        return Err(Error::HllWrongType);
    }
    Ok(Some(Hll { bytes, expire_at: s.expire_at() }))
}

fn store(ctx: &mut Ctx<'_>, key: &[u8], h: Hll) -> Result<()> {
    string::put(&mut ctx.txn, key, Bytes::from(h.bytes), h.expire_at)
}

fn sparse_max(ctx: &Ctx<'_>) -> u64 {
    ctx.server.config.read().encoding.hll_sparse_max_bytes
}

/// `PFADD key [element ...]`: 1 if a register changed (or the key was created), else 0.
/// O(1) per element. Errors: WRONGTYPE, not an HLL, `INVALIDOBJ Corrupted HLL object
/// detected`.
fn pfadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let max = sparse_max(ctx);
    let (mut h, mut updated) = match load(ctx, &argv[1], Access::Write)? {
        Some(h) => (h, false),
        None => (Hll { bytes: hll::new_sparse(), expire_at: 0 }, true),
    };
    for ele in &argv[2..] {
        updated |= hll::add(&mut h.bytes, ele, max).map_err(|_| Error::HllCorrupt)?;
    }
    if updated {
        hll::invalidate(&mut h.bytes);
        store(ctx, &argv[1], h)?;
        ctx.notify(STRING, "pfadd", &argv[1]);
    }
    Ok(Reply::Int(updated as i64))
}

/// `PFCOUNT key [key ...]`: the estimated cardinality of one HLL (its cached value, or
/// computed and cached), or of the union of several (nothing cached). O(1) for one key,
/// O(N) for N keys. Errors: WRONGTYPE, not an HLL, `INVALIDOBJ ...`.
fn pfcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 2 {
        let mut max = Box::new([0u8; hll::REGISTERS]);
        for key in &argv[1..] {
            let Some(h) = load(ctx, key, Access::Read)? else { continue };
            hll::merge(&mut max, &h.bytes).map_err(|_| Error::HllCorrupt)?;
        }
        return Ok(Reply::Int(hll::count_raw(&max) as i64));
    }
    let Some((bytes, expire_at)) = peek(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    if let Some(card) = hll::cached(&bytes) {
        return Ok(Reply::Int(card as i64));
    }
    let card = hll::count(&bytes).map_err(|_| Error::HllCorrupt)?;
    let mut h = Hll { bytes: bytes.to_vec(), expire_at };
    hll::set_cached(&mut h.bytes, card);
    store(ctx, &argv[1], h)?;
    Ok(Reply::Int(card as i64))
}

/// `PFMERGE destkey [sourcekey ...]`: the union of the HLLs (destination included)
/// stored at `destkey`, dense if any input was. O(N). Errors: WRONGTYPE, not an HLL,
/// `INVALIDOBJ ...`.
fn pfmerge(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut max = Box::new([0u8; hll::REGISTERS]);
    let mut use_dense = false;
    let mut dest = None;
    for (j, key) in argv[1..].iter().enumerate() {
        let Some(h) = load(ctx, key, Access::Read)? else { continue };
        use_dense |= h.bytes[4] == hll::DENSE;
        hll::merge(&mut max, &h.bytes).map_err(|_| Error::HllCorrupt)?;
        if j == 0 {
            dest = Some(h);
        }
    }
    let mut h = dest.unwrap_or_else(|| Hll { bytes: hll::new_sparse(), expire_at: 0 });
    if use_dense && h.bytes[4] == hll::SPARSE {
        h.bytes = hll::sparse_to_dense(&h.bytes).ok_or(Error::HllCorrupt)?;
    }
    let sparse_max = sparse_max(ctx);
    for (j, &m) in max.iter().enumerate() {
        if m != 0 {
            // As Redis, a failure here (a corrupt destination) is not reported.
            let _ = hll::set(&mut h.bytes, j, m, sparse_max);
        }
    }
    hll::invalidate(&mut h.bytes);
    store(ctx, &argv[1], h)?;
    // Redis raises `pfadd` for a merge too.
    ctx.notify(STRING, "pfadd", &argv[1]);
    Ok(Reply::ok())
}

/// `PFDEBUG GETREG | DECODE | ENCODING | TODENSE key`: the registers (making the HLL
/// dense), the sparse opcodes, the encoding, or a conversion to dense (1 if converted).
/// Errors: `ERR The specified key does not exist`, not an HLL, `ERR HLL encoding is not
/// sparse`, unknown subcommand, `INVALIDOBJ ...`.
fn pfdebug(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let sub = String::from_utf8_lossy(&argv[1]).into_owned();
    let Some(mut h) = load(ctx, &argv[2], Access::Write)? else { return Err(Error::PfDebugNoKey) };
    let arity = || Err(Error::PfDebugArity(sub.clone()));
    match sub.to_ascii_lowercase().as_str() {
        "getreg" => {
            if argv.len() != 3 {
                return arity();
            }
            if h.bytes[4] == hll::SPARSE {
                h.bytes = hll::sparse_to_dense(&h.bytes).ok_or(Error::HllCorrupt)?;
                let regs = hll::registers(&h.bytes);
                store(ctx, &argv[2], h)?;
                return Ok(Reply::Array(regs.into_iter().map(|r| Reply::Int(r as i64)).collect()));
            }
            Ok(Reply::Array(hll::registers(&h.bytes).into_iter().map(|r| Reply::Int(r as i64)).collect()))
        }
        "decode" => {
            if argv.len() != 3 {
                return arity();
            }
            if h.bytes[4] != hll::SPARSE {
                return Err(Error::PfDebugNotSparse);
            }
            Ok(Reply::bulk_str(&hll::decode(&h.bytes)))
        }
        "encoding" => {
            if argv.len() != 3 {
                return arity();
            }
            Ok(Reply::status(if h.bytes[4] == hll::DENSE { "dense" } else { "sparse" }))
        }
        "todense" => {
            if argv.len() != 3 {
                return arity();
            }
            if h.bytes[4] != hll::SPARSE {
                return Ok(Reply::Int(0));
            }
            h.bytes = hll::sparse_to_dense(&h.bytes).ok_or(Error::HllCorrupt)?;
            store(ctx, &argv[2], h)?;
            Ok(Reply::Int(1))
        }
        _ => Err(Error::PfDebugUnknown(sub)),
    }
}

/// `PFSELFTEST`: checks the register accessors, the sparse and dense encodings against
/// each other and the estimator's error; OK or `TESTFAILED ...`. O(1) (fixed work).
fn pfselftest(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    hll::selftest().map_err(Error::HllSelfTest)?;
    Ok(Reply::ok())
}

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "pfadd", arity: -2, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hyperloglog", handler: pfadd,
        summary: "Adds the specified elements to the specified HyperLogLog.", since: "2.8.9",
        complexity: "O(1) to add every element.",
        docs: "key#0 [element...]
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "pfcount", arity: -2, flags: READONLY, keys: Keys::all_from(1), group: "hyperloglog", handler: pfcount,
        summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", since: "2.8.9",
        complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        docs: "key#0...
            key 0:            RW access, index 1, range -1,
                              \"RW because it may change the internal representation of the key, and propagate to replicas\"",
    },
    command! {
        name: "pfdebug", arity: 3, flags: WRITE | DENYOOM | ADMIN, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "hyperloglog", handler: pfdebug,
        summary: "Internal commands for debugging HyperLogLog values", since: "2.8.9",
        complexity: "N/A",
        docs: "subcommand key#0
            key 0:            RW access, index 2, range 0
            doc_flags: syscmd",
    },
    command! {
        name: "pfmerge", arity: -2, flags: WRITE | DENYOOM, keys: Keys::all_from(1), group: "hyperloglog", handler: pfmerge,
        summary: "Merge N different HyperLogLogs into a single one.", since: "2.8.9",
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        docs: "destkey#0 sourcekey#1...
            key 0:            RW access insert, index 1, range 0
            key 1:            RO access, index 2, range -1",
    },
    command! {
        name: "pfselftest", arity: 1, flags: ADMIN, group: "hyperloglog", handler: pfselftest,
        summary: "An internal command for testing HyperLogLog values", since: "2.8.9",
        complexity: "N/A",
        docs: "-
            doc_flags: syscmd",
    },
];
