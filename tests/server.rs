//! Server commands against the real server: DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE,
//! INFO, CONFIG, SHUTDOWN and COMMAND, after Redis's tests/unit/info.tcl,
//! introspection.tcl, introspection-2.tcl and keyspace.tcl.

mod common;
use common::*;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn text(r: R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    }
}

fn pairs(r: R) -> Vec<(String, R)> {
    items(r).chunks(2).map(|kv| (text(kv[0].clone()), kv[1].clone())).collect()
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `field:value` of an INFO reply.
fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
}

fn fill(c: &mut Raw, prefix: &str, n: usize) {
    for i in 0..n {
        assert_eq!(c.cmd(&["SET", &format!("{prefix}{i}"), "v"]), R::ok());
    }
}

#[test]
fn dbsize_counts_the_selected_database() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    fill(&mut c, "k", 10);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(10));
    c.cmd(&["SET", "k0", "again"]);
    c.cmd(&["DEL", "k1", "nosuch"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(9));
    c.cmd(&["SELECT", "1"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE", "x"]), R::err("ERR wrong number of arguments for 'dbsize' command"));
}

#[test]
fn flushdb_empties_only_the_selected_database() {
    let s = Server::start();
    let mut c = s.raw();
    fill(&mut c, "a", 5);
    c.cmd(&["SELECT", "2"]);
    fill(&mut c, "b", 3);
    assert_eq!(c.cmd(&["FLUSHDB"]), R::ok());
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "b0"]), R::Nil);
    c.cmd(&["SELECT", "0"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(5));
    assert_eq!(c.cmd(&["FLUSHDB", "ASYNC"]), R::ok());
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "a1"]), R::Nil);
    // Writes after a flush land normally.
    assert_eq!(c.cmd(&["SET", "a1", "new"]), R::ok());
    assert_eq!(c.cmd(&["GET", "a1"]), R::bulk("new"));
    assert_eq!(c.cmd(&["FLUSHDB", "sync"]), R::ok());
    assert_eq!(c.cmd(&["FLUSHDB", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["FLUSHDB", "SYNC", "ASYNC"]), R::err("ERR syntax error"));
}

#[test]
fn flushall_empties_every_database() {
    let s = Server::start();
    let mut c = s.raw();
    for db in ["0", "1", "15"] {
        c.cmd(&["SELECT", db]);
        fill(&mut c, "k", 4);
    }
    assert_eq!(c.cmd(&["FLUSHALL"]), R::ok());
    for db in ["0", "1", "15"] {
        c.cmd(&["SELECT", db]);
        assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
        assert_eq!(c.cmd(&["GET", "k0"]), R::Nil);
    }
    fill(&mut c, "k", 2);
    assert_eq!(c.cmd(&["FLUSHALL", "ASYNC"]), R::ok());
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["FLUSHALL", "FOO"]), R::err("ERR syntax error"));
}

