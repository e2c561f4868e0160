//! What COMMAND DOCS and COMMAND INFO answer beyond the command table: each command's
//! argument tree, history and deprecation, and its key specifications, one entry per
//! command and subcommand, parsed once into the replies Redis 7 gives.
//!
//! redis-cli 7 builds its argument hints and `HELP` lines from the argument trees, client
//! libraries read them to learn a command's options, and cluster clients route by the key
//! specifications, so all of it follows Redis 7.0 exactly (`tests/command_docs.rs`
//! compares every command with a real redis-server). Redis keeps them as JSON; here each
//! command's arguments are one line in the style of redis.io's syntax lines, followed by
//! a line per history item and key specification, so an entry can be read and reviewed
//! at a glance.
//!
//! # Format
//!
//! [`TABLE`] holds one entry per command: its full name (`set`, `client|kill`) at the
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
//! After the arguments, optional indented lines that start with a label and a colon
//! describe the rest; each may continue on further indented lines:
//!
//! | written | answers |
//! |---|---|
//! | `deprecated 6.2.0: text` | `doc_flags` deprecated, `deprecated_since` 6.2.0, `replaced_by` text |
//! | `history 2.6.12: text` | one `[version, text]` item of `history`, oldest first |
//! | `key 0: flags, begin, find` | COMMAND INFO key specification 0 (then 1, 2...), below |
//! | `acl: @keyspace @dangerous` | ACL categories Redis declares for the command, replacing its group's |
//! | `tips: nondeterministic_output` | COMMAND INFO `tips`, space separated |
//!
//! A key specification is its flags (`RW access update`...), where the search for keys
//! begins, how the keys are found from there, and optionally `"notes"`, separated by
//! commas:
//!
//! | written | `begin_search` / `find_keys` |
//! |---|---|
//! | `index 1` | `index`: at argument 1 |
//! | `keyword STORE from -1` | `keyword`: after `STORE`, searched for from argument -1 |
//! | `range 0`, `range -1 step 2`, `range 0 limit 2` | `range`: `lastkey`, `keystep`, `limit` |
//! | `keynum 0 first 1`, `keynum 0 first 1 step 2` | `keynum`: `keynumidx`, `firstkey`, `keystep` |
//! | `unknown` | `unknown`, for either |
//!
//! The numbers mean what they do in Redis: `lastkey`, `keynumidx` and `firstkey` count
//! from where the search begins (a negative `lastkey` from the end); a step left out is
//! 1, a limit left out 0.
//!
//! The table is parsed once, on first use, into ready [`Reply`] values.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use bytes::Bytes;

use crate::protocol::Reply;

/// Every command and subcommand DiskDB implements, in the format above. Taken from Redis
/// 7.0's COMMAND DOCS and COMMAND INFO (CLIENT SETINFO and NO-TOUCH, which came in 7.2,
/// from Redis 7.2), in the command table's order.
pub const TABLE: &str = r##"
// connection
ping                    [message]
    tips: request_policy:all_shards response_policy:all_succeeded
echo                    message
quit                    -
select                  index:integer
auth                    [username@6.0.0] password
    history 6.0.0:      Added ACL style (username and password).
hello                   [arguments(protover:integer [AUTH username_password(username password)]
                        [SETNAME clientname])]
    history 6.2.0:      `protover` made optional; when called without arguments the command reports
                        the current connection's context.
reset                   -
client                  -
client|id               -
client|setname          connection-name
client|getname          -
client|setinfo          attr('lib-name' libname | 'lib-ver' libver)
client|list             [TYPE normal_master_replica_pubsub(NORMAL | MASTER | REPLICA |
                        PUBSUB)@5.0.0] [ID (client-id:integer...)@6.2.0]
    history 2.8.12:     Added unique client `id` field.
    history 5.0.0:      Added optional `TYPE` filter.
    history 6.0.0:      Added `user` field.
    history 6.2.0:      Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional
                        `ID` filter.
    history 7.0.0:      Added `resp`, `multi-mem`, `rbs` and `rbp` fields.
    history 7.0.3:      Added `ssub` field.
    tips: nondeterministic_output
client|info             -
    tips: nondeterministic_output
client|kill             filter("ip:port"!2.8.12 | new-format([ID client-id:integer@2.8.12] |
                        [TYPE normal_master_slave_pubsub(NORMAL | MASTER@3.2.0 | SLAVE |
                        REPLICA@5.0.0 | PUBSUB)@2.8.12] | [USER username] | [ADDR "ip:port"] |
                        [LADDR "ip:port"@6.2.0] | [SKIPME yes/no])...)
    history 2.8.12:     Added new filter format.
    history 2.8.12:     `ID` option.
    history 3.2.0:      Added `master` type in for `TYPE` option.
    history 5.0.0:      Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward
                        compatibility.
    history 6.2.0:      `LADDR` option.
client|no-evict         enabled(ON | OFF)
client|no-touch         enabled(ON | OFF)
client|reply            on_off_skip(ON | OFF | SKIP)
client|help             -

// server
dbsize                  -
    acl: @keyspace
    tips: request_policy:all_shards response_policy:agg_sum
info                    [section...]
    history 7.0.0:      Added support for taking multiple section arguments.
    acl: @dangerous
    tips: nondeterministic_output request_policy:all_shards response_policy:special
flushdb                 [async(ASYNC@4.0.0 | SYNC@6.2.0)]
    history 4.0.0:      Added the `ASYNC` flushing mode modifier.
    history 6.2.0:      Added the `SYNC` flushing mode modifier.
    acl: @keyspace @dangerous
    tips: request_policy:all_shards response_policy:all_succeeded
flushall                [async(ASYNC@4.0.0 | SYNC@6.2.0)]
    history 4.0.0:      Added the `ASYNC` flushing mode modifier.
    history 6.2.0:      Added the `SYNC` flushing mode modifier.
    acl: @keyspace @dangerous
    tips: request_policy:all_shards response_policy:all_succeeded
time                    -
    tips: nondeterministic_output
lastsave                -
    acl: @admin @dangerous
    tips: nondeterministic_output
shutdown                [nosave_save(NOSAVE | SAVE)] [NOW@7.0.0] [FORCE@7.0.0] [ABORT@7.0.0]
    history 7.0.0:      Added the `NOW`, `FORCE` and `ABORT` modifiers.
