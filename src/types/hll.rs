//! HyperLogLog: Redis's own HLL string format, kept as an ordinary DiskDB string, so GET
//! returns the bytes redis-server would, SET of a string copied from Redis is counted
//! the same, and DUMP/RESTORE keep it (it is a string like any other).
//!
//! ```text
//! Cf::Meta  [db][key]  -> kind String, payload = the HLL bytes (as any string)
//!
//! +------+---+-----+----------+
//! | HYLL | E | N/U | Cardin.  |   16-byte header, then the registers
//! +------+---+-----+----------+
//!   E: 0 dense, 1 sparse. Cardin.: the cached cardinality, 64 bits little endian; the
//!   top bit of its last byte set means "stale, recompute".
//! dense:  16384 registers of 6 bits, least significant bits first (12288 bytes)
//! sparse: opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy
//!         (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers of value 1..32)
//! ```
//!
//! Everything here is byte logic over that format, as redis `src/hyperloglog.c` does it
//! (MurmurHash64A with seed 0xadc83b19, 14 index bits, the sparse register update with
//! its opcode merging, promotion to dense past `hll-sparse-max-bytes` or a register over
//! 32, and Ertl's estimator), so PFCOUNT answers exactly Redis's number. Every read of
//! an opcode is bounds-checked: a corrupt string is refused (the callers answer
//! `INVALIDOBJ Corrupted HLL object detected`), never read past or grown without bound.

/// Index bits.
pub const P: u32 = 14;
/// Bits of the hash left for the run of zeros.
const Q: u32 = 64 - P;
pub const REGISTERS: usize = 1 << P;
const P_MASK: u64 = (REGISTERS - 1) as u64;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
pub const HDR_SIZE: usize = 16;
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;
const ALPHA_INF: f64 = 0.721347520444481703680;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;

/// MurmurHash64A (Austin Appleby), little-endian blocks, as Redis hashes elements.
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4a7935bd1e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register `ele` falls in and the length of its run of zeros plus one (1..=51).
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, 0xadc83b19);
    let index = (hash & P_MASK) as usize;
    let mut h = hash >> P;
    h |= 1u64 << Q;
    (index, (h.trailing_zeros() + 1) as u8)
}

/// Whether `v` is an HLL string as Redis accepts one (`isHLLObjectOrReply`): the
/// header, a known encoding and, when dense, the exact dense length.
pub fn is_hll(v: &[u8]) -> bool {
    v.len() >= HDR_SIZE
        && &v[..4] == b"HYLL"
        && v[4] <= MAX_ENCODING
        && (v[4] != DENSE || v.len() == DENSE_SIZE)
}

/// A new, empty HLL: sparse, one XZERO covering every register, cached cardinality 0.
pub fn new_sparse() -> Vec<u8> {
    let mut v = vec![0u8; HDR_SIZE];
    v[..4].copy_from_slice(b"HYLL");
    v[4] = SPARSE;
    let len = SPARSE_XZERO_MAX_LEN - 1;
    v.push(0x40 | (len >> 8) as u8);
    v.push((len & 0xff) as u8);
    v
}

/// The cached cardinality, if valid.
pub fn cached(v: &[u8]) -> Option<u64> {
    (v[15] & 0x80 == 0).then(|| u64::from_le_bytes(v[8..16].try_into().expect("8 bytes")))
}

pub fn set_cached(v: &mut [u8], card: u64) {
    v[8..16].copy_from_slice(&card.to_le_bytes());
}

pub fn invalidate(v: &mut [u8]) {
    v[15] |= 0x80;
}

// ----- dense registers -----

fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u16;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u16) as u8
}

fn dense_put(regs: &mut [u8], i: usize, v: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let fb8 = 8 - fb;
    let v = v as u16;
    regs[byte] &= !((REGISTER_MAX as u16) << fb) as u8;
    regs[byte] |= (v << fb) as u8;
    if let Some(b) = regs.get_mut(byte + 1) {
        *b &= !((REGISTER_MAX as u16) >> fb8) as u8;
        *b |= (v >> fb8) as u8;
    }
}

