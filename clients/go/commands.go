// Typed methods for strings, keys, lists, sets, hashes and sorted sets. Values are
// `any` (string, []byte, integers, floats, bool) and sent as their text.

package client

import (
	"sort"
	"time"
)

func keysArgs(cmd string, keys []string) []any {
	args := make([]any, 0, len(keys)+1)
	args = append(args, cmd)
	for _, k := range keys {
		args = append(args, k)
	}
	return args
}

func valuesArgs(head []any, values []any) []any {
	return append(head, values...)
}

// Ping checks the connection.
func (c cmds) Ping() error { return asOK(c.do("PING")) }

// Echo returns msg.
func (c cmds) Echo(msg string) (string, error) { return asString(c.do("ECHO", msg)) }

// ---- strings ----

// Set stores value at key (SET key value).
func (c cmds) Set(key string, value any) error { return asOK(c.do("SET", key, value)) }

// SetArgs are SET's options. EX and PX are sent when positive.
type SetArgs struct {
	EX      time.Duration // expire after, in seconds precision
	PX      time.Duration // expire after, in milliseconds precision
	NX      bool          // only if the key does not exist
	XX      bool          // only if the key exists
	KeepTTL bool          // keep the key's time to live
	Get     bool          // return the old value
}

// SetWithArgs is SET with options. It returns the old value when a.Get is set ("" and
// ErrNil when there was none), and ErrNil when NX or XX prevented the write.
func (c cmds) SetWithArgs(key string, value any, a SetArgs) (string, error) {
	args := []any{"SET", key, value}
	if a.EX > 0 {
		args = append(args, "EX", int64(a.EX/time.Second))
	}
	if a.PX > 0 {
		args = append(args, "PX", int64(a.PX/time.Millisecond))
	}
	if a.NX {
		args = append(args, "NX")
	}
	if a.XX {
		args = append(args, "XX")
	}
	if a.KeepTTL {
		args = append(args, "KEEPTTL")
	}
	if a.Get {
		args = append(args, "GET")
	}
	return asString(c.do(args...))
}

// SetNX sets key only if it does not exist, with a TTL when ttl > 0; true if set.
func (c cmds) SetNX(key string, value any, ttl time.Duration) (bool, error) {
	args := []any{"SET", key, value, "NX"}
	if ttl > 0 {
		args = append(args, "PX", int64(ttl/time.Millisecond))
	}
	v, err := c.do(args...)
	if err != nil {
		return false, err
	}
	return v != nil, nil
}

// SetEX sets key with a time to live (SET key value PX ms).
func (c cmds) SetEX(key string, value any, ttl time.Duration) error {
	return asOK(c.do("SET", key, value, "PX", int64(ttl/time.Millisecond)))
}

// Get returns the value at key; ErrNil when the key does not exist.
func (c cmds) Get(key string) (string, error) { return asString(c.do("GET", key)) }

// GetDel returns the value at key and deletes it; ErrNil when missing.
func (c cmds) GetDel(key string) (string, error) { return asString(c.do("GETDEL", key)) }

// MGet returns the values of keys: a string, or nil for a missing key, per key.
func (c cmds) MGet(keys ...string) ([]any, error) {
	return asNullableStrings(c.do(keysArgs("MGET", keys)...))
}

// MSet sets several keys: MSet("a", 1, "b", 2) or MSet(map[string]any{...}).
func (c cmds) MSet(pairs ...any) error {
	return asOK(c.do(valuesArgs([]any{"MSET"}, flattenPairs(pairs))...))
}

// flattenPairs expands a single map argument into key, value pairs (sorted by key).
func flattenPairs(values []any) []any {
	if len(values) != 1 {
		return values
	}
	var out []any
	switch m := values[0].(type) {
	case map[string]any:
		for _, k := range sortedKeys(m) {
			out = append(out, k, m[k])
		}
	case map[string]string:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, k, m[k])
		}
	case []string:
		for _, s := range m {
			out = append(out, s)
		}
	default:
		return values
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Incr adds 1 to the integer at key and returns the new value.
func (c cmds) Incr(key string) (int64, error) { return asInt(c.do("INCR", key)) }

