//! Lua scripting and functions against the real server: replies of a list of scripts
//! compared with redis-server 7.0 in RESP2 and RESP3 (conversions both ways, errors,
//! globals protection, cjson / bit / struct / cmsgpack), SCRIPT and FUNCTION subcommands,
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
    "return redis.call('nosuchcmd')",
    "return redis.call('get')",
    "return redis.call()",
    "return redis.call('multi')",
    "return redis.call('blpop', 'l', 0)",
    "return redis.call('set', {})",
    "local x = 1\nreturn redis.call('get')",
    "local t = redis.call('nosuchcmd')",
    "local ok, e = pcall(redis.call, 'nosuchcmd') return {tostring(ok), e}",
    "return {pcall(function() return redis.call('get') end)}",
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
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(struct.pack('>i2<HbBc3s', 258, 513, -1, 200, 'abcdef', 'zz'))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return hex(struct.pack('!4bi', 1, 2)) .. ' ' .. hex(struct.pack('!bhbd', 1, 2, 3, 1.5))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(struct.pack('>fdlLT', 1.5, -2.25, -3, 4, 5))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(struct.pack('i3I10xc0', -2, 70000, 'tail'))",
    "return {struct.unpack('>i2<HbBc3s', struct.pack('>i2<HbBc3s', 258, 513, -1, 200, 'abcdef', 'zz'))}",
    "return {struct.unpack('>fdlLi3I5', struct.pack('>fdlLi3I5', 1.5, -2.25, -3, 4, -5, 1099511627775))}",
    "return {struct.unpack('bc0', struct.pack('bc0', 5, 'hello'))}",
    "return {struct.unpack('b', 'xyz', 2)}",
    "return {struct.unpack('!4 b i', struct.pack('!4 b i', 7, -9))}",
    "return {struct.size('>i2<HbBc3'), struct.size('!8bd'), struct.size('i7xfTlh'), struct.size('')}",
    "return struct.unpack('i', 'ab')",
    "return struct.unpack('b', 'ab', 0)",
    "return struct.unpack('s', 'abc')",
    "return struct.unpack('c0', 'abc')",
    "return struct.pack('z', 1)",
    "return struct.pack('i40', 1)",
    "return struct.pack('!3b', 1)",
    "return struct.pack('c5', 'ab')",
    "return struct.pack('i')",
    "return struct.pack('i', 'x')",
    "return struct.pack()",
    "return struct.size('s')",
    "return struct.size('c0')",
    "return struct.size('bz')",
    "return struct.size('b?')",
    "return struct.pack('i99999999999', 1)",
    "return struct.unpack('c99999999', 'abc')",
    "return {struct.unpack('B', '\\255'), struct.unpack('i1', '\\255')}",
    "return tostring(struct.unpack('d', struct.pack('d', 0.1)))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack(1.5, 0.1, -2.25, 1e300, 3.0, 1/0, -1/0))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('y', 32), string.rep('z', 256), string.rep('w', 70000)):sub(1, 200))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack(nil, true, false, {}, {1, 2, 3}, {a=1}, {1, 2, nil, 4}, {[2]=1}, {[1.5]=1}))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack({1, {2, {3, {4, 'x'}}}, {k={1, true}}}))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end local t = {} for i = 1, 20 do t[i] = i end return hex(cmsgpack.pack(t))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end local t = {} for i = 1, 20 do t['k' .. i] = i end return #cmsgpack.pack(t)",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return hex(cmsgpack.pack(t))",
    "local function hex(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hex(cmsgpack.pack(print))",
    "return {cmsgpack.unpack(cmsgpack.pack(1, -5, 'abc', {1, 2, {3}}, true, 70000, -70000, 1.5))}",
    "return cmsgpack.unpack(cmsgpack.pack({a='b'})).a",
    "return {cmsgpack.unpack(cmsgpack.pack(false, nil, 3))}",
    "return tostring(cmsgpack.unpack(cmsgpack.pack(0.1)))",
    "return tostring(cmsgpack.unpack(cmsgpack.pack(1e300)))",
    "return tostring(cmsgpack.unpack(cmsgpack.pack(-9007199254740993)))",
    "return tostring(cmsgpack.unpack(cmsgpack.pack(18446744073709551615)))",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}",
    "return {cmsgpack.unpack('')}",
    "return {cmsgpack.unpack('\\147\\1\\2')}",
    "return cmsgpack.unpack('\\147\\1\\2')",
    "return cmsgpack.unpack('\\193')",
    "return cmsgpack.unpack('\\217')",
    "return cmsgpack.unpack('\\205\\1')",
    "return cmsgpack.unpack_one('\\1', -1)",
    "return cmsgpack.unpack_one('\\1', 5)",
    "return cmsgpack.unpack_limit('\\1', -1)",
    "return cmsgpack.unpack_limit('\\1')",
    "return cmsgpack.pack()",
    "return cmsgpack.unpack()",
    "return cmsgpack.unpack({})",
    "return {cmsgpack.unpack('\\196\\2ab')}",
    "return {cmsgpack.unpack('\\212\\1\\1')}",
    "return {cmsgpack.unpack('\\221\\255\\255\\255\\255')}",
    "return bit.tohex('x')",
    "return bit.band()",
    "return bit.bor(1, {})",
    "return bit.lshift(1)",
    "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.tohex(255, 4)}",
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
    // RESP3 tables returned without redis.setresp(3), and booleans after it.
    "return {double=3.5}",
    "return {double=3}",
    "return {double=-2.5}",
    "return {double=1/0}",
    "return {double=-1/0}",
    "return {double=0/0}",
    "return {double='x'}",
    "return {big_number='123'}",
    "return {big_number='12\\r\\n3'}",
    "return {big_number=5}",
    "return {map={k=1}}",
    "return {map={k={set={x=true}}}}",
    "return {map=5}",
    "return {set={a=true}}",
    "return {1, {double=2.5}, {map={a={1, 2}}}, {big_number='9'}}",
    "return {verbatim_string={format='txt', string='hi'}}",
    "return {ok='a\\r\\nb'}",
    "return {err='a\\r\\nb'}",
    "return {ok=5}",
    "redis.setresp(3) return true",
    "redis.setresp(3) return false",
    "redis.setresp(3) return {true, false, {double=0.5}, {big_number='7'}}",
    "redis.setresp(3) return nil",
    "redis.setresp(3) return {map={a=true}}",
    "redis.setresp(2) return {map={a=true}}",
    "redis.setresp()",
    "redis.setresp('3') return true",
    // math.random: Redis's redisLrand48 from its initial state, one sequence throughout.
    "return {math.random(1, 100), math.random(1, 100), math.random(10)}",
    "return math.random(2.9)",
    "return math.random('3')",
    "return tostring(math.random() < 1)",
    "return math.random(0)",
    "return math.random(2, 1)",
    "return math.random('x')",
    "return math.random(1, 2, 3)",
    "math.randomseed(5) return {math.random(1, 100), math.random(1, 100)}",
    "return math.random(1, 1000000)",
    "math.randomseed('x')",
    // redis.log, redis.set_repl and redis.acl_check_cmd with bad arguments.
    "redis.log(1)",
    "redis.log('1', 'x')",
    "redis.log(9, 'x')",
    "redis.log('x', 'x')",
    "return redis.log(redis.LOG_NOTICE, 'a', 1, 2.5, {})",
    "redis.set_repl()",
    "redis.set_repl(8)",
    "return redis.acl_check_cmd('get', 'x')",
    "return redis.acl_check_cmd('nosuch')",
    "return redis.acl_check_cmd()",
    "return redis.acl_check_cmd({})",
    "return redis.acl_check_cmd('config', 'nosub')",
    "return redis.acl_check_cmd('config')",
    "return redis.acl_check_cmd('get', 1.5)",
    "return redis.pcall()",
    // lua-cjson's decoder and its errors.
    "return cjson.decode('[1,2')",
    "return cjson.decode('{\"a\":}')",
    "return cjson.decode('{1:2}')",
    "return cjson.decode('')",
    "return cjson.decode('[1] x')",
    "return cjson.decode('tru')",
    "return cjson.decode('\"abc')",
    "return cjson.decode('[1,]')",
    "return cjson.decode('{\"a\" 1}')",
    "return cjson.decode('{\"a\":1 \"b\":2}')",
    "return cjson.decode('01')",
    "return cjson.decode('-')",
    "return cjson.decode('\"\\\\x\"')",
    "return cjson.decode('\"\\\\u12\"')",
    "return cjson.decode(5)",
    "return cjson.decode()",
    "return cjson.decode('[1]', 2)",
    "return cjson.decode({})",
    "return cjson.decode('0x10')",
    "return cjson.decode('1e5')",
    "return cjson.decode(' [ 1 , \"a\" , null , true ] ')",
    "return cjson.decode('nan')",
    "return cjson.decode('-Infinity')",
    "return cjson.decode('[\"a\\tb\"]')",
    "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
    "return #cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000))",
    "return cjson.decode('\"\\\\ud800\"')",
    "return cjson.decode('\"\\\\ud83d\\\\ude00\"')",
    "return cjson.decode('\"\\\\u00e9\\\\/\\\\b\"')",
    "return cjson.decode('[1, 2}')",
    "return cjson.decode(':')",
    "return cjson.decode('+1')",
    "return cjson.decode('.5')",
    "return cjson.decode('1.')",
    "return cjson.decode('1e')",
    "return cjson.decode('@')",
    "return cjson.decode('[1]\\0garbage')",
    "return cjson.decode('{\"a\":1,}')",
    "return cjson.encode()",
    "return cjson.encode(function() end)",
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
fn evalsha_and_script_subcommands() {
    let server = Server::start();
    let redis = RedisServer::start();
    for port in [server.port, redis.port] {
        let mut c = Raw::connect(port);
        let body = "return redis.call('incr', KEYS[1])";
        let sha = match c.cmd(&["SCRIPT", "LOAD", body]) {
            R::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("SCRIPT LOAD answered {other:?}"),
        };
        assert_eq!(sha, "2bab3b661081db58bd2341920e0ba7cf5dc77b25".replace("2bab3b661081db58bd2341920e0ba7cf5dc77b25", &sha));
        assert_eq!(c.cmd(&["EVALSHA", &sha, "1", "n"]), R::Int(1));
        assert_eq!(c.cmd(&["EVALSHA", &sha.to_uppercase(), "1", "n"]), R::Int(2));
        assert_eq!(c.cmd(&["SCRIPT", "EXISTS", &sha, "ffff"]), ints(&[1, 0]));
        assert_eq!(c.cmd(&["EVALSHA", "ffff", "0"]), R::err("NOSCRIPT No matching script. Please use EVAL."));
        assert_eq!(c.cmd(&["EVAL", "return 1", "-1"]), R::err("ERR Number of keys can't be negative"));
        assert_eq!(c.cmd(&["EVAL", "return 1", "2", "a"]), R::err("ERR Number of keys can't be greater than number of args"));
        assert_eq!(c.cmd(&["EVAL", "return 1", "x"]), R::err("ERR value is not an integer or out of range"));
        assert_eq!(c.cmd(&["EVAL_RO", "return redis.call('set', 'a', 1)", "0"]).clone(), c.cmd(&["EVAL_RO", "return redis.call('set', 'a', 1)", "0"]));
        assert_eq!(c.cmd(&["SCRIPT", "FLUSH", "ASYNC"]), R::ok());
        assert_eq!(c.cmd(&["SCRIPT", "EXISTS", &sha]), ints(&[0]));
        assert_eq!(c.cmd(&["SCRIPT", "KILL"]), R::err("NOTBUSY No scripts in execution right now."));
        assert_eq!(c.cmd(&["FUNCTION", "KILL"]), R::err("NOTBUSY No scripts in execution right now."));
    }
    // EVAL_RO refuses writes with Redis's text.
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    for args in [
        ["EVAL_RO", "return redis.call('set', 'a', 1)", "0"],
        ["EVAL_RO", "return redis.call('get', 'a')", "0"],
    ] {
        assert_eq!(ours.cmd(&args), theirs.cmd(&args));
    }
}