config                  -
config|get              parameter(parameter)...
    history 7.0.0:      Added the ability to pass multiple pattern parameters in one call
config|set              parameter_value(parameter value)...
    history 7.0.0:      Added the ability to set multiple parameters in one call.
    tips: request_policy:all_nodes response_policy:all_succeeded
config|resetstat        -
config|rewrite          -
config|help             -
command                 -
    acl: @connection
    tips: nondeterministic_output_order
command|count           -
    acl: @connection
command|docs            [command-name...]
    acl: @connection
    tips: nondeterministic_output_order
command|info            [command-name...]
    history 7.0.0:      Allowed to be called with no argument to get info on all commands.
    acl: @connection
    tips: nondeterministic_output_order
command|list            [FILTERBY (MODULE module-name | ACLCAT category |
                        PATTERN pattern:pattern)]
    acl: @connection
    tips: nondeterministic_output_order
command|getkeys         -
    acl: @connection
command|getkeysandflags -
    acl: @connection
command|help            -
    acl: @connection

// transactions
multi                   -
exec                    -
discard                 -
watch                   key#0...
    key 0:              RO, index 1, range -1
unwatch                 -

// string
get                     key#0
    key 0:              RO access, index 1, range 0
set                     key#0 value [condition(NX | XX)@2.6.12] [GET@6.2.0]
                        [expiration(EX seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 |
                        EXAT unix-time-seconds:unix-time@6.2.0 |
                        PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0)]
    history 2.6.12:     Added the `EX`, `PX`, `NX` and `XX` options.
    history 6.0.0:      Added the `KEEPTTL` option.
    history 6.2.0:      Added the `GET`, `EXAT` and `PXAT` option.
    history 7.0.0:      Allowed the `NX` and `GET` options to be used together.
    key 0:              RW access update variable_flags, index 1, range 0,
                        "RW and ACCESS due to the optional `GET` argument"
setnx                   key#0 value
    key 0:              OW insert, index 1, range 0
setex                   key#0 seconds:integer value
    key 0:              OW update, index 1, range 0
psetex                  key#0 milliseconds:integer value
    key 0:              OW update, index 1, range 0
getset                  key#0 value
    deprecated 6.2.0:   `SET` with the `!GET` argument
    key 0:              RW access update, index 1, range 0
getdel                  key#0
    key 0:              RW access delete, index 1, range 0
getex                   key#0 [expiration(EX seconds:integer | PX milliseconds:integer |
                        EXAT unix-time-seconds:unix-time |
                        PXAT unix-time-milliseconds:unix-time | PERSIST)]
    key 0:              RW access update, index 1, range 0,
                        "RW and UPDATE because it changes the TTL"
mget                    key#0...
    key 0:              RO access, index 1, range -1
    tips: request_policy:multi_shard
mset                    key_value(key#0 value)...
    key 0:              OW update, index 1, range -1 step 2
    tips: request_policy:multi_shard response_policy:all_succeeded
msetnx                  key_value(key#0 value)...
    key 0:              OW insert, index 1, range -1 step 2
    tips: request_policy:multi_shard response_policy:agg_min
incr                    key#0
    key 0:              RW access update, index 1, range 0
decr                    key#0
    key 0:              RW access update, index 1, range 0
incrby                  key#0 increment:integer
    key 0:              RW access update, index 1, range 0
decrby                  key#0 decrement:integer
    key 0:              RW access update, index 1, range 0
incrbyfloat             key#0 increment:double
    key 0:              RW access update, index 1, range 0
append                  key#0 value
    key 0:              RW insert, index 1, range 0
strlen                  key#0
    key 0:              RO, index 1, range 0
getrange                key#0 start:integer end:integer
    key 0:              RO access, index 1, range 0
substr                  key#0 start:integer end:integer
    deprecated 2.0.0:   `GETRANGE`
    key 0:              RO access, index 1, range 0
setrange                key#0 offset:integer value
    key 0:              RW update, index 1, range 0
lcs                     key1#0 key2#0 [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]
    key 0:              RO access, index 1, range 1

// bitmap
setbit                  key#0 offset:integer value:integer
    key 0:              RW access update, index 1, range 0
getbit                  key#0 offset:integer
    key 0:              RO access, index 1, range 0
bitcount                key#0 [index(start:integer end:integer [index_unit(BYTE | BIT)@7.0.0])]
    history 7.0.0:      Added the `BYTE|BIT` option.
    key 0:              RO access, index 1, range 0
bitpos                  key#0 bit:integer [index(start:integer [end_index(end:integer
                        [index_unit(BYTE | BIT)@7.0.0])])]
    history 7.0.0:      Added the `BYTE|BIT` option.
    key 0:              RO access, index 1, range 0
bitop                   operation destkey#0 key#1...
    key 0:              OW update, index 2, range 0
    key 1:              RO access, index 3, range -1
bitfield                key#0 [operation(GET encoding_offset(encoding offset:integer) |
                        write([OVERFLOW wrap_sat_fail(WRAP | SAT | FAIL)]
                        write_operation(SET encoding_offset_value(encoding offset:integer
                        value:integer) | INCRBY encoding_offset_increment(encoding
                        offset:integer increment:integer))))...]
    key 0:              RW access update variable_flags, index 1, range 0,
                        "This command allows both access and modification of the key"
bitfield_ro             key#0 [GET encoding_offset(encoding offset:integer)]...
    key 0:              RO access, index 1, range 0

// generic
del                     key#0...
    key 0:              RM delete, index 1, range -1
    tips: request_policy:multi_shard response_policy:agg_sum
unlink                  key#0...
    key 0:              RM delete, index 1, range -1
    tips: request_policy:multi_shard response_policy:agg_sum
exists                  key#0...
    history 3.0.3:      Accepts multiple `key` arguments.
    key 0:              RO, index 1, range -1
    tips: request_policy:multi_shard response_policy:agg_sum
touch                   key#0...
    key 0:              RO, index 1, range -1
    tips: request_policy:multi_shard response_policy:agg_sum
type                    key#0
    key 0:              RO, index 1, range 0
expire                  key#0 seconds:integer [condition(NX | XX | GT | LT)@7.0.0]
    history 7.0.0:      Added options: `NX`, `XX`, `GT` and `LT`.
    key 0:              RW update, index 1, range 0