// IncrBy adds n (negative too) to the integer at key.
func (c cmds) IncrBy(key string, n int64) (int64, error) { return asInt(c.do("INCRBY", key, n)) }

// Decr subtracts 1.
func (c cmds) Decr(key string) (int64, error) { return asInt(c.do("DECR", key)) }

// DecrBy subtracts n.
func (c cmds) DecrBy(key string, n int64) (int64, error) { return asInt(c.do("DECRBY", key, n)) }

// IncrByFloat adds a float and returns the new value.
func (c cmds) IncrByFloat(key string, f float64) (float64, error) {
	return asFloat(c.do("INCRBYFLOAT", key, f))
}

// Append appends value and returns the new length.
func (c cmds) Append(key string, value any) (int64, error) { return asInt(c.do("APPEND", key, value)) }

// StrLen returns the length of the string at key.
func (c cmds) StrLen(key string) (int64, error) { return asInt(c.do("STRLEN", key)) }

// GetRange returns the substring between start and end (inclusive, negative from the end).
func (c cmds) GetRange(key string, start, end int64) (string, error) {
	return asString(c.do("GETRANGE", key, start, end))
}

// SetRange overwrites from offset and returns the new length.
func (c cmds) SetRange(key string, offset int64, value any) (int64, error) {
	return asInt(c.do("SETRANGE", key, offset, value))
}

// ---- keys ----

// Del deletes keys and returns how many existed.
func (c cmds) Del(keys ...string) (int64, error) { return asInt(c.do(keysArgs("DEL", keys)...)) }

// Exists returns how many of keys exist.
func (c cmds) Exists(keys ...string) (int64, error) { return asInt(c.do(keysArgs("EXISTS", keys)...)) }

// Expire sets a time to live in seconds; false when the key does not exist.
func (c cmds) Expire(key string, ttl time.Duration) (bool, error) {
	return asBool(c.do("EXPIRE", key, int64(ttl/time.Second)))
}

// PExpire sets a time to live in milliseconds.
func (c cmds) PExpire(key string, ttl time.Duration) (bool, error) {
	return asBool(c.do("PEXPIRE", key, int64(ttl/time.Millisecond)))
}

// TTL returns the seconds left as Redis does: -1 without expiry, -2 when missing.
func (c cmds) TTL(key string) (int64, error) { return asInt(c.do("TTL", key)) }

// PTTL returns the milliseconds left (-1, -2 as TTL).
func (c cmds) PTTL(key string) (int64, error) { return asInt(c.do("PTTL", key)) }

// Persist removes the time to live; true if there was one.
func (c cmds) Persist(key string) (bool, error) { return asBool(c.do("PERSIST", key)) }

// Type returns string, list, set, hash, zset, json, stream or none (the server's JSON
// type name ReJSON-RL is answered as json).
func (c cmds) Type(key string) (string, error) {
	t, err := asString(c.do("TYPE", key))
	if t == "ReJSON-RL" {
		t = "json"
	}
	return t, err
}

// Rename renames key to newkey.
func (c cmds) Rename(key, newkey string) error { return asOK(c.do("RENAME", key, newkey)) }

// Keys returns the keys matching pattern (prefer Scan on large databases).
func (c cmds) Keys(pattern string) ([]string, error) { return asStrings(c.do("KEYS", pattern)) }

// Scan runs one SCAN step: keys and the next cursor (0 when done). match "" and
// count 0 leave the options out.
func (c cmds) Scan(cursor uint64, match string, count int64) ([]string, uint64, error) {
	args := []any{"SCAN", cursor}
	if match != "" {
		args = append(args, "MATCH", match)
	}
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	v, err := c.do(args...)
	if err != nil {
		return nil, 0, err
	}
	l, ok := asList(v)
	if !ok || len(l) != 2 {
		return nil, 0, typeErr("scan reply", v)
	}
	next, err := asInt(l[0], nil)
	if err != nil {
		return nil, 0, err
	}
	keys, err := asStrings(l[1], nil)
	return keys, uint64(next), err
}

// ScanIterator walks the whole keyspace with SCAN:
//
//	it := db.ScanIter("user:*", 100)
//	for it.Next() { key := it.Val() }
//	if err := it.Err(); err != nil { ... }
type ScanIterator struct {
	c      cmds
	match  string
	count  int64
	cursor uint64
	buf    []string
	val    string
	err    error
	done   bool
}

