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
/// Nesting a script's reply may have (deeper tables answer an error).
const MAX_REPLY_DEPTH: usize = 1000;
/// Record of the libraries in the Stats column family.
const FUNCTIONS_KEY: &[u8] = b"functions";
/// The DiskDB FUNCTION DUMP payload's header.
const DUMP_MAGIC: &[u8] = b"DDBFUNC1";

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

struct Engine {
    lua: Lua,
    /// Private table the wrappers read `raw` (redis.call's implementation) from.
    holder: Table,
    /// The table behind the script environment (KEYS and ARGV are set here).
    env_backing: Table,
    /// The protected environment scripts run in.
    env: Table,
    runner: Function,
    scripts: HashMap<String, Function>,
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
  local n, args = select('#', ...), {...}
  return xpcall(function() return f(unpack(args, 1, n)) end, holder.handler)
end
return backing, env, runner
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
        redis.raw_set(
            "log",
            lua.create_function(|_, args: MultiValue| {
                let mut it = args.into_iter();
                let level = it.next().and_then(|v| v.as_number().or_else(|| v.as_integer().map(|i| i as f64)));
                let Some(level) = level else {
                    return Err(mlua::Error::RuntimeError("First argument must be a number (log level).".into()));
                };
                let msg: Vec<String> = it.map(|v| v.to_string().unwrap_or_default()).collect();
                let msg = msg.join(" ");
                match level as i64 {
                    0 => tracing::debug!(target: "lua", "{msg}"),
                    1 | 2 => tracing::info!(target: "lua", "{msg}"),
                    3 => tracing::warn!(target: "lua", "{msg}"),
                    _ => return Err(mlua::Error::RuntimeError("Invalid debug level.".into())),
                }
                Ok(())
            })?,
        )?;
        redis.raw_set("set_repl", lua.create_function(|_, _: MultiValue| Ok(()))?)?;
        redis.raw_set("replicate_commands", lua.create_function(|_, _: MultiValue| Ok(true))?)?;
        g.raw_set("redis", redis)?;
        let holder = lua.create_table()?;
        let (env_backing, env, runner): (Table, Table, Function) =
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
            Ok(VmState::Continue)
        });
        let call_wrapper: Value = g.raw_get::<Table>("redis")?.raw_get("call")?;
        Ok(Engine { lua, holder, env_backing, env, runner, scripts: HashMap::new(), call_wrapper })
    }
}

fn version_num(v: &str) -> i64 {
    let p: Vec<i64> = v.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    (p.first().copied().unwrap_or(0) << 16) | (p.get(1).copied().unwrap_or(0) << 8) | p.get(2).copied().unwrap_or(0)
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
    resp: u8,
}