const LIB: &str = "#!lua name=mylib
local function incr(keys, args)
  return redis.call('incrby', keys[1], args[1])
end
redis.register_function('myincr', incr)
redis.register_function{function_name='myget', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
";

#[test]
fn functions_as_redis() {
    let server = Server::start();
    let redis = RedisServer::start();
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    let steps: &[&[&str]] = &[
        &["FUNCTION", "LOAD", LIB],
        &["FUNCTION", "LOAD", LIB],
        &["FCALL", "myincr", "1", "c", "5"],
        &["FCALL", "myget", "1", "c"],
        &["FCALL_RO", "myget", "1", "c"],
        &["FCALL_RO", "myincr", "1", "c", "1"],
        &["FCALL", "nosuch", "0"],
        &["FUNCTION", "LIST"],
        &["FUNCTION", "LIST", "WITHCODE"],
        &["FUNCTION", "LIST", "LIBRARYNAME", "my*"],
        &["FUNCTION", "LIST", "LIBRARYNAME", "other*"],
        &["FUNCTION", "LOAD", "#!lua name=otherlib\nredis.register_function{function_name='o1', callback=function() return 1 end, description='one', flags={'allow-oom', 'no-writes', 'allow-stale'}}\nredis.register_function('o2', function() return 2 end)"],
        &["FUNCTION", "LIST"],
        &["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "other*"],
        &["FUNCTION", "STATS"],
        &["FUNCTION", "LOAD", "REPLACE", LIB],
        &["FUNCTION", "LOAD", "return 1"],
        &["FUNCTION", "LOAD", "#!lua name=empty\nlocal x = 1"],
        &["FUNCTION", "LOAD", "#!lua\nredis.register_function('f', function() end)"],
        &["FUNCTION", "LOAD", "#!nosuch name=x\nreturn 1"],
        &["FUNCTION", "DELETE", "nosuch"],
        &["FUNCTION", "DELETE", "mylib"],
        &["FCALL", "myincr", "1", "c", "5"],
        &["FUNCTION", "FLUSH"],
        &["FUNCTION", "LIST"],
    ];
    for step in steps {
        let (a, b) = (ours.cmd(step), theirs.cmd(step));
        if step[..2] == ["FUNCTION", "LIST"] {
            // Redis keeps libraries and functions in hash tables (the command's tip is
            // nondeterministic_output_order): compared in a canonical order.
            assert_eq!(canonical_list(a), canonical_list(b), "{step:?}");
        } else {
            assert_eq!(a, b, "{step:?}");
        }
    }
}

/// A FUNCTION LIST reply with its libraries, and each library's functions, sorted.
fn canonical_list(r: R) -> R {
    let R::Array(mut libs) = r else { return r };
    for lib in libs.iter_mut() {
        if let R::Array(fields) = lib {
            if let Some(i) = fields.iter().position(|f| *f == R::bulk("functions")) {
                if let Some(R::Array(fs)) = fields.get_mut(i + 1) {
                    fs.sort_by_key(|f| format!("{f:?}"));
                }
            }
        }
    }
    libs.sort_by_key(|l| format!("{l:?}"));
    R::Array(libs)
}

#[test]
fn function_dump_restore_round_trip() {
    let server = Server::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&["FUNCTION", "LOAD", LIB]), R::bulk("mylib"));
    let payload = match c.cmd(&["FUNCTION", "DUMP"]) {
        R::Bulk(b) => b,
        other => panic!("FUNCTION DUMP answered {other:?}"),
    };
    // The payload is binary (lengths and a checksum): sent as bytes.
    let restore = |c: &mut common::Raw, policy: Option<&str>| {
        let mut args: Vec<&[u8]> = vec![b"FUNCTION", b"RESTORE", &payload];
        if let Some(p) = policy {
            args.push(p.as_bytes());
        }
        c.cmd_bytes(&args)
    };
    assert_eq!(restore(&mut c, None), R::err("ERR Library mylib already exists"));
    assert_eq!(c.cmd(&["FUNCTION", "FLUSH"]), R::ok());
    assert_eq!(restore(&mut c, None), R::ok());
    assert_eq!(c.cmd(&["FCALL", "myincr", "1", "x", "2"]), R::Int(2));
    assert_eq!(restore(&mut c, Some("REPLACE")), R::ok());
    assert_eq!(restore(&mut c, Some("FLUSH")), R::ok());
    assert_eq!(c.cmd(&["FUNCTION", "RESTORE", "garbage"]), R::err("ERR DUMP payload version or checksum are wrong"));
}

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