pexpire                 key#0 milliseconds:integer [condition(NX | XX | GT | LT)@7.0.0]
    history 7.0.0:      Added options: `NX`, `XX`, `GT` and `LT`.
    key 0:              RW update, index 1, range 0
expireat                key#0 unix-time-seconds:unix-time [condition(NX | XX | GT | LT)@7.0.0]
    history 7.0.0:      Added options: `NX`, `XX`, `GT` and `LT`.
    key 0:              RW update, index 1, range 0
pexpireat               key#0 unix-time-milliseconds:unix-time
                        [condition(NX | XX | GT | LT)@7.0.0]
    history 7.0.0:      Added options: `NX`, `XX`, `GT` and `LT`.
    key 0:              RW update, index 1, range 0
ttl                     key#0
    history 2.8.0:      Added the -2 reply.
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
pttl                    key#0
    history 2.8.0:      Added the -2 reply.
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
expiretime              key#0
    key 0:              RO access, index 1, range 0
pexpiretime             key#0
    key 0:              RO access, index 1, range 0
persist                 key#0
    key 0:              RW update, index 1, range 0
keys                    pattern:pattern
    acl: @keyspace @dangerous
    tips: request_policy:all_shards nondeterministic_output_order
scan                    cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
                        [TYPE type@6.0.0]
    history 6.0.0:      Added the `TYPE` subcommand.
    tips: nondeterministic_output request_policy:special
randomkey               -
    tips: request_policy:all_shards nondeterministic_output
rename                  key#0 newkey#1
    key 0:              RW access delete, index 1, range 0
    key 1:              OW update, index 2, range 0
renamenx                key#0 newkey#1
    history 3.2.0:      The command no longer returns an error when source and destination names are
                        the same.
    key 0:              RW access delete, index 1, range 0
    key 1:              OW insert, index 2, range 0
copy                    source#0 destination#1 [DB destination-db:integer] [REPLACE]
    key 0:              RO access, index 1, range 0
    key 1:              OW update, index 2, range 0
move                    key#0 db:integer
    key 0:              RW access update, index 1, range 0

// server
swapdb                  index1:integer index2:integer
    acl: @keyspace @dangerous

// generic
object                  -
object|encoding         key#0
    key 0:              RO, index 2, range 0
    tips: nondeterministic_output
object|freq             key#0
    key 0:              RO, index 2, range 0
    tips: nondeterministic_output
object|help             -
object|idletime         key#0
    key 0:              RO, index 2, range 0
    tips: nondeterministic_output
object|refcount         key#0
    key 0:              RO, index 2, range 0
    tips: nondeterministic_output
dump                    key#0
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
restore                 key#0 ttl:integer serialized-value [REPLACE@3.0.0] [ABSTTL@5.0.0]
                        [IDLETIME seconds:integer@5.0.0] [FREQ frequency:integer@5.0.0]
    history 3.0.0:      Added the `REPLACE` modifier.
    history 5.0.0:      Added the `ABSTTL` modifier.
    history 5.0.0:      Added the `IDLETIME` and `FREQ` options.
    key 0:              OW update, index 1, range 0
    acl: @keyspace @dangerous