#[test]
fn flushdb_and_flushall_touch_watched_keys() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    a.cmd(&["SET", "w", "1"]);
    a.cmd(&["WATCH", "w"]);
    b.cmd(&["FLUSHDB"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "x", "1"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Nil);
    a.cmd(&["WATCH", "w"]);
    b.cmd(&["FLUSHALL"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "x", "1"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Nil);
    // A flush of another database leaves the watch alone.
    a.cmd(&["WATCH", "w"]);
    b.cmd(&["SELECT", "4"]);
    b.cmd(&["FLUSHDB"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "x", "1"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Array(vec![R::ok()]));
}

#[test]
fn flushall_inside_multi() {
    let s = Server::start();
    let mut c = s.raw();
    fill(&mut c, "k", 3);
    c.cmd(&["MULTI"]);
    c.cmd(&["FLUSHALL"]);
    c.cmd(&["SET", "after", "1"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::ok()]));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
}

#[test]
fn time_and_lastsave() {
    let s = Server::start();
    let mut c = s.raw();
    let t = items(c.cmd(&["TIME"]));
    assert_eq!(t.len(), 2);
    let secs: i64 = text(t[0].clone()).parse().unwrap();
    let usecs: i64 = text(t[1].clone()).parse().unwrap();
    assert!((secs - now_secs()).abs() <= 2);
    assert!((0..1_000_000).contains(&usecs));
    let R::Int(last) = c.cmd(&["LASTSAVE"]) else { panic!() };
    assert!((last - now_secs()).abs() <= 5, "{last}");
    assert_eq!(c.cmd(&["TIME", "x"]), R::err("ERR wrong number of arguments for 'time' command"));
}

#[test]
fn info_default_sections_and_fields() {
    let s = Server::start();
    let mut c = s.raw();
    fill(&mut c, "k", 3);
    let info = text(c.cmd(&["INFO"]));
    let headers: Vec<&str> = info.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(
        headers,
        ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU", "# Modules", "# Errorstats", "# Cluster", "# Keyspace"]
    );
    assert!(info.contains("\r\n"));
    assert!(info.ends_with("\r\n") && !info.ends_with("\r\n\r\n"));
    assert!(info.contains("\r\n\r\n# Clients\r\n"));
    assert!(info_field(&info, "redis_version").unwrap().starts_with("7."));
    assert_eq!(info_field(&info, "redis_mode").unwrap(), "standalone");
    assert_eq!(info_field(&info, "tcp_port").unwrap(), s.port.to_string());
    assert_eq!(info_field(&info, "process_id").unwrap(), s.pid().to_string());
    assert_eq!(info_field(&info, "role").unwrap(), "master");
    assert_eq!(info_field(&info, "connected_clients").unwrap(), "1");
    assert_eq!(info_field(&info, "maxclients").unwrap(), "10000");
    assert_eq!(info_field(&info, "db0").unwrap(), "keys=3,expires=0,avg_ttl=0");
    assert!(info_field(&info, "used_memory").unwrap().parse::<u64>().unwrap() > 0);
    assert!(info_field(&info, "total_commands_processed").unwrap().parse::<u64>().unwrap() >= 3);
    assert!(info_field(&info, "used_cpu_user").is_some());
    assert!(info_field(&info, "cmdstat_set").is_none(), "commandstats is not a default section");
}

#[test]
fn info_selected_sections() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SELECT", "7"]);
    c.cmd(&["SET", "b", "1"]);
    c.cmd(&["SET", "c", "1"]);
    assert_eq!(text(c.cmd(&["INFO", "keyspace"])), "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb7:keys=2,expires=0,avg_ttl=0\r\n");
    let two = text(c.cmd(&["INFO", "CLIENTS", "server"]));
    let headers: Vec<&str> = two.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(headers, ["# Server", "# Clients"]);
    assert_eq!(text(c.cmd(&["INFO", "nosuchsection"])), "");
    let all = text(c.cmd(&["INFO", "all"]));
    assert!(all.contains("# Commandstats\r\n"));
    assert!(info_field(&all, "cmdstat_set").unwrap().starts_with("calls=3,usec="));
    assert!(info_field(&all, "cmdstat_info").is_some());
    assert!(text(c.cmd(&["INFO", "everything"])).contains("# Keyspace"));
}

#[test]
fn info_commandstats_and_errorstats() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["GET", "a"]);
    c.cmd(&["GET", "a"]);
    c.cmd(&["GET"]);
    c.cmd(&["NOSUCHCMD"]);
    c.cmd(&["SELECT", "99"]);
    c.cmd(&["CONFIG", "GET", "maxclients"]);
    let stats = text(c.cmd(&["INFO", "commandstats"]));
    let get = info_field(&stats, "cmdstat_get").unwrap();
    assert!(get.starts_with("calls=2,usec="), "{get}");
    assert!(get.ends_with(",rejected_calls=1,failed_calls=0"), "{get}");
    let select = info_field(&stats, "cmdstat_select").unwrap();
    assert!(select.ends_with(",rejected_calls=0,failed_calls=1"), "{select}");
    assert!(info_field(&stats, "cmdstat_config|get").unwrap().starts_with("calls=1,"));
    let errors = text(c.cmd(&["INFO", "errorstats"]));
    assert_eq!(info_field(&errors, "errorstat_ERR").unwrap(), "count=3");
    let stats = text(c.cmd(&["INFO", "stats"]));
    assert_eq!(info_field(&stats, "total_error_replies").unwrap(), "3");
}

