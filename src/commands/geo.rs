//! Geospatial commands: parse, compute with [`crate::types::geo`], read and write the
//! sorted set through [`crate::types::zset`], reply as Redis 7.0 does.
//!
//! A geo index is a sorted set whose scores are 52-bit geohashes, so ZRANGE, ZREM and
//! the rest work on it unchanged. Searches (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS*) share
//! one core, [`search`], a port of Redis's `georadiusGeneric`: the same option parsing
//! and error order, the nine covering cells scanned as score ranges of the sorted set
//! (never the whole set), the same ordering and reply shapes. Coordinates reply as
//! Redis prints them (`%.17Lf` trimmed, a RESP3 double), distances as `%.4f` bulk
//! strings.

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::geo::{self, Shape, ShapeKind};
use crate::types::zset::{self, AddCond, Added, ScoreRange, Zset, ZsetMut};
use crate::types::Access;
use crate::notify::{GENERIC, ZSET};

/// A longitude, latitude pair (`extractLongLatOrReply`). Errors: `ERR value is not a
/// valid float`, `ERR invalid longitude,latitude pair ...`.
fn lon_lat(x: &[u8], y: &[u8]) -> Result<[f64; 2]> {
    let (lon, lat) = (args::float(x)?, args::float(y)?);
    if !(geo::LONG_MIN..=geo::LONG_MAX).contains(&lon) || !(geo::LAT_MIN..=geo::LAT_MAX).contains(&lat) {
        return Err(Error::GeoInvalidLonLat(lon, lat));
    }
    Ok([lon, lat])
}

/// Meters per unit (`extractUnitOrReply`). Errors: `ERR unsupported unit provided...`.
fn unit(raw: &[u8]) -> Result<f64> {
    Ok(match raw.to_ascii_lowercase().as_slice() {
        b"m" => 1.0,
        b"km" => 1000.0,
        b"ft" => 0.3048,
        b"mi" => 1609.34,
        _ => return Err(Error::GeoUnit),
    })
}

/// A radius and its unit: `(conversion, radius)`.
fn radius_arg(r: &[u8], u: &[u8]) -> Result<(f64, f64)> {
    let r = num::parse_f64(r).ok_or(Error::GeoNeedNumeric("radius"))?;
    if r < 0.0 {
        return Err(Error::GeoNegativeRadius);
    }
    Ok((unit(u)?, r))
}

use crate::num;

/// The position of `member`, if it is in the set.
fn member_pos(ctx: &Ctx<'_>, z: &Zset, member: &[u8]) -> Result<Option<[f64; 2]>> {
    Ok(z.score(&ctx.txn, member)?.and_then(geo::decode_score))
}

fn coords_reply(xy: [f64; 2]) -> Reply {
    Reply::Array(xy.iter().map(|&c| Reply::DoubleText(Bytes::from(geo::human(c)))).collect())
}

/// `GEOADD key [NX | XX] [CH] longitude latitude member [...]`: how many members were
/// added (added or moved with CH). O(log N) per member.
/// Errors: syntax error (NX with XX, a partial triple), `ERR value is not a valid
/// float`, `ERR invalid longitude,latitude pair ...` (nothing is added), WRONGTYPE.
fn geoadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (mut nx, mut xx, mut ch) = (false, false, false);
    let mut at = 2;
    while at < argv.len() {
        match argv[at].to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"ch" => ch = true,
            _ => break,
        }
        at += 1;
    }
    if (argv.len() - at) % 3 != 0 || (nx && xx) || at == argv.len() {
        return Err(Error::Syntax);
    }
    let mut pairs = Vec::with_capacity((argv.len() - at) / 3);
    for t in argv[at..].chunks(3) {
        let [x, y] = lon_lat(&t[0], &t[1])?;
        let score = geo::score(x, y).ok_or(Error::GeoInvalidLonLat(x, y))? as f64;
        pairs.push((score, &t[2][..]));
    }
    let exists = zset::open(&mut ctx.txn, &argv[1], Access::Write)?.is_some();
    if !exists && xx {
        return Ok(Reply::Int(0));
    }
    let cond = AddCond { nx, xx, ..AddCond::default() };
    let mut z = ZsetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let (mut added, mut changed) = (0, 0);
    for &(score, member) in &pairs {
        match z.add(&mut ctx.txn, member, score, cond)? {
            Added::New(_) => added += 1,
            Added::Updated(_) => changed += 1,
            Added::Skipped | Added::Same(_) => {}
        }
    }
    z.finish(&mut ctx.txn)?;
    // GEOADD runs ZADD in Redis, and raises its event.
    if added + changed > 0 {
        ctx.notify(ZSET, "zadd", &argv[1]);
    }
    Ok(Reply::Int(if ch { added + changed } else { added }))
}