impl Scripting {
    pub fn new() -> Scripting {
        let running = Arc::new(Running::default());
        let rand = Arc::new(libs::Rand48::default());
        rand.seed(0);
        let engine = Engine::new(rand, running.clone()).expect("the Lua state starts");
        Scripting {
            engine: Mutex::new(engine),
            bodies: Mutex::new(HashMap::new()),
            libraries: Mutex::new(BTreeMap::new()),
            running,
            epoch: Instant::now(),
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

    /// Compiles and caches `body`; returns its SHA1.
    pub fn load_script(&self, body: &Bytes) -> Result<String, Error> {
        let sha = sha1_hex(body);
        let mut engine = self.engine.lock();
        if engine.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let f = engine
            .lua
            .load(&body[..])
            .set_name("@user_script")
            .set_environment(engine.env.clone())
            .into_function()
            .map_err(|e| Error::Script(format!("ERR Error compiling script (new function): {}", lua_message(&e))))?;
        engine.scripts.insert(sha.clone(), f);
        self.bodies.lock().insert(sha.clone(), body.clone());
        Ok(sha)
    }

    pub fn script_exists(&self, sha: &[u8]) -> bool {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        self.bodies.lock().contains_key(&sha)
    }

    pub fn flush_scripts(&self) {
        self.engine.lock().scripts.clear();
        self.bodies.lock().clear();
    }

    /// Runs the cached script `sha` (EVAL, EVALSHA and their _RO forms).
    pub fn eval(&self, state: &ServerState, session: &mut Session, sha: &str, keys: &[Bytes], args: &[Bytes], mode: Mode) -> Reply {
        let f = {
            let engine = self.engine.lock();
            match engine.scripts.get(&sha.to_ascii_lowercase()) {
                Some(f) => f.clone(),
                None => return Reply::error(Error::NoScript.to_string()),
            }
        };
        self.run(state, session, f, sha.to_ascii_lowercase(), "eval", keys, args, mode, true)
    }

    /// Runs the function `name` (FCALL, FCALL_RO).
    pub fn fcall(&self, state: &ServerState, session: &mut Session, name: &[u8], keys: &[Bytes], args: &[Bytes], ro_cmd: bool) -> Reply {
        let name = String::from_utf8_lossy(name).into_owned();
        let found = {
            let libs = self.libraries.lock();
            libs.values().flat_map(|l| l.functions.iter()).find(|f| f.name == name).map(|f| (f.callback.clone(), f.flags.contains(&"no-writes")))
        };
        let Some((f, no_writes)) = found else {
            return Reply::error(Error::FunctionNotFound.to_string());
        };
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
        r.active.store(true, Ordering::Release);
        let saved_block = session.may_block;
        session.may_block = false;
        let ctx = RefCell::new(CallCtx { state, session, mode, resp: 2 });
        let result = lua.scope(|scope| {
            let raw = scope.create_function(|lua, args: MultiValue| redis_call(lua, &ctx, args))?;
            engine.holder.raw_set("raw", raw)?;
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
            let setresp = scope.create_function(|_, v: Value| {
                let n = v.as_number().or_else(|| v.as_integer().map(|i| i as f64));
                match n {
                    Some(n) if n == 2.0 || n == 3.0 => {
                        ctx.borrow_mut().resp = n as u8;
                        Ok(())
                    }
                    _ => Err(mlua::Error::RuntimeError("RESP version must be 2 or 3.".into())),
                }
            })?;
            let redis: Table = lua.globals().raw_get("redis")?;
            redis.raw_set("setresp", setresp)?;
            redis.raw_set("call", call)?;
            let keys_t = lua.create_sequence_from(keys.iter().map(|k| lua.create_string(k)).collect::<mlua::Result<Vec<_>>>()?)?;
            let args_t = lua.create_sequence_from(args.iter().map(|k| lua.create_string(k)).collect::<mlua::Result<Vec<_>>>()?)?;
            let out: MultiValue = if positional {
                engine.env_backing.raw_set("KEYS", keys_t)?;
                engine.env_backing.raw_set("ARGV", args_t)?;
                engine.runner.call((f.clone(),))?
            } else {
                engine.runner.call((f.clone(), keys_t, args_t))?
            };
            let mut it = out.into_iter();
            let ok = matches!(it.next(), Some(Value::Boolean(true)));
            let value = it.next().unwrap_or(Value::Nil);
            let resp = ctx.borrow().resp;
            let reply = if ok {
                lua_to_reply(&value, resp, 0)
            } else if r.kill.load(Ordering::Relaxed) {
                Reply::error(if mode.is_eval() { Error::ScriptKilled } else { Error::FunctionKilled }.to_string())
            } else {
                error_reply(&value, &name)
            };
            // Free what the script built before the next one runs.
            let _ = lua.gc_collect();
            Ok(reply)
        });
        let _ = engine.holder.raw_set("raw", Value::Nil);
        if let Ok(redis) = lua.globals().raw_get::<Table>("redis") {
            let _ = redis.raw_set("setresp", Value::Nil);
            let _ = redis.raw_set("call", engine.call_wrapper.clone());
        }
        if positional {
            let _ = engine.env_backing.raw_set("KEYS", Value::Nil);
            let _ = engine.env_backing.raw_set("ARGV", Value::Nil);
        }
        let ctx = ctx.into_inner();
        ctx.session.may_block = saved_block;
        r.active.store(false, Ordering::Release);
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
                if let Err(e) = self.restore(&payload, RestorePolicy::Flush) {
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
    /// library (replacing one of the same name when `replace`). Returns its name.
    pub fn load_library(&self, code: &str, replace: bool) -> Result<String, Error> {
        let (name, functions) = self.compile_library(code)?;
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

    fn compile_library(&self, code: &str) -> Result<(String, Vec<FunctionInfo>), Error> {
        let first = code.lines().next().unwrap_or("");
        let Some(meta) = first.strip_prefix("#!") else {
            return Err(Error::Script("ERR Missing library metadata".into()));
        };
        let mut parts = meta.split(' ').filter(|p| !p.is_empty());
        let engine_name = parts.next().unwrap_or("");
        if !engine_name.eq_ignore_ascii_case("lua") {
            return Err(Error::Script(format!("ERR Engine '{engine_name}' not found")));
        }
        let mut name = None;
        for p in parts {
            match p.strip_prefix("name=") {
                Some(n) if name.is_none() => name = Some(n.to_string()),
                Some(_) => return Err(Error::Script("ERR Invalid metadata value, name argument was given multiple times".into())),
                None => return Err(Error::Script(format!("ERR Invalid metadata value given: {p}"))),
            }
        }
        let Some(name) = name else { return Err(Error::Script("ERR Library name was not given".into())) };
        if !valid_name(&name) {
            return Err(Error::Script(
                "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
                    .into(),
            ));
        }
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
            let redis: Table = lua.globals().raw_get("redis")?;
            redis.raw_set("register_function", register)?;
            let f = lua.load(&body).set_name("@user_function").set_environment(engine.env.clone()).into_function();
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
            redis.raw_set("register_function", Value::Nil)?;
            Ok(out)
        });
        let functions = registered.into_inner();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(Error::Script(format!("ERR Error registering functions: {}", lua_message(&e)))),
        }
        if functions.is_empty() {
            return Err(Error::Script("ERR No functions registered".into()));
        }
        Ok((name, functions))
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

    /// FUNCTION DUMP: DiskDB's payload (a header, then each library's code with its
    /// length, then a CRC32). Not Redis's RDB payload: restore it into DiskDB only.
    pub fn dump(&self) -> Vec<u8> {
        let libs = self.libraries.lock();
        let mut out = DUMP_MAGIC.to_vec();
        for lib in libs.values() {
            out.extend_from_slice(&(lib.code.len() as u32).to_le_bytes());
            out.extend_from_slice(lib.code.as_bytes());
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// FUNCTION RESTORE.
    pub fn restore(&self, payload: &[u8], policy: RestorePolicy) -> Result<(), Error> {
        let bad = || Error::Script("ERR payload version or checksum are wrong".into());
        if payload.len() < DUMP_MAGIC.len() + 4 || !payload.starts_with(DUMP_MAGIC) {
            return Err(bad());
        }
        let (body, crc) = payload.split_at(payload.len() - 4);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return Err(bad());
        }
        let mut codes = Vec::new();
        let mut rest = &body[DUMP_MAGIC.len()..];
        while !rest.is_empty() {
            if rest.len() < 4 {
                return Err(bad());
            }
            let n = u32::from_le_bytes(rest[..4].try_into().unwrap_or([0; 4])) as usize;
            rest = &rest[4..];
            if rest.len() < n {
                return Err(bad());
            }
            codes.push(String::from_utf8_lossy(&rest[..n]).into_owned());
            rest = &rest[n..];
        }
        let mut compiled = Vec::new();
        for code in &codes {
            let (name, functions) = self.compile_library(code)?;
            compiled.push((name, Library { code: code.clone(), functions }));
        }
        let mut libs = self.libraries.lock();
        match policy {
            RestorePolicy::Flush => libs.clear(),
            RestorePolicy::Append => {
                for (name, lib) in &compiled {
                    if libs.contains_key(name) {
                        return Err(Error::Script(format!("ERR Library {name} already exists")));
                    }
                    for f in &lib.functions {
                        if libs.values().any(|l| l.functions.iter().any(|g| g.name == f.name)) {
                            return Err(Error::Script(format!("ERR Function {} already exists", f.name)));
                        }
                    }
                }
            }
            RestorePolicy::Replace => {
                for (name, lib) in &compiled {
                    for f in &lib.functions {
                        if libs.iter().any(|(n, l)| n != name && l.functions.iter().any(|g| g.name == f.name)) {
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

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `redis.register_function(name, callback)` or `redis.register_function{...}`.
fn parse_registration(args: MultiValue) -> mlua::Result<FunctionInfo> {
    let err = |m: &str| mlua::Error::RuntimeError(m.to_string());
    let args: Vec<Value> = args.into_iter().collect();
    let (name, callback, flags, description) = match args.as_slice() {
        [Value::Table(t)] => {
            let mut name = None;
            let mut callback = None;
            let mut flags = Vec::new();
            let mut description = None;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair?;
                let k = match &k {
                    Value::String(s) => s.to_string_lossy(),
                    _ => return Err(err("named argument key given to register_function is not a string")),
                };
                match k.as_str() {
                    "function_name" => match v {
                        Value::String(s) => name = Some(s.to_string_lossy()),
                        _ => return Err(err("function_name argument given to register_function must be a string")),
                    },
                    "callback" => match v {
                        Value::Function(f) => callback = Some(f),
                        _ => return Err(err("callback argument given to register_function must be a function")),
                    },
                    "description" => match v {
                        Value::String(s) => description = Some(s.to_string_lossy()),
                        _ => return Err(err("description argument given to register_function must be a string")),
                    },
                    "flags" => match v {
                        Value::Table(ft) => {
                            for f in ft.sequence_values::<Value>() {
                                let f = match f? {
                                    Value::String(s) => s.to_string_lossy(),
                                    _ => return Err(err("unknown flag given")),
                                };
                                let known = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];
                                match known.iter().find(|k| **k == f) {
                                    Some(k) => flags.push(*k),
                                    None => return Err(err("unknown flag given")),
                                }
                            }
                        }
                        _ => return Err(err("flags argument to redis.register_function must be a table representing function flags")),
                    },
                    _ => return Err(err("unknown argument given to register_function")),
                }
            }
            let Some(name) = name else { return Err(err("redis.register_function must get a function name argument")) };
            let Some(callback) = callback else { return Err(err("redis.register_function must get a callback argument")) };
            (name, callback, flags, description)
        }
        [Value::String(n), Value::Function(f)] => (n.to_string_lossy(), f.clone(), Vec::new(), None),
        [_, _] => return Err(err("wrong argument given to redis.register_function")),
        _ => return Err(err("wrong number of arguments to redis.register_function")),
    };
    if !valid_name(&name) {
        return Err(err(
            "Function names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        ));
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
    c.session.resp = c.resp;
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
    Ok((reply_to_lua(lua, reply, c.resp)?, false))
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

/// A script's return value as a reply (Redis's conversion table).
fn lua_to_reply(v: &Value, resp: u8, depth: usize) -> Reply {
    if depth > MAX_REPLY_DEPTH {
        return Reply::error("ERR reached lua stack limit");
    }
    match v {
        Value::String(s) => Reply::Bulk(Bytes::copy_from_slice(&s.as_bytes())),
        Value::Boolean(true) => Reply::Int(1),
        Value::Boolean(false) => {
            if resp == 3 {
                Reply::Int(0)
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
                return Reply::Status(Bytes::copy_from_slice(&s.as_bytes()));
            }
            if resp == 3 {
                if let Ok(Value::Number(d)) = t.raw_get::<Value>("double") {
                    return Reply::Double(d);
                }
                if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
                    return Reply::Bulk(Bytes::copy_from_slice(&s.as_bytes()));
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