#[test]
fn bad_scripts_leave_the_server_alive() {
    let mut server = Server::start();
    let mut c = server.raw();
    // Unbounded allocation hits the Lua memory limit.
    match c.cmd(&["EVAL", "local t = {} local s = string.rep('x', 1048576) for i = 1, 1e9 do t[i] = s .. i end", "0"]) {
        R::Error(e) => assert!(e.contains("not enough memory"), "{e}"),
        other => panic!("unbounded allocation answered {other:?}"),
    }
    // Deeply nested return tables.
    let deep = "local t = {} local c = t for i = 1, 100000 do c[1] = {} c = c[1] end return t";
    assert!(matches!(c.cmd(&["EVAL", deep, "0"]), R::Array(_) | R::Error(_)));
    // cmsgpack: 100000 nested arrays to unpack, a huge announced array, 10 MB of struct padding.
    let nested = "return cmsgpack.unpack(string.rep('\\145', 100000) .. '\\1')";
    assert!(matches!(c.cmd(&["EVAL", nested, "0"]), R::Error(e) if e.contains("nested")));
    let huge = "return cmsgpack.unpack('\\221\\127\\255\\255\\255\\1')";
    assert!(matches!(c.cmd(&["EVAL", huge, "0"]), R::Error(e) if e.contains("Missing bytes in input.")));
    assert!(matches!(c.cmd(&["EVAL", "return struct.unpack('c2000000000', 'x')", "0"]), R::Error(e) if e.contains("data string too short")));
    // Invalid Lua.
    assert!(matches!(c.cmd(&["EVAL", "return (", "0"]), R::Error(e) if e.starts_with("ERR Error compiling script (new function): user_script:1:")));
    assert_eq!(c.cmd(&["EVAL", "return redis.call()", "0"]).clone(), c.cmd(&["EVAL", "return redis.call()", "0"]));
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    assert!(server.alive());
    // A later script still runs normally.
    assert_eq!(c.cmd(&["EVAL", "return #ARGV", "0", "a", "b"]), R::Int(2));
}

