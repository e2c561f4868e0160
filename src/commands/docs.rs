//! The argument trees COMMAND DOCS answers under `arguments`, one syntax line per
//! command and subcommand, parsed once into the replies Redis 7 gives.
//!
//! redis-cli 7 builds its argument hints and `HELP` lines from these trees, and client
//! libraries read them to learn a command's options, so their shape follows Redis 7.0
//! exactly (`tests/command_docs.rs` compares every command with a real redis-server).
//! Redis keeps them as JSON; here each is one line in the style of redis.io's syntax
//! lines, so a command's arguments can be read and reviewed at a glance.
//!
//! # Format
//!
//! [`SYNTAX`] holds one entry per command: its full name (`set`, `client|kill`) at the
//! start of a line, then its arguments, continued on indented lines. `-` declares a
//! command without arguments (Redis then leaves `arguments` out). Lines starting with
//! `//` are comments. Arguments are separated by spaces:
//!
//! | written | argument |
//! |---|---|
//! | `value` | a `string` named `value` |
//! | `count:integer` | type `integer`; likewise `double`, `pattern`, `unix-time` |
//! | `key#0` | type `key` with `key_spec_index` 0 (`pattern:pattern#1`: a pattern with one) |
//! | `NX` | `pure-token` `NX`, named `nx` (the token in lower case) |
//! | `change=CH` | `pure-token` `CH` named `change` |
//! | `EX seconds:integer` | an upper-case word before an argument is its `token` |
//! | `'lib-name' libname` | a token that is not upper case, quoted |
//! | `"ip:port"` | a name with characters other than `a-z 0-9 _ - /`, quoted |
//! | `where(LEFT \| RIGHT)` | `oneof` named `where`: alternatives separated by `\|` |
//! | `data(field value)` | `block` named `data`: a sequence |
//! | `LIMIT (offset count)` | a block (or oneof) with a token; unnamed, it is named after it |
//! | `[...]` | flag `optional` |
//! | `x...` | flag `multiple`: `x` repeats (`[WEIGHTS weight...]`: one token, many weights) |
//! | `[GET pattern]...` | flags `optional`, `multiple`, `multiple_token`: token and value repeat |
//! | `x@6.2.0` | `since` 6.2.0 |
//! | `x!2.8.12` | `deprecated_since` 2.8.12 |
//!
//! The tree is parsed once, on first use, into ready [`Reply`] values.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use bytes::Bytes;

use crate::protocol::Reply;

/// The arguments of every command and subcommand DiskDB implements, in the format above.
/// Taken from Redis 7.0's COMMAND DOCS (CLIENT SETINFO and NO-TOUCH, which came in 7.2,
/// from Redis 7.2), in the command table's order.
pub const SYNTAX: &str = r##"
// connection
ping                    [message]
echo                    message
quit                    -
select                  index:integer
auth                    [username@6.0.0] password
hello                   [arguments(protover:integer [AUTH username_password(username password)]
                        [SETNAME clientname])]
reset                   -
client                  -
client|id               -
client|setname          connection-name
client|getname          -
client|setinfo          attr('lib-name' libname | 'lib-ver' libver)
client|list             [TYPE normal_master_replica_pubsub(NORMAL | MASTER | REPLICA |
                        PUBSUB)@5.0.0] [ID (client-id:integer...)@6.2.0]
client|info             -
client|kill             filter("ip:port"!2.8.12 | new-format([ID client-id:integer@2.8.12] |
                        [TYPE normal_master_slave_pubsub(NORMAL | MASTER@3.2.0 | SLAVE |
                        REPLICA@5.0.0 | PUBSUB)@2.8.12] | [USER username] | [ADDR "ip:port"] |
                        [LADDR "ip:port"@6.2.0] | [SKIPME yes/no])...)
client|no-evict         enabled(ON | OFF)
client|no-touch         enabled(ON | OFF)
client|reply            on_off_skip(ON | OFF | SKIP)
client|help             -