/// Raises register `i` of a dense HLL to `count`: whether it changed.
fn dense_set(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_put(regs, i, count);
        true
    } else {
        false
    }
}

// ----- sparse opcodes -----

/// One decoded sparse opcode.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

impl Op {
    /// The opcode at `p` and its length in bytes; `None` past the end (an XZERO whose
    /// second byte is missing included).
    fn at(s: &[u8], p: usize) -> Option<(Op, usize)> {
        let b = *s.get(p)?;
        Some(match b & 0xc0 {
            0x00 => (Op::Zero((b & 0x3f) as usize + 1), 1),
            0x40 => (Op::XZero((((b & 0x3f) as usize) << 8 | *s.get(p + 1)? as usize) + 1), 2),
            _ => (Op::Val(((b >> 2) & 0x1f) + 1, (b & 3) as usize + 1), 1),
        })
    }

    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }
}

fn zero_op(out: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        let l = len - 1;
        out.push(0x40 | (l >> 8) as u8);
        out.push((l & 0xff) as u8);
    } else {
        out.push((len - 1) as u8);
    }
}

fn val_byte(v: u8, len: usize) -> u8 {
    0x80 | ((v - 1) << 2) | (len - 1) as u8
}

/// The dense form of a sparse HLL (header and cached cardinality kept); `None` when the
/// opcodes do not cover exactly every register.
pub fn sparse_to_dense(v: &[u8]) -> Option<Vec<u8>> {
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&v[..HDR_SIZE]);
    dense[4] = DENSE;
    let (s, regs) = (&v[HDR_SIZE..], &mut dense[HDR_SIZE..]);
    let (mut p, mut idx) = (0, 0usize);
    while p < s.len() {
        let Some((op, n)) = Op::at(s, p) else { return None };
        match op {
            Op::Zero(len) | Op::XZero(len) => idx += len,
            Op::Val(val, len) => {
                if idx + len > REGISTERS {
                    return None;
                }
                for _ in 0..len {
                    dense_put(regs, idx, val);
                    idx += 1;
                }
            }
        }
        p += n;
    }
    (idx == REGISTERS).then_some(dense)
}

/// Promotes `v` to dense in place and raises register `index` to `count`.
fn promote(v: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    let mut dense = sparse_to_dense(v).ok_or(Corrupt)?;
    let changed = dense_set(&mut dense[HDR_SIZE..], index, count);
    *v = dense;
    Ok(changed)
}

/// The HLL is corrupt: `INVALIDOBJ Corrupted HLL object detected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Raises register `index` of a sparse HLL to `count` (`hllSparseSet`): splits the
/// opcode that covers it, merges equal neighbouring VALs, and promotes to dense when a
/// value exceeds 32 or the string would exceed `max_bytes`. Whether it changed.
fn sparse_set(v: &mut Vec<u8>, index: usize, count: u8, max_bytes: u64) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    // Find the opcode covering `index`.
    let (start, end) = (HDR_SIZE, v.len());
    let (mut p, mut first, mut prev) = (start, 0usize, None);
    let mut found = None;
    while p < end {
        let (op, n) = Op::at(v, p).ok_or(Corrupt)?;
        let span = op.span();
        if index < first + span {
            found = Some((op, n));
            break;
        }
        prev = Some(p);
        p += n;
        first += span;
    }
    let (op, oplen) = found.ok_or(Corrupt)?;
    match op {
        Op::Val(old, _) if old >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => {
            v[p] = val_byte(count, 1);
        }
        _ => {
            let last = first + op.span() - 1;
            let mut seq = Vec::with_capacity(5);
            match op {
                Op::Zero(_) | Op::XZero(_) => {
                    if index != first {
                        zero_op(&mut seq, index - first);
                    }
                    seq.push(val_byte(count, 1));
                    if index != last {
                        zero_op(&mut seq, last - index);
                    }
                }
                Op::Val(cur, _) => {
                    if index != first {
                        seq.push(val_byte(cur, index - first));
                    }
                    seq.push(val_byte(count, 1));
                    if index != last {
                        seq.push(val_byte(cur, last - index));
                    }
                }
            }
            if seq.len() > oplen && (v.len() + seq.len() - oplen) as u64 > max_bytes {
                return promote(v, index, count);
            }
            v.splice(p..p + oplen, seq);
        }
    };
    // Merge adjacent VALs of one value, from the opcode before the change, over at most
    // five opcodes.
    let mut p = prev.unwrap_or(start);
    let mut scan = 5;
    while p < v.len() && scan > 0 {
        scan -= 1;
        let Some((op, n)) = Op::at(v, p) else { break };
        if let Op::Val(v1, l1) = op {
            if let Some((Op::Val(v2, l2), _)) = Op::at(v, p + 1) {
                if v1 == v2 && l1 + l2 <= SPARSE_VAL_MAX_LEN {
                    v[p + 1] = val_byte(v1, l1 + l2);
                    v.remove(p);
                    continue;
                }
            }
        }
        p += n;
    }
    invalidate(v);
    Ok(true)
}