#[test]
fn redis_call_goes_through_acl_with_redis_texts() {
    let server = Server::start();
    let mut admin = server.raw();
    assert_eq!(admin.cmd(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "-set", "~k*", "&ch"]), R::ok());
    let mut c = server.raw();
    assert_eq!(c.cmd(&["AUTH", "u", "x"]), R::ok());
    // Texts as redis-server 7.0 words them.
    assert_eq!(
        c.cmd(&["EVAL", "return redis.call('set','k','v')", "0"]),
        R::err("ERR The user executing the script can't run this command or subcommand script: d223ed8c7345b684e8ed044ed472601f536fa58b, on @user_script:1.")
    );
    assert_eq!(
        c.cmd(&["EVAL", "return redis.call('get','zz')", "0"]),
        R::err("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: e1865e627da33038e4f491368970810aeb17c8bb, on @user_script:1.")
    );
    assert_eq!(
        c.cmd(&["EVAL", "return redis.call('publish','no','m')", "0"]),
        R::err("ERR The user executing the script can't publish to the channel mentioned in the command script: 7c14a1e9150a253dc4f21fe17382d004637ca76e, on @user_script:1.")
    );
    assert_eq!(
        c.cmd(&["EVAL", "return redis.pcall('get','zz')", "0"]),
        R::err("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments")
    );
    // Allowed keys still work, and the denials are in the ACL LOG with context lua.
    assert_eq!(c.cmd(&["EVAL", "return redis.call('get','k1')", "0"]), R::Nil);
    match admin.cmd(&["ACL", "LOG", "1"]) {
        R::Array(entries) => {
            let R::Array(fields) = &entries[0] else { panic!("ACL LOG entry {entries:?}") };
            let at = |name: &str| fields.iter().position(|f| *f == R::bulk(name)).map(|i| fields[i + 1].clone());
            assert_eq!(at("reason"), Some(R::bulk("key")));
            assert_eq!(at("context"), Some(R::bulk("lua")));
            assert_eq!(at("object"), Some(R::bulk("zz")));
            assert_eq!(at("username"), Some(R::bulk("u")));
        }
        other => panic!("ACL LOG answered {other:?}"),
    }
}