// ScanIter returns an iterator over the keys matching match ("" for all).
func (c cmds) ScanIter(match string, count int64) *ScanIterator {
	return &ScanIterator{c: c, match: match, count: count}
}

// Next advances to the next key; false at the end or on an error.
func (it *ScanIterator) Next() bool {
	for len(it.buf) == 0 {
		if it.done || it.err != nil {
			return false
		}
		it.buf, it.cursor, it.err = it.c.Scan(it.cursor, it.match, it.count)
		if it.err != nil {
			return false
		}
		if it.cursor == 0 {
			it.done = true
		}
	}
	it.val, it.buf = it.buf[0], it.buf[1:]
	return true
}

// Val is the current key.
func (it *ScanIterator) Val() string { return it.val }

// Err is the error that stopped the iteration, if any.
func (it *ScanIterator) Err() error { return it.err }

// DBSize returns the number of keys in the selected database.
func (c cmds) DBSize() (int64, error) { return asInt(c.do("DBSIZE")) }

// FlushDB deletes every key of the selected database.
func (c cmds) FlushDB() error { return asOK(c.do("FLUSHDB")) }

// FlushAll deletes every key of every database.
func (c cmds) FlushAll() error { return asOK(c.do("FLUSHALL")) }

// ---- lists ----

// LPush prepends values and returns the new length.
func (c cmds) LPush(key string, values ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"LPUSH", key}, values)...))
}

// RPush appends values and returns the new length.
func (c cmds) RPush(key string, values ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"RPUSH", key}, values)...))
}

// LPop removes and returns the first element; ErrNil when the list is empty.
func (c cmds) LPop(key string) (string, error) { return asString(c.do("LPOP", key)) }

// RPop removes and returns the last element; ErrNil when the list is empty.
func (c cmds) RPop(key string) (string, error) { return asString(c.do("RPOP", key)) }

// LLen returns the list's length.
func (c cmds) LLen(key string) (int64, error) { return asInt(c.do("LLEN", key)) }

// LRange returns the elements from start to stop (inclusive, negative from the end).
func (c cmds) LRange(key string, start, stop int64) ([]string, error) {
	return asStrings(c.do("LRANGE", key, start, stop))
}

// LIndex returns the element at index; ErrNil when out of range.
func (c cmds) LIndex(key string, index int64) (string, error) {
	return asString(c.do("LINDEX", key, index))
}

// LSet sets the element at index.
func (c cmds) LSet(key string, index int64, value any) error {
	return asOK(c.do("LSET", key, index, value))
}

// LRem removes count occurrences of value (see LREM) and returns how many.
func (c cmds) LRem(key string, count int64, value any) (int64, error) {
	return asInt(c.do("LREM", key, count, value))
}

// LTrim keeps only the elements from start to stop.
func (c cmds) LTrim(key string, start, stop int64) error {
	return asOK(c.do("LTRIM", key, start, stop))
}

// LInsert inserts value "BEFORE" or "AFTER" pivot; the new length, -1 without pivot.
func (c cmds) LInsert(key, op string, pivot, value any) (int64, error) {
	return asInt(c.do("LINSERT", key, op, pivot, value))
}

// LMove pops from src's srcPos ("LEFT"/"RIGHT") and pushes to dst's dstPos.
func (c cmds) LMove(src, dst, srcPos, dstPos string) (string, error) {
	return asString(c.do("LMOVE", src, dst, srcPos, dstPos))
}

func blockSeconds(timeout time.Duration) string {
	return formatFloat(timeout.Seconds())
}

func (c cmds) blockingPop(cmd string, timeout time.Duration, keys []string) ([]string, error) {
	args := keysArgs(cmd, keys)
	args = append(args, blockSeconds(timeout))
	block := timeout
	if timeout <= 0 {
		block = -1
	}
	return c.blockPair(args, block)
}

func (c cmds) blockPair(args []any, block time.Duration) ([]string, error) {
	v, err := c.x.exec(args, block)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNil
	}
	return asStrings(v, nil)
}

