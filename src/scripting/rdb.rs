//! FUNCTION DUMP / FUNCTION RESTORE payloads in Redis 7.0's own format, so that a dump
//! taken from redis-server restores into DiskDB and the other way round: for each
//! library the RDB opcode `RDB_OPCODE_FUNCTION2` (245) and the library's code as an RDB
//! string, then the footer every DUMP payload has: the RDB version (2 bytes, little
//! endian; 10, Redis 7.0's) and the CRC64 (Jones polynomial, Redis's `crc64`) of all
//! that precedes it (8 bytes, little endian).
//!
//! Reading accepts what Redis writes: plain, integer-encoded and LZF-compressed strings
//! (Redis compresses a code longer than 20 bytes when `rdbcompression` is on), and the
//! pre-GA `RDB_OPCODE_FUNCTION` (246) record of 7.0's release candidates. Every length
//! is checked against the bytes actually there before use.
//!
//! Hand-written rather than a crate: the CRC64 variant and the RDB string encoding are a
//! few dozen lines each, and no crate in the tree implements Redis's RDB.

/// Redis 7.0's `RDB_VERSION`: payloads of a later version are refused, as Redis does.
pub const RDB_VERSION: u16 = 10;
const OPCODE_FUNCTION2: u8 = 245;
const OPCODE_FUNCTION_PRE_GA: u8 = 246;

/// Why a payload was refused, with Redis's texts.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// `DUMP payload version or checksum are wrong`
    Checksum,
    /// `given type is not a function`
    NotAFunction,
    /// `Failed loading library payload` (and the other `Failed loading ...` texts).
    Load(&'static str),
}

impl Refused {
    pub fn text(&self) -> String {
        match self {
            Refused::Checksum => "ERR DUMP payload version or checksum are wrong".into(),
            Refused::NotAFunction => "ERR given type is not a function".into(),
            Refused::Load(what) => format!("ERR {what}"),
        }
    }
}

/// Redis's `crc64`: CRC-64/Jones, reflected, initial value 0, no final xor.
pub fn crc64(data: &[u8]) -> u64 {
    const POLY_REFLECTED: u64 = 0x95AC_9329_AC4B_C9B5;
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u64; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut crc = i as u64;
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            }
            *slot = crc;
        }
        t
    });
    data.iter().fold(0u64, |crc, &b| table[((crc ^ b as u64) & 0xFF) as usize] ^ (crc >> 8))
}