sort                    key#0 [BY pattern:pattern#1]
                        [LIMIT offset_count(offset:integer count:integer)]
                        [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]
                        [STORE destination#2]
    key 0:              RO access, index 1, range 0
    key 1:              RO access, unknown, unknown,
                        "For the optional BY/GET keyword. It is marked 'unknown' because the key
                        names derive from the content of the key we sort"
    key 2:              OW update, unknown, unknown,
                        "For the optional STORE keyword. It is marked 'unknown' because the keyword
                        can appear anywhere in the argument array"
    acl: @set @sortedset @list @dangerous
sort_ro                 key#0 [BY pattern:pattern#1]
                        [LIMIT offset_count(offset:integer count:integer)]
                        [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]
    key 0:              RO access, index 1, range 0
    key 1:              RO access, unknown, unknown,
                        "For the optional BY/GET keyword. It is marked 'unknown' because the key
                        names derive from the content of the key we sort"
    acl: @set @sortedset @list @dangerous

// list
lpush                   key#0 element...
    history 2.4.0:      Accepts multiple `element` arguments.
    key 0:              RW insert, index 1, range 0
rpush                   key#0 element...
    history 2.4.0:      Accepts multiple `element` arguments.
    key 0:              RW insert, index 1, range 0
lpushx                  key#0 element...
    history 4.0.0:      Accepts multiple `element` arguments.
    key 0:              RW insert, index 1, range 0
rpushx                  key#0 element...
    history 4.0.0:      Accepts multiple `element` arguments.
    key 0:              RW insert, index 1, range 0
lpop                    key#0 [count:integer@6.2.0]
    history 6.2.0:      Added the `count` argument.
    key 0:              RW access delete, index 1, range 0
rpop                    key#0 [count:integer@6.2.0]
    history 6.2.0:      Added the `count` argument.
    key 0:              RW access delete, index 1, range 0
lrange                  key#0 start:integer stop:integer
    key 0:              RO access, index 1, range 0
llen                    key#0
    key 0:              RO, index 1, range 0
lindex                  key#0 index:integer
    key 0:              RO access, index 1, range 0
lset                    key#0 index:integer element
    key 0:              RW update, index 1, range 0
linsert                 key#0 where(BEFORE | AFTER) pivot element
    key 0:              RW insert, index 1, range 0
lrem                    key#0 count:integer element
    key 0:              RW delete, index 1, range 0
ltrim                   key#0 start:integer stop:integer
    key 0:              RW delete, index 1, range 0
lpos                    key#0 element [RANK rank:integer] [COUNT num-matches:integer]
                        [MAXLEN len:integer]
    key 0:              RO access, index 1, range 0
lmove                   source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
    key 0:              RW access delete, index 1, range 0
    key 1:              RW insert, index 2, range 0
rpoplpush               source#0 destination#1
    deprecated 6.2.0:   `LMOVE` with the `RIGHT` and `LEFT` arguments
    key 0:              RW access delete, index 1, range 0
    key 1:              RW insert, index 2, range 0
lmpop                   numkeys:integer key#0... where(LEFT | RIGHT) [COUNT count:integer]
    key 0:              RW access delete, index 1, keynum 0 first 1
blpop                   key#0... timeout:double
    history 6.0.0:      `timeout` is interpreted as a double instead of an integer.
    key 0:              RW access delete, index 1, range -2
brpop                   key#0... timeout:double
    history 6.0.0:      `timeout` is interpreted as a double instead of an integer.
    key 0:              RW access delete, index 1, range -2
blmove                  source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
                        timeout:double
    key 0:              RW access delete, index 1, range 0
    key 1:              RW insert, index 2, range 0
brpoplpush              source#0 destination#1 timeout:double
    deprecated 6.2.0:   `BLMOVE` with the `RIGHT` and `LEFT` arguments
    history 6.0.0:      `timeout` is interpreted as a double instead of an integer.
    key 0:              RW access delete, index 1, range 0
    key 1:              RW insert, index 2, range 0
blmpop                  timeout:double numkeys:integer key#0... where(LEFT | RIGHT)
                        [COUNT count:integer]
    key 0:              RW access delete, index 2, keynum 0 first 1

// hash
hset                    key#0 field_value(field value)...
    history 4.0.0:      Accepts multiple `field` and `value` arguments.
    key 0:              RW update, index 1, range 0
hsetnx                  key#0 field value
    key 0:              RW insert, index 1, range 0
hget                    key#0 field
    key 0:              RO access, index 1, range 0
hmget                   key#0 field...
    key 0:              RO access, index 1, range 0
hmset                   key#0 field_value(field value)...
    deprecated 4.0.0:   `HSET` with multiple field-value pairs
    key 0:              RW update, index 1, range 0
hdel                    key#0 field...
    history 2.4.0:      Accepts multiple `field` arguments.
    key 0:              RW delete, index 1, range 0
hlen                    key#0
    key 0:              RO, index 1, range 0
hstrlen                 key#0 field
    key 0:              RO, index 1, range 0
hexists                 key#0 field
    key 0:              RO, index 1, range 0
hgetall                 key#0
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output_order
hkeys                   key#0
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output_order
hvals                   key#0
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output_order
hincrby                 key#0 field increment:integer
    key 0:              RW access update, index 1, range 0
hincrbyfloat            key#0 field increment:double
    key 0:              RW access update, index 1, range 0
hrandfield              key#0 [options(count:integer [WITHVALUES])]
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
hscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output

// set
sadd                    key#0 member...
    history 2.4.0:      Accepts multiple `member` arguments.
    key 0:              RW insert, index 1, range 0
srem                    key#0 member...
    history 2.4.0:      Accepts multiple `member` arguments.
    key 0:              RW delete, index 1, range 0
sismember               key#0 member
    key 0:              RO, index 1, range 0
smismember              key#0 member...
    key 0:              RO access, index 1, range 0
smembers                key#0
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output_order
scard                   key#0
    key 0:              RO, index 1, range 0
spop                    key#0 [count:integer@3.2.0]
    history 3.2.0:      Added the `count` argument.
    key 0:              RW access delete, index 1, range 0
    tips: nondeterministic_output
srandmember             key#0 [count:integer@2.6.0]
    history 2.6.0:      Added the optional `count` argument.
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
smove                   source#0 destination#1 member
    key 0:              RW access delete, index 1, range 0
    key 1:              RW insert, index 2, range 0
sinter                  key#0...
    key 0:              RO access, index 1, range -1
    tips: nondeterministic_output_order
sintercard              numkeys:integer key#0... [LIMIT limit:integer]
    key 0:              RO access, index 1, keynum 0 first 1
sinterstore             destination#0 key#1...
    key 0:              RW update, index 1, range 0
    key 1:              RO access, index 2, range -1
sunion                  key#0...
    key 0:              RO access, index 1, range -1
    tips: nondeterministic_output_order
sunionstore             destination#0 key#1...
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, range -1
sdiff                   key#0...
    key 0:              RO access, index 1, range -1
    tips: nondeterministic_output_order
sdiffstore              destination#0 key#1...
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, range -1
sscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output

// sorted-set
zadd                    key#0 [condition(NX | XX)@3.0.2] [comparison(GT | LT)@6.2.0]
                        [change=CH@3.0.2] [increment=INCR@3.0.2]
                        score_member(score:double member)...
    history 2.4.0:      Accepts multiple elements.
    history 3.0.2:      Added the `XX`, `NX`, `CH` and `INCR` options.
    history 6.2.0:      Added the `GT` and `LT` options.
    key 0:              RW update, index 1, range 0
zincrby                 key#0 increment:integer member
    key 0:              RW access update, index 1, range 0
zrem                    key#0 member...
    history 2.4.0:      Accepts multiple elements.
    key 0:              RW delete, index 1, range 0
zcard                   key#0
    key 0:              RO, index 1, range 0
zscore                  key#0 member
    key 0:              RO access, index 1, range 0
zmscore                 key#0 member...
    key 0:              RO access, index 1, range 0
zcount                  key#0 min:double max:double
    key 0:              RO access, index 1, range 0
zlexcount               key#0 min max
    key 0:              RO access, index 1, range 0
zrange                  key#0 start stop [sortby(BYSCORE | BYLEX)@6.2.0] [REV@6.2.0]
                        [LIMIT offset_count(offset:integer count:integer)@6.2.0] [WITHSCORES]
    history 6.2.0:      Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.
    key 0:              RO access, index 1, range 0
zrangestore             dst#0 src#1 min max [sortby(BYSCORE | BYLEX)] [REV]
                        [LIMIT offset_count(offset:integer count:integer)]
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, range 0
zrevrange               key#0 start:integer stop:integer [WITHSCORES]
    deprecated 6.2.0:   `ZRANGE` with the `REV` argument
    key 0:              RO access, index 1, range 0
zrangebyscore           key#0 min:double max:double [WITHSCORES@2.0.0]
                        [LIMIT offset_count(offset:integer count:integer)]
    deprecated 6.2.0:   `ZRANGE` with the `BYSCORE` argument
    history 2.0.0:      Added the `WITHSCORES` modifier.
    key 0:              RO access, index 1, range 0
zrevrangebyscore        key#0 max:double min:double [WITHSCORES]
                        [LIMIT offset_count(offset:integer count:integer)]
    deprecated 6.2.0:   `ZRANGE` with the `REV` and `BYSCORE` arguments
    history 2.1.6:      `min` and `max` can be exclusive.
    key 0:              RO access, index 1, range 0
zrangebylex             key#0 min max [LIMIT offset_count(offset:integer count:integer)]
    deprecated 6.2.0:   `ZRANGE` with the `BYLEX` argument
    key 0:              RO access, index 1, range 0
zrevrangebylex          key#0 max min [LIMIT offset_count(offset:integer count:integer)]
    deprecated 6.2.0:   `ZRANGE` with the `REV` and `BYLEX` arguments
    key 0:              RO access, index 1, range 0
zrank                   key#0 member
    key 0:              RO access, index 1, range 0
zrevrank                key#0 member
    key 0:              RO access, index 1, range 0
zremrangebyrank         key#0 start:integer stop:integer
    key 0:              RW delete, index 1, range 0
zremrangebyscore        key#0 min:double max:double
    key 0:              RW delete, index 1, range 0
zremrangebylex          key#0 min max
    key 0:              RW delete, index 1, range 0
zpopmin                 key#0 [count:integer]
    key 0:              RW access delete, index 1, range 0
zpopmax                 key#0 [count:integer]
    key 0:              RW access delete, index 1, range 0
zmpop                   numkeys:integer key#0... where(MIN | MAX) [COUNT count:integer]
    key 0:              RW access delete, index 1, keynum 0 first 1
bzpopmin                key#0... timeout:double
    history 6.0.0:      `timeout` is interpreted as a double instead of an integer.
    key 0:              RW access delete, index 1, range -2
bzpopmax                key#0... timeout:double
    history 6.0.0:      `timeout` is interpreted as a double instead of an integer.
    key 0:              RW access delete, index 1, range -2
bzmpop                  timeout:double numkeys:integer key#0... where(MIN | MAX)
                        [COUNT count:integer]
    key 0:              RW access delete, index 2, keynum 0 first 1
zrandmember             key#0 [options(count:integer [WITHSCORES])]
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
zunion                  numkeys:integer key#0... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
    key 0:              RO access, index 1, keynum 0 first 1
zinter                  numkeys:integer key#0... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
    key 0:              RO access, index 1, keynum 0 first 1
zdiff                   numkeys:integer key#0... [WITHSCORES]
    key 0:              RO access, index 1, keynum 0 first 1
zunionstore             destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)]
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, keynum 0 first 1
zinterstore             destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
                        [AGGREGATE (SUM | MIN | MAX)]
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, keynum 0 first 1
zdiffstore              destination#0 numkeys:integer key#1...
    key 0:              OW update, index 1, range 0
    key 1:              RO access, index 2, keynum 0 first 1