// BLPop waits up to timeout (0: forever) for an element of the first non-empty list:
// [key, value]; ErrNil on timeout.
func (c cmds) BLPop(timeout time.Duration, keys ...string) ([]string, error) {
	return c.blockingPop("BLPOP", timeout, keys)
}

// BRPop is BLPop from the tail.
func (c cmds) BRPop(timeout time.Duration, keys ...string) ([]string, error) {
	return c.blockingPop("BRPOP", timeout, keys)
}

// ---- sets ----

// SAdd adds members and returns how many were new.
func (c cmds) SAdd(key string, members ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"SADD", key}, members)...))
}

// SRem removes members and returns how many were there.
func (c cmds) SRem(key string, members ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"SREM", key}, members)...))
}

// SIsMember tells whether member is in the set.
func (c cmds) SIsMember(key string, member any) (bool, error) {
	return asBool(c.do("SISMEMBER", key, member))
}

// SMembers returns the set's members (in no order).
func (c cmds) SMembers(key string) ([]string, error) { return asStrings(c.do("SMEMBERS", key)) }

// SCard returns the set's size.
func (c cmds) SCard(key string) (int64, error) { return asInt(c.do("SCARD", key)) }

// SPop removes and returns a random member; ErrNil when empty.
func (c cmds) SPop(key string) (string, error) { return asString(c.do("SPOP", key)) }

// SPopN removes and returns up to count random members.
func (c cmds) SPopN(key string, count int64) ([]string, error) {
	return asStrings(c.do("SPOP", key, count))
}

// SInter returns the intersection of the sets.
func (c cmds) SInter(keys ...string) ([]string, error) {
	return asStrings(c.do(keysArgs("SINTER", keys)...))
}

// SUnion returns the union of the sets.
func (c cmds) SUnion(keys ...string) ([]string, error) {
	return asStrings(c.do(keysArgs("SUNION", keys)...))
}

// SDiff returns the members of the first set in none of the others.
func (c cmds) SDiff(keys ...string) ([]string, error) {
	return asStrings(c.do(keysArgs("SDIFF", keys)...))
}

// ---- hashes ----

// HSet sets fields: HSet(key, "f", "v", "g", "w") or HSet(key, map[string]any{...});
// returns how many fields were new.
func (c cmds) HSet(key string, values ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"HSET", key}, flattenPairs(values))...))
}

// HGet returns a field's value; ErrNil when the field or key is missing.
func (c cmds) HGet(key, field string) (string, error) { return asString(c.do("HGET", key, field)) }

// HMGet returns the fields' values: a string or nil per field.
func (c cmds) HMGet(key string, fields ...string) ([]any, error) {
	args := keysArgs("HMGET", fields)
	args = append([]any{args[0], key}, args[1:]...)
	return asNullableStrings(c.do(args...))
}

// HGetAll returns the whole hash as a map (empty when the key is missing).
func (c cmds) HGetAll(key string) (map[string]string, error) {
	return asStringMap(c.do("HGETALL", key))
}

// HDel deletes fields and returns how many existed.
func (c cmds) HDel(key string, fields ...string) (int64, error) {
	args := keysArgs("HDEL", fields)
	args = append([]any{args[0], key}, args[1:]...)
	return asInt(c.do(args...))
}

// HExists tells whether the field exists.
func (c cmds) HExists(key, field string) (bool, error) { return asBool(c.do("HEXISTS", key, field)) }

// HIncrBy adds n to the field's integer.
func (c cmds) HIncrBy(key, field string, n int64) (int64, error) {
	return asInt(c.do("HINCRBY", key, field, n))
}

// HKeys returns the field names.
func (c cmds) HKeys(key string) ([]string, error) { return asStrings(c.do("HKEYS", key)) }

// HVals returns the values.
func (c cmds) HVals(key string) ([]string, error) { return asStrings(c.do("HVALS", key)) }

// HLen returns the number of fields.
func (c cmds) HLen(key string) (int64, error) { return asInt(c.do("HLEN", key)) }

// ---- sorted sets ----

// ZAddArgs are ZADD's flags.
type ZAddArgs struct {
	NX, XX, GT, LT bool
	// Ch counts changed members (new or with a new score) instead of new ones.
	Ch bool
}