#[test]
fn config_get_with_patterns() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "maxclients"])), vec![("maxclients".to_string(), R::bulk("10000"))]);
    // A plain name answers under the name as given.
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "MAXCLIENTS"])), vec![("MAXCLIENTS".to_string(), R::bulk("10000"))]);
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "MAXCL*"])), vec![("maxclients".to_string(), R::bulk("10000"))]);
    let several = pairs(c.cmd(&["CONFIG", "GET", "port", "time*", "appendfsync", "port"]));
    let names: Vec<&str> = several.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["port", "timeout", "appendfsync"]);
    assert_eq!(several[0].1, R::bulk(&s.port.to_string()));
    assert_eq!(several[2].1, R::bulk("everysec"));
    assert_eq!(c.cmd(&["CONFIG", "GET", "nosuch"]), R::Array(vec![]));
    let everything = pairs(c.cmd(&["CONFIG", "GET", "*"]));
    for name in ["bind", "port", "dir", "databases", "appendfsync", "requirepass", "timeout", "proto-max-bulk-len"] {
        assert!(everything.iter().any(|(k, _)| k == name), "{name} missing");
    }
    assert_eq!(c.cmd(&["CONFIG", "GET"]), R::err("ERR wrong number of arguments for 'config|get' command"));
    assert_eq!(c.cmd(&["CONFIG"]), R::err("ERR wrong number of arguments for 'config' command"));
    assert_eq!(c.cmd(&["CONFIG", "FOO"]), R::err("ERR unknown subcommand 'FOO'. Try CONFIG HELP."));
}

#[test]
fn config_set_several_pairs_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "500", "TIMEOUT", "300", "hz", "20"]), R::ok());
    let got = pairs(c.cmd(&["CONFIG", "GET", "maxclients", "timeout", "hz"]));
    assert_eq!(got.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(), [R::bulk("500"), R::bulk("300"), R::bulk("20")]);

    let cases: &[(&[&str], &str)] = &[
        (&["maxclients", "10", "timeout"], "ERR syntax error"),
        (&["nosuch", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
        (&["maxclients", "abc"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"),
        (&["maxclients", "0"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
        (&["maxclients", "10", "maxclients", "20"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"),
        (&["databases", "4"], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
        (&["appendfsync", "sometimes"], "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"),
        (&["timeout", "-1"], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"),
        (&["proto-max-bulk-len", "10"], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"),
        (&["client-query-buffer-limit", "abc"], "ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - argument must be a memory value"),
        (&["nosuch", "1", "databases", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
        (&["databases", "1", "nosuch", "1"], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
    ];
    for (args, err) in cases {
        let mut cmd = vec!["CONFIG", "SET"];
        cmd.extend_from_slice(args);
        assert_eq!(c.cmd(&cmd), R::err(err), "CONFIG SET {args:?}");
    }
    // All or nothing: a bad second pair leaves the first one unapplied.
    assert_ne!(c.cmd(&["CONFIG", "SET", "maxclients", "42", "timeout", "-5"]), R::ok());
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "maxclients"]))[0].1, R::bulk("500"));
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients"]), R::err("ERR wrong number of arguments for 'config|set' command"));
    // Memory units are understood.
    assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "2mb"]), R::ok());
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "proto-max-bulk-len"]))[0].1, R::bulk("2097152"));
}

#[test]
fn config_set_takes_effect() {
    let s = Server::start();
    let mut c = s.raw();
    // requirepass: new connections must authenticate, this one stays in.
    assert_eq!(c.cmd(&["CONFIG", "SET", "requirepass", "sekret"]), R::ok());
    let mut d = s.raw();
    assert_eq!(d.cmd(&["PING"]), R::err("NOAUTH Authentication required."));
    assert_eq!(d.cmd(&["AUTH", "sekret"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "SET", "requirepass", ""]), R::ok());
    let mut e = s.raw();
    assert_eq!(e.cmd(&["PING"]), R::Status("PONG".into()));
    // proto-max-bulk-len: a larger argument is refused with a protocol error.
    assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]), R::ok());
    let mut f = s.raw();
    f.send(format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", 2 << 20).as_bytes());
    assert_eq!(f.read(), R::err("ERR Protocol error: invalid bulk length"));
    // timeout: an idle client is closed.
    assert_eq!(c.cmd(&["CONFIG", "SET", "timeout", "1"]), R::ok());
    let mut idle = s.raw();
    idle.cmd(&["PING"]);
    let started = Instant::now();
    assert!(idle.read_to_close().is_empty());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn config_resetstat_zeroes_counters() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["GET"]);
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT"]), R::ok());
    let info = text(c.cmd(&["INFO", "all"]));
    assert!(info_field(&info, "cmdstat_set").is_none(), "{info}");
    assert!(info_field(&info, "errorstat_ERR").is_none());
    assert_eq!(info_field(&info, "total_error_replies").unwrap(), "0");
    assert!(info_field(&info, "total_commands_processed").unwrap().parse::<u64>().unwrap() <= 2);
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT", "x"]), R::err("ERR wrong number of arguments for 'config|resetstat' command"));
}

