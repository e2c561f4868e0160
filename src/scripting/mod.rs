//! Lua scripting as Redis 7.0 gives it: one Lua 5.1 state for EVAL scripts and
//! FUNCTION libraries ([`Scripting`]), the script environment (`redis.*`, `KEYS`/`ARGV`,
//! `cjson`, `bit`, `struct`, `cmsgpack`, Redis's `math.random`, globals protected), the
//! conversions between Lua values and replies in both directions (RESP2 and RESP3), the
//! running script's state that other clients read (`-BUSY`, SCRIPT KILL / FUNCTION
//! KILL), and the libraries' persistence in RocksDB.
//!
//! A script runs with the store's gate held exclusively (its command is flagged
//! `EXCLUSIVE`), so no other client's command runs in between. `redis.call` goes through
//! [`crate::commands::dispatch::call_from_script`], the same lookup, arity, table flags
//! and handlers as clients' commands. The script's writes are staged and commit as one
//! write batch when it ends (the dispatcher runs each script command as a group, see
//! [`crate::commands::dispatch::Atomic`]): a crash never leaves a part of a script's
//! writes on disk, and each `redis.call` reads the writes of the calls before it.

pub mod libs;
pub mod msgpack;
pub mod rdb;
pub mod structlib;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use mlua::{Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};
use parking_lot::Mutex;

use crate::commands::{ServerState, Session};
use crate::error::Error;
use crate::protocol::Reply;

/// Memory the Lua state may use: a script that allocates past it gets an error.
pub const LUA_MEMORY_LIMIT: usize = 256 << 20;
/// Above this much memory in the Lua state, every script ends with a full collection.
const GC_FULL_ABOVE: usize = 8 << 20;
/// Nesting a script's reply may have (deeper tables answer an error).
const MAX_REPLY_DEPTH: usize = 1000;
/// Record of the libraries in the Stats column family.
const FUNCTIONS_KEY: &[u8] = b"functions";

/// What other clients see of the running script.
#[derive(Default)]
pub struct Running {
    pub active: AtomicBool,
    pub kill: AtomicBool,
    pub wrote: AtomicBool,
    /// An EVAL script (not a function): picks the BUSY text and which KILL applies.
    pub eval: AtomicBool,
    /// Milliseconds since the scripting state's creation when the script started.
    pub started: AtomicU64,
    /// [`now_ns`] when the running script's thread should next try to hand its runtime
    /// worker over (see [`hand_off_worker`]); 0: done, or no script runs.
    hand_off_at_ns: AtomicU64,
    /// [`now_ns`] when the running FUNCTION LOAD started (0: none runs).
    load_started_ns: AtomicU64,
    pub name: Mutex<(String, String)>,
}

/// One loaded library.
pub struct Library {
    pub code: String,
    /// `(name, flags, description)` in registration order.
    pub functions: Vec<FunctionInfo>,
}

pub struct FunctionInfo {
    pub name: String,
    pub flags: Vec<&'static str>,
    pub description: Option<String>,
    pub callback: Function,
}

struct RunKeys {
    call: mlua::String,
    raw: mlua::String,
    keys: mlua::String,
    argv: mlua::String,
}

struct Engine {
    lua: Lua,
    /// Private table the wrappers read `raw` (redis.call's implementation) from.
    holder: Table,
    /// The table behind the script environment (KEYS and ARGV are set here).
    env_backing: Table,
    /// The protected environment scripts run in.
    env: Table,
    runner: Function,
    /// The environment libraries are compiled in (see INIT).
    fenv: Table,
    /// `loading(true | false)`: switches `fenv` to the library-load API and back.
    loading: Function,
    /// The `redis` table a library's top level sees (register_function is set in it
    /// while FUNCTION LOAD runs).
    lredis: Table,
    scripts: HashMap<String, Script>,
    /// The global `redis` table, and the keys a run sets (made once: a Lua string made
    /// from a `&str` at every run costs a hash and an intern lookup each time).
    redis: Table,
    keys: RunKeys,
    shared: Arc<RunShared>,
    /// INIT's Lua `redis.call`, in place between scripts (what a library's top level
    /// sees while FUNCTION LOAD runs it).
    call_wrapper: Value,
}

pub struct Scripting {
    engine: Mutex<Engine>,
    /// Script bodies by SHA1 (SCRIPT EXISTS reads it without the engine).
    bodies: Mutex<HashMap<String, Bytes>>,
    libraries: Mutex<BTreeMap<String, Library>>,
    pub running: Arc<Running>,
    epoch: Instant,
    /// Scripts and functions run (paces the garbage collector's steps).
    runs: AtomicU64,
}

/// Registry slot of the `{err=...}` table a raising `redis.call` stands for.
const PENDING_ERROR: &str = "diskdb_pending_error";

const INIT: &str = r#"
local G, holder = ...
local error, type, tostring, setmetatable, pairs = error, type, tostring, setmetatable, pairs
local function ro(t)
  local p = {}
  setmetatable(p, {__index = t, __newindex = function() error("Attempt to modify a readonly table", 2) end, __metatable = false})
  return p
end
local backing = {}
for k, v in pairs(G) do
  if type(v) == 'table' and k ~= '_G' then backing[k] = ro(v) else backing[k] = v end
end
local env = {}
setmetatable(env, {
  __index = function(_, k)
    local v = backing[k]
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = function() error("Attempt to modify a readonly table", 2) end,
  __metatable = false,
})
backing._G = env
local redis = G.redis
local function call(...)
  local v, e = holder.raw(false, ...)
  if e then error(v, 0) end
  return v
end
local function pcall_(...)
  local v = holder.raw(true, ...)
  return v
