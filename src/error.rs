//! Every error a command can answer with, and its exact Redis 7 text.
//!
//! All reply texts live here so that matching Redis byte for byte is a one-file review.
//! A command error is a reply: the connection stays open.

use std::fmt;

use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    // ----- Types and keys -----
    /// `WRONGTYPE ...`: any command run on a key that holds another type.
    WrongType,
    /// `ERR no such key`: RENAME, RENAMENX, LSET on a missing key.
    NoSuchKey,
    /// `ERR DEBUG command not allowed. ...`: DEBUG while `enable-debug-command` is `no`
    /// (or `local` and the client is not local).
    DebugNotAllowed,
    /// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try DEBUG
    /// HELP.`: DEBUG with a subcommand it does not have, or with its wrong argument count.
    DebugUnknownSubcommand(String),
    /// `ERR source and destination objects are the same`: COPY onto itself, MOVE to the
    /// current database.
    SameObject,
    /// `ERR DB index is out of range`: SELECT, MOVE, COPY ... DB, SWAPDB.
    DbIndexOutOfRange,
    /// A command other than the (un)subscribe family, PING, QUIT and RESET from a RESP2
    /// client in subscribe mode; carries the command's full name (`client|list`).
    SubscribeContext(String),

    // ----- Numbers -----
    /// `ERR value is not an integer or out of range`: every integer argument.
    NotInteger,
    /// `ERR value is not a valid float`: every float argument (INCRBYFLOAT, HINCRBYFLOAT,
    /// ZADD scores, ...).
    NotFloat,
    /// `ERR increment or decrement would overflow`: INCR, DECR, INCRBY, DECRBY, HINCRBY.
    Overflow,
    /// `ERR decrement would overflow`: DECRBY by -2^63.
    DecrementOverflow,
    /// `ERR increment would produce NaN or Infinity`: INCRBYFLOAT, HINCRBYFLOAT.
    NanOrInfinity,
    /// `ERR value is NaN or Infinity`: HINCRBYFLOAT with an infinite increment.
    NanOrInfinityValue,
    /// `ERR value is out of range`: HRANDFIELD, SRANDMEMBER and ZRANDMEMBER with a huge
    /// negative count.
    OutOfRange,
    /// `ERR value is out of range, must be positive`: the counts of LPOP/RPOP, SPOP,
    /// ZPOPMIN/ZPOPMAX.
    NotPositive,
    /// `ERR value is out of range, value must between -9223372036854775807 and
    /// 9223372036854775807`: a count or rank of -2^63 whose negation Redis needs (LPOS
    /// RANK, HRANDFIELD, SRANDMEMBER, ZRANDMEMBER).
    OutOfSymmetricRange,
    /// `ERR <what> can't be negative`: LPOS COUNT and MAXLEN, SINTERCARD/ZINTERCARD LIMIT.
    Negative(&'static str),
    /// `ERR numkeys should be greater than 0`: LMPOP, BLMPOP, SINTERCARD, ZMPOP, BZMPOP,
    /// ZINTERCARD.
    NumkeysNotPositive,
    /// `ERR count should be greater than 0`: LMPOP, BLMPOP, ZMPOP, BZMPOP.
    CountNotPositive,
    /// `ERR Number of keys can't be greater than number of args`: SINTERCARD, ZINTERCARD.
    TooManyNumkeys,

    // ----- Arguments and commands -----
    /// `ERR syntax error`: any command with options it does not know or misplaced.
    Syntax,
    /// `ERR invalid expire time in '<cmd>' command`: SET, GETEX, SETEX, PSETEX and the
    /// EXPIRE family.
    InvalidExpire(String),
    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `: any
    /// unknown command name (built by [`unknown_command`]).
    UnknownCommand(String),
    /// `ERR wrong number of arguments for '<name>' command`: any command with a wrong arity.
    WrongArity(String),
    /// `ERR unknown subcommand '<sub>'. Try <CONTAINER> HELP.`: container commands
    /// (OBJECT, CONFIG, CLIENT, COMMAND, ...) with an unknown subcommand.
    UnknownSubcommand { sub: String, container: String },
    /// `ERR internal error in '<command>': <what>`: a command whose handler panicked.
    Internal { command: String, what: String },

    // ----- Expiry options (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT) -----
    /// `ERR Unsupported option <opt>`: an expire condition other than NX, XX, GT, LT.
    UnsupportedOption(String),
    /// `ERR NX and XX, GT or LT options at the same time are not compatible`.
    ExpireNxAndOthers,
    /// `ERR GT and LT options at the same time are not compatible`.
    ExpireGtAndLt,

    // ----- Strings -----
    /// `ERR string exceeds maximum allowed size (proto-max-bulk-len)`: APPEND and SETRANGE
    /// growing a string past `proto-max-bulk-len`.
    StringTooLong,
    /// `ERR offset is out of range`: SETRANGE with a negative offset.
    OffsetOutOfRange,
    /// `ERR The specified keys must contain string values`: LCS on a key of another type.
    LcsNotStrings,
    /// `ERR String too long for LCS`: LCS of a string of 2^32 - 2 bytes or more.
    LcsTooLong,
    /// `ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len`: LCS.
    LcsMemory,
    /// `ERR If you want both the length and indexes, please just use IDX.`: LCS LEN IDX.
    LcsLenAndIdx,

    // ----- Bitmaps -----
    /// `ERR bit offset is not an integer or out of range`: SETBIT, GETBIT, BITFIELD,
    /// BITFIELD_RO.
    BitOffset,
    /// `ERR bit is not an integer or out of range`: SETBIT with a bit other than 0 or 1.
    BitValue,
    /// `ERR The bit argument must be 1 or 0.`: BITPOS.
    BitArgument,
    /// `ERR BITOP NOT must be called with a single source key.`: BITOP NOT.
    BitopNotSources,
    /// `ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not
    /// supported but i64 is.`: BITFIELD, BITFIELD_RO.
    BitfieldType,
    /// `ERR Invalid OVERFLOW type specified`: BITFIELD OVERFLOW.
    BitfieldOverflow,
    /// `ERR BITFIELD_RO only supports the GET subcommand`: BITFIELD_RO with SET or INCRBY.
    BitfieldReadOnly,

    // ----- Lists -----
    /// `ERR index out of range`: LSET.
    IndexOutOfRange,
    /// `ERR RANK can't be zero: use 1 to start from the first match, ...`: LPOS RANK 0.
    RankZero,

    // ----- Hashes -----
    /// `ERR hash value is not an integer`: HINCRBY on a field that is not an integer.
    HashNotInteger,
    /// `ERR hash value is not a float`: HINCRBYFLOAT on a field that is not a float.
    HashNotFloat,

    // ----- Sorted sets and SORT -----
    /// `ERR resulting score is not a number (NaN)`: ZADD INCR, ZINCRBY.
    NanScore,
    /// `ERR One or more scores can't be converted into double`: SORT, SORT_RO by numbers.
    SortNotDouble,

    // ----- Streams -----
    /// `ERR Invalid stream ID specified as stream command argument`: every stream ID.
    InvalidStreamId,
    /// `ERR The ID specified in XADD is equal or smaller than the target stream top item`.
    StreamIdTooSmall,
    /// `ERR The ID specified in XADD must be greater than 0-0`.
    StreamIdZero,
    /// `ERR The stream has exhausted the last possible ID, unable to add more items`: XADD.
    StreamExhausted,
    /// `ERR The MAXLEN argument must be >= 0.`: XADD, XTRIM.
    StreamMaxlenNegative,
    /// `ERR The LIMIT argument must be >= 0.`: XADD, XTRIM.
    StreamLimitNegative,
    /// `ERR syntax error, MAXLEN and MINID options at the same time are not compatible`.
    StreamMaxlenAndMinid,
    /// `ERR syntax error, LIMIT cannot be used without specifying a trimming strategy`.
    StreamLimitWithoutStrategy,
    /// `ERR syntax error, XTRIM must be called with a trimming strategy`.
    XtrimWithoutStrategy,
    /// `ERR syntax error, LIMIT cannot be used without the special ~ option`.
    StreamLimitWithoutApprox,
    /// `ERR invalid start ID for the interval`: an exclusive start at the last ID.
    StreamInvalidStart,
    /// `ERR invalid end ID for the interval`: an exclusive end at 0-0.
    StreamInvalidEnd,
    /// `ERR entries_added must be positive`: XSETID ENTRIESADDED.
    XsetidEntriesAddedNegative,
    /// `ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id`.
    XsetidBelowGivenMaxDeleted,
    /// `ERR The ID specified in XSETID is smaller than the target stream top item`.
    XsetidBelowTop,
    /// `ERR The entries_added specified in XSETID is smaller than the target stream length`.
    XsetidEntriesAddedSmall,
    /// `ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be
    /// specified.`: XREAD, and XREADGROUP too (Redis 7.0 words it so for both).
    XreadUnbalanced,
    /// `ERR The <GROUP or NOACK> option is only supported by XREADGROUP. You called XREAD
    /// instead.`
    XreadGroupOnly(&'static str),
    /// `ERR Missing GROUP option for XREADGROUP`.
    XreadgroupMissingGroup,
    /// `ERR The $ ID is meaningless in the context of XREADGROUP: ...`.
    XreadgroupDollar,
    /// `ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group>
    /// <consumer> option.`: XREAD.
    XreadGreater,
    /// `NOGROUP No such key '<key>' or consumer group '<group>' in XREADGROUP with GROUP
    /// option`.
    NoGroupReadgroup { key: String, group: String },
    /// `NOGROUP No such key '<key>' or consumer group '<group>'`: XPENDING, XCLAIM,
    /// XAUTOCLAIM.
    NoGroupOrKey { key: String, group: String },
    /// `NOGROUP No such consumer group '<group>' for key name '<key>'`: XGROUP, XINFO.
    NoGroupForKey { key: String, group: String },
    /// `ERR The XGROUP subcommand requires the key to exist. ...`.
    XgroupNoKey,
    /// `BUSYGROUP Consumer Group name already exists`: XGROUP CREATE.
    BusyGroup,
    /// `ERR value for ENTRIESREAD must be positive or -1`: XGROUP CREATE, SETID.
    EntriesReadInvalid,
    /// `ERR <text>`: a stream command's named argument that is not an integer (`Invalid
    /// min-idle-time argument for XCLAIM`, `COUNT must be > 0`...).
    StreamArgument(&'static str),
    /// `ERR Unrecognized XCLAIM option '<opt>'`.
    XclaimOption(String),
    /// `ERR timeout is not an integer or out of range`: XREAD and XREADGROUP BLOCK.
    TimeoutNotInteger,
    /// `UNBLOCKED the stream key no longer exists`: a blocked XREADGROUP whose key was
    /// deleted.
    StreamKeyDeleted,
    /// `NOGROUP the consumer group this client was blocked on no longer exists`.
    BlockedGroupDestroyed,

    // ----- Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP, ...) -----
    /// `ERR timeout is not a float or out of range`.
    TimeoutNotFloat,
    /// `ERR timeout is negative`.
    TimeoutNegative,
    /// `ERR timeout is out of range`.
    TimeoutOutOfRange,

    // ----- Transactions -----
    /// `ERR MULTI calls can not be nested`: MULTI inside MULTI.
    MultiNested,
    /// `ERR EXEC without MULTI`: EXEC.
    ExecWithoutMulti,
    /// `ERR DISCARD without MULTI`: DISCARD.
    DiscardWithoutMulti,
    /// `ERR WATCH inside MULTI is not allowed`: WATCH.
    WatchInMulti,
    /// `ERR Command not allowed inside a transaction`: a `no-multi` command queued in MULTI.
    NotInMulti,
    /// `EXECABORT Transaction discarded because of previous errors.`: EXEC after a
    /// command was refused while queueing.
    ExecAbort,
    /// `EXECABORT Transaction discarded because of: <error>`: EXEC itself refused (an
    /// OOM refusal of a transaction holding a `denyoom` command).
    ExecAbortBecause(Box<Error>),

    // ----- Restore -----
    /// `ERR Invalid IDLETIME value, must be >= 0`: RESTORE IDLETIME.
    InvalidIdletime,
    /// `ERR Invalid FREQ value, must be >= 0 and <= 255`: RESTORE FREQ.
    InvalidFreq,

    // ----- Connection -----
    /// `NOAUTH Authentication required.`: any command before AUTH when a password is set.
    NoAuth,
    /// `WRONGPASS invalid username-password pair or user is disabled.`: AUTH, HELLO AUTH.
    WrongPass,
    /// `ERR AUTH <password> called without any password configured ...`: AUTH with no
    /// password configured.
    AuthNotConfigured,
    /// `NOPROTO unsupported protocol version`: HELLO with a version other than 2 or 3.
    NoProto,
    /// SHM.ATTACH refusals (DiskDB's own command, docs/shm-protocol.md): not on the Unix
    /// socket, `shm-max-clients 0`, the limit reached, already attached.
    ShmUnixOnly,
    ShmDisabled,
    ShmMaxClients,
    ShmAttached,

    // ----- Storage -----
    /// `ERR storage error: <e>`: any command when RocksDB fails.
    Storage(String),
    /// `ERR the key counters are not available: <why>`: DBSIZE, INFO keyspace and MEMORY
    /// STATS after an unclean shutdown, when the background key recount failed or a
    /// shutdown stopped it before it finished.
    CountsUnavailable(String),

    // ----- DUMP / RESTORE and SCAN -----
    /// RESTORE onto an existing key without REPLACE.
    BusyKey,
    /// RESTORE of a payload with a wrong version or checksum.
    DumpPayload,
    /// RESTORE of a payload whose checksum holds but whose content does not parse.
    BadDataFormat,
    /// SCAN with a cursor that is not an unsigned integer or is unknown.
    InvalidCursor,

    // Server, connection, keyspace and sorted-set replies (split branch).
    /// `ERR No shutdown in progress.`: SHUTDOWN ABORT with no shutdown pending.
    NoShutdownInProgress,
    /// `ERR Errors trying to SHUTDOWN. Check logs.`: SHUTDOWN whose backup failed
    /// (without FORCE).
    ShutdownFailed,
    /// `ERR Background save already in progress`: SAVE or BGSAVE during a BGSAVE.
    BgsaveInProgress,
    /// `ERR`: SAVE or BGSAVE that failed (Redis's bare error; the log says why).
    SaveFailed,
    /// `ERR Unknown option or number of arguments for CONFIG SET - '<param>'`.
    ConfigSetUnknown(String),
    /// `ERR CONFIG SET failed (possibly related to argument '<param>') - <reason>`:
    /// CONFIG SET of an immutable, protected or duplicate parameter, or a bad value.
    ConfigSetFailed { param: String, reason: String },
    /// `ERR The server is running without a config file`: CONFIG REWRITE.
    NoConfigFile,
    /// `ERR Rewriting config file: <reason>`: CONFIG REWRITE that could not write.
    ConfigRewrite(String),
    /// `ERR Invalid command specified`: COMMAND GETKEYS, GETKEYSANDFLAGS.
    InvalidCommandSpecified,
    /// `ERR Invalid number of arguments specified for command`: COMMAND GETKEYS,
    /// GETKEYSANDFLAGS.
    InvalidCommandArguments,
    /// `ERR The command has no key arguments`: COMMAND GETKEYS, GETKEYSANDFLAGS.
    NoKeyArguments,
    /// `ERR Client names cannot contain spaces, newlines or special characters.`:
    /// CLIENT SETNAME, HELLO SETNAME.
    InvalidClientName,
    /// `ERR Protocol version is not an integer or out of range`: HELLO.
    ProtocolVersion,
    /// `ERR Syntax error in HELLO option '<option>'`.
    HelloOption(String),
    /// `NOAUTH HELLO must be called with the client already authenticated, ...`: HELLO
    /// without AUTH on a connection that is not authenticated.
    HelloNoAuth,
    /// `ERR Unrecognized option '<attr>'`: CLIENT SETINFO.
    SetinfoOption(String),
    /// `ERR <attr> cannot contain spaces, newlines or special characters.`: CLIENT SETINFO.
    SetinfoValue(String),
    /// `ERR Unknown client type '<type>'`: CLIENT LIST TYPE, CLIENT KILL TYPE.
    UnknownClientType(String),
    /// `ERR Invalid client ID`: CLIENT LIST ID.
    InvalidClientId,
    /// `ERR No such client`: CLIENT KILL <ip:port> matching no connection.
    NoSuchClient,
    /// `ERR client-id should be greater than 0`: CLIENT KILL ID.
    ClientIdNotPositive,
    /// `ERR No such user '<user>'`: CLIENT KILL USER.
    NoSuchUser(String),
    /// Client-side caching refusals of CLIENT TRACKING and CLIENT CACHING, with Redis
    /// 7.0's texts (see [`TrackingError`]).
    Tracking(TrackingError),

    // ----- ACL -----
    /// `NOPERM this user has no permissions to run the '<cmd>' command`.
    NoPermCommand(String),
    /// `NOPERM this user has no permissions to access one of the keys used as arguments`.
    NoPermKey,
    /// `NOPERM this user has no permissions to access one of the channels used as arguments`.
    NoPermChannel,
    /// `NOPERM ACLs rules changed between the moment the transaction was accumulated and
    /// the EXEC call. This command is no longer allowed for the following reason: <why>`.
    NoPermChanged(&'static str),
    /// `ERR Error in ACL SETUSER modifier '<rule>': <reason>`.
    AclSetUser { rule: String, reason: &'static str },
    /// `ERR Unmatched parenthesis in acl selector starting at '<arg>'.`
    AclUnmatchedParenthesis(String),
    /// `ERR Usernames can't contain spaces or null characters`.
    AclUsernameSpaces,
    /// `ERR The 'default' user cannot be removed`.
    AclDeleteDefault,
    /// `ERR Unknown category '<name>'`: ACL CAT.
    AclUnknownCategory(String),
    /// ACL GENPASS with bits out of 1..=4096.
    AclGenpassBits,
    /// ACL LOAD / SAVE without an aclfile.
    AclNoFile,
    /// `ERR There was an error trying to save the ACLs. ...`.
    AclSaveFailed,
    /// ACL LOAD's errors, as one text.
    AclLoad(String),
    /// `ERR User '<name>' not found`: ACL DRYRUN.
    AclUserNotFound(String),
    /// `ERR Command '<name>' not found`: ACL DRYRUN.
    AclCommandNotFound(String),
    /// `ERR BY option of SORT denied due to insufficient ACL permissions.`
    SortByDenied,
    /// `ERR GET option of SORT denied due to insufficient ACL permissions.`
    SortGetDenied,
    /// `ERR invalid first DB index`: SWAPDB.
    InvalidFirstDb,
    /// `ERR invalid second DB index`: SWAPDB.
    InvalidSecondDb,
    /// `ERR An LFU maxmemory policy is not selected, ...`: OBJECT FREQ.
    LfuNotSelected,
    /// OBJECT IDLETIME under an LFU policy.
    LfuSelected,
    /// A write refused because the dataset is over `maxdisk` and nothing can be evicted.
    OomDisk,
    /// `MISCONF Errors writing to the data directory: <reason>`: a write command while
    /// writing to the data directory fails (its disk is full) and the writer retries,
    /// modelled on Redis's `MISCONF Errors writing to the AOF file: <strerror>`; also a
    /// read that would need a write still waiting (see `storage::pending`).
    DiskWrite(String),
    /// `ERR Invalid TTL value, must be >= 0`: RESTORE.
    InvalidTtl,
    /// `ERR min or max is not a float`: ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYSCORE, ...
    ScoreRange,
    /// `ERR min or max not valid string range item`: ZLEXCOUNT, ZRANGEBYLEX,
    /// ZREMRANGEBYLEX, ...
    LexRange,
    /// `ERR XX and NX options at the same time are not compatible`: ZADD.
    ZaddXxAndNx,
    /// `ERR GT, LT, and/or NX options at the same time are not compatible`: ZADD.
    ZaddGtLtNx,
    /// `ERR INCR option supports a single increment-element pair`: ZADD INCR.
    ZaddIncrPair,
    /// `ERR syntax error, LIMIT is only supported in combination with either BYSCORE or
    /// BYLEX`: ZRANGE, ZRANGESTORE.
    RangeLimit,
    /// `ERR syntax error, WITHSCORES not supported in combination with BYLEX`: ZRANGE.
    RangeWithscoresBylex,
    /// `ERR at least 1 input key is needed for '<command>' command`: ZUNION, ZINTER,
    /// ZDIFF, their STORE forms, ZINTERCARD.
    NoInputKeys(String),
    /// `ERR weight value is not a float`: ZUNION, ZINTER and their STORE forms.
    WeightNotFloat,
    // CLIENT UNBLOCK / KILL (client-cmds branch).
    /// `ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR`: CLIENT UNBLOCK.
    UnblockReason,
    /// `ERR Replica can't interact with the keyspace`: a MONITOR client's keyspace command.
    ReplicaKeyspace,
    /// `ERR CLIENT PAUSE mode must be WRITE or ALL`.
    PauseMode,
    /// `ERR MONITOR isn't allowed for DENY BLOCKING client` (MONITOR inside MULTI).
    MonitorDenyBlocking,
    /// `UNBLOCKED client unblocked via CLIENT UNBLOCK`: the reply of a blocking command
    /// that CLIENT UNBLOCK ... ERROR ended.
    UnblockedByClient,
    /// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CONTAINER>
    /// HELP.`: a subcommand with more arguments than its syntax takes (CLIENT UNBLOCK).
    SubcommandSyntax { sub: String, container: String },
    /// `ERR count should be greater than or equal to -1`: SLOWLOG GET with a count
    /// below -1 or not a number.
    SlowlogCount,
    /// `ERR No samples available for event '<event>'`: LATENCY GRAPH of an event with
    /// no samples.
    NoLatencySamples(String),
    /// `ERR DEBUG RELOAD ...`: DiskDB's refusal of DEBUG RELOAD (no RDB file to reload).
    DebugReloadRefused,
    /// `ERR argument must be a memory value bigger than 1 and smaller than 4gb`: DEBUG
    /// QUICKLIST-PACKED-THRESHOLD.
    QuicklistThreshold,

    // JSON (RedisJSON 2.x texts; those without an `ERR` code are RedisJSON's exactly so).
    /// `<serde_json message>`: a JSON argument that does not parse, e.g. `expected value
    /// at line 1 column 1` or `recursion limit exceeded at line 1 column 129`.
    JsonParse(String),
    /// `Error occurred on position <n>, "<before> ---->>>> <after>", expected <what>`: a
    /// JSONPath that does not parse.
    JsonPathSyntax { pos: usize, path: String, expected: &'static str },
    /// `ERR new objects must be created at the root`: JSON.SET/MSET/MERGE of a new key
    /// at another path than the root.
    JsonNewAtRoot,
    /// `ERR Path '<path>' does not exist`: a legacy path that matches nothing.
    JsonNoPath(String),
    /// `ERR Path '<path>' does not exist or <what>`: a legacy path that matches nothing
    /// of the type a command needs (`not an array`, `not a bool`...).
    JsonNoPathOr(String, &'static str),
    /// `WRONGTYPE wrong type of path value - expected <type> but found <type>`.
    JsonWrongType { expected: &'static str, found: String },
    /// `ERR could not perform this operation on a key that doesn't exist`.
    JsonNoKey,
    /// `Existing key has wrong Redis type`: a JSON command on a key of another type (the
    /// module API's text, where Redis's own commands say WRONGTYPE).
    JsonKeyType,
    /// `result is not a number`: NUMINCRBY / NUMMULTBY overflowing to infinity or NaN.
    JsonNotANumber,
    /// `bad input number`: NUMINCRBY / NUMMULTBY with valid JSON that is not a number.
    JsonBadNumber,
    /// `ERR index out of bounds`: JSON.ARRINSERT past either end.
    JsonIndexOutOfBounds,
    /// `ERR array index out of range`: JSON.SET of an array element that does not exist.
    JsonArrayIndexOutOfRange,
    /// `Err wrong static path`: JSON.SET creating a value at a path with wildcards.
    JsonWrongStaticPath,
    /// `Err path must end with object key to set`.
    JsonPathEndsWithKey,
    /// `ERR recursion limit exceeded`: a change that would nest values deeper than 128.
    JsonTooDeep,
    /// `ERR unknown subcommand - try `JSON.DEBUG HELP``.
    JsonDebugUnknown,
    /// `Couldn't parse as integer`: an index argument of the JSON commands.
    JsonNotInteger,
    /// `Couldn't parse as UTF-8 string`: a JSON value argument that is not UTF-8.
    JsonNotUtf8,
    /// `ERR the path matches too many values`: a JSONPath whose matches (with repeated
    /// `..` steps they multiply) would exceed DiskDB's bound. RedisJSON has no bound.
    JsonTooManyMatches,

    // ----- Scripting (EVAL, FUNCTION) -----
    /// A reply text composed by the scripting module (compile errors, library errors).
    Script(String),
    /// `NOSCRIPT No matching script. Please use EVAL.`: EVALSHA of an unknown SHA1.
    NoScript,
    /// `ERR Function not found`: FCALL of an unknown function.
    FunctionNotFound,
    /// `ERR Can not execute a script with write flag using *_ro command.`
    ScriptWriteFlagRo,
    /// `ERR Script killed by user with SCRIPT KILL...`: a script stopped by SCRIPT KILL.
    ScriptKilled,
    /// `ERR Script killed by user with FUNCTION KILL...`
    FunctionKilled,
    /// `NOTBUSY No scripts in execution right now.`
    NotBusy,
    /// `UNKILLABLE Sorry the script already executed write commands ...`
    Unkillable,
    /// `ERR Lua redis lib command arguments must be strings or integers`
    ScriptArgType,
    /// `ERR Please specify at least one argument for this redis lib call`
    ScriptNoArgs,
    /// `ERR Unknown Redis command called from script`
    ScriptUnknownCommand,
    /// `ERR Wrong number of args calling Redis command from script`
    ScriptWrongArity,
    /// `ERR This Redis command is not allowed from script`: a `noscript` command.
    ScriptNotAllowed,
    /// `ERR Write commands are not allowed from read-only scripts.`
    ScriptWriteInRo,
    /// `BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN
    /// NOSAVE.`: another client's command while an EVAL script is past
    /// `busy-reply-threshold`.
    BusyScript,
    /// The same while a function runs (FUNCTION KILL).
    BusyFunction,
    /// `ERR Number of keys can't be negative`
    NumkeysNegative,
    /// `ERR Number of keys can't be greater than number of args`
    NumkeysTooMany,
    /// `ERR The user executing the script can't run this command or subcommand`: an ACL
    /// denial inside `redis.call` (Redis's `scriptVerifyACL`).
    ScriptNoPermCommand,
    /// `ERR The user executing the script can't access at least one of the keys ...`
    ScriptNoPermKey,
    /// `ERR The user executing the script can't publish to the channel ...`
    ScriptNoPermChannel,
    // ----- Geospatial -----
    /// `ERR invalid longitude,latitude pair <lon>,<lat>` (printed with `%f`): a position
    /// outside -180..180, -85.05112878..85.05112878.
    GeoInvalidLonLat(f64, f64),
    /// `ERR unsupported unit provided. please use M, KM, FT, MI`.
    GeoUnit,
    /// `ERR could not decode requested zset member`: GEORADIUSBYMEMBER or FROMMEMBER of a
    /// missing member.
    GeoNoMember,
    /// `ERR need numeric <what>`: a radius, width or height that is not a number.
    GeoNeedNumeric(&'static str),
    /// `ERR radius cannot be negative`.
    GeoNegativeRadius,
    /// `ERR height or width cannot be negative`.
    GeoNegativeBox,
    /// `ERR COUNT must be > 0`.
    GeoCount,
    /// `ERR <what> is not compatible with WITHDIST, WITHHASH and WITHCOORD options`.
    GeoStoreWith(&'static str),
    /// `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for <command>`.
    GeoFrom(String),
    /// `ERR exactly one of BYRADIUS and BYBOX can be specified for <command>`.
    GeoBy(String),
    /// `ERR the ANY argument requires COUNT argument`.
    GeoAnyWithoutCount,

    // ----- HyperLogLog -----
    /// `WRONGTYPE Key is not a valid HyperLogLog string value.`: a string that is not HLL.
    HllWrongType,
    /// `INVALIDOBJ Corrupted HLL object detected`.
    HllCorrupt,
    /// `ERR The specified key does not exist`: PFDEBUG of a missing key.
    PfDebugNoKey,
    /// `ERR HLL encoding is not sparse`: PFDEBUG DECODE of a dense HLL.
    PfDebugNotSparse,
    /// `ERR Unknown PFDEBUG subcommand '<sub>'`.
    PfDebugUnknown(String),
    /// `ERR Wrong number of arguments for the '<sub>' subcommand`.
    PfDebugArity(String),
    /// PFSELFTEST's failure text (`TESTFAILED ...`).
    HllSelfTest(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Types and keys
            Error::WrongType => f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value"),
            Error::NoSuchKey => f.write_str("ERR no such key"),
            Error::DebugNotAllowed => f.write_str(
                "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.",
            ),
            Error::DebugUnknownSubcommand(sub) => write!(
                f,
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                truncate(sub, 128)
            ),
            Error::SameObject => f.write_str("ERR source and destination objects are the same"),
            Error::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            Error::SubscribeContext(name) => write!(
                f,
                "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
            ),
            // Numbers
            Error::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            Error::NotFloat => f.write_str("ERR value is not a valid float"),
            Error::Overflow => f.write_str("ERR increment or decrement would overflow"),
            Error::DecrementOverflow => f.write_str("ERR decrement would overflow"),
            Error::NanOrInfinity => f.write_str("ERR increment would produce NaN or Infinity"),
            Error::NanOrInfinityValue => f.write_str("ERR value is NaN or Infinity"),
            Error::OutOfRange => f.write_str("ERR value is out of range"),
            Error::NotPositive => f.write_str("ERR value is out of range, must be positive"),
            Error::OutOfSymmetricRange => {
                write!(f, "ERR value is out of range, value must between {} and {}", -i64::MAX, i64::MAX)
            }
            Error::Negative(what) => write!(f, "ERR {what} can't be negative"),
            Error::NumkeysNotPositive => f.write_str("ERR numkeys should be greater than 0"),
            Error::CountNotPositive => f.write_str("ERR count should be greater than 0"),
            Error::TooManyNumkeys => f.write_str("ERR Number of keys can't be greater than number of args"),
            // Arguments and commands
            Error::Syntax => f.write_str("ERR syntax error"),
            Error::InvalidExpire(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            Error::Script(text) => f.write_str(text),
            Error::NoScript => f.write_str("NOSCRIPT No matching script. Please use EVAL."),
            Error::FunctionNotFound => f.write_str("ERR Function not found"),
            Error::ScriptWriteFlagRo => f.write_str("ERR Can not execute a script with write flag using *_ro command."),
            Error::ScriptKilled => f.write_str("ERR Script killed by user with SCRIPT KILL..."),
            Error::FunctionKilled => f.write_str("ERR Script killed by user with FUNCTION KILL..."),
            Error::NotBusy => f.write_str("NOTBUSY No scripts in execution right now."),
            Error::Unkillable => f.write_str("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."),
            Error::ScriptArgType => f.write_str("ERR Lua redis lib command arguments must be strings or integers"),
            Error::ScriptNoArgs => f.write_str("ERR Please specify at least one argument for this redis lib call"),
            Error::ScriptUnknownCommand => f.write_str("ERR Unknown Redis command called from script"),
            Error::ScriptWrongArity => f.write_str("ERR Wrong number of args calling Redis command from script"),
            Error::ScriptNotAllowed => f.write_str("ERR This Redis command is not allowed from script"),
            Error::ScriptWriteInRo => f.write_str("ERR Write commands are not allowed from read-only scripts."),
            Error::BusyScript => f.write_str("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."),
            Error::BusyFunction => f.write_str("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."),
            Error::NumkeysNegative => f.write_str("ERR Number of keys can't be negative"),
            Error::NumkeysTooMany => f.write_str("ERR Number of keys can't be greater than number of args"),
            Error::ScriptNoPermCommand => f.write_str("ERR The user executing the script can't run this command or subcommand"),
            Error::ScriptNoPermKey => {
                f.write_str("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments")
            }
            Error::ScriptNoPermChannel => {
                f.write_str("ERR The user executing the script can't publish to the channel mentioned in the command")
            }
            Error::UnknownCommand(text) => f.write_str(text),
            Error::WrongArity(name) => write!(f, "ERR wrong number of arguments for '{name}' command"),
            Error::UnknownSubcommand { sub, container } => {
                write!(f, "ERR unknown subcommand '{}'. Try {} HELP.", truncate(sub, 128), container)
            }
            Error::Internal { command, what } => write!(f, "ERR internal error in '{command}': {what}"),
            // Expiry options
            Error::UnsupportedOption(opt) => write!(f, "ERR Unsupported option {opt}"),
            Error::ExpireNxAndOthers => f.write_str("ERR NX and XX, GT or LT options at the same time are not compatible"),
            Error::ExpireGtAndLt => f.write_str("ERR GT and LT options at the same time are not compatible"),
            // Strings
            Error::StringTooLong => f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            Error::OffsetOutOfRange => f.write_str("ERR offset is out of range"),
            Error::LcsNotStrings => f.write_str("ERR The specified keys must contain string values"),
            Error::LcsTooLong => f.write_str("ERR String too long for LCS"),
            Error::LcsMemory => {
                f.write_str("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
            }
            Error::LcsLenAndIdx => f.write_str("ERR If you want both the length and indexes, please just use IDX."),
            // Bitmaps
            Error::BitOffset => f.write_str("ERR bit offset is not an integer or out of range"),
            Error::BitValue => f.write_str("ERR bit is not an integer or out of range"),
            Error::BitArgument => f.write_str("ERR The bit argument must be 1 or 0."),
            Error::BitopNotSources => f.write_str("ERR BITOP NOT must be called with a single source key."),
            Error::BitfieldType => f.write_str(
                "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
            ),
            Error::BitfieldOverflow => f.write_str("ERR Invalid OVERFLOW type specified"),
            Error::BitfieldReadOnly => f.write_str("ERR BITFIELD_RO only supports the GET subcommand"),
            // Lists
            Error::IndexOutOfRange => f.write_str("ERR index out of range"),
            Error::RankZero => f.write_str(
                "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
            ),
            // Hashes
            Error::HashNotInteger => f.write_str("ERR hash value is not an integer"),
            Error::HashNotFloat => f.write_str("ERR hash value is not a float"),
            // Sorted sets and SORT
            Error::NanScore => f.write_str("ERR resulting score is not a number (NaN)"),
            Error::SortNotDouble => f.write_str("ERR One or more scores can't be converted into double"),
            // Streams
            Error::InvalidStreamId => f.write_str("ERR Invalid stream ID specified as stream command argument"),
            Error::StreamIdTooSmall => {
                f.write_str("ERR The ID specified in XADD is equal or smaller than the target stream top item")
            }
            Error::StreamIdZero => f.write_str("ERR The ID specified in XADD must be greater than 0-0"),
            Error::StreamExhausted => {
                f.write_str("ERR The stream has exhausted the last possible ID, unable to add more items")
            }
            Error::StreamMaxlenNegative => f.write_str("ERR The MAXLEN argument must be >= 0."),
            Error::StreamLimitNegative => f.write_str("ERR The LIMIT argument must be >= 0."),
            Error::StreamMaxlenAndMinid => {
                f.write_str("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
            }
            Error::StreamLimitWithoutStrategy => {
                f.write_str("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
            }
            Error::XtrimWithoutStrategy => f.write_str("ERR syntax error, XTRIM must be called with a trimming strategy"),
            Error::StreamLimitWithoutApprox => {
                f.write_str("ERR syntax error, LIMIT cannot be used without the special ~ option")
            }
            Error::StreamInvalidStart => f.write_str("ERR invalid start ID for the interval"),
            Error::StreamInvalidEnd => f.write_str("ERR invalid end ID for the interval"),
            Error::XsetidEntriesAddedNegative => f.write_str("ERR entries_added must be positive"),
            Error::XsetidBelowGivenMaxDeleted => {
                f.write_str("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
            }
            Error::XsetidBelowTop => f.write_str("ERR The ID specified in XSETID is smaller than the target stream top item"),
            Error::XsetidEntriesAddedSmall => {
                f.write_str("ERR The entries_added specified in XSETID is smaller than the target stream length")
            }
            Error::XreadUnbalanced => {
                f.write_str("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
            }
            Error::XreadGroupOnly(option) => {
                write!(f, "ERR The {option} option is only supported by XREADGROUP. You called XREAD instead.")
            }
            Error::XreadgroupMissingGroup => f.write_str("ERR Missing GROUP option for XREADGROUP"),
            Error::XreadgroupDollar => f.write_str(
                "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
            ),
            Error::XreadGreater => f.write_str(
                "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
            ),
            Error::NoGroupReadgroup { key, group } => {
                write!(f, "NOGROUP No such key '{key}' or consumer group '{group}' in XREADGROUP with GROUP option")
            }
            Error::NoGroupOrKey { key, group } => write!(f, "NOGROUP No such key '{key}' or consumer group '{group}'"),
            Error::NoGroupForKey { key, group } => {
                write!(f, "NOGROUP No such consumer group '{group}' for key name '{key}'")
            }
            Error::XgroupNoKey => f.write_str(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
            ),
            Error::BusyGroup => f.write_str("BUSYGROUP Consumer Group name already exists"),
            Error::EntriesReadInvalid => f.write_str("ERR value for ENTRIESREAD must be positive or -1"),
            Error::StreamArgument(text) => write!(f, "ERR {text}"),
            Error::XclaimOption(opt) => write!(f, "ERR Unrecognized XCLAIM option '{opt}'"),
            Error::TimeoutNotInteger => f.write_str("ERR timeout is not an integer or out of range"),
            Error::StreamKeyDeleted => f.write_str("UNBLOCKED the stream key no longer exists"),
            Error::BlockedGroupDestroyed => {
                f.write_str("NOGROUP the consumer group this client was blocked on no longer exists")
            }
            // Blocking commands
            Error::TimeoutNotFloat => f.write_str("ERR timeout is not a float or out of range"),
            Error::TimeoutNegative => f.write_str("ERR timeout is negative"),
            Error::TimeoutOutOfRange => f.write_str("ERR timeout is out of range"),
            // Transactions
            Error::MultiNested => f.write_str("ERR MULTI calls can not be nested"),
            Error::ExecWithoutMulti => f.write_str("ERR EXEC without MULTI"),
            Error::DiscardWithoutMulti => f.write_str("ERR DISCARD without MULTI"),
            Error::WatchInMulti => f.write_str("ERR WATCH inside MULTI is not allowed"),
            Error::NotInMulti => f.write_str("ERR Command not allowed inside a transaction"),
            Error::ExecAbort => f.write_str("EXECABORT Transaction discarded because of previous errors."),
            Error::ExecAbortBecause(e) => write!(f, "EXECABORT Transaction discarded because of: {e}"),
            // Restore
            Error::InvalidIdletime => f.write_str("ERR Invalid IDLETIME value, must be >= 0"),
            Error::InvalidFreq => f.write_str("ERR Invalid FREQ value, must be >= 0 and <= 255"),
            // Connection
            Error::NoAuth => f.write_str("NOAUTH Authentication required."),
            Error::WrongPass => f.write_str("WRONGPASS invalid username-password pair or user is disabled."),
            Error::AuthNotConfigured => f.write_str(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ),
            Error::NoProto => f.write_str("NOPROTO unsupported protocol version"),
            Error::ShmUnixOnly => f.write_str("ERR SHM.ATTACH is only available on the Unix socket"),
            Error::ShmDisabled => f.write_str("ERR shared memory is disabled"),
            Error::ShmMaxClients => f.write_str("ERR max number of shared-memory clients reached"),
            Error::ShmAttached => f.write_str("ERR this connection is already attached to shared memory"),
            // Storage
            Error::Storage(e) => write!(f, "ERR storage error: {e}"),
            Error::CountsUnavailable(why) => write!(f, "ERR the key counters are not available: {why}"),
            // One-off texts
            // DUMP / RESTORE and SCAN
            Error::BusyKey => f.write_str("BUSYKEY Target key name already exists."),
            Error::DumpPayload => f.write_str("ERR DUMP payload version or checksum are wrong"),
            Error::BadDataFormat => f.write_str("ERR Bad data format"),
            Error::InvalidCursor => f.write_str("ERR invalid cursor"),
            // Server, connection, keyspace and sorted-set replies (split branch).
            Error::NoShutdownInProgress => f.write_str("ERR No shutdown in progress."),
            Error::ShutdownFailed => f.write_str("ERR Errors trying to SHUTDOWN. Check logs."),
            Error::BgsaveInProgress => f.write_str("ERR Background save already in progress"),
            Error::SaveFailed => f.write_str("ERR"),
            Error::ConfigSetUnknown(param) => {
                write!(f, "ERR Unknown option or number of arguments for CONFIG SET - '{param}'")
            }
            Error::ConfigSetFailed { param, reason } => {
                write!(f, "ERR CONFIG SET failed (possibly related to argument '{param}') - {reason}")
            }
            Error::NoConfigFile => f.write_str("ERR The server is running without a config file"),
            Error::ConfigRewrite(reason) => write!(f, "ERR Rewriting config file: {reason}"),
            Error::InvalidCommandSpecified => f.write_str("ERR Invalid command specified"),
            Error::InvalidCommandArguments => f.write_str("ERR Invalid number of arguments specified for command"),
            Error::NoKeyArguments => f.write_str("ERR The command has no key arguments"),
            Error::InvalidClientName => {
                f.write_str("ERR Client names cannot contain spaces, newlines or special characters.")
            }
            Error::ProtocolVersion => f.write_str("ERR Protocol version is not an integer or out of range"),
            Error::HelloOption(option) => write!(f, "ERR Syntax error in HELLO option '{option}'"),
            Error::HelloNoAuth => f.write_str(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH \
                 <user> <pass> option can be used to authenticate the client and select the RESP protocol version at \
                 the same time",
            ),
            Error::SetinfoOption(attr) => write!(f, "ERR Unrecognized option '{attr}'"),
            Error::SetinfoValue(attr) => write!(f, "ERR {attr} cannot contain spaces, newlines or special characters."),
            Error::UnknownClientType(kind) => write!(f, "ERR Unknown client type '{kind}'"),
            Error::InvalidClientId => f.write_str("ERR Invalid client ID"),
            Error::NoSuchClient => f.write_str("ERR No such client"),
            Error::ClientIdNotPositive => f.write_str("ERR client-id should be greater than 0"),
            Error::NoSuchUser(user) => write!(f, "ERR No such user '{user}'"),
            Error::Tracking(e) => e.fmt(f),
            Error::NoPermCommand(cmd) => write!(f, "NOPERM this user has no permissions to run the '{cmd}' command"),
            Error::NoPermKey => f.write_str("NOPERM this user has no permissions to access one of the keys used as arguments"),
            Error::NoPermChannel => {
                f.write_str("NOPERM this user has no permissions to access one of the channels used as arguments")
            }
            Error::NoPermChanged(why) => write!(
                f,
                "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {why}"
            ),
            Error::AclSetUser { rule, reason } => write!(f, "ERR Error in ACL SETUSER modifier '{rule}': {reason}"),
            Error::AclUnmatchedParenthesis(arg) => write!(f, "ERR Unmatched parenthesis in acl selector starting at '{arg}'."),
            Error::AclUsernameSpaces => f.write_str("ERR Usernames can't contain spaces or null characters"),
            Error::AclDeleteDefault => f.write_str("ERR The 'default' user cannot be removed"),
            Error::AclUnknownCategory(name) => write!(f, "ERR Unknown category '{name}'"),
            Error::AclGenpassBits => f.write_str(
                "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
            ),
            Error::AclNoFile => f.write_str(
                "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
            ),
            Error::AclSaveFailed => {
                f.write_str("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
            }
            Error::AclLoad(errors) => write!(f, "ERR {errors}"),
            Error::AclUserNotFound(name) => write!(f, "ERR User '{name}' not found"),
            Error::AclCommandNotFound(name) => write!(f, "ERR Command '{name}' not found"),
            Error::SortByDenied => f.write_str("ERR BY option of SORT denied due to insufficient ACL permissions."),
            Error::SortGetDenied => f.write_str("ERR GET option of SORT denied due to insufficient ACL permissions."),
            Error::InvalidFirstDb => f.write_str("ERR invalid first DB index"),
            Error::InvalidSecondDb => f.write_str("ERR invalid second DB index"),
            Error::LfuNotSelected => f.write_str(
                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            ),
            Error::LfuSelected => f.write_str(
                "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            ),
            Error::OomDisk => f.write_str("OOM command not allowed when used disk > 'maxdisk'."),
            Error::DiskWrite(reason) => write!(f, "MISCONF Errors writing to the data directory: {reason}"),
            Error::InvalidTtl => f.write_str("ERR Invalid TTL value, must be >= 0"),
            Error::ScoreRange => f.write_str("ERR min or max is not a float"),
            Error::LexRange => f.write_str("ERR min or max not valid string range item"),
            Error::ZaddXxAndNx => f.write_str("ERR XX and NX options at the same time are not compatible"),
            Error::ZaddGtLtNx => f.write_str("ERR GT, LT, and/or NX options at the same time are not compatible"),
            Error::ZaddIncrPair => f.write_str("ERR INCR option supports a single increment-element pair"),
            Error::RangeLimit => f.write_str(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ),
            Error::RangeWithscoresBylex => {
                f.write_str("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
            }
            Error::NoInputKeys(command) => write!(f, "ERR at least 1 input key is needed for '{command}' command"),
            Error::WeightNotFloat => f.write_str("ERR weight value is not a float"),
            // CLIENT UNBLOCK / KILL (client-cmds branch).
            Error::UnblockReason => f.write_str("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
            Error::ReplicaKeyspace => f.write_str("ERR Replica can't interact with the keyspace"),
            Error::PauseMode => f.write_str("ERR CLIENT PAUSE mode must be WRITE or ALL"),
            Error::MonitorDenyBlocking => f.write_str("ERR MONITOR isn't allowed for DENY BLOCKING client"),
            Error::UnblockedByClient => f.write_str("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
            Error::QuicklistThreshold => f.write_str("ERR argument must be a memory value bigger than 1 and smaller than 4gb"),
            Error::SlowlogCount => f.write_str("ERR count should be greater than or equal to -1"),
            Error::NoLatencySamples(event) => write!(f, "ERR No samples available for event '{event}'"),
            Error::DebugReloadRefused => f.write_str(
                "ERR DEBUG RELOAD is not supported: DiskDB keeps no RDB file to save and load back; its data is already on disk in RocksDB (restart the server to reopen it)",
            ),
            Error::SubcommandSyntax { sub, container } => write!(
                f,
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                truncate(sub, 128),
                container
            ),
            // JSON
            Error::JsonParse(msg) => f.write_str(msg),
            Error::JsonPathSyntax { pos, path, expected } => {
                let cut = (*pos).min(path.len());
                let cut = (0..=cut).rev().find(|&i| path.is_char_boundary(i)).unwrap_or(0);
                write!(
                    f,
                    "Error occurred on position {pos}, \"{} ---->>>> {}\", expected {expected}.",
                    &path[..cut],
                    &path[cut..]
                )
            }
            Error::JsonNewAtRoot => f.write_str("ERR new objects must be created at the root"),
            Error::JsonNoPath(path) => write!(f, "ERR Path '{path}' does not exist"),
            Error::JsonNoPathOr(path, what) => write!(f, "ERR Path '{path}' does not exist or {what}"),
            Error::JsonWrongType { expected, found } => {
                write!(f, "WRONGTYPE wrong type of path value - expected {expected} but found {found}")
            }
            Error::JsonNoKey => f.write_str("ERR could not perform this operation on a key that doesn't exist"),
            Error::JsonKeyType => f.write_str("Existing key has wrong Redis type"),
            Error::JsonNotANumber => f.write_str("result is not a number"),
            Error::JsonBadNumber => f.write_str("bad input number"),
            Error::JsonIndexOutOfBounds => f.write_str("ERR index out of bounds"),
            Error::JsonArrayIndexOutOfRange => f.write_str("ERR array index out of range"),
            Error::JsonWrongStaticPath => f.write_str("Err wrong static path"),
            Error::JsonPathEndsWithKey => f.write_str("Err path must end with object key to set"),
            Error::JsonTooDeep => f.write_str("ERR recursion limit exceeded"),
            Error::JsonDebugUnknown => f.write_str("ERR unknown subcommand - try `JSON.DEBUG HELP`"),
            Error::JsonNotInteger => f.write_str("Couldn't parse as integer"),
            Error::JsonNotUtf8 => f.write_str("Couldn't parse as UTF-8 string"),
            Error::JsonTooManyMatches => f.write_str("ERR the path matches too many values"),
            Error::GeoInvalidLonLat(x, y) => write!(f, "ERR invalid longitude,latitude pair {x:.6},{y:.6}"),
            Error::GeoUnit => f.write_str("ERR unsupported unit provided. please use M, KM, FT, MI"),
            Error::GeoNoMember => f.write_str("ERR could not decode requested zset member"),
            Error::GeoNeedNumeric(what) => write!(f, "ERR need numeric {what}"),
            Error::GeoNegativeRadius => f.write_str("ERR radius cannot be negative"),
            Error::GeoNegativeBox => f.write_str("ERR height or width cannot be negative"),
            Error::GeoCount => f.write_str("ERR COUNT must be > 0"),
            Error::GeoStoreWith(what) => write!(f, "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
            Error::GeoFrom(cmd) => write!(f, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {cmd}"),
            Error::GeoBy(cmd) => write!(f, "ERR exactly one of BYRADIUS and BYBOX can be specified for {cmd}"),
            Error::GeoAnyWithoutCount => f.write_str("ERR the ANY argument requires COUNT argument"),
            Error::HllWrongType => f.write_str("WRONGTYPE Key is not a valid HyperLogLog string value."),
            Error::HllCorrupt => f.write_str("INVALIDOBJ Corrupted HLL object detected"),
            Error::PfDebugNoKey => f.write_str("ERR The specified key does not exist"),
            Error::PfDebugNotSparse => f.write_str("ERR HLL encoding is not sparse"),
            Error::PfDebugUnknown(sub) => write!(f, "ERR Unknown PFDEBUG subcommand '{sub}'"),
            Error::PfDebugArity(sub) => write!(f, "ERR Wrong number of arguments for the '{sub}' subcommand"),
            Error::HllSelfTest(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for Error {}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        if let StorageError::WriteError(reason) = e {
            return Error::DiskWrite(reason);
        }
        Error::Storage(e.to_string())
    }
}

/// A protocol violation in a request (see `protocol::decode`): the text after `-ERR `.
/// Unlike a command error, the connection answers it and closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolViolation {
    /// A multibulk count line longer than 64 KiB.
    MbulkCountTooBig,
    /// A multibulk count that is not a number or over `INT_MAX`.
    InvalidMultibulkLength,
    /// A bulk length line longer than 64 KiB.
    BulkCountTooBig,
    /// A multibulk element that does not start with `$`; holds the byte found.
    ExpectedDollar(u8),
    /// A bulk length that is not a number, negative or over `proto-max-bulk-len`.
    InvalidBulkLength,
    /// An inline request longer than 64 KiB.
    InlineTooBig,
    /// An inline request with an unterminated quote.
    UnbalancedQuotes,
    /// More than 10 elements from a client that must authenticate first (Redis's fix
    /// for CVE-2021-32675).
    UnauthenticatedMultibulkLength,
    /// A bulk over 16 KiB from a client that must authenticate first.
    UnauthenticatedBulkLength,
}

impl fmt::Display for ProtocolViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Protocol error: ")?;
        match self {
            ProtocolViolation::MbulkCountTooBig => f.write_str("too big mbulk count string"),
            ProtocolViolation::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            ProtocolViolation::BulkCountTooBig => f.write_str("too big bulk count string"),
            ProtocolViolation::ExpectedDollar(got) => write!(f, "expected '$', got '{}'", *got as char),
            ProtocolViolation::InvalidBulkLength => f.write_str("invalid bulk length"),
            ProtocolViolation::InlineTooBig => f.write_str("too big inline request"),
            ProtocolViolation::UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
            ProtocolViolation::UnauthenticatedMultibulkLength => f.write_str("unauthenticated multibulk length"),
            ProtocolViolation::UnauthenticatedBulkLength => f.write_str("unauthenticated bulk length"),
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The text Redis answers for an unknown command: the name (at most 128 bytes) and the
/// first arguments, each quoted and followed by a space, while the list is under 128 bytes.
pub fn unknown_command(argv: &[bytes::Bytes]) -> Error {
    let name = String::from_utf8_lossy(&argv[0]);
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let a = String::from_utf8_lossy(a);
        args.push('\'');
        args.push_str(truncate(&a, room));
        args.push_str("' ");
    }
    Error::UnknownCommand(format!(
        "ERR unknown command '{}', with args beginning with: {}",
        truncate(&name, 128),
        args
    ))
}

/// CLIENT TRACKING / CLIENT CACHING refusals (Redis 7.0's networking.c and tracking.c).
#[derive(Debug, Clone, PartialEq)]
pub enum TrackingError {
    /// `REDIRECT` given twice.
    RedirectTwice,
    /// `REDIRECT` to an id no client has.
    RedirectMissing,
    PrefixNeedsBcast,
    BcastSwitch,
    OptWithBcast,
    OptinAndOptout,
    OptSwitch,
    /// A new prefix overlapping one the client already has: (new, existing).
    PrefixOverlapsExisting(String, String),
    /// Two given prefixes overlapping: (first, second).
    PrefixOverlapsGiven(String, String),
    CachingNotTracking,
    CachingYesNotOptin,
    CachingNoNotOptout,
}

impl fmt::Display for TrackingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SWITCH: &str = "before disabling tracking for this client, and then re-enabling it with a different mode.";
        const OVERLAP: &str = "Prefixes for a single client must not overlap.";
        match self {
            TrackingError::RedirectTwice => f.write_str("ERR A client can only redirect to a single other client"),
            TrackingError::RedirectMissing => f.write_str("ERR The client ID you want redirect to does not exist"),
            TrackingError::PrefixNeedsBcast => f.write_str("ERR PREFIX option requires BCAST mode to be enabled"),
            TrackingError::BcastSwitch => write!(f, "ERR You can't switch BCAST mode on/off {SWITCH}"),
            TrackingError::OptWithBcast => f.write_str("ERR OPTIN and OPTOUT are not compatible with BCAST"),
            TrackingError::OptinAndOptout => f.write_str("ERR You can't specify both OPTIN mode and OPTOUT mode"),
            TrackingError::OptSwitch => write!(f, "ERR You can't switch OPTIN/OPTOUT mode {SWITCH}"),
            TrackingError::PrefixOverlapsExisting(new, old) => {
                write!(f, "ERR Prefix '{new}' overlaps with an existing prefix '{old}'. {OVERLAP}")
            }
            TrackingError::PrefixOverlapsGiven(a, b) => {
                write!(f, "ERR Prefix '{a}' overlaps with another provided prefix '{b}'. {OVERLAP}")
            }
            TrackingError::CachingNotTracking => f.write_str(
                "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
            ),
            TrackingError::CachingYesNotOptin => {
                f.write_str("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
            }
            TrackingError::CachingNoNotOptout => {
                f.write_str("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
            }
        }
    }
}