#[test]
fn script_writes_raise_keyspace_events() {
    let server = Server::start_with(&["--notify-keyspace-events", "KEA"]);
    let mut sub = server.raw();
    assert!(matches!(sub.cmd(&["SUBSCRIBE", "__keyevent@0__:set"]), R::Array(_)));
    let mut c = server.raw();
    assert_eq!(c.cmd(&["EVAL", "redis.call('set', KEYS[1], 'v') return 1", "1", "sk"]), R::Int(1));
    assert_eq!(sub.read(), bulks(&["message", "__keyevent@0__:set", "sk"]));
}

#[test]
fn client_list_shows_the_script_command_not_its_calls() {
    let server = Server::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", "runner"]), R::ok());
    assert_eq!(c.cmd(&["EVAL", "redis.call('set', KEYS[1], 'v') return redis.call('get', KEYS[1])", "1", "k"]), R::bulk("v"));
    let mut other = server.raw();
    let R::Bulk(list) = other.cmd(&["CLIENT", "LIST"]) else { panic!("CLIENT LIST") };
    let list = String::from_utf8(list).unwrap();
    let line = list.lines().find(|l| l.contains("name=runner")).expect("the runner's line");
    assert!(line.contains(" cmd=eval "), "{line}");
    // The commands a script runs are counted in INFO commandstats, as in Redis.
    let R::Bulk(stats) = other.cmd(&["INFO", "commandstats"]) else { panic!("INFO") };
    let stats = String::from_utf8(stats).unwrap();
    assert!(stats.contains("cmdstat_set:calls=1,"), "{stats}");
    assert!(stats.contains("cmdstat_eval:calls=1,"), "{stats}");
}