zintercard              numkeys:integer key#0... [LIMIT limit:integer]
    key 0:              RO access, index 1, keynum 0 first 1
zscan                   key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
    key 0:              RO access, index 1, range 0
    tips: nondeterministic_output
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

/// The flags a key specification may have, in the order Redis prints them.
pub const KEY_FLAGS: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

/// Where the search for a command's keys begins (`begin_search`).
#[derive(Debug, Clone, PartialEq)]
pub enum BeginSearch {
    /// At this argument.
    Index(i64),
    /// After `keyword`, looked for from argument `startfrom` (negative: from the end,
    /// backwards).
    Keyword { keyword: String, startfrom: i64 },
    Unknown,
}

/// How the keys are found from where the search begins (`find_keys`).
#[derive(Debug, Clone, PartialEq)]
pub enum FindKeys {
    /// Every `keystep`th argument up to `lastkey` (relative to the begin; negative counts
    /// from the end); a `limit` above 1 stops after 1/limit of the remaining arguments.
    Range { lastkey: i64, keystep: i64, limit: i64 },
    /// The number of keys is at begin + `keynumidx`, the first key at begin + `firstkey`.
    Keynum { keynumidx: i64, firstkey: i64, keystep: i64 },
    Unknown,
}

/// One of the key specifications COMMAND INFO answers; arguments point at them by
/// `key_spec_index`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub notes: Option<String>,
    /// Names from [`KEY_FLAGS`], in its order.
    pub flags: Vec<&'static str>,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

