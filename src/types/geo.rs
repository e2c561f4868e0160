//! Geospatial indexes: the geohash math of redis `src/geohash.c`, `geohash_helper.c`
//! and `geo.c`, ported so that the same input gives Redis's scores, boxes and distances
//! bit for bit.
//!
//! A geospatial index is an ordinary sorted set (see `types/zset.rs`); this module
//! only computes scores and the score ranges a search scans:
//!
//! ```text
//! Cf::Meta   [db][key]                  -> kind ZSet (a geo index is a sorted set)
//! Cf::Sub    [version][member]          -> score
//! Cf::Score  [version][score][member]   -> ()
//!   score = the 52-bit geohash: latitude bits (range -85.05112878..85.05112878) and
//!           longitude bits (-180..180), 26 each, interleaved, longitude in the odd bits
//! ```
//!
//! A search (GEOSEARCH, GEORADIUS...) estimates a geohash precision from the radius
//! (or half-diagonal of the box), takes the cell holding the centre and its eight
//! neighbours (dropping the ones the bounding box cannot reach), and scans only those
//! nine score ranges of the sorted set, checking each member's decoded position against
//! the circle or box with Redis's haversine (earth radius 6372797.560856 m).

pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;
pub const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// A geohash of `step` bits per coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hash {
    pub bits: u64,
    pub step: u8,
}

impl Hash {
    fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

/// The cell a hash covers.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

const WGS84_LONG: Range = Range { min: LONG_MIN, max: LONG_MAX };
const WGS84_LAT: Range = Range { min: LAT_MIN, max: LAT_MAX };

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let (mut x, mut y) = (xlo as u64, ylo as u64);
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] =
        [0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let (mut x, mut y) = (interleaved, interleaved >> 1);
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// `geohashEncode`: `None` outside the indexable area or the given ranges.
pub fn encode(long_range: Range, lat_range: Range, longitude: f64, latitude: f64, step: u8) -> Option<Hash> {
    if step > 32 || step == 0 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    if latitude < lat_range.min || latitude > lat_range.max || longitude < long_range.min || longitude > long_range.max {
        return None;
    }
    let mut lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
    let mut long_offset = (longitude - long_range.min) / (long_range.max - long_range.min);
    lat_offset *= (1u64 << step) as f64;
    long_offset *= (1u64 << step) as f64;
    // C converts the doubles to uint32_t by truncation.
    Some(Hash { bits: interleave64(lat_offset as u32, long_offset as u32), step })
}

pub fn encode_wgs84(longitude: f64, latitude: f64, step: u8) -> Option<Hash> {
    encode(WGS84_LONG, WGS84_LAT, longitude, latitude, step)
}

/// `geohashDecode`: the cell of `hash`.
pub fn decode(long_range: Range, lat_range: Range, hash: Hash) -> Option<Area> {
    if hash.is_zero() {
        return None;
    }
    let sep = deinterleave64(hash.bits);
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << hash.step) as f64;
    Some(Area {
        latitude: Range {
            min: lat_range.min + (ilato as f64 / div) * lat_scale,
            max: lat_range.min + ((ilato.wrapping_add(1)) as f64 / div) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (ilono as f64 / div) * long_scale,
            max: long_range.min + ((ilono.wrapping_add(1)) as f64 / div) * long_scale,
        },
    })
}