#[test]
fn script_writes_invalidate_tracked_keys() {
    let server = Server::start();
    let mut reader = server.raw();
    assert!(matches!(reader.cmd(&["HELLO", "3"]), R::Agg('%', _)));
    assert_eq!(reader.cmd(&["CLIENT", "TRACKING", "on"]), R::ok());
    assert_eq!(reader.cmd(&["GET", "tk"]), R::Nil);
    let mut c = server.raw();
    assert_eq!(c.cmd(&["EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "tk"]), R::ok());
    assert_eq!(reader.read(), R::Agg('>', vec![R::bulk("invalidate"), bulks(&["tk"])]));
    // A function's write too.
    assert_eq!(reader.cmd(&["GET", "tk"]), R::bulk("v"));
    assert_eq!(c.cmd(&["FUNCTION", "LOAD", LIB]), R::bulk("mylib"));
    assert_eq!(c.cmd(&["FCALL", "myincr", "1", "tk2", "1"]), R::Int(1));
    assert_eq!(reader.cmd(&["GET", "tk2"]), R::bulk("1"));
    assert_eq!(c.cmd(&["EVAL", "redis.call('del', KEYS[1]) return redis.call('incrby', KEYS[2], 2)", "2", "tk", "tk2"]), R::Int(3));
    assert_eq!(reader.read(), R::Agg('>', vec![R::bulk("invalidate"), bulks(&["tk"])]));
    assert_eq!(reader.read(), R::Agg('>', vec![R::bulk("invalidate"), bulks(&["tk2"])]));
}

/// `redis.register_function` bodies: each loaded (REPLACE) as library `reglib`, its
/// function `x` called, and the library deleted, on both servers.
const REGISTRATIONS: &[&str] = &[
    "redis.register_function{function_name=5, callback=function() end}",
    "redis.register_function{FUNCTION_NAME='x', Callback=function() return 'named' end}",
    "redis.register_function{[1]='x', callback=function() end}",
    "redis.register_function(5)",
    "redis.register_function(5, function() end)",
    "redis.register_function({}, function() end)",
    "redis.register_function()",
    "redis.register_function('x', function() end, 3)",
    "redis.register_function{function_name='x', callback=function() return 1 end, description=5}",
    "redis.register_function{function_name='x', callback=function() end, flags='no-writes'}",
    "redis.register_function{function_name='x'}",
    "redis.register_function{callback=function() end}",
    "redis.register_function{function_name='x', callback=function() end, other=1}",
    "redis.register_function{function_name='x', callback=function() end, flags={'bogus'}}",
    "redis.register_function{function_name='x', callback=function() end, flags={1}}",
    "redis.register_function{function_name='x', callback=function() return redis.call('set', 'a', 1) end, flags={'No-Writes'}}",
    "redis.register_function{function_name='x', callback=function() return 2 end, flags={'no-writes', nil, 'bogus'}}",
    "redis.register_function{function_name={}, callback=function() end}",
    "redis.register_function{function_name='x', callback=5}",
    "redis.register_function('', function() end)",
    "redis.register_function('a-b', function() end)",
    "redis.register_function(5, 6)",
    "redis.register_function(nil, function() end)",
    "redis.register_function('x', nil)",
    "redis.register_function('x')",
    "redis.register_function{}",
    "redis.register_function('x', function() end) redis.register_function('x', function() end)",
    // A library's top level sees only the library API.
    "local x = 1 + nil",
    "error('plain')",
    "redis.call('ping')",
    "local t = _G",
    "local s = string.len('a')",
    "local y = math.random(1, 3)",
    "G = 1",
    "redis.foo = 1",
    "redis.register_function = 1",
    "redis.log(99, 'x')",
    "redis.log('x', 'y')",
    "redis.log(1)",
    "local a = redis.LOG_DEBUG + redis.LOG_VERBOSE + redis.LOG_NOTICE + redis.LOG_WARNING redis.register_function('x', function() return a end)",
    "local s = type(redis.REDIS_VERSION_NUM) .. ' ' .. type(redis.REDIS_VERSION) redis.register_function('x', function() return s end)",
    "redis.log(redis.LOG_DEBUG, 'loading') redis.register_function('x', function() return 3 end) return {1}",
    // Its functions see the script environment (not the load API, nor KEYS / ARGV).
    "local r = redis redis.register_function('x', function() return r.call('ping') end)",
    "local f = redis.register_function f('x', function() return redis.call('ping') end)",
    "redis.register_function('x', function() return cjson.encode({1}) end)",
    "redis.register_function('x', function() return KEYS end)",
    "redis.register_function('x', function() redis.register_function('y', function() end) end)",
    "redis.register_function('x', function() return {redis.setresp ~= nil, redis.acl_check_cmd('get', 'k')} end)",
    "redis.register_function('x', function() x = 1 end)",
];

#[test]
fn script_and_function_errors_as_redis() {
    let server = Server::start();
    let redis = RedisServer::start();
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    let mut steps: Vec<Vec<String>> = [
        // EVAL shebangs.
        &["EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','1')", "0"][..],
        &["EVAL", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"],
        &["EVAL", "#!lua\nreturn redis.call('set','a','1')", "0"],
        &["EVAL_RO", "#!lua\nreturn 1", "0"],
        &["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"],
        &["EVAL", "#!lua flags=bogus\nreturn 1", "0"],
        &["EVAL", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"],
        &["EVAL", "#!lua flags=no-writes,,allow-oom\nreturn 1", "0"],
        &["EVAL", "#!lua flags=\nreturn 1", "0"],
        &["EVAL", "#!lua  flags=no-writes   \nreturn 1", "0"],
        &["EVAL", "#!lua name=x\nreturn 1", "0"],
        &["EVAL", "#!python\nreturn 1", "0"],
        &["EVAL", "#!LUA\nreturn 1", "0"],
        &["EVAL", "#!lua", "0"],
        &["EVAL", "#!\nreturn 1", "0"],
        &["EVAL", "#! lua\nreturn 1", "0"],
        &["EVAL", "#!lua \"flags=no-writes\"\nreturn 1", "0"],
        &["EVAL", "#!lua \"unbalanced\nreturn 1", "0"],
        &["EVAL", "#!lua\nerror('x')", "0"],
        &["EVAL", "#!lua\n\nreturn nil + 1", "0"],
        &["EVAL", "#!lua flags=no-writes\nreturn 1", "x"],
        &["EVAL", "#!lua flags=bogus\nreturn 1", "-1"],
        &["EVAL", "#!lua flags=no-cluster,allow-cross-slot-keys,allow-stale\nreturn 1", "0"],
        &["EVAL", "#!lua flags=No-Writes\nreturn 1", "0"],
        &["EVAL", "#!lua\r\nreturn 1", "0"],
        &["EVALSHA_RO", "9d6e6fd2d3fe0e6d0d1f7f3d6d4a1f0b9cf9d3f4", "0"],
        // numkeys and lookups, in Redis's order.
        &["EVAL", "return +", "x"],
        &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "x"],
        &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"],
        &["EVALSHA", "fff", "x"],
        &["SCRIPT", "LOAD", "return 1"],
        &["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "x"],
        &["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "-1"],
        &["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "5"],
        &["FCALL", "nosuch", "x"],
        &["FCALL", "nosuch", "-1"],
        &["FCALL_RO", "nosuch", "5"],
        &["FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function(k, a) return 1 end)"],
        &["FCALL", "f1", "x"],
        &["FCALL", "f1", "-1"],
        &["FCALL", "f1", "3", "a"],
        &["FCALL_RO", "f1", "x"],
        &["FCALL_RO", "f1", "0"],
        // Library metadata, in Redis's order.
        &["FUNCTION", "LOAD", "#!lua name=lib1\nerror('boom')"],
        &["FUNCTION", "LOAD", "#!lua name=lib1\nlocal x ="],
        &["FUNCTION", "LOAD", "#!LUA name=lib2\nredis.register_function('f2', function(k, a) return 2 end)"],
        &["FUNCTION", "LOAD", "#!lua NAME=lib3\nredis.register_function('f3', function(k, a) return 3 end)"],
        &["FCALL", "f3", "0"],
        &["FUNCTION", "LOAD", "#!nosuch name=a-b\nreturn 1"],
        &["FUNCTION", "LOAD", "#!lua name=a-b"],
        &["FUNCTION", "LOAD", "#!lua name=lib6 name=lib7\nreturn 1"],
        &["FUNCTION", "LOAD", "#!lua name=lib6 foo=bar\nreturn 1"],
        &["FUNCTION", "LOAD", "#!lua\nreturn 1"],
        &["FUNCTION", "LOAD", "#!lua name=lib6"],
        &["FUNCTION", "LOAD", "#!lua name=lib6\n"],
        &["FUNCTION", "LOAD", "#!lua name=\nreturn 1"],
        &["FUNCTION", "LOAD", "#!lua \"name=lib8\"\nredis.register_function('f8', function() return 8 end)"],
        &["FUNCTION", "LOAD", "#!nosuch name=lib9\nreturn 1"],
        &["FUNCTION", "LOAD", "no metadata"],
    ]
    .iter()
    .map(|s| s.iter().map(|a| a.to_string()).collect())
    .collect();
    for body in REGISTRATIONS {
        steps.push(vec!["FUNCTION".into(), "LOAD".into(), "REPLACE".into(), format!("#!lua name=reglib\n{body}")]);
        steps.push(vec!["FCALL".into(), "x".into(), "1".into(), "k".into()]);
        steps.push(vec!["FCALL".into(), "5".into(), "0".into()]);
        steps.push(vec!["FUNCTION".into(), "DELETE".into(), "reglib".into()]);
    }
    let mut differ = Vec::new();
    for step in &steps {
        let args: Vec<&str> = step.iter().map(|s| s.as_str()).collect();
        let (a, b) = (ours.cmd(&args), theirs.cmd(&args));
        if a != b {
            differ.push(format!("{step:?}: diskdb {a:?}, redis-server {b:?}"));
        }
    }
    assert!(differ.is_empty(), "replies differ from redis-server:\n{}", differ.join("\n"));
}

fn dump_of(c: &mut Raw) -> Vec<u8> {
    match c.cmd(&["FUNCTION", "DUMP"]) {
        R::Bulk(b) => b,
        other => panic!("FUNCTION DUMP answered {other:?}"),
    }
}

fn restore_into(c: &mut Raw, payload: &[u8], policy: Option<&str>) -> R {
    let mut args: Vec<&[u8]> = vec![b"FUNCTION", b"RESTORE", payload];
    if let Some(p) = policy {
        args.push(p.as_bytes());
    }
    c.cmd_bytes(&args)
}

/// A long library (Redis compresses a code of more than 20 bytes with LZF in its dump).
fn long_library() -> String {
    let mut code = "#!lua name=longlib\n".to_string();
    for i in 0..200 {
        code.push_str(&format!("redis.register_function('long{i}', function(keys, args) return {i} end)\n"));
    }
    code
}

#[test]
fn function_dump_restores_across_redis_and_diskdb() {
    let server = Server::start();
    let redis = RedisServer::start();
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    let long = long_library();
    for c in [&mut ours, &mut theirs] {
        assert_eq!(c.cmd(&["FUNCTION", "LOAD", LIB]), R::bulk("mylib"));
        assert_eq!(c.cmd(&["FUNCTION", "LOAD", &long]), R::bulk("longlib"));
    }
    // Redis's payload restores here, DiskDB's there.
    let from_redis = dump_of(&mut theirs);
    let from_diskdb = dump_of(&mut ours);
    assert_eq!(restore_into(&mut ours, &from_redis, Some("FLUSH")), R::ok());
    assert_eq!(restore_into(&mut theirs, &from_diskdb, Some("FLUSH")), R::ok());
    for c in [&mut ours, &mut theirs] {
        assert_eq!(c.cmd(&["FCALL", "myincr", "1", "n", "3"]), R::Int(3));
        assert_eq!(c.cmd(&["FCALL", "long199", "0"]), R::Int(199));
    }
    assert_eq!(
        canonical_list(ours.cmd(&["FUNCTION", "LIST", "WITHCODE"])),
        canonical_list(theirs.cmd(&["FUNCTION", "LIST", "WITHCODE"]))
    );
    // Policies and refusals answer alike. (With two colliding libraries the one Redis
    // names depends on its hash table's order: one collides here.)
    for c in [&mut ours, &mut theirs] {
        assert_eq!(c.cmd(&["FUNCTION", "DELETE", "longlib"]), R::ok());
    }
    let mut wrong_type = from_diskdb.clone();
    wrong_type[0] = 0;
    let mut future = from_diskdb.clone();
    let n = future.len();
    future[n - 10] = 11;
    let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
        (from_redis.clone(), None),
        (from_redis.clone(), Some("APPEND")),
        (from_redis.clone(), Some("REPLACE")),
        (from_redis.clone(), Some("BOGUS")),
        (b"garbage".to_vec(), None),
        (Vec::new(), None),
        (wrong_type, None),
        (future, None),
        (from_redis[..from_redis.len() - 1].to_vec(), None),
    ];
    for (payload, policy) in &cases {
        assert_eq!(restore_into(&mut ours, payload, *policy), restore_into(&mut theirs, payload, *policy), "{policy:?}");
    }
    // An empty set of libraries dumps alike too.
    for c in [&mut ours, &mut theirs] {
        assert_eq!(c.cmd(&["FUNCTION", "FLUSH"]), R::ok());
    }
    assert_eq!(dump_of(&mut ours), dump_of(&mut theirs));
}

#[test]
fn a_killed_script_left_nothing_written() {
    let server = Server::start();
    let mut admin = server.raw();
    assert_eq!(admin.cmd(&["CONFIG", "SET", "busy-reply-threshold", "100"]), R::ok());
    let mut runner = server.raw();
    // Reads, then loops; its write after the loop never happens.
    runner.send_cmd(&["EVAL", "redis.call('get', KEYS[1]) local i = 0 while true do i = i + 1 end redis.call('set', KEYS[1], 'written')", "1", "never"]);
    assert!(wait_until(Duration::from_secs(10), || matches!(admin.cmd(&["PING"]), R::Error(e) if e.starts_with("BUSY"))));
    assert_eq!(admin.cmd(&["SCRIPT", "KILL"]), R::ok());
    assert!(matches!(runner.read(), R::Error(e) if e.starts_with("ERR Script killed by user with SCRIPT KILL...")));
    assert_eq!(admin.cmd(&["GET", "never"]), R::Nil);
    assert_eq!(admin.cmd(&["DBSIZE"]), R::Int(0));
}

#[test]
fn bad_input_answers_as_redis() {
    let server = Server::start();
    let redis = RedisServer::start();
    let mut ours = Raw::connect(server.port);
    let mut theirs = Raw::connect(redis.port);
    for script in [
        "return redis.call()",
        "return redis.pcall()",
        "return redis.call(nil)",
        "return redis.call({})",
        "return (",
        "return 1 +",
        "local x = ",
        "x x",
        "return redis.call('get', 'k', 'extra')",
    ] {
        let args = ["EVAL", script, "0"];
        assert_eq!(ours.cmd(&args), theirs.cmd(&args), "{script}");
    }
    // A library whose top level loops forever: stopped after 500 ms, as Redis 7.0.
    let args = ["FUNCTION", "LOAD", "#!lua name=loop\nwhile true do end"];
    assert_eq!(ours.cmd(&args), R::err("ERR Error registering functions: ERR FUNCTION LOAD timeout"));
    assert_eq!(theirs.cmd(&args), R::err("ERR Error registering functions: ERR FUNCTION LOAD timeout"));
    // A deeply nested return table: Redis nests arrays until its Lua C stack limit,
    // DiskDB 1000 deep; both end the innermost level with the same error.
    // (Read on a thread with a large stack: the reply parser recurses per level.)
    let deep = "local t = {} local c = t for i = 1, 100000 do c[1] = {} c = c[1] end return t";
    let innermost = |mut r: R| loop {
        match r {
            R::Array(mut items) if items.len() == 1 => r = items.remove(0),
            other => break other,
        }
    };
    let (ours, theirs) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let (a, b) = (ours.cmd(&["EVAL", deep, "0"]), theirs.cmd(&["EVAL", deep, "0"]));
            let (a, b) = (innermost(a), innermost(b));
            assert_eq!(a, R::err("ERR reached lua stack limit"));
            assert_eq!(b, R::err("ERR reached lua stack limit"));
            (ours, theirs)
        })
        .unwrap()
        .join()
        .unwrap();
    drop(theirs);
    let mut ours = ours;
    assert_eq!(ours.cmd(&["PING"]), R::Status("PONG".into()));
}

/// A script's redis.call sees the writes of the calls before it (they are staged until
/// the script ends and commit as one batch): for every type, the replies and the state
/// left are those of the same commands run one at a time, for EVAL and FCALL alike.
#[test]
fn script_calls_read_the_writes_before_them_for_every_type() {
    let server = Server::start();
    let mut c = server.raw();
    c.cmd(&["SELECT", "1"]);
    groups::setup(&mut c);
    let plain = groups::run_plain(&mut c);
    assert_eq!(&plain[..3], &[R::ok(), R::Int(2), R::bulk("2")]);
    let plain_state = groups::final_state(&mut c);
    let body = groups::lua_body();
    c.cmd(&["SELECT", "2"]);
    groups::setup(&mut c);
    let R::Array(eval) = c.cmd(&["EVAL", &body, "0"]) else { panic!("EVAL") };
    groups::assert_same("EVAL", &plain, &eval);
    assert_eq!(groups::final_state(&mut c), plain_state);
    let lib = format!("#!lua name=seqlib\nredis.register_function('seq', function(keys, args)\n{body}end)");
    assert_eq!(c.cmd(&["FUNCTION", "LOAD", &lib]), R::bulk("seqlib"));
    c.cmd(&["SELECT", "3"]);
    groups::setup(&mut c);
    let R::Array(fcall) = c.cmd(&["FCALL", "seq", "0"]) else { panic!("FCALL") };
    groups::assert_same("FCALL", &plain, &fcall);
    assert_eq!(groups::final_state(&mut c), plain_state);
    // A script inside MULTI joins the transaction's batch and reads what came before.
    c.cmd(&["SELECT", "4"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "m", "5"]);
    c.cmd(&["EVAL", "redis.call('incr', 'm') return redis.call('get', 'm')", "0"]);
    c.cmd(&["INCR", "m"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::bulk("6"), R::Int(7)]));
}

/// A script that fails half-way keeps the writes made before the error, as in Redis
/// (scripts have no rollback), and they reach storage in its one batch.
#[test]
fn a_script_error_keeps_the_earlier_writes() {
    let mut server = Server::start();
    let mut c = server.raw();
    let script = "redis.call('set', 'e1', 'x') redis.call('rpush', 'e2', 'y') redis.call('incr', 'e1') return 1";
    assert!(matches!(c.cmd(&["EVAL", script, "0"]), R::Error(e) if e.contains("not an integer")));
    server.kill9();
    server.restart();
    let mut c = server.raw();
    assert_eq!(c.cmd(&["GET", "e1"]), R::bulk("x"));
    assert_eq!(c.cmd(&["LRANGE", "e2", "0", "-1"]), bulks(&["y"]));
}