/// `GEOPOS key [member ...]`: `[longitude, latitude]` per member, a null array for a
/// missing one. O(1) per member. Errors: WRONGTYPE.
fn geopos(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let z = zset::open(&mut ctx.txn, &argv[1], Access::Read)?;
    let mut out = Vec::with_capacity(argv.len() - 2);
    for m in &argv[2..] {
        let pos = match &z {
            Some(z) => member_pos(ctx, z, m)?,
            None => None,
        };
        out.push(pos.map_or(Reply::NilArray, coords_reply));
    }
    Ok(Reply::Array(out))
}

/// `GEODIST key member1 member2 [M | KM | FT | MI]`: the distance (`%.4f`), or nil if
/// either member is missing. O(1). Errors: unsupported unit, syntax error, WRONGTYPE.
fn geodist(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let to_meter = match argv.len() {
        5 => unit(&argv[4])?,
        4 => 1.0,
        _ => return Err(Error::Syntax),
    };
    let Some(z) = zset::open(&mut ctx.txn, &argv[1], Access::Read)? else { return Ok(Reply::Nil) };
    let (Some(a), Some(b)) = (z.score(&ctx.txn, &argv[2])?, z.score(&ctx.txn, &argv[3])?) else { return Ok(Reply::Nil) };
    match (geo::decode_score(a), geo::decode_score(b)) {
        (Some([x1, y1]), Some([x2, y2])) => Ok(Reply::bulk_str(&geo::distance_text(geo::distance(x1, y1, x2, y2) / to_meter))),
        _ => Ok(Reply::Nil),
    }
}

/// `GEOHASH key [member ...]`: each member's 11-character standard geohash, nil for a
/// missing one. O(1) per member. Errors: WRONGTYPE.
fn geohash(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let z = zset::open(&mut ctx.txn, &argv[1], Access::Read)?;
    let mut out = Vec::with_capacity(argv.len() - 2);
    for m in &argv[2..] {
        let score = match &z {
            Some(z) => z.score(&ctx.txn, m)?,
            None => None,
        };
        out.push(score.and_then(geo::geohash_string).map_or(Reply::Nil, |h| Reply::bulk_str(&h)));
    }
    Ok(Reply::Array(out))
}

// ----- the search core -----

const COORDS: u8 = 1;
const MEMBER: u8 = 2;
const NOSTORE: u8 = 4;
const SEARCH: u8 = 8;
const SEARCHSTORE: u8 = 16;

#[derive(PartialEq, Clone, Copy)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One match: position, distance from the centre (meters, then the unit), score.
struct Point {
    member: Bytes,
    xy: [f64; 2],
    dist: f64,
    score: f64,
}

/// Collects the members of the shape's covering cells (`membersOfAllNeighbors`):
/// each cell is one score range of the sorted set; a cell equal to the one scanned
/// before it is skipped; with `limit` (ANY) the scan stops once that many matched.
fn members_in_shape(ctx: &Ctx<'_>, z: &Zset, shape: &Shape, limit: usize) -> Result<Vec<Point>> {
    let cells = shape.cells();
    let mut out = Vec::new();
    let mut last_processed = 0usize;
    for (i, &cell) in cells.iter().enumerate() {
        if !geo::is_cell(cell) {
            continue;
        }
        if last_processed != 0 && cell == cells[last_processed] {
            continue;
        }
        if !out.is_empty() && limit != 0 && out.len() >= limit {
            break;
        }
        let (min, max) = geo::cell_scores(cell);
        let range = ScoreRange { min, minex: false, max, maxex: true };
        z.scan_score_range(&ctx.txn, &range, &mut |m, s| {
            if let Some((dist, xy)) = shape.contains(s) {
                out.push(Point { member: Bytes::copy_from_slice(m), xy, dist, score: s });
            }
            !(limit != 0 && out.len() >= limit)
        })?;
        last_processed = i;
    }
    Ok(out)
}

/// The source key and every STORE / STOREDIST key of GEORADIUS and GEORADIUSBYMEMBER
/// (the last one given is written; all are locked, as the key specifications find
/// them all).
fn georadius_keys(argv: &[Bytes]) -> Vec<usize> {
    let mut keys = vec![1];
    let mut i = 5;
    while i < argv.len() {
        if (args::is(&argv[i], "store") || args::is(&argv[i], "storedist")) && i + 1 < argv.len() {
            keys.push(i + 1);
            i += 1;
        }
        i += 1;
    }
    keys
}