// server
dbsize                  -
info                    [section...]
flushdb                 [async(ASYNC@4.0.0 | SYNC@6.2.0)]
flushall                [async(ASYNC@4.0.0 | SYNC@6.2.0)]
time                    -
lastsave                -
shutdown                [nosave_save(NOSAVE | SAVE)] [NOW@7.0.0] [FORCE@7.0.0] [ABORT@7.0.0]
config                  -
config|get              parameter(parameter)...
config|set              parameter_value(parameter value)...
config|resetstat        -
config|rewrite          -
config|help             -
command                 -
command|count           -
command|docs            [command-name...]
command|info            [command-name...]
command|list            [FILTERBY (MODULE module-name | ACLCAT category |
                        PATTERN pattern:pattern)]
command|getkeys         -
command|getkeysandflags -
command|help            -

// transactions
multi                   -
exec                    -
discard                 -
watch                   key#0...
unwatch                 -

// string
get                     key#0
set                     key#0 value [condition(NX | XX)@2.6.12] [GET@6.2.0]
                        [expiration(EX seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 |
                        EXAT unix-time-seconds:unix-time@6.2.0 |
                        PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0)]
setnx                   key#0 value
setex                   key#0 seconds:integer value
psetex                  key#0 milliseconds:integer value
getset                  key#0 value
getdel                  key#0
getex                   key#0 [expiration(EX seconds:integer | PX milliseconds:integer |
                        EXAT unix-time-seconds:unix-time |
                        PXAT unix-time-milliseconds:unix-time | PERSIST)]
mget                    key#0...
mset                    key_value(key#0 value)...
msetnx                  key_value(key#0 value)...
incr                    key#0
decr                    key#0
incrby                  key#0 increment:integer
decrby                  key#0 decrement:integer
incrbyfloat             key#0 increment:double
append                  key#0 value
strlen                  key#0
getrange                key#0 start:integer end:integer
substr                  key#0 start:integer end:integer
setrange                key#0 offset:integer value
lcs                     key1#0 key2#0 [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]

// bitmap
setbit                  key#0 offset:integer value:integer
getbit                  key#0 offset:integer
bitcount                key#0 [index(start:integer end:integer [index_unit(BYTE | BIT)@7.0.0])]
bitpos                  key#0 bit:integer [index(start:integer [end_index(end:integer
                        [index_unit(BYTE | BIT)@7.0.0])])]
bitop                   operation destkey#0 key#1...
bitfield                key#0 [operation(GET encoding_offset(encoding offset:integer) |
                        write([OVERFLOW wrap_sat_fail(WRAP | SAT | FAIL)]
                        write_operation(SET encoding_offset_value(encoding offset:integer
                        value:integer) | INCRBY encoding_offset_increment(encoding
                        offset:integer increment:integer))))...]
bitfield_ro             key#0 [GET encoding_offset(encoding offset:integer)]...

// generic
del                     key#0...
unlink                  key#0...
exists                  key#0...
touch                   key#0...
type                    key#0
expire                  key#0 seconds:integer [condition(NX | XX | GT | LT)@7.0.0]
pexpire                 key#0 milliseconds:integer [condition(NX | XX | GT | LT)@7.0.0]
expireat                key#0 unix-time-seconds:unix-time [condition(NX | XX | GT | LT)@7.0.0]
pexpireat               key#0 unix-time-milliseconds:unix-time
                        [condition(NX | XX | GT | LT)@7.0.0]
ttl                     key#0
pttl                    key#0
expiretime              key#0
pexpiretime             key#0
persist                 key#0
keys                    pattern:pattern
scan                    cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
                        [TYPE type@6.0.0]
randomkey               -
rename                  key#0 newkey#1
renamenx                key#0 newkey#1
copy                    source#0 destination#1 [DB destination-db:integer] [REPLACE]
move                    key#0 db:integer

// server
swapdb                  index1:integer index2:integer

// generic
object                  -
object|encoding         key#0
object|freq             key#0
object|help             -
object|idletime         key#0
object|refcount         key#0
dump                    key#0
restore                 key#0 ttl:integer serialized-value [REPLACE@3.0.0] [ABSTTL@5.0.0]
                        [IDLETIME seconds:integer@5.0.0] [FREQ frequency:integer@5.0.0]