#[test]
fn config_rewrite_needs_a_file() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), R::err("ERR The server is running without a config file"));
}

#[test]
fn config_rewrite_persists_settings_across_restart() {
    let conf_dir = tempfile::tempdir().unwrap();
    let conf = conf_dir.path().join("diskdb.conf");
    std::fs::write(&conf, "# my settings\nmaxclients 100\nhz 10\n").unwrap();
    let mut s = Server::start_with(&[conf.to_str().unwrap()]);
    let mut c = s.raw();
    assert_eq!(pairs(c.cmd(&["CONFIG", "GET", "maxclients"]))[0].1, R::bulk("100"));
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "321", "timeout", "77"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), R::ok());
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.starts_with("# my settings\nmaxclients 321\nhz 10\n"), "{text}");
    assert!(text.contains("\ntimeout 77\n"), "{text}");
    drop(c);
    s.restart();
    let mut c = s.raw();
    let got = pairs(c.cmd(&["CONFIG", "GET", "maxclients", "timeout"]));
    assert_eq!(got[0].1, R::bulk("321"));
    assert_eq!(got[1].1, R::bulk("77"));
}

#[test]
fn config_help() {
    let s = Server::start();
    let mut c = s.raw();
    let lines = items(c.cmd(&["CONFIG", "HELP"]));
    assert_eq!(lines[0], R::Status("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:".into()));
    assert!(lines.contains(&R::Status("GET <pattern>".into())));
}

#[test]
fn shutdown_options_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SHUTDOWN", "ABORT"]), R::err("ERR No shutdown in progress."));
    assert_eq!(c.cmd(&["SHUTDOWN", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SHUTDOWN", "NOSAVE", "SAVE"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SHUTDOWN", "NOW", "ABORT"]), R::err("ERR syntax error"));
    c.cmd(&["MULTI"]);
    assert_eq!(c.cmd(&["SHUTDOWN"]), R::err("ERR Command not allowed inside a transaction"));
}

#[test]
fn shutdown_stops_cleanly_and_keeps_data() {
    let mut s = Server::start();
    let mut c = s.raw();
    fill(&mut c, "k", 20);
    c.send(&encode(&["SHUTDOWN", "NOSAVE", "NOW", "FORCE"]));
    // No reply: the connection closes and the process exits by itself.
    assert!(c.read_to_close().is_empty());
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.alive() {
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(20));
    assert_eq!(c.cmd(&["GET", "k19"]), R::bulk("v"));
}