/// The centre of a cell, clamped to the indexable area: `[longitude, latitude]`.
fn area_center(a: &Area) -> [f64; 2] {
    let x = ((a.longitude.min + a.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((a.latitude.min + a.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [x, y]
}

/// The score of a position (`geohashAlign52Bits` of the 26-step hash).
pub fn score(longitude: f64, latitude: f64) -> Option<u64> {
    encode_wgs84(longitude, latitude, STEP_MAX).map(align52)
}

fn align52(h: Hash) -> u64 {
    h.bits << (52 - h.step as u32 * 2)
}

/// A double converted to `uint64_t` as Redis's x86-64 build does it (gcc's
/// `cvttsd2si` sequence), for scores no GEOADD wrote: a negative score wraps (-1 is all
/// ones), +inf and huge scores give 0, -inf gives 2^63.
fn c_double_to_u64(x: f64) -> u64 {
    const TWO63: f64 = 9223372036854775808.0;
    // cvttsd2si: the truncated value, or the "integer indefinite" 2^63 when it does not
    // fit an i64 (NaN included).
    let cvtt = |x: f64| if (-TWO63..TWO63).contains(&x) { x as i64 as u64 } else { 1u64 << 63 };
    if x < TWO63 {
        cvtt(x)
    } else {
        cvtt(x - TWO63) ^ (1u64 << 63)
    }
}

/// `decodeGeohash`: the `[longitude, latitude]` a sorted-set score stands for.
pub fn decode_score(score: f64) -> Option<[f64; 2]> {
    let hash = Hash { bits: c_double_to_u64(score), step: STEP_MAX };
    decode(WGS84_LONG, WGS84_LAT, hash).map(|a| area_center(&a))
}

/// GEOHASH's 11-character standard geohash of a score (re-encoded with latitudes
/// -90..90; the 11th character is always '0', as Redis has only 52 bits).
pub fn geohash_string(score: f64) -> Option<String> {
    const ALPHABET: &[u8] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let [x, y] = decode_score(score)?;
    let hash = encode(Range { min: -180.0, max: 180.0 }, Range { min: -90.0, max: 90.0 }, x, y, 26).unwrap_or_default();
    let mut out = String::with_capacity(11);
    for i in 0..11 {
        let idx = if i == 10 { 0 } else { (hash.bits >> (52 - (i + 1) * 5)) & 0x1f };
        out.push(ALPHABET[idx as usize] as char);
    }
    Some(out)
}

fn move_x(h: &mut Hash, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let y = h.bits & 0x5555555555555555;
    let zz = 0x5555555555555555u64 >> (64 - h.step as u32 * 2);
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaaaaaaaaaaaaaau64 >> (64 - h.step as u32 * 2);
    h.bits = x | y;
}

fn move_y(h: &mut Hash, d: i8) {
    if d == 0 {
        return;
    }
    let x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let mut y = h.bits & 0x5555555555555555;
    let zz = 0xaaaaaaaaaaaaaaaau64 >> (64 - h.step as u32 * 2);
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555555555555555u64 >> (64 - h.step as u32 * 2);
    h.bits = x | y;
}

/// The eight neighbours of a cell, in Redis's field order.
#[derive(Debug, Clone, Copy, Default)]
struct Neighbors {
    north: Hash,
    east: Hash,
    west: Hash,
    south: Hash,
    north_east: Hash,
    south_east: Hash,
    north_west: Hash,
    south_west: Hash,
}

fn neighbors(h: Hash) -> Neighbors {
    let moved = |dx: i8, dy: i8| {
        let mut n = h;
        move_x(&mut n, dx);
        move_y(&mut n, dy);
        n
    };
    Neighbors {
        east: moved(1, 0),
        west: moved(-1, 0),
        south: moved(0, -1),
        north: moved(0, 1),
        north_west: moved(-1, 1),
        south_west: moved(-1, -1),
        north_east: moved(1, 1),
        south_east: moved(1, -1),
    }
}

fn estimate_steps(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

/// What a search covers: a circle of `radius`, or a `width` x `height` box, centred on
/// `xy` (`[longitude, latitude]`); sizes in the unit `conversion` converts to meters.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub xy: [f64; 2],
    pub conversion: f64,
    pub kind: ShapeKind,
}

#[derive(Debug, Clone, Copy)]
pub enum ShapeKind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

impl Shape {
    /// `geohashBoundingBox`: `[min_lon, min_lat, max_lon, max_lat]`.
    fn bounding_box(&self) -> [f64; 4] {
        let [longitude, latitude] = self.xy;
        let (height, width) = match self.kind {
            ShapeKind::Radius(r) => (self.conversion * r, self.conversion * r),
            ShapeKind::Box { width, height } => (self.conversion * (height / 2.0), self.conversion * (width / 2.0)),
        };
        let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
        let southern = latitude < 0.0;
        [
            if southern { longitude - long_delta_bottom } else { longitude - long_delta_top },
            latitude - lat_delta,
            if southern { longitude + long_delta_bottom } else { longitude + long_delta_top },
            latitude + lat_delta,
        ]
    }

    /// `geohashCalculateAreasByShapeWGS84`: the cells to scan, in Redis's order (the
    /// centre, north, south, east, west, north-east, north-west, south-east,
    /// south-west); cells that cannot reach the shape are left out (zero hashes).
    pub fn cells(&self) -> [Hash; 9] {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounding_box();
        let [longitude, latitude] = self.xy;
        let radius_meters = match self.kind {
            ShapeKind::Radius(r) => r,
            ShapeKind::Box { width, height } => ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt(),
        } * self.conversion;
        let mut steps = estimate_steps(radius_meters, latitude);
        let at = |steps: u8| {
            let hash = encode_wgs84(longitude, latitude, steps).unwrap_or_default();
            let n = neighbors(hash);
            let area = decode(WGS84_LONG, WGS84_LAT, hash);
            (hash, n, area)
        };
        let (mut hash, mut n, mut area) = at(steps);
        let cell = |h: Hash| decode(WGS84_LONG, WGS84_LAT, h);
        let mut decrease = false;
        if let (Some(north), Some(south), Some(east), Some(west)) = (cell(n.north), cell(n.south), cell(n.east), cell(n.west)) {
            decrease = north.latitude.max < max_lat
                || south.latitude.min > min_lat
                || east.longitude.max < max_lon
                || west.longitude.min > min_lon;
        }
        if steps > 1 && decrease {
            steps -= 1;
            (hash, n, area) = at(steps);
        }
        if let (true, Some(area)) = (steps >= 2, area) {
            let z = Hash::default();
            if area.latitude.min < min_lat {
                (n.south, n.south_west, n.south_east) = (z, z, z);
            }
            if area.latitude.max > max_lat {
                (n.north, n.north_east, n.north_west) = (z, z, z);
            }
            if area.longitude.min < min_lon {
                (n.west, n.south_west, n.north_west) = (z, z, z);
            }
            if area.longitude.max > max_lon {
                (n.east, n.south_east, n.north_east) = (z, z, z);
            }
        }
        [hash, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east, n.south_west]
    }

    /// Whether a member at `score` lies in the shape, with its distance (meters) from
    /// the centre and its position (`geoWithinShape`).
    pub fn contains(&self, score: f64) -> Option<(f64, [f64; 2])> {
        let xy = decode_score(score)?;
        let [x1, y1] = self.xy;
        let dist = match self.kind {
            ShapeKind::Radius(r) => {
                let d = distance(x1, y1, xy[0], xy[1]);
                if d > r * self.conversion {
                    return None;
                }
                d
            }
            ShapeKind::Box { width, height } => {
                let (w, h) = (width * self.conversion, height * self.conversion);
                let [x2, y2] = xy;
                let lon_distance = distance(x2, y2, x1, y2);
                let lat_distance = distance(x2, y2, x2, y1);
                if lon_distance > w / 2.0 || lat_distance > h / 2.0 {
                    return None;
                }
                distance(x1, y1, x2, y2)
            }
        };
        Some((dist, xy))
    }
}

/// The score range `[min, max)` of a cell (`scoresOfGeoHashBox`).
pub fn cell_scores(h: Hash) -> (f64, f64) {
    let min = align52(h);
    let max = align52(Hash { bits: h.bits + 1, step: h.step });
    (min as f64, max as f64)
}

/// Whether a cell is one of the nine to scan (`HASHISZERO` is false).
pub fn is_cell(h: Hash) -> bool {
    !h.is_zero()
}

/// Haversine distance in meters (`geohashGetDistance`, as Redis 7.0 computes it).
pub fn distance(lon1d: f64, lat1d: f64, lon2d: f64, lat2d: f64) -> f64 {
    let lon1r = deg_rad(lon1d);
    let lon2r = deg_rad(lon2d);
    let v = ((lon2r - lon1r) / 2.0).sin();
    let lat1r = deg_rad(lat1d);
    let lat2r = deg_rad(lat2d);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// A coordinate as Redis prints it (`addReplyHumanLongDouble`): `%.17Lf` with the
/// trailing zeros (and a bare dot) removed, `-0` as `0`.
pub fn human(x: f64) -> String {
    let mut s = format!("{x:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// A distance as Redis prints it: `%.4f`.
pub fn distance_text(d: f64) -> String {
    format!("{d:.4}")
}

/// Redis's `pqsort` (Bentley & McIlroy's quicksort that only recurses into partitions
/// overlapping `[lrange, rrange]`), which GEO searches use when COUNT cuts a sorted
/// result: the same comparisons and swaps, so members at equal distances come out in
/// Redis's order. `cmp` answers <0, 0, >0 as C's comparators do.
pub fn pqsort<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> i32, lrange: usize, rrange: usize) {
    let c = |v: &[T], i: usize, j: usize| cmp(&v[i], &v[j]);
    let med3 = |v: &[T], a: usize, b: usize, cc: usize| {
        if c(v, a, b) < 0 {
            if c(v, b, cc) < 0 {
                b
            } else if c(v, a, cc) < 0 {
                cc
            } else {
                a
            }
        } else if c(v, b, cc) > 0 {
            b
        } else if c(v, a, cc) < 0 {
            a
        } else {
            cc
        }
    };
    let insertion = |v: &mut [T], a: usize, n: usize| {
        for pm in a + 1..a + n {
            let mut pl = pm;
            while pl > a && c(v, pl - 1, pl) > 0 {
                v.swap(pl, pl - 1);
                pl -= 1;
            }
        }
    };
    let vecswap = |v: &mut [T], a: usize, b: usize, n: usize| {
        for i in 0..n {
            v.swap(a + i, b + i);
        }
    };
    // Whether the partition [a, a + k) lies wholly outside [lrange, rrange].
    let outside = |a: usize, k: usize| (lrange < a && rrange < a) || (lrange >= a + k && rrange >= a + k);
    fn go<T>(
        v: &mut [T],
        mut a: usize,
        mut n: usize,
        c: &dyn Fn(&[T], usize, usize) -> i32,
        med3: &dyn Fn(&[T], usize, usize, usize) -> usize,
        insertion: &dyn Fn(&mut [T], usize, usize),
        vecswap: &dyn Fn(&mut [T], usize, usize, usize),
        outside: &dyn Fn(usize, usize) -> bool,
    ) {
        loop {
            if n < 7 {
                insertion(v, a, n);
                return;
            }
            let mut pm = a + n / 2;
            if n > 7 {
                let (mut pl, mut pn) = (a, a + n - 1);
                if n > 40 {
                    let d = n / 8;
                    pl = med3(v, pl, pl + d, pl + 2 * d);
                    pm = med3(v, pm - d, pm, pm + d);
                    pn = med3(v, pn - 2 * d, pn - d, pn);
                }
                pm = med3(v, pl, pm, pn);
            }
            v.swap(a, pm);
            let (mut pa, mut pb) = (a + 1, a + 1);
            let (mut pc, mut pd) = (a as isize + n as isize - 1, a as isize + n as isize - 1);
            let mut swapped = false;
            loop {
                while pb as isize <= pc {
                    let r = c(v, pb, a);
                    if r > 0 {
                        break;
                    }
                    if r == 0 {
                        swapped = true;
                        v.swap(pa, pb);
                        pa += 1;
                    }
                    pb += 1;
                }
                while pb as isize <= pc {
                    let r = c(v, pc as usize, a);
                    if r < 0 {
                        break;
                    }
                    if r == 0 {
                        swapped = true;
                        v.swap(pc as usize, pd as usize);
                        pd -= 1;
                    }
                    pc -= 1;
                }
                if pb as isize > pc {
                    break;
                }
                v.swap(pb, pc as usize);
                swapped = true;
                pb += 1;
                pc -= 1;
            }
            if !swapped {
                insertion(v, a, n);
                return;
            }
            let pn = a + n;
            let r = (pa - a).min(pb - pa);
            vecswap(v, a, pb - r, r);
            let r = ((pd - pc) as usize).min(pn - pd as usize - 1);
            vecswap(v, pb, pn - r, r);
            let r = pb - pa;
            if r > 1 && !outside(a, r) {
                go(v, a, r, c, med3, insertion, vecswap, outside);
            }
            let r = (pd - pc) as usize;
            if r > 1 {
                a = pn - r;
                n = r;
                if !outside(a, r) {
                    continue;
                }
            }
            return;
        }
    }
    let n = v.len();
    go(v, 0, n, &c, &med3, &insertion, &vecswap, &outside);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palermo_score_and_position_as_redis() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" -> ZSCORE 3479099956230698.
        assert_eq!(score(13.361389, 38.115556), Some(3479099956230698));
        let [x, y] = decode_score(3479099956230698.0).unwrap();
        assert_eq!(human(x), "13.36138933897018433");
        assert_eq!(human(y), "38.11555639549629859");
        assert_eq!(geohash_string(3479099956230698.0).unwrap(), "sqc8b49rny0");
    }

    #[test]
    fn palermo_catania_distance() {
        let [x1, y1] = decode_score(3479099956230698.0).unwrap();
        let c = score(15.087269, 37.502669).unwrap();
        let [x2, y2] = decode_score(c as f64).unwrap();
        assert_eq!(distance_text(distance(x1, y1, x2, y2)), "166274.1516");
    }

    #[test]
    fn a_small_search_covers_a_tiny_part_of_the_score_space() {
        // 1 km around Palermo: nine cells at most, together a sliver of the 2^52 scores,
        // and the centre's cell holds Palermo's score.
        let shape = Shape { xy: [13.361389, 38.115556], conversion: 1000.0, kind: ShapeKind::Radius(1.0) };
        let cells: Vec<(f64, f64)> = shape.cells().into_iter().filter(|&h| is_cell(h)).map(cell_scores).collect();
        assert!(!cells.is_empty() && cells.len() <= 9);
        let covered: f64 = cells.iter().map(|(a, b)| b - a).sum();
        assert!(covered < (1u64 << 52) as f64 / 1e6, "{covered}");
        let palermo = 3479099956230698.0;
        assert!(cells[0].0 <= palermo && palermo < cells[0].1);
    }

    #[test]
    fn pqsort_sorts_the_asked_range() {
        let mut seed = 7u64;
        for n in [0usize, 1, 5, 7, 8, 41, 200, 1000] {
            for (l, r) in [(0usize, 0usize), (0, 9), (3, 17)] {
                let mut v: Vec<u32> = (0..n)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        ((seed >> 33) % 50) as u32
                    })
                    .collect();
                let mut sorted = v.clone();
                sorted.sort();
                if n == 0 || r >= n {
                    continue;
                }
                pqsort(&mut v, &|a, b| (*a as i32) - (*b as i32), l, r);
                assert_eq!(&v[l..=r], &sorted[l..=r], "n {n}, range {l}..={r}");
            }
        }
    }

    #[test]
    fn interleave_round_trips() {
        let i = interleave64(0x12345, 0xabcde);
        assert_eq!(deinterleave64(i), 0x12345 | (0xabcde << 32));
    }
}