/// PFADD of one element (`hllAdd`): whether a register changed. `v` may turn dense.
pub fn add(v: &mut Vec<u8>, ele: &[u8], max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(ele);
    set(v, index, count, max_bytes)
}

/// Raises register `index` to `count` in whichever encoding `v` has.
pub fn set(v: &mut Vec<u8>, index: usize, count: u8, max_bytes: u64) -> Result<bool, Corrupt> {
    match v[4] {
        DENSE => Ok(dense_set(&mut v[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(v, index, count, max_bytes),
        _ => Err(Corrupt),
    }
}

// ----- estimation -----

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// Ertl's improved estimator over a histogram of register values (`hllCount`).
fn estimate(histo: &[i64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as i64 as u64
}

/// The estimated cardinality of an HLL string (dense or sparse), ignoring its cache.
pub fn count(v: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0i64; 64];
    match v[4] {
        DENSE => {
            let regs = &v[HDR_SIZE..];
            for i in 0..REGISTERS {
                histo[dense_get(regs, i) as usize] += 1;
            }
        }
        SPARSE => {
            let s = &v[HDR_SIZE..];
            let (mut p, mut idx) = (0, 0usize);
            while p < s.len() {
                // An XZERO cut short reads its missing byte as 0, as Redis reads the
                // string's terminator.
                let (op, n) = Op::at(s, p).unwrap_or((Op::XZero((((s[p] & 0x3f) as usize) << 8) + 1), 2));
                match op {
                    Op::Zero(l) | Op::XZero(l) => histo[0] += l as i64,
                    Op::Val(val, l) => histo[val as usize] += l as i64,
                }
                idx += op.span();
                p += n;
            }
            if idx != REGISTERS {
                return Err(Corrupt);
            }
        }
        _ => return Err(Corrupt),
    }
    Ok(estimate(&histo))
}

/// The estimated cardinality of raw registers (one byte each), as PFCOUNT of several
/// keys merges them.
pub fn count_raw(regs: &[u8; REGISTERS]) -> u64 {
    let mut histo = [0i64; 64];
    for &r in regs.iter() {
        histo[(r & 63) as usize] += 1;
    }
    estimate(&histo)
}

/// Raises each of `max` to the registers of HLL `v` (`hllMerge`).
pub fn merge(max: &mut [u8; REGISTERS], v: &[u8]) -> Result<(), Corrupt> {
    if v[4] == DENSE {
        let regs = &v[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(regs, i));
        }
        return Ok(());
    }
    let s = &v[HDR_SIZE..];
    let (mut p, mut i) = (0, 0usize);
    while p < s.len() {
        let Some((op, n)) = Op::at(s, p) else { return Err(Corrupt) };
        match op {
            Op::Zero(l) | Op::XZero(l) => i += l,
            Op::Val(val, l) => {
                if i + l > REGISTERS {
                    break;
                }
                for m in &mut max[i..i + l] {
                    *m = (*m).max(val);
                }
                i += l;
            }
        }
        p += n;
    }
    if i != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// Every register of a dense HLL, for PFDEBUG GETREG.
pub fn registers(dense: &[u8]) -> Vec<u8> {
    (0..REGISTERS).map(|i| dense_get(&dense[HDR_SIZE..], i)).collect()
}

/// PFDEBUG DECODE's listing of a sparse HLL's opcodes: `z:len`, `Z:len`, `v:val,len`.
pub fn decode(v: &[u8]) -> String {
    let s = &v[HDR_SIZE..];
    let mut out = Vec::new();
    let mut p = 0;
    while p < s.len() {
        let (op, n) = Op::at(s, p).unwrap_or((Op::XZero((((s[p] & 0x3f) as usize) << 8) + 1), 2));
        out.push(match op {
            Op::Zero(l) => format!("z:{l}"),
            Op::XZero(l) => format!("Z:{l}"),
            Op::Val(val, l) => format!("v:{val},{l}"),
        });
        p += n;
    }
    out.join(" ")
}

/// PFSELFTEST: the register accessors and the sparse and dense encodings against each
/// other, and the estimate within Redis's error bound. `Err` carries the failure text.
pub fn selftest() -> Result<(), String> {
    // Register accessors: every register takes every value without disturbing others.
    let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..100 {
        let want: Vec<u8> = (0..REGISTERS).map(|_| (rnd() & REGISTER_MAX as u64) as u8).collect();
        for (i, &w) in want.iter().enumerate() {
            dense_put(&mut regs, i, w);
        }
        for (i, &w) in want.iter().enumerate() {
            if dense_get(&regs, i) != w {
                return Err(format!("TESTFAILED Register error at index {i}"));
            }
        }
    }
    // Sparse and dense agree, and the estimate stays within 5 standard errors.
    let mut sparse = new_sparse();
    let mut dense = sparse_to_dense(&sparse).ok_or("TESTFAILED sparse to dense")?;
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint = 1u64;
    for j in 1..=200_000u64 {
        let ele = rnd().to_le_bytes();
        add(&mut sparse, &ele, u64::MAX).map_err(|_| "TESTFAILED corrupted sparse HLL")?;
        add(&mut dense, &ele, u64::MAX).map_err(|_| "TESTFAILED corrupted dense HLL")?;
        if j == checkpoint {
            let (a, b) = (count(&sparse), count(&dense));
            if a != b {
                return Err(format!("TESTFAILED dense/sparse disagree: {a:?} != {b:?}"));
            }
            let est = b.map_err(|_| "TESTFAILED corrupted HLL")? as f64;
            let maxerr = (relerr * 5.0 * j as f64).ceil().max(1.0);
            if (j as f64 - est).abs() > maxerr {
                return Err(format!("TESTFAILED Too big error. card:{j} abserr:{}", (j as f64 - est).abs()));
            }
            checkpoint *= 10;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sparse_counts_zero_and_is_valid() {
        let v = new_sparse();
        assert_eq!(v.len(), 18);
        assert!(is_hll(&v));
        assert_eq!(count(&v), Ok(0));
        assert_eq!(decode(&v), "Z:16384");
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut s = new_sparse();
        for i in 0..2000u32 {
            add(&mut s, &i.to_le_bytes(), u64::MAX).unwrap();
        }
        assert_eq!(s[4], SPARSE);
        let d = sparse_to_dense(&s).unwrap();
        assert_eq!(count(&s), count(&d));
    }

    #[test]
    fn promotion_past_max_bytes() {
        let mut s = new_sparse();
        for i in 0..1000u32 {
            add(&mut s, &i.to_le_bytes(), 100).unwrap();
        }
        assert_eq!(s[4], DENSE);
        assert_eq!(s.len(), DENSE_SIZE);
    }

    #[test]
    fn corrupt_sparse_is_refused() {
        let mut v = new_sparse();
        v.truncate(HDR_SIZE);
        v.push(0x00);
        assert_eq!(count(&v), Err(Corrupt));
        assert!(sparse_to_dense(&v).is_none());
        assert_eq!(add(&mut v, b"x", 3000).err(), Some(Corrupt));
    }

    #[test]
    fn selftest_passes() {
        selftest().unwrap();
    }
}