sort                    key#0 [BY pattern:pattern#1]
                        [LIMIT offset_count(offset:integer count:integer)]
                        [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]
                        [STORE destination#2]
sort_ro                 key#0 [BY pattern:pattern#1]
                        [LIMIT offset_count(offset:integer count:integer)]
                        [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]

// list
lpush                   key#0 element...
rpush                   key#0 element...
lpushx                  key#0 element...
rpushx                  key#0 element...
lpop                    key#0 [count:integer@6.2.0]
rpop                    key#0 [count:integer@6.2.0]
lrange                  key#0 start:integer stop:integer
llen                    key#0
lindex                  key#0 index:integer
lset                    key#0 index:integer element
linsert                 key#0 where(BEFORE | AFTER) pivot element
lrem                    key#0 count:integer element
ltrim                   key#0 start:integer stop:integer
lpos                    key#0 element [RANK rank:integer] [COUNT num-matches:integer]
                        [MAXLEN len:integer]
lmove                   source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
rpoplpush               source#0 destination#1
lmpop                   numkeys:integer key#0... where(LEFT | RIGHT) [COUNT count:integer]
blpop                   key#0... timeout:double
brpop                   key#0... timeout:double
blmove                  source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
                        timeout:double
brpoplpush              source#0 destination#1 timeout:double
blmpop                  timeout:double numkeys:integer key#0... where(LEFT | RIGHT)
                        [COUNT count:integer]

// hash
hset                    key#0 field_value(field value)...
hsetnx                  key#0 field value
hget                    key#0 field
hmget                   key#0 field...
hmset                   key#0 field_value(field value)...
hdel                    key#0 field...
hlen                    key#0
hstrlen                 key#0 field
hexists                 key#0 field
hgetall                 key#0
hkeys                   key#0
hvals                   key#0
hincrby                 key#0 field increment:integer
hincrbyfloat            key#0 field increment:double
hrandfield              key#0 [options(count:integer [WITHVALUES])]
hscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]

// set
sadd                    key#0 member...
srem                    key#0 member...
sismember               key#0 member
smismember              key#0 member...
smembers                key#0
scard                   key#0
spop                    key#0 [count:integer@3.2.0]
srandmember             key#0 [count:integer@2.6.0]
smove                   source#0 destination#1 member
sinter                  key#0...
sintercard              numkeys:integer key#0... [LIMIT limit:integer]
sinterstore             destination#0 key#1...
sunion                  key#0...
sunionstore             destination#0 key#1...
sdiff                   key#0...
sdiffstore              destination#0 key#1...
sscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]

// sorted-set
zadd                    key#0 [condition(NX | XX)@3.0.2] [comparison(GT | LT)@6.2.0]
                        [change=CH@3.0.2] [increment=INCR@3.0.2]
                        score_member(score:double member)...
zincrby                 key#0 increment:integer member
zrem                    key#0 member...
zcard                   key#0
zscore                  key#0 member
zmscore                 key#0 member...
zcount                  key#0 min:double max:double
zlexcount               key#0 min max
zrange                  key#0 start stop [sortby(BYSCORE | BYLEX)@6.2.0] [REV@6.2.0]
                        [LIMIT offset_count(offset:integer count:integer)@6.2.0] [WITHSCORES]
zrangestore             dst#0 src#1 min max [sortby(BYSCORE | BYLEX)] [REV]
                        [LIMIT offset_count(offset:integer count:integer)]
zrevrange               key#0 start:integer stop:integer [WITHSCORES]
zrangebyscore           key#0 min:double max:double [WITHSCORES@2.0.0]
                        [LIMIT offset_count(offset:integer count:integer)]
zrevrangebyscore        key#0 max:double min:double [WITHSCORES]
                        [LIMIT offset_count(offset:integer count:integer)]
zrangebylex             key#0 min max [LIMIT offset_count(offset:integer count:integer)]
zrevrangebylex          key#0 max min [LIMIT offset_count(offset:integer count:integer)]
zrank                   key#0 member
zrevrank                key#0 member
zremrangebyrank         key#0 start:integer stop:integer
zremrangebyscore        key#0 min:double max:double
zremrangebylex          key#0 min max
zpopmin                 key#0 [count:integer]
zpopmax                 key#0 [count:integer]
zmpop                   numkeys:integer key#0... where(MIN | MAX) [COUNT count:integer]
bzpopmin                key#0... timeout:double
bzpopmax                key#0... timeout:double
bzmpop                  timeout:double numkeys:integer key#0... where(MIN | MAX)
                        [COUNT count:integer]