// ZAdd adds members with their scores and returns how many were new.
func (c cmds) ZAdd(key string, members map[string]float64) (int64, error) {
	return c.ZAddWithArgs(key, ZAddArgs{}, members)
}

// ZAddWithArgs is ZAdd with NX/XX/GT/LT/CH.
func (c cmds) ZAddWithArgs(key string, a ZAddArgs, members map[string]float64) (int64, error) {
	args := []any{"ZADD", key}
	for _, f := range []struct {
		on   bool
		name string
	}{{a.NX, "NX"}, {a.XX, "XX"}, {a.GT, "GT"}, {a.LT, "LT"}, {a.Ch, "CH"}} {
		if f.on {
			args = append(args, f.name)
		}
	}
	names := make([]string, 0, len(members))
	for m := range members {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		args = append(args, members[m], m)
	}
	return asInt(c.do(args...))
}

// ZRange returns members by rank from start to stop, lowest score first.
func (c cmds) ZRange(key string, start, stop int64) ([]string, error) {
	return asStrings(c.do("ZRANGE", key, start, stop))
}

// ZRangeWithScores is ZRange with the scores.
func (c cmds) ZRangeWithScores(key string, start, stop int64) ([]Z, error) {
	return asZs(c.do("ZRANGE", key, start, stop, "WITHSCORES"))
}

// ZRevRange returns members by rank, highest score first.
func (c cmds) ZRevRange(key string, start, stop int64) ([]string, error) {
	return asStrings(c.do("ZREVRANGE", key, start, stop))
}

// ZRevRangeWithScores is ZRevRange with the scores.
func (c cmds) ZRevRangeWithScores(key string, start, stop int64) ([]Z, error) {
	return asZs(c.do("ZREVRANGE", key, start, stop, "WITHSCORES"))
}

// ZRangeByScore returns members with min <= score <= max; min and max take Redis's
// forms ("-inf", "(1.5", "10").
func (c cmds) ZRangeByScore(key, min, max string) ([]string, error) {
	return asStrings(c.do("ZRANGEBYSCORE", key, min, max))
}

// ZRangeByScoreWithScores is ZRangeByScore with the scores.
func (c cmds) ZRangeByScoreWithScores(key, min, max string) ([]Z, error) {
	return asZs(c.do("ZRANGEBYSCORE", key, min, max, "WITHSCORES"))
}

// ZScore returns a member's score; ErrNil when missing.
func (c cmds) ZScore(key, member string) (float64, error) {
	return asFloat(c.do("ZSCORE", key, member))
}

// ZIncrBy adds incr to a member's score and returns the new score.
func (c cmds) ZIncrBy(key string, incr float64, member string) (float64, error) {
	return asFloat(c.do("ZINCRBY", key, incr, member))
}

// ZRem removes members and returns how many were there.
func (c cmds) ZRem(key string, members ...any) (int64, error) {
	return asInt(c.do(valuesArgs([]any{"ZREM", key}, members)...))
}

// ZCard returns the number of members.
func (c cmds) ZCard(key string) (int64, error) { return asInt(c.do("ZCARD", key)) }

// ZCount counts members with min <= score <= max (Redis's forms).
func (c cmds) ZCount(key, min, max string) (int64, error) {
	return asInt(c.do("ZCOUNT", key, min, max))
}

// ZRank returns a member's rank, lowest score first; ErrNil when missing.
func (c cmds) ZRank(key, member string) (int64, error) { return asInt(c.do("ZRANK", key, member)) }

// ZRevRank returns a member's rank, highest score first; ErrNil when missing.
func (c cmds) ZRevRank(key, member string) (int64, error) {
	return asInt(c.do("ZREVRANK", key, member))
}

// ZPopMin removes and returns up to count members with the lowest scores.
func (c cmds) ZPopMin(key string, count int64) ([]Z, error) {
	return asZs(c.do("ZPOPMIN", key, count))
}

// ZPopMax removes and returns up to count members with the highest scores.
func (c cmds) ZPopMax(key string, count int64) ([]Z, error) {
	return asZs(c.do("ZPOPMAX", key, count))
}

// Publish sends message on channel and returns how many subscribers received it.
func (c cmds) Publish(channel string, message any) (int64, error) {
	return asInt(c.do("PUBLISH", channel, message))
}