end
redis.call = call
redis.pcall = pcall_
redis.breakpoint = function() return false end
redis.debug = function() end
-- While a script runs, redis.call is a Rust function that raises a Rust error (so a
-- `return redis.call(...)` tail call keeps the script's frame and line); a pcall of it
-- answers the text of the {err=...} table that error stands for, as Redis 7.0's pcall does.
local raw_pcall = pcall
local function fix(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'userdata' then
    local p = holder.take_pending()
    if p then return false, p end
  end
  return false, ...
end
backing.pcall = function(f, ...) return fix(raw_pcall(f, ...)) end
local xpcall = xpcall
local function runner(f, ...)
  local n = select('#', ...)
  -- EVAL scripts take no arguments: no closure or table to build for them.
  if n == 0 then return xpcall(f, holder.handler) end
  local args = {...}
  return xpcall(function() return f(unpack(args, 1, n)) end, holder.handler)
end
-- Libraries' environment (Redis 7.0's functions engine): while FUNCTION LOAD runs a
-- library's top level, its globals are only `redis` with register_function, log, the
-- LOG_* levels and the version (anything else: "Script attempted to access nonexistent
-- global variable"); once loaded, its functions see the script environment.
local function strict(t)
  local p = {}
  setmetatable(p, {
    __index = function(_, k)
      local v = t[k]
      if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
      return v
    end,
    __newindex = function() error("Attempt to modify a readonly table", 2) end,
    __metatable = false,
  })
  return p
end
local lredis = {}
for _, k in ipairs({'log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'}) do
  lredis[k] = redis[k]
end
local load_api = strict({redis = strict(lredis)})
local fmeta = {__index = env, __newindex = function() error("Attempt to modify a readonly table", 2) end, __metatable = false}
local fenv = setmetatable({}, fmeta)
local function loading(on)
  if on then fmeta.__index = load_api else fmeta.__index = env end
end
return backing, env, runner, fenv, loading, lredis
"#;

impl Engine {
    fn new(rand: Arc<libs::Rand48>, running: Arc<Running>) -> mlua::Result<Engine> {
        let lua = Lua::new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH, LuaOptions::default())?;
        let g = lua.globals();
        // Redis removes these from the base library.
        for name in ["loadfile", "dofile", "print", "require", "module", "getfenv", "setfenv", "newproxy", "collectgarbage"] {
            g.raw_set(name, Value::Nil)?;
        }
        // Lua 5.1's `loadstring` stays, as in Redis.
        let math: Table = g.get("math")?;
        libs::install_random(&lua, &math, rand)?;
        g.raw_set("bit", libs::bit(&lua)?)?;
        g.raw_set("cjson", libs::cjson(&lua)?)?;
        g.raw_set("struct", structlib::structlib(&lua)?)?;
        g.raw_set("cmsgpack", msgpack::cmsgpack(&lua)?)?;
        let redis = lua.create_table()?;
        redis.raw_set("REDIS_VERSION", crate::commands::connection::REDIS_VERSION)?;
        redis.raw_set("REDIS_VERSION_NUM", version_num(crate::commands::connection::REDIS_VERSION))?;
        for (i, name) in ["LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"].iter().enumerate() {
            redis.raw_set(*name, i)?;
        }
        for (name, v) in [("REPL_NONE", 0), ("REPL_AOF", 1), ("REPL_SLAVE", 2), ("REPL_REPLICA", 2), ("REPL_ALL", 3)] {
            redis.raw_set(name, v)?;
        }
        redis.raw_set("sha1hex", lua.create_function(|_, s: mlua::String| Ok(sha1_hex(&s.as_bytes())))?)?;
        redis.raw_set(
            "error_reply",
            lua.create_function(|lua, s: mlua::String| {
                let t = lua.create_table()?;
                t.raw_set("err", s)?;
                Ok(t)
            })?,
        )?;
        redis.raw_set(
            "status_reply",
            lua.create_function(|lua, s: mlua::String| {
                let t = lua.create_table()?;
                t.raw_set("ok", s)?;
                Ok(t)
            })?,
        )?;
        redis.raw_set("log", lua.create_function(redis_log)?)?;
        redis.raw_set(
            "set_repl",
            lua.create_function(|_, args: MultiValue| {
                if args.len() != 1 {
                    return Err(mlua::Error::RuntimeError("redis.set_repl() requires two arguments.".into()));
                }
                let flags = lua_number(&args[0]).unwrap_or(0.0) as i64;
                if flags & !3 != 0 {
                    return Err(mlua::Error::RuntimeError(
                        "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.".into(),
                    ));
                }
                Ok(())
            })?,
        )?;
        redis.raw_set("replicate_commands", lua.create_function(|_, _: MultiValue| Ok(true))?)?;
        let shared = Arc::new(RunShared::default());
        lua.set_app_data(shared.clone());
        redis.raw_set(
            "setresp",
            lua.create_function(|lua, args: MultiValue| {
                if args.len() != 1 {
                    return Err(mlua::Error::RuntimeError("redis.setresp() requires one argument.".into()));
                }
                let n = lua_number(&args[0]).unwrap_or(0.0) as i64;
                if n != 2 && n != 3 {
                    return Err(mlua::Error::RuntimeError("RESP version must be 2 or 3.".into()));
                }
                if let Some(shared) = lua.app_data_ref::<Arc<RunShared>>() {
                    shared.resp.store(n as u8, Ordering::Relaxed);
                }
                Ok(())
            })?,
        )?;
        redis.raw_set("acl_check_cmd", lua.create_function(acl_check_cmd)?)?;
        g.raw_set("redis", redis)?;
        let holder = lua.create_table()?;
        let (env_backing, env, runner, fenv, loading, lredis): (Table, Table, Function, Table, Function, Table) =
            lua.load(INIT).set_name("=diskdb").call((g.clone(), holder.clone()))?;
        holder.raw_set("handler", lua.create_function(error_handler)?)?;
        holder.raw_set(
            "take_pending",
            lua.create_function(|lua, ()| {
                let p: Value = lua.named_registry_value(PENDING_ERROR)?;
                lua.set_named_registry_value(PENDING_ERROR, Value::Nil)?;
                // Redis 7.0's pcall answers the error's text, not the table.
                match &p {
                    Value::Table(t) => t.raw_get::<Value>("err"),
                    _ => Ok(p),
                }
            })?,
        )?;
        lua.set_memory_limit(LUA_MEMORY_LIMIT)?;
        let flags = running;
        lua.set_hook(HookTriggers::new().every_nth_instruction(10_000), move |_, _| {
            if flags.kill.load(Ordering::Relaxed) {
                return Err(mlua::Error::RuntimeError("Script killed by user".into()));
            }
            let load = flags.load_started_ns.load(Ordering::Relaxed);
            if load != 0 && now_ns().saturating_sub(load) > FUNCTION_LOAD_TIMEOUT_NS {
                return Err(mlua::Error::RuntimeError("FUNCTION LOAD timeout".into()));
            }
            let at = flags.hand_off_at_ns.load(Ordering::Relaxed);
            if at != 0 && now_ns() >= at {
                let next = if hand_off_worker() { 0 } else { now_ns() + HAND_OFF_AFTER_NS };
                flags.hand_off_at_ns.store(next, Ordering::Relaxed);
            }
            Ok(VmState::Continue)
        });
        let call_wrapper: Value = g.raw_get::<Table>("redis")?.raw_get("call")?;
        let keys = RunKeys {
            call: lua.create_string("call")?,
            raw: lua.create_string("raw")?,
            keys: lua.create_string("KEYS")?,
            argv: lua.create_string("ARGV")?,
        };
        let redis = g.raw_get::<Table>("redis")?;
        Ok(Engine { lua, holder, env_backing, env, runner, fenv, loading, lredis, scripts: HashMap::new(), redis, keys, shared, call_wrapper })
    }
}

/// A library's top level may run this long (Redis 7.0's FUNCTION LOAD timeout).
const FUNCTION_LOAD_TIMEOUT_NS: u64 = 500_000_000;
/// A script runs on its connection's runtime worker; once it has run this long, the
/// worker's other connections are handed to another thread (see [`hand_off_worker`]).
const HAND_OFF_AFTER_NS: u64 = 2_000_000;

/// Nanoseconds since the process's first call.
fn now_ns() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1
}

/// Called from the Lua hook of a script that has run a while: hands the tokio worker
/// this thread drives over to another thread (`block_in_place`), so that the other
/// connections it serves go on (they answer -BUSY past `busy-reply-threshold`, and
/// SCRIPT KILL reaches the script). Scripts start without it: `block_in_place` moves the
/// worker at every call, which costs a thread switch or two per script, more than a
/// short script itself. Waits until the runtime demonstrably runs tasks without this
/// thread (a spawned task reports), at most 100 ms; answers whether it did.
fn hand_off_worker() -> bool {
    let Ok(handle) = tokio::runtime::Handle::try_current() else { return true };
    if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return true;
    }
    tokio::task::block_in_place(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        handle.spawn(async move {
            let _ = tx.send(());
        });
        rx.recv_timeout(std::time::Duration::from_millis(100)).is_ok()
    })
}

fn version_num(v: &str) -> i64 {
    let p: Vec<i64> = v.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    (p.first().copied().unwrap_or(0) << 16) | (p.get(1).copied().unwrap_or(0) << 8) | p.get(2).copied().unwrap_or(0)
}

/// A Lua value as `lua_tonumber` reads it (numbers, and strings that convert).
fn lua_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Integer(i) => Some(*i as f64),
        Value::String(s) => s.to_str().ok().and_then(|s| libs::lua_str2number(&s)),
        _ => None,
    }
}