zrandmember             key#0 [options(count:integer [WITHSCORES])]
zunion                  numkeys:integer key#0... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
zinter                  numkeys:integer key#0... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
zdiff                   numkeys:integer key#0... [WITHSCORES]
zunionstore             destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)]
zinterstore             destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)]
zdiffstore              destination#0 numkeys:integer key#1...
zintercard              numkeys:integer key#0... [LIMIT limit:integer]
zscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
"##;

/// An argument's `type`, with the names COMMAND DOCS prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    Oneof,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }

    /// The types that may follow `name:`; the others are written by their shape.
    fn simple(name: &str) -> Option<ArgType> {
        [ArgType::String, ArgType::Integer, ArgType::Double, ArgType::Key, ArgType::Pattern, ArgType::UnixTime]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

/// One argument of a command, as COMMAND DOCS describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    pub kind: ArgType,
    pub key_spec_index: Option<u32>,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    /// The alternatives of a `oneof`, the sequence of a `block`.
    pub args: Vec<Arg>,
}

impl Arg {
    fn new(name: String, kind: ArgType) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            since: None,
            deprecated_since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            args: Vec::new(),
        }
    }

    /// The map COMMAND DOCS answers, with Redis 7.0's field order.
    pub fn reply(&self) -> Reply {
        let text = |k: &'static str, v: &str| (field(k), Reply::bulk_str(v));
        let mut fields = vec![text("name", &self.name), text("type", self.kind.name())];
        if let Some(i) = self.key_spec_index {
            fields.push((field("key_spec_index"), Reply::Int(i as i64)));
        }
        if let Some(token) = self.token {
            fields.push(text("token", token));
        }
        if let Some(v) = self.since {
            fields.push(text("since", v));
        }
        if let Some(v) = self.deprecated_since {
            fields.push(text("deprecated_since", v));
        }
        let flags: Vec<Reply> = [(self.optional, "optional"), (self.multiple, "multiple"), (self.multiple_token, "multiple_token")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| Reply::status(f))
            .collect();
        if !flags.is_empty() {
            fields.push((field("flags"), Reply::Set(flags)));
        }
        if matches!(self.kind, ArgType::Oneof | ArgType::Block) {
            fields.push((field("arguments"), list_reply(&self.args)));
        }
        Reply::Map(fields)
    }
}

/// A map key, a bulk string as in Redis's reply.
fn field(name: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(name.as_bytes()))
}

fn list_reply(args: &[Arg]) -> Reply {
    Reply::Array(args.iter().map(Arg::reply).collect())
}

/// The `arguments` reply of the command or subcommand `full_name` (`set`,
/// `client|kill`), or `None` when it takes no arguments (Redis then leaves the field out).
pub fn arguments(full_name: &str) -> Option<&'static Reply> {
    static REPLIES: OnceLock<HashMap<&'static str, Reply>> = OnceLock::new();
    REPLIES
        .get_or_init(|| {
            // SYNTAX is a constant, and the unit tests parse every entry of it.
            let entries = parse_table(SYNTAX).unwrap_or_else(|e| panic!("docs::SYNTAX: {e}"));
            entries.into_iter().filter(|(_, args)| !args.is_empty()).map(|(n, args)| (n, list_reply(&args))).collect()
        })
        .get(full_name)
}