#[test]
fn command_count_and_list_agree_with_the_table() {
    let s = Server::start();
    let mut c = s.raw();
    let R::Int(count) = c.cmd(&["COMMAND", "COUNT"]) else { panic!() };
    let all = items(c.cmd(&["COMMAND"]));
    assert_eq!(all.len() as i64, count);
    let names: Vec<String> = items(c.cmd(&["COMMAND", "LIST"])).into_iter().map(text).collect();
    for n in ["get", "set", "del", "dbsize", "config", "config|get", "client|list", "command|docs", "hello"] {
        assert!(names.iter().any(|x| x == n), "{n} not listed");
    }
    assert!(names.len() as i64 > count, "subcommands are listed too");
    assert_eq!(c.cmd(&["COMMAND", "LIST", "FILTERBY", "pattern", "dbs*"]), bulks(&["dbsize"]));
    assert_eq!(c.cmd(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|G*"]), bulks(&["config|get"]));
    let conn: Vec<String> = items(c.cmd(&["COMMAND", "LIST", "FILTERBY", "aclcat", "connection"])).into_iter().map(text).collect();
    assert!(conn.contains(&"ping".to_string()) && conn.contains(&"client|kill".to_string()));
    assert!(!conn.contains(&"get".to_string()));
    assert_eq!(c.cmd(&["COMMAND", "LIST", "FILTERBY", "module", "json"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["COMMAND", "LIST", "FILTERBY"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["COMMAND", "LIST", "FILTERBY", "foo", "bar"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["COMMAND", "FOO"]), R::err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
}

#[test]
fn command_info_has_the_redis7_shape() {
    let s = Server::start();
    let mut c = s.raw();
    let got = items(c.cmd(&["COMMAND", "INFO", "get", "nosuch", "CONFIG|GET"]));
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], R::Nil);
    let get = items(got[0].clone());
    assert_eq!(get.len(), 10);
    assert_eq!(get[0], R::bulk("get"));
    assert_eq!(get[1], R::Int(2));
    assert_eq!(get[2], R::Array(vec![R::Status("readonly".into()), R::Status("fast".into())]));
    assert_eq!(&get[3..6], &[R::Int(1), R::Int(1), R::Int(1)]);
    let cats = items(get[6].clone());
    assert!(cats.contains(&R::Status("@read".into())) && cats.contains(&R::Status("@string".into())));
    assert_eq!(get[7], R::Array(vec![]));
    let specs = items(get[8].clone());
    assert_eq!(specs.len(), 1);
    let spec = pairs(specs[0].clone());
    assert_eq!(spec.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["flags", "begin_search", "find_keys"]);
    let begin = pairs(spec[1].1.clone());
    assert_eq!(begin[0], ("type".to_string(), R::bulk("index")));
    assert_eq!(pairs(begin[1].1.clone()), vec![("index".to_string(), R::Int(1))]);
    let find = pairs(spec[2].1.clone());
    assert_eq!(find[0], ("type".to_string(), R::bulk("range")));
    assert_eq!(
        pairs(find[1].1.clone()),
        vec![("lastkey".to_string(), R::Int(0)), ("keystep".to_string(), R::Int(1)), ("limit".to_string(), R::Int(0))]
    );
    assert_eq!(get[9], R::Array(vec![]));

    let cfg = items(got[2].clone());
    assert_eq!(cfg[0], R::bulk("config|get"));
    assert_eq!(cfg[1], R::Int(-3));
    // A container lists its subcommands in the last field.
    let config = items(items(c.cmd(&["COMMAND", "INFO", "config"]))[0].clone());
    let subs: Vec<R> = items(config[9].clone()).into_iter().map(|e| items(e)[0].clone()).collect();
    assert!(subs.contains(&R::bulk("config|set")));
    // Multi-key ranges: DEL's last key is -1.
    let del = items(items(c.cmd(&["COMMAND", "INFO", "del"]))[0].clone());
    assert_eq!(&del[3..6], &[R::Int(1), R::Int(-1), R::Int(1)]);
    // RESP3: flags are a set.
    c.cmd(&["HELLO", "3"]);
    let get3 = items(items(c.cmd(&["COMMAND", "INFO", "get"]))[0].clone());
    assert!(matches!(get3[2], R::Agg('~', _)));
}

#[test]
fn command_docs_map_shape() {
    let s = Server::start();
    let mut c = s.raw();
    let docs = pairs(c.cmd(&["COMMAND", "DOCS", "get", "nosuch", "config"]));
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].0, "get");
    let get = pairs(docs[0].1.clone());
    let keys: Vec<&str> = get.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["summary", "since", "group", "complexity", "arguments"]);
    assert_eq!(get[1].1, R::bulk("1.0.0"));
    assert_eq!(get[2].1, R::bulk("string"));
    assert_eq!(get[3].1, R::bulk("O(1)"));
    // The argument trees themselves are compared with redis-server's in command_docs.rs.
    let key = pairs(items(get[4].1.clone())[0].clone());
    assert_eq!(key, [("name".to_string(), R::bulk("key")), ("type".to_string(), R::bulk("key")), ("key_spec_index".to_string(), R::Int(0))]);
    let config = pairs(docs[1].1.clone());
    let (name, subs) = config.last().unwrap().clone();
    assert_eq!(name, "subcommands");
    let subs = pairs(subs);
    assert!(subs.iter().any(|(k, _)| k == "config|get"));
    let all = pairs(c.cmd(&["COMMAND", "DOCS"]));
    let R::Int(count) = c.cmd(&["COMMAND", "COUNT"]) else { panic!() };
    assert_eq!(all.len() as i64, count);
    assert_eq!(c.cmd(&["COMMAND", "DOCS", "nosuch"]), R::Array(vec![]));
}

#[test]
fn command_getkeys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "SET", "a", "b"]), bulks(&["a"]));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "del", "a", "b", "c"]), bulks(&["a", "b", "c"]));
    assert_eq!(
        c.cmd(&["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"]),
        R::Array(vec![R::Array(vec![R::bulk("a"), R::Array(vec![R::Status("OW".into()), R::Status("update".into())])])])
    );
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "nosuch", "a"]), R::err("ERR Invalid command specified"));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "get", "a", "b"]), R::err("ERR Invalid number of arguments specified for command"));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "config", "get", "x"]), R::err("ERR The command has no key arguments"));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "config|get", "x"]), R::err("ERR Invalid command specified"));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "get"]), R::err("ERR wrong number of arguments for 'command|getkeys' command"));
}