const GEORADIUS_KEYS: Keys = Keys::Custom { find: georadius_keys, first: 1, last: 1, step: 1 };

/// The core of every search command (`georadiusGeneric`): `src` is the index of the
/// source key, `flags` the variant. Replies with the matches (and what WITH* asks), or
/// stores them and replies with their number.
fn search(ctx: &mut Ctx<'_>, argv: &[Bytes], src: usize, flags: u8) -> Result<Reply> {
    let z = zset::open(&mut ctx.txn, &argv[src], Access::Read)?;
    let mut shape = Shape { xy: [0.0; 2], conversion: 0.0, kind: ShapeKind::Radius(0.0) };
    let mut storekey: Option<Bytes> = None;
    let mut storedist = false;
    let base = if flags & COORDS != 0 {
        shape.xy = lon_lat(&argv[2], &argv[3])?;
        let (conv, r) = radius_arg(&argv[4], &argv[5])?;
        (shape.conversion, shape.kind) = (conv, ShapeKind::Radius(r));
        6
    } else if flags & MEMBER != 0 {
        if let Some(z) = &z {
            shape.xy = member_pos(ctx, z, &argv[2])?.ok_or(Error::GeoNoMember)?;
            let (conv, r) = radius_arg(&argv[3], &argv[4])?;
            (shape.conversion, shape.kind) = (conv, ShapeKind::Radius(r));
        }
        5
    } else if flags & SEARCHSTORE != 0 {
        storekey = Some(argv[1].clone());
        3
    } else {
        2
    };

    let (mut withdist, mut withhash, mut withcoords) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let opts = &argv[base.min(argv.len())..];
    let remaining = opts.len();
    let mut i = 0;
    while i < remaining {
        let a = opts[i].to_ascii_lowercase();
        match a.as_slice() {
            b"withdist" => withdist = true,
            b"withhash" => withhash = true,
            b"withcoord" => withcoords = true,
            b"any" => any = true,
            b"asc" => sort = Sort::Asc,
            b"desc" => sort = Sort::Desc,
            b"count" if i + 1 < remaining => {
                count = args::int(&opts[i + 1])?;
                if count <= 0 {
                    return Err(Error::GeoCount);
                }
                i += 1;
            }
            b"store" | b"storedist" if i + 1 < remaining && flags & (NOSTORE | SEARCH) == 0 => {
                storekey = Some(opts[i + 1].clone());
                storedist = a == b"storedist";
                i += 1;
            }
            b"storedist" if flags & SEARCH != 0 && flags & SEARCHSTORE != 0 => storedist = true,
            b"frommember" if i + 1 < remaining && flags & SEARCH != 0 && !fromloc => {
                if let Some(z) = &z {
                    shape.xy = member_pos(ctx, z, &opts[i + 1])?.ok_or(Error::GeoNoMember)?;
                }
                frommember = true;
                i += 1;
            }
            b"fromlonlat" if i + 2 < remaining && flags & SEARCH != 0 && !frommember => {
                shape.xy = lon_lat(&opts[i + 1], &opts[i + 2])?;
                fromloc = true;
                i += 2;
            }
            b"byradius" if i + 2 < remaining && flags & SEARCH != 0 && !bybox => {
                let (conv, r) = radius_arg(&opts[i + 1], &opts[i + 2])?;
                (shape.conversion, shape.kind) = (conv, ShapeKind::Radius(r));
                byradius = true;
                i += 2;
            }
            b"bybox" if i + 3 < remaining && flags & SEARCH != 0 && !byradius => {
                let width = num::parse_f64(&opts[i + 1]).ok_or(Error::GeoNeedNumeric("width"))?;
                let height = num::parse_f64(&opts[i + 2]).ok_or(Error::GeoNeedNumeric("height"))?;
                if height < 0.0 || width < 0.0 {
                    return Err(Error::GeoNegativeBox);
                }
                shape.conversion = unit(&opts[i + 3])?;
                shape.kind = ShapeKind::Box { width, height };
                bybox = true;
                i += 3;
            }
            _ => return Err(Error::Syntax),
        }
        i += 1;
    }

    if (storekey.is_some() || flags & SEARCHSTORE != 0) && (withdist || withhash || withcoords) {
        return Err(Error::GeoStoreWith(if flags & SEARCHSTORE != 0 { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" }));
    }
    let name = || String::from_utf8_lossy(&argv[0]).into_owned();
    if flags & SEARCH != 0 && !(frommember || fromloc) {
        return Err(Error::GeoFrom(name()));
    }
    if flags & SEARCH != 0 && !(byradius || bybox) {
        return Err(Error::GeoBy(name()));
    }
    if any && count == 0 {
        return Err(Error::GeoAnyWithoutCount);
    }

    let Some(z) = z else {
        return Ok(match storekey {
            Some(dst) => {
                if ctx.txn.delete(&dst)? {
                    ctx.notify(GENERIC, "del", &dst);
                }
                Reply::Int(0)
            }
            None => Reply::Array(Vec::new()),
        });
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let mut points = members_in_shape(ctx, &z, &shape, if any { count as usize } else { 0 })?;
    if points.is_empty() && storekey.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let returned = if count == 0 { points.len() } else { points.len().min(count as usize) };
    // `sort_gp_asc` / `sort_gp_desc`; the whole result goes through libc's qsort (a
    // stable merge sort in glibc), a part of it through Redis's pqsort.
    let asc = |a: &Point, b: &Point| if a.dist > b.dist { 1 } else if a.dist == b.dist { 0 } else { -1 };
    let desc = |a: &Point, b: &Point| -asc(a, b);
    let cmp: Option<&dyn Fn(&Point, &Point) -> i32> = match sort {
        Sort::Asc => Some(&asc),
        Sort::Desc => Some(&desc),
        Sort::None => None,
    };
    if let Some(cmp) = cmp {
        if returned == points.len() {
            points.sort_by(|a, b| cmp(a, b).cmp(&0));
        } else if returned > 0 {
            geo::pqsort(&mut points, cmp, 0, returned - 1);
        }
    }
    points.truncate(returned);
    for p in &mut points {
        p.dist /= shape.conversion;
    }

    if let Some(dst) = storekey {
        let items: Vec<zset::Item> =
            points.into_iter().map(|p| (p.member, if storedist { p.dist } else { p.score })).collect();
        let event = if flags & SEARCH != 0 { "geosearchstore" } else { "georadiusstore" };
        zset::store(&mut ctx.txn, &dst, &items, event)?;
        return Ok(Reply::Int(returned as i64));
    }
    let with = withdist || withhash || withcoords;
    Ok(Reply::Array(
        points
            .into_iter()
            .map(|p| {
                if !with {
                    return Reply::Bulk(p.member);
                }
                let mut item = vec![Reply::Bulk(p.member)];
                if withdist {
                    item.push(Reply::bulk_str(&geo::distance_text(p.dist)));
                }
                if withhash {
                    item.push(Reply::Int(p.score as i64));
                }
                if withcoords {
                    item.push(coords_reply(p.xy));
                }
                Reply::Array(item)
            })
            .collect(),
    ))
}

/// `GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius
/// unit | BYBOX width height unit [ASC | DESC] [COUNT count [ANY]] [WITHCOORD]
/// [WITHDIST] [WITHHASH]`: the members in the circle or box. O(N + log M) for N members
/// in the covering cells. Errors: syntax error, the FROM/BY conflicts, `ERR could not
/// decode requested zset member`, invalid position, unit, radius, COUNT, WRONGTYPE.
fn geosearch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 1, SEARCH)
}

/// `GEOSEARCHSTORE destination source ... [STOREDIST]`: GEOSEARCH's matches stored as a
/// sorted set (scores: geohashes, or distances with STOREDIST); their number. An empty
/// result deletes `destination`. Errors: as GEOSEARCH, and WITH* options refused.
fn geosearchstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 2, SEARCH | SEARCHSTORE)
}