/// An RDB length (`rdbSaveLen`).
fn put_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(((len >> 8) as u8) | 0x40);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// The payload of `codes` (each a library's full code).
pub fn dump<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        put_len(&mut out, code.len() as u64);
        out.extend_from_slice(code.as_bytes());
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Checks the footer (`verifyDumpPayload`) and reads the libraries' codes, in order.
pub fn parse(payload: &[u8]) -> Result<Vec<Vec<u8>>, Refused> {
    if payload.len() < 10 {
        return Err(Refused::Checksum);
    }
    let footer = &payload[payload.len() - 10..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > RDB_VERSION {
        return Err(Refused::Checksum);
    }
    let crc = crc64(&payload[..payload.len() - 8]);
    if crc.to_le_bytes() != footer[2..] {
        return Err(Refused::Checksum);
    }
    let mut r = Reader { data: &payload[..payload.len() - 10], pos: 0 };
    let mut codes = Vec::new();
    while r.pos < r.data.len() {
        match r.byte() {
            Some(OPCODE_FUNCTION2) => codes.push(r.string().ok_or(Refused::Load("Failed loading library payload"))?),
            Some(OPCODE_FUNCTION_PRE_GA) => {
                // 7.0-rc: name, engine, an optional description, then the code.
                let name = r.string().ok_or(Refused::Load("Failed loading library name"))?;
                let engine = r.string().ok_or(Refused::Load("Failed loading engine name"))?;
                let has_desc = r.len().ok_or(Refused::Load("Failed loading library description indicator"))?;
                if has_desc != 0 {
                    r.string().ok_or(Refused::Load("Failed loading library description"))?;
                }
                let blob = r.string().ok_or(Refused::Load("Failed loading library blob"))?;
                let mut code = b"#!".to_vec();
                code.extend_from_slice(&engine);
                code.extend_from_slice(b" name=");
                code.extend_from_slice(&name);
                code.push(b'\n');
                code.extend_from_slice(&blob);
                codes.push(code);
            }
            _ => return Err(Refused::NotAFunction),
        }
    }
    Ok(codes)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn take(&mut self, n: u64) -> Option<&[u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A length, or `Err(encoding)` for an encoded string's marker.
    fn len_or_enc(&mut self) -> Option<Result<u64, u8>> {
        let b = self.byte()?;
        Some(match b >> 6 {
            0 => Ok((b & 0x3F) as u64),
            1 => Ok((((b & 0x3F) as u64) << 8) | self.byte()? as u64),
            2 => match b {
                0x80 => Ok(u32::from_be_bytes(self.take(4)?.try_into().ok()?) as u64),
                0x81 => Ok(u64::from_be_bytes(self.take(8)?.try_into().ok()?)),
                _ => return None,
            },
            _ => Err(b & 0x3F),
        })
    }

    fn len(&mut self) -> Option<u64> {
        self.len_or_enc()?.ok()
    }

    /// An RDB string: raw, an integer (`RDB_ENC_INT8/16/32`) or LZF-compressed.
    fn string(&mut self) -> Option<Vec<u8>> {
        match self.len_or_enc()? {
            Ok(n) => Some(self.take(n)?.to_vec()),
            Err(0) => Some((self.take(1)?[0] as i8).to_string().into_bytes()),
            Err(1) => Some(i16::from_le_bytes(self.take(2)?.try_into().ok()?).to_string().into_bytes()),
            Err(2) => Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?).to_string().into_bytes()),
            Err(3) => {
                let clen = self.len()?;
                let len = self.len()?;
                let compressed = self.take(clen)?;
                lzf_decompress(compressed, len)
            }
            Err(_) => None,
        }
    }
}

/// LZF decompression (liblzf's format, as Redis writes it) to exactly `len` bytes.
/// `None` for a corrupt input or one that does not give `len` bytes; `len` is checked
/// against the most LZF can expand its input (a 3-byte back reference gives at most
/// 264 bytes) before anything is allocated.
fn lzf_decompress(input: &[u8], len: u64) -> Option<Vec<u8>> {
    if len > (input.len() as u64).saturating_mul(88) + 32 {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    let mut out = Vec::with_capacity(len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let lit = input.get(ip..ip + run)?;
            if out.len() + run > len {
                return None;
            }
            out.extend_from_slice(lit);
            ip += run;
        } else {
            let mut n = ctrl >> 5;
            if n == 7 {
                n += *input.get(ip)? as usize;
                ip += 1;
            }
            let back = ((ctrl & 0x1F) << 8) + *input.get(ip)? as usize + 1;
            ip += 1;
            n += 2;
            if back > out.len() || out.len() + n > len {
                return None;
            }
            let start = out.len() - back;
            for i in 0..n {
                let b = out[start + i];
                out.push(b);
            }
        }
    }
    (out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_check_value() {
        // Redis's crc64 test vector (crc64.c).
        assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn dump_parse_round_trip() {
        let long = "#!lua name=b\n".to_string() + &"x".repeat(20_000);
        let p = dump(["#!lua name=a\nreturn 1", long.as_str()]);
        assert_eq!(parse(&p).unwrap(), vec![b"#!lua name=a\nreturn 1".to_vec(), long.into_bytes()]);
        let mut bad = p.clone();
        bad[3] ^= 1;
        assert_eq!(parse(&bad), Err(Refused::Checksum));
        assert_eq!(parse(b"short"), Err(Refused::Checksum));
    }

    #[test]
    fn lzf_literals_and_back_references() {
        // "abcabcabc": literal "abc", then a back reference of 6 bytes at distance 3.
        let c = [2, b'a', b'b', b'c', (4 << 5), 2];
        assert_eq!(lzf_decompress(&c, 9).unwrap(), b"abcabcabc");
        assert_eq!(lzf_decompress(&c, 8), None);
        assert_eq!(lzf_decompress(&[0xE0, 0xFF, 0], 1 << 40), None);
    }
}