#[test]
fn redis_cli_reads_info_and_config() {
    let s = Server::start();
    s.cli(&["SET", "a", "b"]);
    let info = s.cli(&["INFO", "keyspace"]);
    assert!(info.contains("db0:keys=1,expires=0,avg_ttl=0"), "{info}");
    assert_eq!(s.cli(&["CONFIG", "GET", "databases"]), "databases\n16\n");
    assert_eq!(s.cli(&["DBSIZE"]).trim(), "1");
}

/// CONFIG SET loglevel changes what the running server logs.
#[test]
fn config_set_loglevel_applies_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("diskdb.log");
    let s = Server::start_with(&["--logfile", log.to_str().unwrap()]);
    let protocol_error = || {
        let mut bad = s.raw();
        bad.send(b"*1\r\n$x\r\n");
        let _ = bad.read_to_close();
    };
    protocol_error();
    let mut c = s.raw();
    // INFO is answered after the earlier connection's error was handled and logged (or not).
    c.cmd(&["INFO", "stats"]);
    assert!(!std::fs::read_to_string(&log).unwrap_or_default().contains("protocol error"));
    assert_eq!(c.cmd(&["CONFIG", "SET", "loglevel", "debug"]), R::ok());
    protocol_error();
    c.cmd(&["INFO", "stats"]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("protocol error"), "log: {text}");
}

#[test]
fn info_reports_instantaneous_rates_while_clients_are_busy() {
    let s = Server::start();
    let mut busy = s.raw();
    let mut c = s.client();
    let rate = |c: &mut redis::Connection, name: &str| -> f64 {
        let info: String = redis::cmd("INFO").arg("stats").query(c).unwrap();
        info_field(&info, name).unwrap().parse().unwrap()
    };
    assert_eq!(rate(&mut c, "instantaneous_ops_per_sec"), 0.0);
    // Keep a client busy until the sampler (every 100 ms) has seen it.
    let pings: Vec<u8> = (0..500).flat_map(|_| encode(&["PING"])).collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while rate(&mut c, "instantaneous_ops_per_sec") == 0.0 {
        assert!(std::time::Instant::now() < deadline, "instantaneous_ops_per_sec stayed 0");
        busy.send(&pings);
        for _ in 0..500 {
            assert_eq!(busy.read(), R::Status("PONG".into()));
        }
    }
    assert!(rate(&mut c, "instantaneous_input_kbps") > 0.0);
    assert!(rate(&mut c, "instantaneous_output_kbps") > 0.0);
}
