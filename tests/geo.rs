//! Geospatial commands against the real binary, beside a real redis-server 7.0 in the
//! same test: every command form and error reply (RESP2 and RESP3), seeded random
//! coordinates and searches compared reply for reply (distances as Redis prints them,
//! `%.4f`; coordinates as `%.17Lf` trimmed), the stored results of GEOSEARCHSTORE and
//! GEORADIUS STORE, and the index surviving `kill -9`.

mod common;

use common::*;

/// Sends `cmd` to both servers; the replies must be equal.
fn both(ours: &mut Raw, theirs: &mut Conn, cmd: &[&str]) -> R {
    let (mine, reference) = (ours.cmd(cmd), theirs.cmd(cmd));
    assert_eq!(mine, reference, "{cmd:?}");
    mine
}

/// The members and scores of a sorted set, scores as numbers (DiskDB prints a score
/// in the shortest form that reads back the same; Redis 7.0 with 17 digits).
fn zset_items(c: &mut impl FnMut(&[&str]) -> R, key: &str) -> Vec<(Vec<u8>, f64)> {
    let R::Array(items) = c(&["ZRANGE", key, "0", "-1", "WITHSCORES"]) else { panic!("ZRANGE") };
    // RESP3 nests `[member, score]` pairs; RESP2 is flat.
    let flat: Vec<R> = items.into_iter().flat_map(|i| if let R::Array(pair) = i { pair } else { vec![i] }).collect();
    flat.chunks(2)
        .map(|p| match (&p[0], &p[1]) {
            (R::Bulk(m), R::Bulk(s)) => (m.clone(), String::from_utf8_lossy(s).parse().unwrap()),
            (R::Bulk(m), R::Double(s)) => (m.clone(), s.parse().unwrap()),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn same_zset(ours: &mut Raw, theirs: &mut Conn, key: &str) {
    let mine = zset_items(&mut |a| ours.cmd(a), key);
    let reference = zset_items(&mut |a| theirs.cmd(a), key);
    assert_eq!(mine, reference, "ZRANGE {key}");
}

const SICILY: &[&str] = &["GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"];

#[test]
fn documented_examples_give_redis_replies() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(SICILY), R::Int(2));
    assert_eq!(c.cmd(&["GEODIST", "Sicily", "Palermo", "Catania"]), R::bulk("166274.1516"));
    assert_eq!(c.cmd(&["GEODIST", "Sicily", "Palermo", "Catania", "km"]), R::bulk("166.2742"));
    assert_eq!(c.cmd(&["GEODIST", "Sicily", "Palermo", "Catania", "mi"]), R::bulk("103.3182"));
    assert_eq!(c.cmd(&["GEOHASH", "Sicily", "Palermo", "Catania"]), bulks(&["sqc8b49rny0", "sqdtr74hyu0"]));
    assert_eq!(
        c.cmd(&["GEOPOS", "Sicily", "Palermo", "NonExisting"]),
        R::Array(vec![bulks(&["13.36138933897018433", "38.11555639549629859"]), R::Nil])
    );
    assert_eq!(c.cmd(&["ZSCORE", "Sicily", "Palermo"]), R::bulk("3479099956230698"));
    assert_eq!(c.cmd(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC"]), bulks(&["Catania", "Palermo"]));
    assert_eq!(
        c.cmd(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"]),
        R::Array(vec![bulks(&["Catania", "56.4413"]), bulks(&["Palermo", "190.4424"])])
    );
}

#[test]
fn every_command_form_and_error_matches_redis() {
    let s = Server::start();
    let redis = RedisServer::start();
    let mut ours = s.raw();
    let mut theirs = Conn::open(redis.port).unwrap();
    for proto in ["2", "3"] {
        ours.cmd(&["HELLO", proto]);
        theirs.cmd(&["HELLO", proto]);
        both(&mut ours, &mut theirs, &["FLUSHALL"]);
        both(&mut ours, &mut theirs, SICILY);
        for cmd in [
            &["GEOADD", "Sicily", "NX", "CH", "13.361389", "38.115556", "Palermo", "15", "37", "X"][..],
            &["GEOADD", "Sicily", "XX", "CH", "13.361389", "38.115556", "Palermo", "15", "37.1", "X", "1", "1", "Y"],
            &["GEOADD", "Sicily", "XX", "1", "1", "Y"],
            &["GEOADD", "fresh", "XX", "1", "1", "Y"],
            &["GEOADD", "Sicily", "NX", "XX", "1", "1", "a"],
            &["GEOADD", "Sicily", "CH", "1", "1"],
            &["GEOADD", "Sicily", "200", "100", "z"],
            &["GEOADD", "Sicily", "1", "85.06", "z"],
            &["GEOADD", "Sicily", "1", "abc", "z"],
            &["GEOADD", "Sicily", "1", "1", "ok", "181", "0", "bad"],
            &["GEOPOS", "Sicily", "Palermo", "nope", "X"],
            &["GEOPOS", "nokey", "a"],
            &["GEODIST", "Sicily", "Palermo", "Catania"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "M"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "KM"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "ft"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "Mi"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "yd"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
            &["GEODIST", "Sicily", "Palermo", "nope"],
            &["GEODIST", "nokey", "a", "b"],
            &["GEODIST", "Sicily", "Palermo"],
            &["GEOHASH", "Sicily", "Palermo", "Catania", "nope"],
            &["GEOHASH", "nokey", "a"],
            &["SET", "str", "x"],
            &["GEOADD", "str", "1", "1", "a"],
            &["GEOPOS", "str", "a"],
            &["GEOHASH", "str", "a"],
            &["GEODIST", "str", "a", "b"],
            &["GEOSEARCH", "str", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "m"],
            &["GEORADIUS", "str", "1", "1", "1", "m"],
        ] {
            both(&mut ours, &mut theirs, cmd);
        }
        let searches: &[&[&str]] = &[
            &["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
            &["FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "DESC", "WITHCOORD", "WITHDIST", "WITHHASH"],
            &["FROMMEMBER", "Palermo", "BYRADIUS", "300", "km", "COUNT", "1"],
            &["FROMMEMBER", "nope", "BYRADIUS", "300", "km"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "2", "ANY"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"],
            &["FROMLONLAT", "15", "37", "BYBOX", "-1", "2", "km"],
            &["FROMLONLAT", "15", "37", "BYBOX", "a", "2", "km"],
            &["FROMLONLAT", "15", "37", "BYBOX", "1", "b", "km"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1", "yd"],
            &["FROMLONLAT", "200", "37", "BYRADIUS", "1", "km"],
            &["BYRADIUS", "1", "km", "ASC"],
            &["FROMLONLAT", "15", "37", "ASC", "COUNT", "1"],
            &["FROMLONLAT", "15", "37", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "COUNT", "0"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "COUNT", "x"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "STOREDIST"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "count", "1", "desc", "withdist"],
            &["FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT"],
        ];
        for extra in searches {
            for (cmd, keys) in [
                ("GEOSEARCH", &["Sicily"][..]),
                ("GEOSEARCH", &["nokey"]),
                ("GEOSEARCHSTORE", &["dst", "Sicily"]),
                ("GEOSEARCHSTORE", &["dst", "nokey"]),
            ] {
                let mut args = vec![cmd];
                args.extend_from_slice(keys);
                args.extend_from_slice(extra);
                both(&mut ours, &mut theirs, &args);
                same_zset(&mut ours, &mut theirs, "dst");
            }
        }
        let radius: &[&[&str]] = &[
            &["15", "37", "200", "km"],
            &["15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"],
            &["15", "37", "200", "km", "STORE", "d2"],
            &["15", "37", "200", "km", "STOREDIST", "d2", "COUNT", "1"],
            &["15", "37", "200", "km", "STORE", "d2", "WITHDIST"],
            &["15", "37", "200", "km", "COUNT", "1", "ANY", "DESC"],
            &["15", "37", "-1", "km"],
            &["15", "37", "1", "km", "BYBOX"],
        ];
        for extra in radius {
            for (cmd, key) in [("GEORADIUS", "Sicily"), ("GEORADIUS_RO", "Sicily"), ("GEORADIUS", "nokey")] {
                let mut args = vec![cmd, key];
                args.extend_from_slice(extra);
                both(&mut ours, &mut theirs, &args);
                same_zset(&mut ours, &mut theirs, "d2");
            }
        }
        let by_member: &[&[&str]] = &[
            &["Palermo", "200", "km"],
            &["Palermo", "200", "km", "WITHHASH"],
            &["nope", "200", "km"],
            &["Palermo", "200", "km", "STORE", "d3"],
            &["Palermo", "x", "km"],
            &["Palermo", "1", "parsec"],
        ];
        for extra in by_member {
            for (cmd, key) in [("GEORADIUSBYMEMBER", "Sicily"), ("GEORADIUSBYMEMBER_RO", "Sicily"), ("GEORADIUSBYMEMBER", "nokey")] {
                let mut args = vec![cmd, key];
                args.extend_from_slice(extra);
                both(&mut ours, &mut theirs, &args);
                same_zset(&mut ours, &mut theirs, "d3");
            }
        }
    }
}

/// 1,800 seeded random points in three indexes (two worldwide, one dense in a 1x1
/// degree square), then 300 random searches of every command in RESP2 and RESP3.
#[test]
fn random_coordinates_and_searches_match_redis() {
    let s = Server::start();
    let redis = RedisServer::start();
    let mut ours = s.raw();
    let mut theirs = Conn::open(redis.port).unwrap();
    let mut rng = fastrand::Rng::with_seed(0x6e0);
    let world = |rng: &mut fastrand::Rng| (format!("{:.6}", rng.f64() * 360.0 - 180.0), format!("{:.6}", rng.f64() * 170.1 - 85.05));
    let square = |rng: &mut fastrand::Rng| (format!("{:.6}", 10.0 + rng.f64()), format!("{:.6}", 40.0 + rng.f64()));
    for key in ["g1", "g2", "g3"] {
        let mut args = vec!["GEOADD".to_string(), key.to_string()];
        for i in 0..600 {
            let (x, y) = if key == "g3" { square(&mut rng) } else { world(&mut rng) };
            args.extend([x, y, format!("m{i}")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        both(&mut ours, &mut theirs, &args);
    }
    for proto in ["2", "3"] {
        ours.cmd(&["HELLO", proto]);
        theirs.cmd(&["HELLO", proto]);
        for _ in 0..150 {
            let key = ["g1", "g2", "g3"][rng.usize(..3)];
            let (x, y) = if key == "g3" { square(&mut rng) } else { world(&mut rng) };
            let unit = ["m", "km", "mi", "ft", "KM"][rng.usize(..5)];
            let mut r = [1.0, 10.0, 100.0, 1000.0, 5000.0, 20000.0][rng.usize(..6)];
            r *= match unit {
                "m" => 1000.0,
                "ft" => 3280.0,
                _ => 1.0,
            };
            if key == "g3" {
                r /= 100.0;
            }
            let mut opts: Vec<String> = Vec::new();
            for o in ["WITHDIST", "WITHCOORD", "WITHHASH", "ASC", "DESC"] {
                if rng.bool() {
                    opts.push(o.into());
                }
            }
            if rng.u8(..10) < 3 {
                opts.extend(["COUNT".to_string(), rng.u32(1..20).to_string()]);
            }
            let by: Vec<String> = if rng.bool() {
                vec!["BYRADIUS".into(), format!("{r}"), unit.into()]
            } else {
                let (w, h) = (r * (0.5 + rng.f64() * 1.5), r * (0.5 + rng.f64() * 1.5));
                vec!["BYBOX".into(), format!("{w}"), format!("{h}"), unit.into()]
            };
            let member = format!("m{}", rng.usize(..600));
            let from: Vec<String> =
                if rng.u8(..10) < 6 { vec!["FROMLONLAT".into(), x.clone(), y.clone()] } else { vec!["FROMMEMBER".into(), member.clone()] };
            let mut search = vec!["GEOSEARCH", key];
            search.extend(refs(&from));
            search.extend(refs(&by));
            search.extend(refs(&opts));
            both(&mut ours, &mut theirs, &search);
            let no_with: Vec<String> = opts.iter().filter(|o| !o.starts_with("WITH")).cloned().collect();
            let mut store = vec!["GEOSEARCHSTORE", "dst", key];
            store.extend(refs(&from));
            store.extend(refs(&by));
            store.extend(refs(&no_with));
            if rng.bool() {
                store.push("STOREDIST");
            }
            both(&mut ours, &mut theirs, &store);
            same_zset(&mut ours, &mut theirs, "dst");
            let rs = format!("{r}");
            let mut radius = vec!["GEORADIUS", key, &x, &y, &rs, unit];
            radius.extend(refs(&opts));
            both(&mut ours, &mut theirs, &radius);
            let mut by_member = vec!["GEORADIUSBYMEMBER_RO", key, &member, &rs, unit];
            by_member.extend(refs(&opts));
            both(&mut ours, &mut theirs, &by_member);
            let other = format!("m{}", rng.usize(..600));
            both(&mut ours, &mut theirs, &["GEODIST", key, &member, &other, unit]);
            both(&mut ours, &mut theirs, &["GEOPOS", key, &member, &other]);
            both(&mut ours, &mut theirs, &["GEOHASH", key, &member, &other]);
        }
    }
}

/// Many members at a few places: equal distances, ordered under COUNT as Redis's
/// partial quicksort orders them, and in full sorts as its stable qsort does.
#[test]
fn equal_distances_come_in_redis_order() {
    let s = Server::start();
    let redis = RedisServer::start();
    let mut ours = s.raw();
    let mut theirs = Conn::open(redis.port).unwrap();
    let mut rng = fastrand::Rng::with_seed(0x7e5);
    for (key, places, members) in [("t1", 3, 50), ("t2", 10, 300), ("t3", 2, 8), ("t4", 40, 2000)] {
        let spots: Vec<(String, String)> =
            (0..places).map(|_| (format!("{:.6}", 13.0 + rng.f64() / 10.0), format!("{:.6}", 37.0 + rng.f64() / 10.0))).collect();
        let mut args = vec!["GEOADD".to_string(), key.to_string()];
        for i in 0..members {
            let (x, y) = &spots[rng.usize(..places)];
            args.extend([x.clone(), y.clone(), format!("m{i}")]);
        }
        both(&mut ours, &mut theirs, &refs(&args));
        for count in ["1", "2", "3", "5", "7", "10", "41", "100", "500"] {
            for order in ["ASC", "DESC"] {
                both(&mut ours, &mut theirs, &["GEOSEARCH", key, "FROMLONLAT", "13.05", "37.05", "BYRADIUS", "50", "km", order, "COUNT", count]);
                both(&mut ours, &mut theirs, &["GEORADIUS", key, "13.05", "37.05", "50", "km", order, "COUNT", count, "WITHDIST"]);
            }
            both(&mut ours, &mut theirs, &["GEOSEARCH", key, "FROMLONLAT", "13.05", "37.05", "BYRADIUS", "50", "km", "ASC"]);
        }
    }
}

/// Members whose scores no GEOADD wrote (negative, infinite, past 2^52) decode as
/// Redis's build converts the score to an integer.
#[test]
fn scores_not_written_by_geoadd_decode_as_redis_does() {
    let s = Server::start();
    let redis = RedisServer::start();
    let mut ours = s.raw();
    let mut theirs = Conn::open(redis.port).unwrap();
    let add = ["ZADD", "z", "-1", "a", "inf", "b", "-inf", "c", "1e30", "d", "9007199254740993", "e", "1.5", "f", "-0", "g"];
    both(&mut ours, &mut theirs, &add);
    for m in ["a", "b", "c", "d", "e", "f", "g"] {
        both(&mut ours, &mut theirs, &["GEOPOS", "z", m]);
        both(&mut ours, &mut theirs, &["GEOHASH", "z", m]);
        both(&mut ours, &mut theirs, &["GEODIST", "z", m, "a", "km"]);
        both(&mut ours, &mut theirs, &["GEOSEARCH", "z", "FROMMEMBER", m, "BYRADIUS", "100", "km", "ASC", "WITHCOORD"]);
    }
}

#[test]
fn geo_index_is_a_sorted_set_and_survives_kill_9() {
    let mut s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(SICILY), R::Int(2));
    assert_eq!(c.cmd(&["TYPE", "Sicily"]), R::Status("zset".into()));
    assert_eq!(c.cmd(&["ZREM", "Sicily", "Catania"]), R::Int(1));
    assert_eq!(c.cmd(&["GEOADD", "Sicily", "15.087269", "37.502669", "Catania"]), R::Int(1));
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GEODIST", "Sicily", "Palermo", "Catania"]), R::bulk("166274.1516"));
    assert_eq!(c.cmd(&["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "ASC"]), bulks(&["Palermo", "Catania"]));
}