/// `redis.log(level, message...)`, with Redis's checks and texts.
fn redis_log(_: &Lua, args: MultiValue) -> mlua::Result<()> {
    if args.len() < 2 {
        return Err(mlua::Error::RuntimeError("redis.log() requires two arguments or more.".into()));
    }
    let Some(level) = lua_number(&args[0]) else {
        return Err(mlua::Error::RuntimeError("First argument must be a number (log level).".into()));
    };
    let level = level as i64;
    if !(0..=3).contains(&level) {
        return Err(mlua::Error::RuntimeError("Invalid debug level.".into()));
    }
    // Strings and numbers, space separated (other values are skipped, as lua_tolstring's NULL).
    let parts: Vec<String> = args
        .iter()
        .skip(1)
        .filter_map(|v| match v {
            Value::String(s) => Some(s.to_string_lossy()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Number(n) => Some(libs::fmt_g(*n, 14)),
            _ => None,
        })
        .collect();
    let msg = parts.join(" ");
    match level {
        0 => tracing::debug!(target: "lua", "{msg}"),
        1 | 2 => tracing::info!(target: "lua", "{msg}"),
        _ => tracing::warn!(target: "lua", "{msg}"),
    }
    Ok(())
}

/// Script flags (Redis's `scripts_flags_def`, in its order).
pub const SCRIPT_FLAGS: [&str; 5] = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];

/// A cached EVAL script: its function and, when its body starts with a `#!lua` shebang,
/// the flags it declares (`None`: no shebang, Redis's compatibility mode).
struct Script {
    f: Function,
    flags: Option<Vec<&'static str>>,
}

/// Reads an EVAL script's `#!lua flags=...` shebang as Redis 7.0's
/// `evalExtractShebangFlags`: `Ok(None)` without one, its flags with one, Redis's
/// errors for a bad one.
fn shebang_flags(body: &[u8]) -> Result<Option<Vec<&'static str>>, Error> {
    if !body.starts_with(b"#!") {
        return Ok(None);
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err(Error::Script("ERR Invalid script shebang".into()));
    };
    let parts = match split_args(&body[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err(Error::Script("ERR Invalid engine in script shebang".into())),
    };
    if parts[0] != b"#!lua" {
        return Err(Error::Script(format!("ERR Unexpected engine in script shebang: {}", String::from_utf8_lossy(&parts[0]))));
    }
    let mut flags = Vec::new();
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(Error::Script(format!("ERR Unknown lua shebang option: {}", String::from_utf8_lossy(part))));
        };
        if list.is_empty() {
            continue;
        }
        for f in list.split(|&b| b == b',') {
            match SCRIPT_FLAGS.iter().find(|k| k.as_bytes() == f) {
                Some(k) => {
                    if !flags.contains(k) {
                        flags.push(*k)
                    }
                }
                None => {
                    return Err(Error::Script(format!("ERR Unexpected flag in script shebang: {}", String::from_utf8_lossy(f))))
                }
            }
        }
    }
    Ok(Some(flags))
}