/// `GEORADIUS key longitude latitude radius unit [WITHCOORD] [WITHDIST] [WITHHASH]
/// [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]` (deprecated: GEOSEARCH).
/// Errors: as GEOSEARCH; STORE with WITH* options.
fn georadius(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 1, COORDS)
}

/// `GEORADIUSBYMEMBER key member radius unit ...`: GEORADIUS around a member.
fn georadiusbymember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 1, MEMBER)
}

/// `GEORADIUS_RO key longitude latitude radius unit ...`: GEORADIUS without STORE.
fn georadius_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 1, COORDS | NOSTORE)
}

/// `GEORADIUSBYMEMBER_RO key member radius unit ...`: GEORADIUSBYMEMBER without STORE.
fn georadiusbymember_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    search(ctx, argv, 1, MEMBER | NOSTORE)
}

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "geoadd", arity: -5, flags: WRITE | DENYOOM, keys: Keys::one(), group: "geo", handler: geoadd,
        summary: "Add one or more geospatial items in the geospatial index represented using a sorted set", since: "3.2.0",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        docs: "key#0 [condition(NX | XX)@6.2.0] [change=CH@6.2.0]
               longitude_latitude_member(longitude:double latitude:double member)...
            history 6.2.0:    Added the `CH`, `NX` and `XX` options.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "geodist", arity: -4, flags: READONLY, keys: Keys::one(), group: "geo", handler: geodist,
        summary: "Returns the distance between two members of a geospatial index", since: "3.2.0",
        complexity: "O(log(N))",
        docs: "key#0 member1 member2 [unit(M | KM | FT | MI)]
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "geohash", arity: -2, flags: READONLY, keys: Keys::one(), group: "geo", handler: geohash,
        summary: "Returns members of a geospatial index as standard geohash strings", since: "3.2.0",
        complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
        docs: "key#0 member...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "geopos", arity: -2, flags: READONLY, keys: Keys::one(), group: "geo", handler: geopos,
        summary: "Returns longitude and latitude of members of a geospatial index", since: "3.2.0",
        complexity: "O(N) where N is the number of members requested.",
        docs: "key#0 member...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "georadius", arity: -6, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: GEORADIUS_KEYS, group: "geo", handler: georadius,
        summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", since: "3.2.0",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        docs: "key#0 longitude:double latitude:double radius:double unit(M | KM | FT | MI) [WITHCOORD] [WITHDIST]
               [WITHHASH] [count(COUNT count:integer [ANY@6.2.0])] [order(ASC | DESC)] [STORE key#1] [STOREDIST key#2]
            deprecated 6.2.0: `GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument
            history 6.2.0:    Added the `ANY` option for `COUNT`.
            history 7.0.0:    Added support for uppercase unit names.
            key 0:            RO access, index 1, range 0
            key 1:            OW update, keyword STORE from 6, range 0
            key 2:            OW update, keyword STOREDIST from 6, range 0",
    },
    command! {
        name: "georadius_ro", arity: -6, flags: READONLY, keys: Keys::one(), group: "geo", handler: georadius_ro,
        summary: "A read-only variant for GEORADIUS", since: "3.2.10",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        docs: "key#0 longitude:double latitude:double radius:double unit(M | KM | FT | MI) [WITHCOORD] [WITHDIST]
               [WITHHASH] [count(COUNT count:integer [ANY@6.2.0])] [order(ASC | DESC)]
            deprecated 6.2.0: `GEOSEARCH` with the `BYRADIUS` argument
            history 6.2.0:    Added the `ANY` option for `COUNT`.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "georadiusbymember", arity: -5, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: GEORADIUS_KEYS, group: "geo",
        handler: georadiusbymember,
        summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", since: "3.2.0",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        docs: "key#0 member radius:double unit(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH]
               [count(COUNT count:integer [ANY])] [order(ASC | DESC)] [STORE key#1] [STOREDIST key#2]
            deprecated 6.2.0: `GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments
            history 7.0.0:    Added support for uppercase unit names.
            key 0:            RO access, index 1, range 0
            key 1:            OW update, keyword STORE from 5, range 0
            key 2:            OW update, keyword STOREDIST from 5, range 0",
    },
    command! {
        name: "georadiusbymember_ro", arity: -5, flags: READONLY, keys: Keys::one(), group: "geo",
        handler: georadiusbymember_ro,
        summary: "A read-only variant for GEORADIUSBYMEMBER", since: "3.2.10",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        docs: "key#0 member radius:double unit(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH]
               [count(COUNT count:integer [ANY])] [order(ASC | DESC)]
            deprecated 6.2.0: `GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "geosearch", arity: -7, flags: READONLY, keys: Keys::one(), group: "geo", handler: geosearch,
        summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", since: "6.2.0",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        docs: "key#0 from(FROMMEMBER member | FROMLONLAT longitude_latitude(longitude:double latitude:double))
               by(circle(BYRADIUS radius:double unit(M | KM | FT | MI)) | box(BYBOX width:double height:double unit(M | KM | FT | MI)))
               [order(ASC | DESC)] [count(COUNT count:integer [ANY])] [WITHCOORD] [WITHDIST] [WITHHASH]
            history 7.0.0:    Added support for uppercase unit names.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "geosearchstore", arity: -8, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: 2, step: 1 },
        group: "geo", handler: geosearchstore,
        summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", since: "6.2.0",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        docs: "destination#0 source#1 from(FROMMEMBER member | FROMLONLAT longitude_latitude(longitude:double latitude:double))
               by(circle(BYRADIUS radius:double unit(M | KM | FT | MI)) | box(BYBOX width:double height:double unit(M | KM | FT | MI)))
               [order(ASC | DESC)] [count(COUNT count:integer [ANY])] [STOREDIST]
            history 7.0.0:    Added support for uppercase unit names.
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, range 0",
    },
];