impl KeySpec {
    /// Parses `flags, begin, find` with optional `, "notes"` (see the module docs).
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let (spec, notes) = match text.split_once(", \"") {
            Some((spec, notes)) => match notes.strip_suffix('"') {
                Some(n) if !n.is_empty() && !n.contains('"') => (spec, Some(n.to_string())),
                _ => return Err(format!("notes are one double-quoted text at the end: {text:?}")),
            },
            None => (text, None),
        };
        let [flags, begin, find] = spec.split(',').map(str::trim).collect::<Vec<_>>()[..] else {
            return Err(format!("expected `flags, begin, find`: {spec:?}"));
        };
        let mut names = Vec::new();
        for flag in flags.split_whitespace() {
            let Some(i) = KEY_FLAGS.iter().position(|k| *k == flag) else {
                return Err(format!("unknown key flag `{flag}`"));
            };
            if names.last().is_some_and(|last| KEY_FLAGS.iter().position(|k| k == last) >= Some(i)) {
                return Err(format!("key flags out of Redis's order at `{flag}`"));
            }
            names.push(KEY_FLAGS[i]);
        }
        if names.is_empty() {
            return Err(format!("no key flags: {spec:?}"));
        }
        let begin_search = match begin.split_whitespace().collect::<Vec<_>>()[..] {
            ["index", i] => BeginSearch::Index(number(i)?),
            ["keyword", keyword, "from", from] => {
                BeginSearch::Keyword { keyword: keyword.to_string(), startfrom: number(from)? }
            }
            ["unknown"] => BeginSearch::Unknown,
            _ => return Err(format!("expected `index N`, `keyword WORD from N` or `unknown`: {begin:?}")),
        };
        let find_keys = match find.split_whitespace().collect::<Vec<_>>()[..] {
            ["range", lastkey, ref rest @ ..] => {
                let [keystep, limit] = options(rest, ["step", "limit"])?;
                FindKeys::Range { lastkey: number(lastkey)?, keystep: keystep.unwrap_or(1), limit: limit.unwrap_or(0) }
            }
            ["keynum", keynumidx, "first", firstkey, ref rest @ ..] => {
                let [keystep] = options(rest, ["step"])?;
                FindKeys::Keynum { keynumidx: number(keynumidx)?, firstkey: number(firstkey)?, keystep: keystep.unwrap_or(1) }
            }
            ["unknown"] => FindKeys::Unknown,
            _ => return Err(format!("expected `range N...`, `keynum N first N...` or `unknown`: {find:?}")),
        };
        Ok(KeySpec { notes, flags: names, begin_search, find_keys })
    }

    /// The map COMMAND INFO answers, with Redis 7.0's field order.
    pub fn reply(&self) -> Reply {
        let int = |k: &'static str, v: i64| (field(k), Reply::Int(v));
        let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| {
            Reply::Map(vec![(field("type"), Reply::bulk_str(kind)), (field("spec"), Reply::Map(spec))])
        };
        let begin = match &self.begin_search {
            BeginSearch::Index(i) => search("index", vec![int("index", *i)]),
            BeginSearch::Keyword { keyword, startfrom } => {
                search("keyword", vec![(field("keyword"), Reply::bulk_str(keyword)), int("startfrom", *startfrom)])
            }
            BeginSearch::Unknown => search("unknown", Vec::new()),
        };
        let find = match self.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                search("range", vec![int("lastkey", lastkey), int("keystep", keystep), int("limit", limit)])
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                search("keynum", vec![int("keynumidx", keynumidx), int("firstkey", firstkey), int("keystep", keystep)])
            }
            FindKeys::Unknown => search("unknown", Vec::new()),
        };
        let mut fields = Vec::new();
        if let Some(notes) = &self.notes {
            fields.push((field("notes"), Reply::bulk_str(notes)));
        }
        fields.push((field("flags"), Reply::Set(self.flags.iter().map(|&f| Reply::status(f)).collect())));
        fields.push((field("begin_search"), begin));
        fields.push((field("find_keys"), find));
        Reply::Map(fields)
    }
}

fn number(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("`{s}` is not a number"))
}

/// The values of `name N` pairs, each name at most once and in the order of `names`.
fn options<const K: usize>(words: &[&str], names: [&str; K]) -> Result<[Option<i64>; K], String> {
    let mut values = [None; K];
    let mut next = 0;
    for pair in words.chunks(2) {
        let [name, value] = pair else { return Err(format!("`{}` without a value", pair[0])) };
        let Some(i) = names[next..].iter().position(|n| n == name) else {
            return Err(format!("unexpected `{name}`"));
        };
        values[next + i] = Some(number(value)?);
        next += i + 1;
    }
    Ok(values)
}

/// The keys `specs` find in `argv` (command name first), with the flags of the
/// specification that finds each, the way Redis's getKeysUsingKeySpecs finds them. A
/// specification that cannot be followed here (`unknown`, a key count that is not a
/// number, keys past the end) finds nothing.
pub fn keys_by_spec<'a>(specs: &'a [KeySpec], argv: &[Bytes]) -> Vec<(usize, &'a [&'static str])> {
    let argc = argv.len() as i64;
    let mut found = Vec::new();
    for spec in specs {
        let begin = match &spec.begin_search {
            BeginSearch::Index(i) => *i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let is_keyword = |&i: &i64| i >= 1 && i < argc && crate::commands::args::is(&argv[i as usize], keyword);
                let at = if *startfrom > 0 {
                    (*startfrom..argc - 1).find(is_keyword)
                } else {
                    (2..=argc + startfrom).rev().find(is_keyword)
                };
                match at {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        let (first, last, step) = match spec.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = match (lastkey, limit) {
                    (0.., _) => begin + lastkey,
                    (_, 0) => argc + lastkey,
                    _ => begin + (argc - begin) / limit + lastkey,
                };
                (begin, last, keystep)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                let count = usize::try_from(begin + keynumidx)
                    .ok()
                    .and_then(|i| argv.get(i))
                    .and_then(|n| std::str::from_utf8(n).ok()?.parse::<i64>().ok())
                    .filter(|n| *n >= 0);
                let Some(count) = count else { continue };
                (begin + firstkey, begin + firstkey + count - 1, keystep)
            }
            FindKeys::Unknown => continue,
        };
        if first < 1 || last >= argc || last < first || step < 1 {
            continue;
        }
        found.extend((first..=last).step_by(step as usize).map(|i| (i as usize, &spec.flags[..])));
    }
    found
}

/// One command's entry in [`TABLE`].
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The full name: `set`, `client|kill`.
    pub name: &'static str,
    pub arguments: Vec<Arg>,
    /// `deprecated_since` and `replaced_by` of a deprecated command.
    pub deprecated: Option<(&'static str, String)>,
    /// `(version, what changed)`, oldest first.
    pub history: Vec<(&'static str, String)>,
    pub key_specs: Vec<KeySpec>,
    /// ACL categories Redis declares for the command itself (its JSON `acl_categories`),
    /// which replace the one its group gives; flags give the rest (see
    /// `CommandSpec::acl_categories`).
    pub acl: Option<Vec<String>>,
    /// COMMAND INFO's `tips`, in Redis's order.
    pub tips: Vec<String>,
}

impl Entry {
    /// The COMMAND DOCS fields that follow `complexity`, in Redis 7.0's order: `doc_flags`,
    /// `deprecated_since`, `replaced_by`, `history`, `arguments`, each left out when empty.
    pub fn doc_fields(&self) -> Vec<(Reply, Reply)> {
        let mut fields = Vec::new();
        if let Some((since, replaced_by)) = &self.deprecated {
            fields.push((field("doc_flags"), Reply::Set(vec![Reply::status("deprecated")])));
            fields.push((field("deprecated_since"), Reply::bulk_str(since)));
            fields.push((field("replaced_by"), Reply::bulk_str(replaced_by)));
        }
        if !self.history.is_empty() {
            let items = self.history.iter().map(|(v, text)| Reply::Array(vec![Reply::bulk_str(v), Reply::bulk_str(text)]));
            fields.push((field("history"), Reply::Set(items.collect())));
        }
        if !self.arguments.is_empty() {
            fields.push((field("arguments"), list_reply(&self.arguments)));
        }
        fields
    }
}

/// An entry with its replies, built once.
pub struct Docs {
    pub entry: Entry,
    /// [`Entry::doc_fields`].
    pub fields: Vec<(Reply, Reply)>,
    /// COMMAND INFO's key specifications: a set of [`KeySpec::reply`] maps.
    pub key_specs: Reply,
    /// COMMAND INFO's tips: a set of bulk strings, as Redis sends them.
    pub tips: Reply,
}

/// The entry of the command or subcommand `full_name` (`set`, `client|kill`).
pub fn of(full_name: &str) -> Option<&'static Docs> {
    static DOCS: OnceLock<HashMap<&'static str, Docs>> = OnceLock::new();
    DOCS.get_or_init(|| {
        // TABLE is a constant, and the unit tests parse every entry of it.
        let entries = parse_table(TABLE).unwrap_or_else(|e| panic!("docs::TABLE: {e}"));
        entries
            .into_iter()
            .map(|entry| {
                let fields = entry.doc_fields();
                let key_specs = Reply::Set(entry.key_specs.iter().map(KeySpec::reply).collect());
                let tips = Reply::Set(entry.tips.iter().map(|t| Reply::bulk_str(t)).collect());
                (entry.name, Docs { entry, fields, key_specs, tips })
            })
            .collect()
    })
    .get(full_name)
}