/// Redis's `sdssplitargs`: space-separated words, with "double quotes" (and their
/// escapes) and 'single quotes'. `None` for unbalanced quotes or a closing quote not
/// followed by a space.
fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| line.get(i).copied();
    loop {
        while at(i).is_some_and(|c| c.is_ascii_whitespace() || c == 0x0b) {
            i += 1;
        }
        if matches!(at(i), None | Some(0)) {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            let c = at(i);
            if inq {
                match c {
                    None => return None,
                    Some(b'\\') if at(i + 1) == Some(b'x') && at(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) && at(i + 3).is_some_and(|c| c.is_ascii_hexdigit()) => {
                        let h = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                        cur.push(h(line[i + 2]) << 4 | h(line[i + 3]));
                        i += 3;
                    }
                    Some(b'\\') if at(i + 1).is_some() => {
                        i += 1;
                        cur.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            o => o,
                        });
                    }
                    Some(b'"') => {
                        if at(i + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(c) => cur.push(c),
                }
            } else if insq {
                match c {
                    None => return None,
                    Some(b'\\') if at(i + 1) == Some(b'\'') => {
                        i += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => {
                        if at(i + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(c) => cur.push(c),
                }
            } else {
                match c {
                    None => break,
                    Some(b' ' | b'\n' | b'\r' | b'\t' | 0) => break,
                    Some(b'"') => inq = true,
                    Some(b'\'') => insq = true,
                    Some(c) => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

/// How a script was started.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Eval,
    EvalRo,
    Function { read_only_cmd: bool, no_writes: bool },
}

impl Mode {
    fn read_only(self) -> bool {
        match self {
            Mode::Eval => false,
            Mode::EvalRo => true,
            Mode::Function { read_only_cmd, no_writes } => read_only_cmd || no_writes,
        }
    }
    fn is_eval(self) -> bool {
        matches!(self, Mode::Eval | Mode::EvalRo)
    }
}

/// What a `redis.call` needs while a script runs.
struct CallCtx<'a> {
    state: &'a ServerState,
    session: &'a mut Session,
    mode: Mode,
}

/// The running script's state that `redis.setresp` and `redis.acl_check_cmd` read:
/// they are made once (only `redis.call` and `redis.pcall`, which need the session, are
/// made for each run).
#[derive(Default)]
struct RunShared {
    /// The protocol chosen with `redis.setresp` (2 or 3).
    resp: std::sync::atomic::AtomicU8,
    /// The user running the script.
    user: Mutex<Option<Arc<crate::acl::UserCell>>>,
}

impl Scripting {
    pub fn new() -> Scripting {
        let running = Arc::new(Running::default());
        let rand = Arc::new(libs::Rand48::default());
        let engine = Engine::new(rand, running.clone()).expect("the Lua state starts");
        Scripting {
            engine: Mutex::new(engine),
            bodies: Mutex::new(HashMap::new()),
            libraries: Mutex::new(BTreeMap::new()),
            running,
            epoch: Instant::now(),
            runs: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    /// Milliseconds the running script has run, if one runs.
    pub fn busy_for(&self) -> Option<u64> {
        if !self.running.active.load(Ordering::Acquire) {
            return None;
        }
        Some(self.now_ms().saturating_sub(self.running.started.load(Ordering::Relaxed)))
    }

    // ----- Script cache -----

    /// Compiles and caches `body`; returns its SHA1. A `#!lua` shebang line is read for
    /// its flags and compiled as a comment, so line numbers stay the script's own.
    pub fn load_script(&self, body: &Bytes) -> Result<String, Error> {
        let sha = sha1_hex(body);
        let mut engine = self.engine.lock();
        if engine.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let flags = shebang_flags(body)?;
        let source: std::borrow::Cow<[u8]> = if flags.is_some() {
            let mut b = body.to_vec();
            b[..2].copy_from_slice(b"--");
            b.into()
        } else {
            (&body[..]).into()
        };
        let f = engine
            .lua
            .load(&source[..])
            .set_name("@user_script")
            .set_environment(engine.env.clone())
            .into_function()
            .map_err(|e| Error::Script(format!("ERR Error compiling script (new function): {}", lua_message(&e))))?;
        engine.scripts.insert(sha.clone(), Script { f, flags });
        self.bodies.lock().insert(sha.clone(), body.clone());
        Ok(sha)
    }

    pub fn script_exists(&self, sha: &[u8]) -> bool {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        self.bodies.lock().contains_key(&sha)
    }

    /// INFO memory's counts: cached EVAL scripts, functions, function libraries.
    pub fn counts(&self) -> (usize, usize, usize) {
        let libraries = self.libraries.lock();
        (self.bodies.lock().len(), libraries.values().map(|l| l.functions.len()).sum(), libraries.len())
    }

    pub fn flush_scripts(&self) {
        self.engine.lock().scripts.clear();
        self.bodies.lock().clear();
    }

    /// Runs the cached script `sha` (EVAL, EVALSHA and their _RO forms). A script with a
    /// shebang runs by its flags: `no-writes` makes it read-only, and without it an
    /// `_RO` command refuses it.
    pub fn eval(&self, state: &ServerState, session: &mut Session, sha: &str, keys: &[Bytes], args: &[Bytes], mode: Mode) -> Reply {
        let sha = sha.to_ascii_lowercase();
        let (f, flags) = {
            let engine = self.engine.lock();
            match engine.scripts.get(&sha) {
                Some(s) => (s.f.clone(), s.flags.clone()),
                None => return Reply::error(Error::NoScript.to_string()),
            }
        };
        let mode = match (&flags, mode) {
            (None, m) => m,
            (Some(fl), m) => {
                let no_writes = fl.contains(&"no-writes");
                if m == Mode::EvalRo && !no_writes {
                    return Reply::error(Error::ScriptWriteFlagRo.to_string());
                }
                if no_writes {
                    Mode::EvalRo
                } else {
                    m
                }
            }
        };
        self.run(state, session, f, sha, "eval", keys, args, mode, true)
    }

    /// Looks up function `name` (FCALL, FCALL_RO): its callback and whether it is
    /// `no-writes`. Error: `ERR Function not found`.
    pub fn find_function(&self, name: &[u8]) -> Result<(Function, bool), Error> {
        let libs = self.libraries.lock();
        libs.values()
            .flat_map(|l| l.functions.iter())
            .find(|f| f.name.as_bytes() == name)
            .map(|f| (f.callback.clone(), f.flags.contains(&"no-writes")))
            .ok_or(Error::FunctionNotFound)
    }

    /// Runs function `name`, found by [`Scripting::find_function`] (FCALL, FCALL_RO).
    #[allow(clippy::too_many_arguments)]
    pub fn fcall(
        &self,
        state: &ServerState,
        session: &mut Session,
        name: &[u8],
        found: (Function, bool),
        keys: &[Bytes],
        args: &[Bytes],
        ro_cmd: bool,
    ) -> Reply {
        let name = String::from_utf8_lossy(name).into_owned();
        let (f, no_writes) = found;
        if ro_cmd && !no_writes {
            return Reply::error(Error::ScriptWriteFlagRo.to_string());
        }
        let mode = Mode::Function { read_only_cmd: ro_cmd, no_writes };
        self.run(state, session, f, name, if ro_cmd { "fcall_ro" } else { "fcall" }, keys, args, mode, false)
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        state: &ServerState,
        session: &mut Session,
        f: Function,
        name: String,
        command: &str,
        keys: &[Bytes],
        args: &[Bytes],
        mode: Mode,
        positional: bool,
    ) -> Reply {
        let engine = self.engine.lock();
        let lua = &engine.lua;
        let r = &self.running;
        r.kill.store(false, Ordering::Relaxed);
        r.wrote.store(false, Ordering::Relaxed);
        r.eval.store(mode.is_eval(), Ordering::Relaxed);
        *r.name.lock() = (name.clone(), command.to_string());
        r.started.store(self.now_ms(), Ordering::Relaxed);
        let t0 = now_ns();
        r.hand_off_at_ns.store(t0 + HAND_OFF_AFTER_NS, Ordering::Relaxed);
        r.active.store(true, Ordering::Release);
        let saved_block = session.may_block;
        session.may_block = false;
        engine.shared.resp.store(2, Ordering::Relaxed);
        *engine.shared.user.lock() = Some(session.user.clone());
        let ctx = RefCell::new(CallCtx { state, session, mode });
        let result = lua.scope(|scope| {
            let raw = scope.create_function(|lua, args: MultiValue| redis_call(lua, &ctx, args))?;
            engine.holder.raw_set(&engine.keys.raw, raw)?;
            // redis.call as a Rust function (see INIT): on an error it records the table
            // with the calling script's source and line, then raises.
            let call = scope.create_function(|lua, args: MultiValue| {
                let mut full = args;
                full.push_front(Value::Boolean(false));
                let (v, is_err) = redis_call(lua, &ctx, full)?;
                if !is_err {
                    return Ok(v);
                }
                let msg = error_text(&v);
                if let Value::Table(t) = &v {
                    if let Some(d) = lua.inspect_stack(1) {
                        if let Some(src) = d.source().source {
                            t.raw_set("source", src.into_owned())?;
                            t.raw_set("line", d.curr_line())?;
                        }
                    }
                }
                lua.set_named_registry_value(PENDING_ERROR, v)?;
                Err(mlua::Error::RuntimeError(msg))
            })?;
            let _ = lua.set_named_registry_value(PENDING_ERROR, Value::Nil);
            engine.redis.raw_set(&engine.keys.call, call)?;
            let keys_t = lua.create_sequence_from(keys.iter().map(|k| lua.create_string(k)).collect::<mlua::Result<Vec<_>>>()?)?;
            let args_t = lua.create_sequence_from(args.iter().map(|k| lua.create_string(k)).collect::<mlua::Result<Vec<_>>>()?)?;
            let out: MultiValue = if positional {
                engine.env_backing.raw_set(&engine.keys.keys, keys_t)?;
                engine.env_backing.raw_set(&engine.keys.argv, args_t)?;
                engine.runner.call((f.clone(),))?
            } else {
                engine.runner.call((f.clone(), keys_t, args_t))?
            };
            let mut it = out.into_iter();
            let ok = matches!(it.next(), Some(Value::Boolean(true)));
            let value = it.next().unwrap_or(Value::Nil);
            let resp = engine.shared.resp.load(Ordering::Relaxed);
            let reply = if ok {
                lua_to_reply(&value, resp, 0)
            } else if r.kill.load(Ordering::Relaxed) {
                Reply::error(if mode.is_eval() { Error::ScriptKilled } else { Error::FunctionKilled }.to_string())
            } else {
                error_reply(&value, &name)
            };
            // Garbage: as Redis, a collection step every 50 scripts (Lua's incremental
            // collector does the rest as scripts allocate); a full collection after a
            // failed script or once the state holds more than a few MiB, so that what a
            // script that hit the memory limit built is gone before the next one runs.
            let runs = self.runs.fetch_add(1, Ordering::Relaxed) + 1;
            if !ok || lua.used_memory() > GC_FULL_ABOVE {
                let _ = lua.gc_collect();
            } else if runs % 50 == 0 {
                let _ = lua.gc_step_kbytes(50);
            }
            Ok(reply)
        });
        let _ = engine.holder.raw_set(&engine.keys.raw, Value::Nil);
        let _ = engine.redis.raw_set(&engine.keys.call, engine.call_wrapper.clone());
        *engine.shared.user.lock() = None;
        if positional {
            let _ = engine.env_backing.raw_set(&engine.keys.keys, Value::Nil);
            let _ = engine.env_backing.raw_set(&engine.keys.argv, Value::Nil);
        }
        let ctx = ctx.into_inner();
        ctx.session.may_block = saved_block;
        r.active.store(false, Ordering::Release);
        r.hand_off_at_ns.store(0, Ordering::Relaxed);
        r.kill.store(false, Ordering::Relaxed);
        match result {
            Ok(reply) => reply,
            Err(e) => {
                if r.kill.load(Ordering::Relaxed) {
                    return Reply::error(Error::ScriptKilled.to_string());
                }
                Reply::error(format!("ERR Error running script {name}, {}", lua_message(&e)))
            }
        }
    }

    /// SCRIPT KILL (`eval`) or FUNCTION KILL: marks the running script to stop.
    pub fn kill(&self, eval: bool) -> Result<(), Error> {
        let r = &self.running;
        if !r.active.load(Ordering::Acquire) {
            return Err(Error::NotBusy);
        }
        if r.wrote.load(Ordering::Relaxed) {
            return Err(Error::Unkillable);
        }
        if r.eval.load(Ordering::Relaxed) != eval {
            return Err(Error::NotBusy);
        }
        r.kill.store(true, Ordering::Relaxed);
        Ok(())
    }

    // ----- Functions -----

    /// Loads the libraries saved in `storage` (at start).
    pub fn restore_saved(&self, store: &crate::types::Store) {
        match store.storage.get(crate::storage::Cf::Stats, FUNCTIONS_KEY) {
            Ok(Some(payload)) => {
                if let Err(e) = saved_codes(&payload).and_then(|codes| self.restore_codes(codes, RestorePolicy::Flush)) {
                    tracing::error!(error = %e, "cannot load the saved functions");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the saved functions"),
        }
    }

    /// Saves the libraries in RocksDB, in the command's own batch: the reply then waits,
    /// as any write's, until the batch is in the WAL (a record written straight to the
    /// storage would be acknowledged before the write-behind thread applied it, and lost
    /// by a `kill -9` right after the reply).
    pub fn persist(&self, txn: &mut crate::types::Txn<'_>) {
        let payload = self.dump();
        txn.batch_mut().put(crate::storage::Cf::Stats, FUNCTIONS_KEY.to_vec(), payload);
        txn.note_write();
    }

    /// FUNCTION LOAD: compiles `code`, runs it to register its functions, and installs the
    /// library (replacing one of the same name when `replace`). Returns its name. As in
    /// Redis 7.0, an existing name without REPLACE is refused before the code runs.
    pub fn load_library(&self, code: &str, replace: bool) -> Result<String, Error> {
        let name = library_name(code)?;
        if !replace && self.libraries.lock().contains_key(&name) {
            return Err(Error::Script(format!("ERR Library '{name}' already exists")));
        }
        let functions = self.compile_library(code)?;
        let mut libs = self.libraries.lock();
        if libs.contains_key(&name) && !replace {
            return Err(Error::Script(format!("ERR Library '{name}' already exists")));
        }
        for f in &functions {
            for (lib, l) in libs.iter() {
                if *lib != name && l.functions.iter().any(|g| g.name == f.name) {
                    return Err(Error::Script(format!("ERR Function {} already exists", f.name)));
                }
            }
        }
        libs.insert(name.clone(), Library { code: code.to_string(), functions });
        Ok(name)
    }

    /// Runs a library's code (its metadata already checked by [`library_name`]) in the
    /// library-load environment and answers the functions it registered.
    fn compile_library(&self, code: &str) -> Result<Vec<FunctionInfo>, Error> {
        let engine = self.engine.lock();
        let lua = &engine.lua;
        // The body without its shebang line, keeping line numbers.
        let body = format!("\n{}", code.split_once('\n').map(|x| x.1).unwrap_or(""));
        let registered: RefCell<Vec<FunctionInfo>> = RefCell::new(Vec::new());
        let result = lua.scope(|scope| {
            let register = scope.create_function(|_, args: MultiValue| {
                let info = parse_registration(args)?;
                if registered.borrow().iter().any(|f| f.name == info.name) {
                    return Err(mlua::Error::RuntimeError("Function already exists in the library".into()));
                }
                registered.borrow_mut().push(info);
                Ok(())
            })?;
            engine.lredis.raw_set("register_function", register)?;
            engine.loading.call::<()>(true)?;
            self.running.load_started_ns.store(now_ns(), Ordering::Relaxed);
            let f = lua.load(&body).set_name("@user_function").set_environment(engine.fenv.clone()).into_function();
            let out = match f {
                Ok(f) => {
                    let out: MultiValue = engine.runner.call((f,))?;
                    let mut it = out.into_iter();
                    if matches!(it.next(), Some(Value::Boolean(true))) {
                        Ok(())
                    } else {
                        let v = it.next().unwrap_or(Value::Nil);
                        Err(Error::Script(format!("ERR Error registering functions: {}", error_text(&v))))
                    }
                }
                Err(e) => Err(Error::Script(format!("ERR Error compiling function: {}", lua_message(&e)))),
            };
            Ok(out)
        });
        self.running.load_started_ns.store(0, Ordering::Relaxed);
        let _ = engine.loading.call::<()>(false);
        let _ = engine.lredis.raw_set("register_function", Value::Nil);
        let functions = registered.into_inner();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(Error::Script(format!("ERR Error registering functions: {}", lua_message(&e)))),
        }
        if functions.is_empty() {
            return Err(Error::Script("ERR No functions registered".into()));
        }
        Ok(functions)
    }

    pub fn delete_library(&self, name: &[u8]) -> Result<(), Error> {
        let name = String::from_utf8_lossy(name);
        self.libraries.lock().remove(name.as_ref()).map(|_| ()).ok_or(Error::Script("ERR Library not found".into()))
    }

    pub fn flush_libraries(&self) {
        self.libraries.lock().clear();
    }

    /// FUNCTION LIST's reply.
    pub fn list(&self, pattern: Option<&[u8]>, with_code: bool) -> Reply {
        let libs = self.libraries.lock();
        let mut out = Vec::new();
        for (name, lib) in libs.iter() {
            if let Some(p) = pattern {
                if !crate::glob::matches(p, name.as_bytes(), false) {
                    continue;
                }
            }
            let functions = lib
                .functions
                .iter()
                .map(|f| {
                    Reply::Map(vec![
                        (Reply::bulk_str("name"), Reply::bulk_str(&f.name)),
                        (
                            Reply::bulk_str("description"),
                            f.description.as_deref().map(Reply::bulk_str).unwrap_or(Reply::Nil),
                        ),
                        (Reply::bulk_str("flags"), Reply::Set(flags_in_redis_order(&f.flags))),
                    ])
                })
                .collect();
            let mut m = vec![
                (Reply::bulk_str("library_name"), Reply::bulk_str(name)),
                (Reply::bulk_str("engine"), Reply::bulk_str("LUA")),
                (Reply::bulk_str("functions"), Reply::Array(functions)),
            ];
            if with_code {
                m.push((Reply::bulk_str("library_code"), Reply::bulk_str(&lib.code)));
            }
            out.push(Reply::Map(m));
        }
        Reply::Array(out)
    }

    /// FUNCTION STATS' reply.
    pub fn stats(&self) -> Reply {
        let running = match self.busy_for() {
            Some(ms) if !self.running.eval.load(Ordering::Relaxed) => {
                let (name, command) = self.running.name.lock().clone();
                Reply::Map(vec![
                    (Reply::bulk_str("name"), Reply::bulk_str(&name)),
                    (Reply::bulk_str("command"), Reply::Array(vec![Reply::bulk_str(&command), Reply::bulk_str(&name)])),
                    (Reply::bulk_str("duration_ms"), Reply::Int(ms as i64)),
                ])
            }
            _ => Reply::Nil,
        };
        let (libs, funcs) = match self.libraries.try_lock() {
            Some(l) => (l.len(), l.values().map(|l| l.functions.len()).sum::<usize>()),
            None => (0, 0),
        };
        Reply::Map(vec![
            (Reply::bulk_str("running_script"), running),
            (
                Reply::bulk_str("engines"),
                Reply::Map(vec![(
                    Reply::bulk_str("LUA"),
                    Reply::Map(vec![
                        (Reply::bulk_str("libraries_count"), Reply::Int(libs as i64)),
                        (Reply::bulk_str("functions_count"), Reply::Int(funcs as i64)),
                    ]),
                )]),
            ),
        ])
    }

    /// FUNCTION DUMP: Redis 7.0's payload (see [`rdb`]), libraries in name order.
    pub fn dump(&self) -> Vec<u8> {
        let libs = self.libraries.lock();
        rdb::dump(libs.values().map(|l| l.code.as_str()))
    }

    /// FUNCTION RESTORE of a Redis payload.
    pub fn restore(&self, payload: &[u8], policy: RestorePolicy) -> Result<(), Error> {
        let codes = rdb::parse(payload).map_err(|r| Error::Script(r.text()))?;
        self.restore_codes(codes.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect(), policy)
    }

    /// Loads `codes` as FUNCTION RESTORE does: each as a new library (two of one name, or
    /// two functions of one name, refuse the whole payload), then joined to the current
    /// ones by `policy`, all or nothing.
    fn restore_codes(&self, codes: Vec<String>, policy: RestorePolicy) -> Result<(), Error> {
        let mut compiled: Vec<(String, Library)> = Vec::new();
        for code in codes {
            let name = library_name(&code)?;
            if compiled.iter().any(|(n, _)| *n == name) {
                return Err(Error::Script(format!("ERR Library '{name}' already exists")));
            }
            let functions = self.compile_library(&code)?;
            for f in &functions {
                if compiled.iter().any(|(_, l)| l.functions.iter().any(|g| g.name == f.name)) {
                    return Err(Error::Script(format!("ERR Function {} already exists", f.name)));
                }
            }
            compiled.push((name, Library { code, functions }));
        }
        let mut libs = self.libraries.lock();
        match policy {
            RestorePolicy::Flush => libs.clear(),
            RestorePolicy::Append | RestorePolicy::Replace => {
                let replace = policy == RestorePolicy::Replace;
                if !replace {
                    if let Some((name, _)) = compiled.iter().find(|(n, _)| libs.contains_key(n)) {
                        return Err(Error::Script(format!("ERR Library {name} already exists")));
                    }
                }
                // The libraries left after the replaced ones are unlinked.
                let kept = |n: &String| !compiled.iter().any(|(c, _)| c == n);
                for (_, lib) in &compiled {
                    for f in &lib.functions {
                        if libs.iter().any(|(n, l)| kept(n) && l.functions.iter().any(|g| g.name == f.name)) {
                            return Err(Error::Script(format!("ERR Function {} already exists", f.name)));
                        }
                    }
                }
            }
        }
        for (name, lib) in compiled {
            libs.insert(name, lib);
        }
        Ok(())
    }
}

/// Reads the libraries' record of a data directory: Redis's payload, or the payload of
/// DiskDB's own format that versions before it wrote (a header, each code with its
/// length, a CRC32).
fn saved_codes(payload: &[u8]) -> Result<Vec<String>, Error> {
    const OLD_MAGIC: &[u8] = b"DDBFUNC1";
    if !payload.starts_with(OLD_MAGIC) {
        let codes = rdb::parse(payload).map_err(|r| Error::Script(r.text()))?;
        return Ok(codes.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect());
    }
    let bad = || Error::Script("ERR payload version or checksum are wrong".into());
    if payload.len() < OLD_MAGIC.len() + 4 {
        return Err(bad());
    }
    let (body, crc) = payload.split_at(payload.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err(bad());
    }
    let mut codes = Vec::new();
    let mut rest = &body[OLD_MAGIC.len()..];
    while !rest.is_empty() {
        let (len, after) = rest.split_at_checked(4).ok_or_else(bad)?;
        let n = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let (code, after) = after.split_at_checked(n).ok_or_else(bad)?;
        codes.push(String::from_utf8_lossy(code).into_owned());
        rest = after;
    }
    Ok(codes)
}

impl Default for Scripting {
    fn default() -> Self {
        Scripting::new()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RestorePolicy {
    Append,
    Replace,
    Flush,
}

/// A library's `#!<engine> name=<name>` line, checked in Redis 7.0's order
/// (`functionExtractLibMetaData`, then the name, then the engine). Returns the name.
fn library_name(code: &str) -> Result<String, Error> {
    let err = |m: String| Error::Script(format!("ERR {m}"));
    if !code.starts_with("#!") {
        return Err(err("Missing library metadata".into()));
    }
    let Some(end) = code.find('\n') else { return Err(err("Invalid library metadata".into())) };
    let parts = match split_args(code[..end].as_bytes()) {
        Some(p) if !p.is_empty() => p,
        _ => return Err(err("Invalid library metadata".into())),
    };
    let engine_name = String::from_utf8_lossy(&parts[0][2.min(parts[0].len())..]).into_owned();
    let mut name = None;
    for p in &parts[1..] {
        if p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(err("Invalid metadata value, name argument was given multiple times".into()));
            }
            name = Some(String::from_utf8_lossy(&p[5..]).into_owned());
            continue;
        }
        return Err(err(format!("Invalid metadata value given: {}", String::from_utf8_lossy(p))));
    }
    let Some(name) = name else { return Err(err("Library name was not given".into())) };
    if !valid_name(&name) {
        return Err(err(LIBRARY_NAME_RULE.into()));
    }
    if !engine_name.eq_ignore_ascii_case("lua") {
        return Err(err(format!("Engine '{engine_name}' not found")));
    }
    Ok(name)
}

/// Redis 7.0's text for a bad library name, and for a bad function name too.
const LIBRARY_NAME_RULE: &str =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A Lua value as `lua_tostring` gives it, for strings and numbers only.
fn lua_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Number(n) => Some(libs::fmt_g(*n, 14)),
        _ => None,
    }
}

/// `redis.register_function(name, callback)` or `redis.register_function{...}`, with
/// Redis 7.0's checks, in its order, and its texts (named arguments and flags are
/// matched without regard to case; the flags list ends at its first nil).
fn parse_registration(args: MultiValue) -> mlua::Result<FunctionInfo> {
    let err = |m: &str| mlua::Error::RuntimeError(m.to_string());
    let args: Vec<Value> = args.into_iter().collect();
    let (name, callback, flags, description) = match args.as_slice() {
        [one] => {
            let Value::Table(t) = one else {
                return Err(err("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."));
            };
            let mut name = None;
            let mut callback = None;
            let mut flags = Vec::new();
            let mut description = None;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair?;
                let Some(k) = lua_string(&k) else {
                    return Err(err("named argument key given to redis.register_function is not a string"));
                };
                if k.eq_ignore_ascii_case("function_name") {
                    match lua_string(&v) {
                        Some(s) => name = Some(s),
                        None => return Err(err("function_name argument given to redis.register_function must be a string")),
                    }
                } else if k.eq_ignore_ascii_case("description") {
                    match lua_string(&v) {
                        Some(s) => description = Some(s),
                        None => return Err(err("description argument given to redis.register_function must be a string")),
                    }
                } else if k.eq_ignore_ascii_case("callback") {
                    match v {
                        Value::Function(f) => callback = Some(f),
                        _ => return Err(err("callback argument given to redis.register_function must be a function")),
                    }
                } else if k.eq_ignore_ascii_case("flags") {
                    let Value::Table(ft) = v else {
                        return Err(err("flags argument to redis.register_function must be a table representing function flags"));
                    };
                    flags.clear();
                    for i in 1.. {
                        let f = ft.get::<Value>(i)?;
                        if f.is_nil() {
                            break;
                        }
                        let known = lua_string(&f).and_then(|f| SCRIPT_FLAGS.iter().find(|k| k.eq_ignore_ascii_case(&f)).copied());
                        match known {
                            Some(k) => {
                                if !flags.contains(&k) {
                                    flags.push(k)
                                }
                            }
                            None => return Err(err("unknown flag given")),
                        }
                    }
                } else {
                    return Err(err("unknown argument given to redis.register_function"));
                }
            }
            let Some(name) = name else { return Err(err("redis.register_function must get a function name argument")) };
            let Some(callback) = callback else { return Err(err("redis.register_function must get a callback argument")) };
            (name, callback, flags, description)
        }
        [n, f] => {
            let Some(name) = lua_string(n) else { return Err(err("first argument to redis.register_function must be a string")) };
            let Value::Function(f) = f else { return Err(err("second argument to redis.register_function must be a function")) };
            (name, f.clone(), Vec::new(), None)
        }
        _ => return Err(err("wrong number of arguments to redis.register_function")),
    };
    if !valid_name(&name) {
        return Err(err(LIBRARY_NAME_RULE));
    }
    Ok(FunctionInfo { name, flags, description, callback })
}

/// The text of a Lua error as Redis shows it (without mlua's decorations).
fn lua_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::MemoryError(_) => "not enough memory".into(),
        mlua::Error::CallbackError { cause, .. } => lua_message(cause),
        other => other.to_string(),
    }
}

/// The text of an error value (a string or an `{err=...}` table).
fn error_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string_lossy(),
        Value::Table(t) => t.raw_get::<mlua::String>("err").map(|s| s.to_string_lossy()).unwrap_or_default(),
        Value::Error(e) => lua_message(e),
        other => other.to_string().unwrap_or_default(),
    }
}

/// The reply for a script that raised `v`, as Redis 7.0 words it:
/// `<error> script: <name>, on @user_script:<line>.`
fn error_reply(v: &Value, name: &str) -> Reply {
    match v {
        Value::Table(t) => {
            let msg = t.raw_get::<mlua::String>("err").map(|s| s.to_string_lossy()).unwrap_or_default();
            let line: Option<i64> = t.raw_get("line").ok();
            let source: Option<String> = t.raw_get::<mlua::String>("source").ok().map(|s| s.to_string_lossy());
            match (source, line) {
                (Some(src), Some(line)) => Reply::error(format!("{msg} script: {name}, on {src}:{line}.")),
                _ => Reply::error(format!("{msg} script: {name}")),
            }
        }
        Value::String(s) => {
            let msg = s.to_string_lossy();
            // Lua prefixes runtime errors with `user_script:<line>:`.
            let located = ["user_script:", "user_function:"].iter().find_map(|p| {
                let rest = msg.strip_prefix(p)?;
                let (line, _) = rest.split_once(':')?;
                line.parse::<u64>().ok().map(|l| (&p[..p.len() - 1], l))
            });
            match located {
                Some((src, line)) => Reply::error(format!("ERR {msg} script: {name}, on @{src}:{line}.")),
                None => Reply::error(format!("ERR {msg} script: {name}")),
            }
        }
        other => Reply::error(format!("ERR Error running script {name}, {}", error_text(other))),
    }
}

/// The error handler scripts run under (Redis's `__redis__err__handler`): turns any
/// error into an `{err=...}` table (`ERR ` before a plain message) and records the
/// source and line of the innermost script frame, while the stack is still there.
fn error_handler(lua: &Lua, err: Value) -> mlua::Result<Value> {
    if let Value::Error(_) = &err {
        // A raising redis.call: its table, already located.
        let p: Value = lua.named_registry_value(PENDING_ERROR)?;
        lua.set_named_registry_value(PENDING_ERROR, Value::Nil)?;
        if let Value::Table(t) = p {
            if t.raw_get::<Option<i64>>("line")?.is_some() {
                return Ok(Value::Table(t));
            }
            return located(lua, t);
        }
    }
    let t = match err {
        Value::Table(t) => t,
        other => {
            let t = lua.create_table()?;
            let msg = match &other {
                Value::String(s) => s.to_string_lossy(),
                Value::Error(e) => lua_message(e),
                v => v.to_string().unwrap_or_default(),
            };
            t.raw_set("err", format!("ERR {msg}"))?;
            t
        }
    };
    located(lua, t)
}

/// Adds the source and line of the innermost script frame to an error table.
fn located(lua: &Lua, t: Table) -> mlua::Result<Value> {
    for level in 1..64 {
        let Some(d) = lua.inspect_stack(level) else { break };
        let src = d.source().source.map(|s| s.into_owned()).unwrap_or_default();
        if src == "@user_script" || src == "@user_function" {
            t.raw_set("source", src)?;
            t.raw_set("line", d.curr_line())?;
            break;
        }
    }
    Ok(Value::Table(t))
}

/// `redis.call` / `redis.pcall`: `(protected, command, args...)`. Answers the converted
/// reply, whether it is an error `call` raises, and the line of the calling script.
fn redis_call(lua: &Lua, ctx: &RefCell<CallCtx<'_>>, args: MultiValue) -> mlua::Result<(Value, bool)> {
    let mut it = args.into_iter();
    let _protected = matches!(it.next(), Some(Value::Boolean(true)));
    let err_table = |msg: String| -> mlua::Result<(Value, bool)> {
        let t = lua.create_table()?;
        t.raw_set("err", msg)?;
        Ok((Value::Table(t), true))
    };
    let mut argv: Vec<Bytes> = Vec::new();
    for v in it {
        match v {
            Value::String(s) => argv.push(Bytes::copy_from_slice(&s.as_bytes())),
            Value::Number(n) => argv.push(Bytes::from(libs::fmt_g(n, 17))),
            Value::Integer(n) => argv.push(Bytes::from(n.to_string())),
            _ => return err_table(Error::ScriptArgType.to_string()),
        }
    }
    if argv.is_empty() {
        return err_table(Error::ScriptNoArgs.to_string());
    }
    let mut c = ctx.borrow_mut();
    let c = &mut *c;
    let saved_resp = c.session.resp;
    let resp = shared_resp(lua);
    c.session.resp = resp;
    let result = crate::commands::dispatch::call_from_script(c.state, c.session, &argv, c.mode.read_only());
    c.session.resp = saved_resp;
    let (reply, wrote) = match result {
        Ok(o) => (o.reply, o.wrote),
        Err(e) => return err_table(e.to_string()),
    };
    if wrote {
        c.state.scripting.running.wrote.store(true, Ordering::Relaxed);
    }
    if let Reply::Error(e) = &reply {
        return err_table(String::from_utf8_lossy(e).into_owned());
    }
    Ok((reply_to_lua(lua, reply, resp)?, false))
}

/// The protocol the running script chose with `redis.setresp`.
fn shared_resp(lua: &Lua) -> u8 {
    lua.app_data_ref::<Arc<RunShared>>().map(|s| s.resp.load(Ordering::Relaxed)).unwrap_or(2)
}

/// `redis.acl_check_cmd(command, args...)`: whether the script's user may run that
/// command with those arguments (keys included), as Redis 7.0 answers it.
fn acl_check_cmd(lua: &Lua, args: MultiValue) -> mlua::Result<bool> {
    let mut argv: Vec<Bytes> = Vec::with_capacity(args.len());
    for v in args.iter() {
        match v {
            Value::String(s) => argv.push(Bytes::copy_from_slice(&s.as_bytes())),
            Value::Number(n) => argv.push(Bytes::from(libs::fmt_g(*n, 17))),
            Value::Integer(n) => argv.push(Bytes::from(n.to_string())),
            _ => return Err(mlua::Error::RuntimeError(Error::ScriptArgType.to_string().trim_start_matches("ERR ").into())),
        }
    }
    if argv.is_empty() {
        return Err(mlua::Error::RuntimeError(Error::ScriptNoArgs.to_string().trim_start_matches("ERR ").into()));
    }
    let invalid = || mlua::Error::RuntimeError("Invalid command passed to redis.acl_check_cmd()".into());
    let reg = crate::commands::registry();
    let idx = reg.index_of(&argv[0]).ok_or_else(invalid)?;
    let spec = reg.specs[idx].1;
    let idx = if !spec.subcommands.is_empty() && argv.len() >= 2 {
        let mut full = spec.name.as_bytes().to_vec();
        full.push(b'|');
        full.extend_from_slice(&argv[1]);
        reg.index_of(&full).ok_or_else(invalid)?
    } else {
        idx
    };
    let user = lua.app_data_ref::<Arc<RunShared>>().and_then(|s| s.user.lock().clone());
    let Some(user) = user else { return Ok(true) };
    if user.unrestricted() {
        return Ok(true);
    }
    let allowed = crate::acl::check::check(&user.read(), idx, &argv).is_ok();
    Ok(allowed)
}

/// A command's reply as the script sees it (Redis's conversion table).
fn reply_to_lua(lua: &Lua, reply: Reply, resp: u8) -> mlua::Result<Value> {
    let tagged = |tag: &str, v: Value| -> mlua::Result<Value> {
        let t = lua.create_table()?;
        t.raw_set(tag, v)?;
        Ok(Value::Table(t))
    };
    Ok(match reply {
        Reply::Status(s) => tagged("ok", Value::String(lua.create_string(&s)?))?,
        Reply::Error(e) => tagged("err", Value::String(lua.create_string(&e)?))?,
        Reply::Int(i) => Value::Number(i as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(&b)?),
        Reply::Nil | Reply::NilArray => {
            if resp == 3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::Array(items) | Reply::Push(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.into_iter().enumerate() {
                t.raw_set(i + 1, reply_to_lua(lua, item, resp)?)?;
            }
            Value::Table(t)
        }
        Reply::Set(items) => {
            if resp == 3 {
                let s = lua.create_table()?;
                for item in items {
                    s.raw_set(reply_to_lua(lua, item, resp)?, true)?;
                }
                tagged("set", Value::Table(s))?
            } else {
                reply_to_lua(lua, Reply::Array(items), resp)?
            }
        }
        Reply::Map(pairs) => {
            if resp == 3 {
                let m = lua.create_table()?;
                for (k, v) in pairs {
                    m.raw_set(reply_to_lua(lua, k, resp)?, reply_to_lua(lua, v, resp)?)?;
                }
                tagged("map", Value::Table(m))?
            } else {
                let flat = pairs.into_iter().flat_map(|(k, v)| [k, v]).collect();
                reply_to_lua(lua, Reply::Array(flat), resp)?
            }
        }
        Reply::DoubleText(text) => {
            if resp == 3 {
                let d = std::str::from_utf8(&text).ok().and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
                tagged("double", Value::Number(d))?
            } else {
                Value::String(lua.create_string(&text)?)
            }
        }
        Reply::Double(d) => {
            if resp == 3 {
                tagged("double", Value::Number(d))?
            } else {
                Value::String(lua.create_string(crate::protocol::reply::format_double(d))?)
            }
        }
        Reply::Bool(b) => {
            if resp == 3 {
                Value::Boolean(b)
            } else {
                Value::Number(b as i64 as f64)
            }
        }
        Reply::BigNumber(digits) => {
            if resp == 3 {
                tagged("big_number", Value::String(lua.create_string(&digits)?))?
            } else {
                Value::String(lua.create_string(&digits)?)
            }
        }
        Reply::Verbatim(format, s) => {
            if resp == 3 {
                let t = lua.create_table()?;
                t.raw_set("format", format)?;
                t.raw_set("string", lua.create_string(&s)?)?;
                tagged("verbatim_string", Value::Table(t))?
            } else {
                Value::String(lua.create_string(&s)?)
            }
        }
    })
}

/// A string for a status line or a big number: CR and LF become spaces, as Redis's
/// `sdsmapchars(s, "\r\n", "  ")`.
fn one_line(s: &[u8]) -> Bytes {
    Bytes::from(s.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect::<Vec<u8>>())
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// A script's return value as a reply (Redis 7.0's `luaReplyToRedisReply`). `resp` is
/// the protocol the script chose with `redis.setresp` (2 by default): it decides how
/// booleans convert; the `{double=}`, `{big_number=}`, `{verbatim_string=}`, `{map=}`
/// and `{set=}` tables convert whatever it is (a RESP2 client then gets their RESP2
/// forms: a bulk string, a flat array, an array).
fn lua_to_reply(v: &Value, resp: u8, depth: usize) -> Reply {
    if depth > MAX_REPLY_DEPTH {
        return Reply::error("ERR reached lua stack limit");
    }
    match v {
        Value::String(s) => Reply::Bulk(Bytes::copy_from_slice(&s.as_bytes())),
        Value::Boolean(b) => {
            if resp == 3 {
                Reply::Bool(*b)
            } else if *b {
                Reply::Int(1)
            } else {
                Reply::Nil
            }
        }
        Value::Number(n) => Reply::Int(truncate(*n)),
        Value::Integer(i) => Reply::Int(*i),
        Value::Table(t) => {
            if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
                return Reply::Error(Bytes::copy_from_slice(&e.as_bytes()));
            }
            if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
                return Reply::Status(one_line(&s.as_bytes()));
            }
            if let Some(d) = t.raw_get::<Value>("double").ok().as_ref().and_then(as_number) {
                if d.is_nan() {
                    // "%.17g" of a NaN, sign included ("-nan" for Lua's 0/0 on x86).
                    return Reply::DoubleText(Bytes::from(libs::fmt_g(d, 17)));
                }
                return Reply::Double(d);
            }
            if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
                return Reply::BigNumber(one_line(&s.as_bytes()));
            }
            if let Ok(Value::Table(vt)) = t.raw_get::<Value>("verbatim_string") {
                if let (Ok(Value::String(format)), Ok(Value::String(text))) =
                    (vt.raw_get::<Value>("format"), vt.raw_get::<Value>("string"))
                {
                    // Redis writes the format's first three bytes; the formats RESP3
                    // defines are these two.
                    let format: &'static str = match &format.as_bytes()[..] {
                        b"mkd" => "mkd",
                        _ => "txt",
                    };
                    return Reply::Verbatim(format, Bytes::copy_from_slice(&text.as_bytes()));
                }
            }
            if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
                let mut pairs = Vec::new();
                for pair in m.pairs::<Value, Value>().flatten() {
                    pairs.push((lua_to_reply(&pair.0, resp, depth + 1), lua_to_reply(&pair.1, resp, depth + 1)));
                }
                return Reply::Map(pairs);
            }
            if let Ok(Value::Table(s)) = t.raw_get::<Value>("set") {
                let mut items = Vec::new();
                for pair in s.pairs::<Value, Value>().flatten() {
                    items.push(lua_to_reply(&pair.0, resp, depth + 1));
                }
                return Reply::Set(items);
            }
            let mut items = Vec::new();
            let mut i = 1;
            loop {
                match t.raw_get::<Value>(i) {
                    Ok(Value::Nil) | Err(_) => break,
                    Ok(v) => items.push(lua_to_reply(&v, resp, depth + 1)),
                }
                i += 1;
            }
            Reply::Array(items)
        }
        Value::Error(e) => Reply::error(format!("ERR {}", lua_message(e))),
        _ => Reply::Nil,
    }
}

/// Lua number -> integer reply, as C's `(long long)` cast.
fn truncate(n: f64) -> i64 {
    if n.is_nan() {
        i64::MIN
    } else {
        n as i64
    }
}

/// A function's flags as FUNCTION LIST answers them: in the order of Redis's script
/// flag table, whatever order they were registered in.
fn flags_in_redis_order<S: AsRef<str>>(flags: &[S]) -> Vec<Reply> {
    const ORDER: [&str; 5] = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];
    ORDER.iter().filter(|o| flags.iter().any(|f| f.as_ref() == **o)).map(|o| Reply::status(o)).collect()
}