/// Splits `table` into `(full name, arguments)` entries and parses each.
pub fn parse_table(table: &'static str) -> Result<Vec<(&'static str, Vec<Arg>)>, String> {
    let mut spans: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut open = false;
    let mut offset = 0;
    for line in table.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        if content.trim_start().is_empty() || content.starts_with("//") {
            open = false;
        } else if !content.starts_with(char::is_whitespace) {
            let name = content.split_whitespace().next().unwrap_or_default();
            spans.push((name, start + name.len(), start + content.len()));
            open = true;
        } else if open {
            if let Some(last) = spans.last_mut() {
                last.2 = start + content.len();
            }
        } else {
            return Err(format!("indented line outside an entry: {content:?}"));
        }
    }
    let mut seen = HashSet::new();
    spans
        .into_iter()
        .map(|(name, from, to)| {
            if !seen.insert(name) {
                return Err(format!("{name}: listed twice"));
            }
            let syntax = &table[from..to];
            parse(syntax).map(|args| (name, args)).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// Parses one command's arguments (`-` for none).
pub fn parse(syntax: &'static str) -> Result<Vec<Arg>, String> {
    if syntax.trim() == "-" {
        return Ok(Vec::new());
    }
    let mut p = Parser { src: syntax, pos: 0 };
    let mut args = Vec::new();
    while p.peek().is_some() {
        args.push(p.arg()?);
    }
    if args.is_empty() {
        return Err("no arguments: write `-` for a command without any".into());
    }
    Ok(args)
}

/// A recursive-descent parser over one entry; whitespace separates, nothing more.
struct Parser {
    src: &'static str,
    pos: usize,
}

impl Parser {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let near: String = self.src[self.pos..].chars().take(20).collect();
        Err(format!("{what} at {:?}", near))
    }

    /// The next character after whitespace.
    fn peek(&mut self) -> Option<u8> {
        let rest = &self.src.as_bytes()[self.pos..];
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        self.pos += skip;
        rest.get(skip).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.peek();
        if self.src[self.pos..].starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat(s) {
            Ok(())
        } else {
            self.fail(&format!("expected `{s}`"))
        }
    }

    /// The longest run at the cursor of bytes that satisfy `ok`.
    fn run(&mut self, ok: impl Fn(u8) -> bool) -> &'static str {
        let start = self.pos;
        let len = self.src.as_bytes()[start..].iter().take_while(|&&b| ok(b)).count();
        self.pos += len;
        &self.src[start..start + len]
    }

    fn word(&mut self) -> &'static str {
        self.run(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'/')
    }

    /// The text between `quote`s; the cursor is on the opening one.
    fn quoted(&mut self, quote: u8) -> Result<&'static str, String> {
        self.pos += 1;
        let text = self.run(|b| b != quote && b != b'\n');
        if text.is_empty() || self.src.as_bytes().get(self.pos) != Some(&quote) {
            return self.fail("unterminated or empty quotes");
        }
        self.pos += 1;
        Ok(text)
    }

    /// `1.2.3`: digits separated by dots, so `@7.0.0...` still ends in `...`.
    fn version(&mut self) -> Result<&'static str, String> {
        let start = self.pos;
        loop {
            if self.run(|b| b.is_ascii_digit()).is_empty() {
                return self.fail("expected a version");
            }
            let b = self.src.as_bytes();
            if b.get(self.pos) == Some(&b'.') && b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            } else {
                return Ok(&self.src[start..self.pos]);
            }
        }
    }

    /// A token at the cursor: an upper-case word or a single-quoted one.
    fn token(&mut self) -> Result<Option<&'static str>, String> {
        match self.peek() {
            Some(b'\'') => self.quoted(b'\'').map(Some),
            Some(b) if b.is_ascii_uppercase() => {
                let w = self.word();
                if w.bytes().any(|b| b.is_ascii_lowercase() || b == b'/') {
                    return self.fail("a token is upper case");
                }
                Ok(Some(w))
            }
            _ => Ok(None),
        }
    }

    /// A name at the cursor: a lower-case word or a double-quoted one.
    fn name(&mut self) -> Result<Option<&'static str>, String> {
        match self.peek() {
            Some(b'"') => self.quoted(b'"').map(Some),
            Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit() => {
                let w = self.word();
                if w.bytes().any(|b| b.is_ascii_uppercase()) {
                    return self.fail("a name is lower case");
                }
                Ok(Some(w))
            }
            _ => Ok(None),
        }
    }

    /// `[body]`, `[body]...` or `body`.
    fn arg(&mut self) -> Result<Arg, String> {
        if !self.eat("[") {
            return self.body();
        }
        let mut arg = self.body()?;
        self.expect("]")?;
        arg.optional = true;
        if self.eat("...") {
            if arg.token.is_none() {
                return self.fail("`[...]...` repeats a token, but the argument has none");
            }
            arg.multiple = true;
            arg.multiple_token = true;
        }
        Ok(arg)
    }

    /// `[TOKEN] value` followed by annotations.
    fn body(&mut self) -> Result<Arg, String> {
        let token = self.token()?;
        // A token with no name or group after it stands alone: a pure token.
        let at_value = self.peek().is_some_and(|b| b == b'(' || b == b'"' || b.is_ascii_lowercase() || b.is_ascii_digit());
        let mut arg = match (token, self.name()?) {
            (Some(t), None) if !at_value => Arg::new(t.to_ascii_lowercase(), ArgType::PureToken),
            (_, name) if self.peek() == Some(b'(') => match name.map(str::to_string).or(token.map(str::to_ascii_lowercase)) {
                Some(name) => self.composite(name)?,
                None => return self.fail("a oneof or block needs a name or a token"),
            },
            (None, Some(name)) if self.eat("=") => {
                let Some(t) = self.token()? else { return self.fail("expected a token after `=`") };
                let mut arg = Arg::new(name.to_string(), ArgType::PureToken);
                arg.token = Some(t);
                arg
            }
            (_, Some(name)) => self.simple(name.to_string())?,
            (_, None) => return self.fail("expected an argument"),
        };
        if arg.token.is_none() {
            arg.token = token;
        }
        self.annotations(&mut arg)?;
        Ok(arg)
    }

    /// `name[:type][#index]` after its name.
    fn simple(&mut self, name: String) -> Result<Arg, String> {
        let mut kind = None;
        if self.eat(":") {
            let t = self.run(|b| b.is_ascii_lowercase() || b == b'-');
            match ArgType::simple(t) {
                Some(t) => kind = Some(t),
                None => return self.fail(&format!("unknown type `{t}`")),
            }
        }
        let mut index = None;
        if self.eat("#") {
            match self.run(|b| b.is_ascii_digit()).parse::<u32>() {
                Ok(n) => index = Some(n),
                Err(_) => return self.fail("expected a key spec index"),
            }
        }
        let kind = kind.unwrap_or(if index.is_some() { ArgType::Key } else { ArgType::String });
        if kind == ArgType::Key && index.is_none() {
            return self.fail("a key needs its key spec index (`key#0`)");
        }
        let mut arg = Arg::new(name, kind);
        arg.key_spec_index = index;
        Ok(arg)
    }

    /// `(a | b | c)` (oneof) or `(a b c)` (block) after its name.
    fn composite(&mut self, name: String) -> Result<Arg, String> {
        self.expect("(")?;
        let mut args = vec![self.arg()?];
        let mut oneof = None;
        while !self.eat(")") {
            if self.peek().is_none() {
                return self.fail("expected `)`");
            }
            let bar = self.eat("|");
            if *oneof.get_or_insert(bar) != bar {
                return self.fail("`|` and spaces mixed in one group");
            }
            args.push(self.arg()?);
        }
        let mut arg = Arg::new(name, if oneof == Some(true) { ArgType::Oneof } else { ArgType::Block });
        arg.args = args;
        Ok(arg)
    }

    /// `@since`, `!deprecated_since` and `...` (multiple), in any order.
    fn annotations(&mut self, arg: &mut Arg) -> Result<(), String> {
        loop {
            if self.eat("@") {
                if arg.since.replace(self.version()?).is_some() {
                    return self.fail("`@` twice");
                }
            } else if self.eat("!") {
                if arg.deprecated_since.replace(self.version()?).is_some() {
                    return self.fail("`!` twice");
                }
            } else if self.eat("...") {
                if std::mem::replace(&mut arg.multiple, true) {
                    return self.fail("`...` twice");
                }
            } else {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::commands::registry;

    #[test]
    fn every_command_has_an_entry_that_parses() {
        let entries = parse_table(SYNTAX).unwrap_or_else(|e| panic!("{e}"));
        let listed: HashSet<&str> = entries.iter().map(|(n, _)| *n).collect();
        let commands: HashSet<&str> = registry().specs.iter().map(|(n, _)| n.as_str()).collect();
        let mut missing: Vec<_> = commands.difference(&listed).collect();
        let mut unknown: Vec<_> = listed.difference(&commands).collect();
        missing.sort();
        unknown.sort();
        assert!(missing.is_empty(), "commands without an entry in docs::SYNTAX: {missing:?}");
        assert!(unknown.is_empty(), "entries for commands DiskDB lacks: {unknown:?}");
        for (full, spec) in &registry().specs {
            if !spec.subcommands.is_empty() {
                assert!(arguments(full).is_none(), "{full}: a container has no arguments of its own");
            }
        }
        assert!(arguments("set").is_some());
        assert!(arguments("quit").is_none(), "`-` declares no arguments");
    }

    #[test]
    fn oneofs_blocks_and_their_flags_nest() {
        let args = parse("key#0 [condition(NX | XX)@2.6.12] [expiration(EX seconds:integer@2.6.12 | KEEPTTL)] data(field value)...").unwrap();
        assert_eq!(args.len(), 4);
        assert_eq!((args[0].name.as_str(), args[0].kind, args[0].key_spec_index), ("key", ArgType::Key, Some(0)));

        let condition = &args[1];
        assert_eq!((condition.kind, condition.optional, condition.since), (ArgType::Oneof, true, Some("2.6.12")));
        let nx = &condition.args[0];
        assert_eq!((nx.name.as_str(), nx.kind, nx.token, nx.optional), ("nx", ArgType::PureToken, Some("NX"), false));

        let ex = &args[2].args[0];
        assert_eq!((ex.name.as_str(), ex.kind, ex.token, ex.since), ("seconds", ArgType::Integer, Some("EX"), Some("2.6.12")));
        assert_eq!(args[2].args[1].token, Some("KEEPTTL"));

        let data = &args[3];
        assert_eq!((data.kind, data.multiple, data.optional), (ArgType::Block, true, false));
        assert_eq!(data.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["field", "value"]);
        assert!(data.args.iter().all(|a| a.kind == ArgType::String && !a.multiple));
    }

    #[test]
    fn tokens_names_and_repetition() {
        let args = parse(
            r#"[GET pattern:pattern#1]... [WEIGHTS weight:integer...] [change=CH@3.0.2]
               f("ip:port"!2.8.12 | LIMIT (offset:integer count:integer) | 'lib-name' libname)"#,
        )
        .unwrap();
        let get = &args[0];
        assert_eq!((get.kind, get.key_spec_index, get.token), (ArgType::Pattern, Some(1), Some("GET")));
        assert!(get.optional && get.multiple && get.multiple_token);
        let weights = &args[1];
        assert!(weights.optional && weights.multiple && !weights.multiple_token);
        let change = &args[2];
        assert_eq!((change.name.as_str(), change.kind, change.token, change.since), ("change", ArgType::PureToken, Some("CH"), Some("3.0.2")));
        let alternatives = &args[3].args;
        assert_eq!((alternatives[0].name.as_str(), alternatives[0].deprecated_since), ("ip:port", Some("2.8.12")));
        assert_eq!((alternatives[1].name.as_str(), alternatives[1].kind, alternatives[1].token), ("limit", ArgType::Block, Some("LIMIT")));
        assert_eq!((alternatives[2].name.as_str(), alternatives[2].token), ("libname", Some("lib-name")));
    }

    #[test]
    fn malformed_lines_are_refused() {
        for bad in [
            "",
            "[GET pattern",
            "a(b | c d)",
            "[x]...",
            "key:key",
            "x:float",
            "(a b)",
            "NX=FOO",
            "x@",
            "x......",
            "a(b",
            "\"unterminated",
            "Mixed",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn replies_have_redis_field_order() {
        let args = parse("[condition(NX | XX)@2.6.12]").unwrap();
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let token = |name: &'static str, token: &'static str| {
            Reply::Map(vec![(b("name"), b(name)), (b("type"), b("pure-token")), (b("token"), b(token))])
        };
        assert_eq!(
            args[0].reply(),
            Reply::Map(vec![
                (b("name"), b("condition")),
                (b("type"), b("oneof")),
                (b("since"), b("2.6.12")),
                (b("flags"), Reply::Set(vec![Reply::status("optional")])),
                (b("arguments"), Reply::Array(vec![token("nx", "NX"), token("xx", "XX")])),
            ])
        );
        let key = parse("key#0...").unwrap()[0].reply();
        assert_eq!(
            key,
            Reply::Map(vec![
                (b("name"), b("key")),
                (b("type"), b("key")),
                (b("key_spec_index"), Reply::Int(0)),
                (b("flags"), Reply::Set(vec![Reply::status("multiple")])),
            ])
        );
    }
}