/// Splits `table` into entries and parses each.
pub fn parse_table(table: &'static str) -> Result<Vec<Entry>, String> {
    /// An entry's name, the span of its arguments in `table`, its labelled lines.
    type Raw = (&'static str, (usize, usize), Vec<(&'static str, String)>);
    let mut raws: Vec<Raw> = Vec::new();
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
            raws.push((name, (start + name.len(), start + content.len()), Vec::new()));
            open = true;
        } else if let Some((_, syntax, labelled)) = raws.last_mut().filter(|_| open) {
            if let Some((label, text)) = labelled_line(content) {
                labelled.push((label, text.trim().to_string()));
            } else if let Some((_, text)) = labelled.last_mut() {
                text.push(' ');
                text.push_str(content.trim());
            } else {
                syntax.1 = start + content.len();
            }
        } else {
            return Err(format!("indented line outside an entry: {content:?}"));
        }
    }
    let mut seen = HashSet::new();
    raws.into_iter()
        .map(|(name, (from, to), labelled)| {
            if !seen.insert(name) {
                return Err(format!("{name}: listed twice"));
            }
            entry(name, &table[from..to], labelled).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// `history 2.6.12: text` -> (`history 2.6.12`, ` text`); `None` for a line that is not
/// labelled (it continues the arguments or the labelled line before it).
fn labelled_line(line: &'static str) -> Option<(&'static str, &'static str)> {
    let (label, text) = line.trim_start().split_once(':')?;
    if label == "acl" || label == "tips" {
        return Some((label, text));
    }
    let (kind, _) = label.split_once(' ')?;
    ["deprecated", "history", "key"].contains(&kind).then_some((label, text))
}

fn entry(name: &'static str, syntax: &'static str, labelled: Vec<(&'static str, String)>) -> Result<Entry, String> {
    let mut entry = Entry {
        name,
        arguments: parse(syntax)?,
        deprecated: None,
        history: Vec::new(),
        key_specs: Vec::new(),
        acl: None,
        tips: Vec::new(),
    };
    for (label, text) in labelled {
        let (kind, value) = label.split_once(' ').unwrap_or((label, ""));
        if text.is_empty() {
            return Err(format!("`{label}:` without text"));
        }
        match kind {
            "deprecated" if entry.deprecated.is_none() => entry.deprecated = Some((version(value)?, text)),
            "history" => entry.history.push((version(value)?, text)),
            "acl" if entry.acl.is_none() => {
                if let Some(bad) = text.split_whitespace().find(|c| !c.starts_with('@')) {
                    return Err(format!("`acl:` category {bad:?} does not start with @"));
                }
                entry.acl = Some(text.split_whitespace().map(str::to_string).collect());
            }
            "tips" if entry.tips.is_empty() => entry.tips = text.split_whitespace().map(str::to_string).collect(),
            "key" if value.parse() == Ok(entry.key_specs.len()) => {
                entry.key_specs.push(KeySpec::parse(&text).map_err(|e| format!("{label}: {e}"))?)
            }
            _ => return Err(format!("unexpected `{label}:` (one `deprecated`, `acl`, `tips`, `key` lines numbered from 0)")),
        }
    }
    let mut indexes = Vec::new();
    key_spec_indexes(&entry.arguments, &mut indexes);
    if let Some(i) = indexes.iter().find(|&&i| i as usize >= entry.key_specs.len()) {
        return Err(format!("an argument has key_spec_index {i}, but there is no `key {i}:` line"));
    }
    Ok(entry)
}

/// Every `key_spec_index` in `args` and their nested arguments.
fn key_spec_indexes(args: &[Arg], out: &mut Vec<u32>) {
    for arg in args {
        out.extend(arg.key_spec_index);
        key_spec_indexes(&arg.args, out);
    }
}

fn version(s: &'static str) -> Result<&'static str, String> {
    if s.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())) {
        Ok(s)
    } else {
        Err(format!("`{s}` is not a version"))
    }
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
    use crate::commands::{registry, Keys};

    #[test]
    fn every_command_has_an_entry_that_parses() {
        let entries = parse_table(TABLE).unwrap_or_else(|e| panic!("{e}"));
        let listed: HashSet<&str> = entries.iter().map(|e| e.name).collect();
        let commands: HashSet<&str> = registry().specs.iter().map(|(n, _)| n.as_str()).collect();
        let mut missing: Vec<_> = commands.difference(&listed).collect();
        let mut unknown: Vec<_> = listed.difference(&commands).collect();
        missing.sort();
        unknown.sort();
        assert!(missing.is_empty(), "commands without an entry in docs::TABLE: {missing:?}");
        assert!(unknown.is_empty(), "entries for commands DiskDB lacks: {unknown:?}");
        for (full, spec) in &registry().specs {
            let entry = &of(full).unwrap().entry;
            if !spec.subcommands.is_empty() {
                assert!(entry.arguments.is_empty(), "{full}: a container has no arguments of its own");
            }
            // The key specifications describe the keys the command table locks.
            assert_eq!(
                entry.key_specs.is_empty(),
                matches!(spec.keys, Keys::None),
                "{full}: key specifications and the table's key positions disagree"
            );
            let mut used = Vec::new();
            key_spec_indexes(&entry.arguments, &mut used);
            for i in 0..entry.key_specs.len() as u32 {
                assert!(used.contains(&i), "{full}: no argument has key_spec_index {i}");
            }
        }
        assert!(of("set").is_some_and(|d| !d.entry.arguments.is_empty()));
        assert!(of("quit").is_some_and(|d| d.entry.arguments.is_empty()), "`-` declares no arguments");
    }

    #[test]
    fn labelled_lines_give_history_deprecation_and_key_specs() {
        let table = r#"
getset      key#0 value
                [x]
    deprecated 6.2.0:   `SET` with the `!GET` argument
    history 2.6.12:     Added the `EX`, `PX`, `NX` and `XX` options, and a
                        long line continued.
    key 0:              RW access update variable_flags, index 1, range 0,
                        "notes, with a comma"
other       -
"#;
        let entries = parse_table(table).unwrap();
        assert_eq!(entries.len(), 2);
        let e = &entries[0];
        assert_eq!(e.arguments.len(), 3, "the indented line continues the arguments");
        assert_eq!(e.deprecated, Some(("6.2.0", "`SET` with the `!GET` argument".to_string())));
        assert_eq!(e.history, [("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options, and a long line continued.".to_string())]);
        assert_eq!(
            e.key_specs,
            [KeySpec {
                notes: Some("notes, with a comma".into()),
                flags: vec!["RW", "access", "update", "variable_flags"],
                begin_search: BeginSearch::Index(1),
                find_keys: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
            }]
        );
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let keys: Vec<Reply> = e.doc_fields().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [b("doc_flags"), b("deprecated_since"), b("replaced_by"), b("history"), b("arguments")]);
        assert!(entries[1].doc_fields().is_empty(), "nothing to say: no fields");
        assert_eq!((&e.acl, &e.tips), (&None, &Vec::new()));

        let table = "keys  pattern:pattern\n    acl:  @keyspace @dangerous\n    tips: request_policy:all_shards\n          nondeterministic_output_order\n";
        let e = &parse_table(table).unwrap()[0];
        assert_eq!(e.arguments.len(), 1);
        assert_eq!(e.acl, Some(vec!["@keyspace".to_string(), "@dangerous".to_string()]));
        assert_eq!(e.tips, ["request_policy:all_shards", "nondeterministic_output_order"]);

        for bad in [
            "x  a\n    key 1:  RO, index 1, range 0",
            "x  key#0\n    key 0:  RO, index 1, range 0\n    key 0:  RO, index 2, range 0",
            "x  key#1\n    key 0:  RO, index 1, range 0",
            "x  a\n    history 6.x:  text",
            "x  a\n    history 6.0.0:",
            "x  a\n    deprecated 6.2.0:  a\n    deprecated 6.2.0:  b",
            "x  a\n    acl:  keyspace",
            "x  a\n    acl:  @read\n    acl:  @write",
            "x  a\n    tips:",
        ] {
            assert!(parse_table(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn key_specs_parse_and_reply_in_redis_order() {
        let spec = KeySpec::parse("RO access, index 2, keynum 0 first 1 step 2").unwrap();
        assert_eq!(spec.find_keys, FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 2 });
        let spec = KeySpec::parse("OW update, keyword STORE from -1, range 0 limit 2").unwrap();
        assert_eq!(spec.begin_search, BeginSearch::Keyword { keyword: "STORE".into(), startfrom: -1 });
        assert_eq!(spec.find_keys, FindKeys::Range { lastkey: 0, keystep: 1, limit: 2 });
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| Reply::Map(vec![(b("type"), b(kind)), (b("spec"), Reply::Map(spec))]);
        assert_eq!(
            KeySpec::parse("RO access, unknown, unknown, \"why\"").unwrap().reply(),
            Reply::Map(vec![
                (b("notes"), b("why")),
                (b("flags"), Reply::Set(vec![Reply::status("RO"), Reply::status("access")])),
                (b("begin_search"), search("unknown", vec![])),
                (b("find_keys"), search("unknown", vec![])),
            ])
        );
        for bad in [
            "RO, index 1",
            "access RO, index 1, range 0",
            "RO fast, index 1, range 0",
            ", index 1, range 0",
            "RO, index x, range 0",
            "RO, index 1, range 0 limit 2 step 1",
            "RO, index 1, range 0 step",
            "RO, index 1, keynum 0",
            "RO, index 1, range 0, notes",
            "RO, index 1, range 0, \"a \"quoted\" word\"",
        ] {
            assert!(KeySpec::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn keys_by_spec_follows_each_kind_of_spec() {
        let argv = |line: &str| line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect::<Vec<_>>();
        let specs = |lines: &[&str]| lines.iter().map(|l| KeySpec::parse(l).unwrap()).collect::<Vec<_>>();
        let positions = |specs: &[KeySpec], line: &str| {
            keys_by_spec(specs, &argv(line)).into_iter().map(|(i, f)| (i, f.join(" "))).collect::<Vec<_>>()
        };
        let zunionstore = specs(&["OW update, index 1, range 0", "RO access, index 2, keynum 0 first 1"]);
        assert_eq!(
            positions(&zunionstore, "zunionstore d 2 a b WEIGHTS 1 2"),
            [(1, "OW update".into()), (3, "RO access".into()), (4, "RO access".into())]
        );
        assert_eq!(positions(&zunionstore, "zunionstore d x a"), [(1, "OW update".into())], "a bad count finds nothing");
        let mset = specs(&["OW update, index 1, range -1 step 2"]);
        assert_eq!(positions(&mset, "mset a 1 b 2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 3]);
        let store = specs(&["RO access, index 1, range 0", "OW update, keyword STORE from -1, range 0", "RO, unknown, unknown"]);
        assert_eq!(positions(&store, "sort k BY x STORE dst").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 5]);
        let limit = specs(&["RO, index 1, range -1 limit 2"]);
        assert_eq!(positions(&limit, "c k1 k2 v1 v2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2]);
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
