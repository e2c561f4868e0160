//! Writes are applied to RocksDB by a writer thread after the command that made them
//! (see `storage::pending`). These tests check that no reader can tell: every command,
//! on the same connection in the same pipeline or on another connection after the
//! reply, sees every write before it, through point reads, range reads, keyspace scans
//! and counters alike.

mod common;
use common::*;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends `cmds` as one pipelined write and reads one reply per command.
fn pipeline(s: &Server, cmds: &[Vec<String>]) -> Vec<R> {
    let sock = TcpStream::connect(s.addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut writer = sock.try_clone().unwrap();
    let mut buf = Vec::new();
    for c in cmds {
        buf.extend_from_slice(&encode(&c.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let sender = std::thread::spawn(move || writer.write_all(&buf).unwrap());
    let mut reader = BufReader::new(sock);
    let replies = cmds.iter().map(|_| read_reply(&mut reader).unwrap()).collect();
    sender.join().unwrap();
    replies
}

fn cmd(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

fn count(r: &R) -> usize {
    match r {
        R::Array(items) => items.len(),
        other => panic!("expected an array, got {other:?}"),
    }
}

#[test]
fn every_read_in_a_pipeline_sees_the_writes_before_it() {
    let s = Server::start();
    let mut cmds = Vec::new();
    for round in 0..200 {
        let key = format!("k{round}");
        cmds.push(cmd(&["SET", &key, &round.to_string()]));
        cmds.push(cmd(&["GET", &key]));
        cmds.push(cmd(&["RPUSH", "list", &round.to_string()]));
        cmds.push(cmd(&["LRANGE", "list", "0", "-1"]));
        cmds.push(cmd(&["ZADD", "z", &round.to_string(), &key]));
        cmds.push(cmd(&["ZRANGEBYSCORE", "z", "-inf", "+inf"]));
        cmds.push(cmd(&["HSET", "h", &key, "v"]));
        cmds.push(cmd(&["HLEN", "h"]));
        cmds.push(cmd(&["KEYS", "k*"]));
        cmds.push(cmd(&["DBSIZE"]));
        cmds.push(cmd(&["DEL", &format!("k{}", round / 2)]));
        cmds.push(cmd(&["EXISTS", &format!("k{}", round / 2)]));
    }
    let replies = pipeline(&s, &cmds);
    let mut deleted = std::collections::HashSet::new();
    for (round, r) in replies.chunks(12).enumerate() {
        assert_eq!(r[0], R::ok());
        assert_eq!(r[1], R::bulk(&round.to_string()), "GET after SET in round {round}");
        assert_eq!(count(&r[3]), round + 1, "LRANGE after RPUSH in round {round}");
        assert_eq!(count(&r[5]), round + 1, "ZRANGEBYSCORE after ZADD in round {round}");
        assert_eq!(r[7], R::Int(round as i64 + 1), "HLEN after HSET in round {round}");
        // KEYS sees this round's key and none of those deleted before it.
        let live = round + 1 - deleted.len();
        assert_eq!(count(&r[8]), live, "KEYS in round {round}");
        assert_eq!(r[9], R::Int(live as i64 + 3), "DBSIZE in round {round}");
        deleted.insert(round / 2);
        assert_eq!(r[11], R::Int(0), "EXISTS after DEL in round {round}");
    }
}

#[test]
fn an_acknowledged_write_is_visible_to_every_other_client() {
    let s = Server::start();
    let mut writer = s.raw();
    let mut reader = s.raw();
    for i in 0..500 {
        let member = format!("m{i}");
        assert_eq!(writer.cmd(&["SADD", "set", &member]), R::Int(1));
        assert_eq!(reader.cmd(&["SISMEMBER", "set", &member]), R::Int(1));
        assert_eq!(count(&reader.cmd(&["SMEMBERS", "set"])), i + 1);
        assert_eq!(writer.cmd(&["SET", &format!("key:{i}"), "x"]), R::ok());
        match reader.cmd(&["SCAN", "0", "MATCH", "key:*", "COUNT", "100000"]) {
            R::Array(parts) => assert_eq!(count(&parts[1]), i + 1, "SCAN after SET {i}"),
            other => panic!("SCAN answered {other:?}"),
        }
    }
}

#[test]
fn writes_in_flight_survive_a_clean_stop() {
    let mut s = Server::start();
    let cmds: Vec<_> = (0..20_000).map(|i| cmd(&["SET", &format!("k{i}"), &i.to_string()])).collect();
    let replies = pipeline(&s, &cmds);
    assert!(replies.iter().all(|r| *r == R::ok()));
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(20_000));
    assert_eq!(c.cmd(&["GET", "k19999"]), R::bulk("19999"));
}
