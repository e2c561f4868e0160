// Streams: XADD, ranges, XREAD, consumer groups.

package client

import (
	"time"
)

// XMessage is one stream entry.
type XMessage struct {
	ID     string
	Values map[string]string
}

// XStream is one stream's entries in an XREAD or XREADGROUP reply.
type XStream struct {
	Stream   string
	Messages []XMessage
}

// XAddArgs are XADD's options. ID "" means "*"; MaxLen or MinID trim the stream
// (Approx uses "~"); Values is a map or alternating field, value pairs.
type XAddArgs struct {
	Stream     string
	ID         string
	MaxLen     int64
	MinID      string
	Approx     bool
	NoMkStream bool
	Values     any
}

func fieldArgs(args []any, values any) []any {
	switch v := values.(type) {
	case map[string]any, map[string]string:
		return append(args, flattenPairs([]any{v})...)
	case []string:
		for _, s := range v {
			args = append(args, s)
		}
		return args
	case []any:
		return append(args, v...)
	}
	return append(args, values)
}

// XAdd appends an entry with an automatic ID and returns the ID. values is a
// map[string]any / map[string]string or ordered pairs ([]string or []any).
func (c cmds) XAdd(key string, values any) (string, error) {
	return c.XAddWithArgs(XAddArgs{Stream: key, Values: values})
}

// XAddWithArgs is XADD with options.
func (c cmds) XAddWithArgs(a XAddArgs) (string, error) {
	args := []any{"XADD", a.Stream}
	if a.NoMkStream {
		args = append(args, "NOMKSTREAM")
	}
	trim := func(kind string, v any) {
		args = append(args, kind)
		if a.Approx {
			args = append(args, "~")
		}
		args = append(args, v)
	}
	if a.MaxLen > 0 {
		trim("MAXLEN", a.MaxLen)
	} else if a.MinID != "" {
		trim("MINID", a.MinID)
	}
	id := a.ID
	if id == "" {
		id = "*"
	}
	args = fieldArgs(append(args, id), a.Values)
	return asString(c.do(args...))
}

func asXMessage(v any) (XMessage, bool, error) {
	l, ok := asList(v)
	if !ok || len(l) != 2 {
		return XMessage{}, false, nil // a deleted entry in XCLAIM/XAUTOCLAIM
	}
	id, err := asString(l[0], nil)
	if err != nil {
		return XMessage{}, false, err
	}
	vals, err := asStringMap(l[1], nil)
	if err != nil {
		return XMessage{}, false, err
	}
	return XMessage{ID: id, Values: vals}, true, nil
}

func asXMessages(v any, err error) ([]XMessage, error) {
	if err != nil {
		return nil, err
	}
	l, _ := asList(v)
	out := make([]XMessage, 0, len(l))
	for _, e := range l {
		m, ok, err := asXMessage(e)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func asXStreams(v any, err error) ([]XStream, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNil
	}
	l, ok := pairs(v) // RESP2: [[key, entries], ...]; RESP3: a map
	if !ok {
		return nil, typeErr("streams", v)
	}
	out := make([]XStream, 0, len(l)/2)
	for i := 0; i < len(l); i += 2 {
		name, err := asString(l[i], nil)
		if err != nil {
			return nil, err
		}
		msgs, err := asXMessages(l[i+1], nil)
		if err != nil {
			return nil, err
		}
		out = append(out, XStream{Stream: name, Messages: msgs})
	}
	return out, nil
}

func rangeArgs(cmd, key, a, b string, count int64) []any {
	args := []any{cmd, key, a, b}
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	return args
}

// XRange returns the entries with start <= ID <= end ("-" and "+" for the ends).
func (c cmds) XRange(key, start, end string) ([]XMessage, error) {
	return asXMessages(c.do(rangeArgs("XRANGE", key, start, end, 0)...))
}

// XRangeN is XRange with COUNT.
func (c cmds) XRangeN(key, start, end string, count int64) ([]XMessage, error) {
	return asXMessages(c.do(rangeArgs("XRANGE", key, start, end, count)...))
}

// XRevRange returns entries from end down to start.
func (c cmds) XRevRange(key, end, start string) ([]XMessage, error) {
	return asXMessages(c.do(rangeArgs("XREVRANGE", key, end, start, 0)...))
}

// XRevRangeN is XRevRange with COUNT.
func (c cmds) XRevRangeN(key, end, start string, count int64) ([]XMessage, error) {
	return asXMessages(c.do(rangeArgs("XREVRANGE", key, end, start, count)...))
}

// XLen returns the number of entries.
func (c cmds) XLen(key string) (int64, error) { return asInt(c.do("XLEN", key)) }

// XDel deletes entries and returns how many existed.
func (c cmds) XDel(key string, ids ...string) (int64, error) {
	args := keysArgs("XDEL", ids)
	args = append([]any{args[0], key}, args[1:]...)
	return asInt(c.do(args...))
}

// XTrimArgs are XTRIM's arguments: MaxLen > 0 or MinID, Approx for "~", Limit > 0
// bounds the entries an approximate trim removes.
type XTrimArgs struct {
	MaxLen int64
	MinID  string
	Approx bool
	Limit  int64
}

// XTrim trims the stream and returns how many entries were removed.
func (c cmds) XTrim(key string, a XTrimArgs) (int64, error) {
	args := []any{"XTRIM", key}
	if a.MinID != "" {
		args = append(args, "MINID")
	} else {
		args = append(args, "MAXLEN")
	}
	if a.Approx {
		args = append(args, "~")
	}
	if a.MinID != "" {
		args = append(args, a.MinID)
	} else {
		args = append(args, a.MaxLen)
	}
	if a.Limit > 0 {
		args = append(args, "LIMIT", a.Limit)
	}
	return asInt(c.do(args...))
}

// XTrimMaxLen trims to at most maxLen entries and returns how many were removed.
func (c cmds) XTrimMaxLen(key string, maxLen int64) (int64, error) {
	return asInt(c.do("XTRIM", key, "MAXLEN", maxLen))
}

// XTrimMinID removes the entries with IDs below minID.
func (c cmds) XTrimMinID(key, minID string) (int64, error) {
	return asInt(c.do("XTRIM", key, "MINID", minID))
}

// XReadArgs are XREAD's arguments. Streams lists the keys then one ID per key
// (["a", "b", "0", "$"]). Block 0 does not block; Block > 0 waits that long; Block < 0
// waits forever.
type XReadArgs struct {
	Streams []string
	Count   int64
	Block   time.Duration
}

func blockArgs(args []any, block time.Duration) ([]any, time.Duration) {
	switch {
	case block > 0:
		ms := int64(block / time.Millisecond)
		if ms == 0 {
			ms = 1
		}
		return append(args, "BLOCK", ms), block
	case block < 0:
		return append(args, "BLOCK", 0), -1
	}
	return args, 0
}

// XRead reads entries after the given IDs; ErrNil when a blocking read timed out.
func (c cmds) XRead(a XReadArgs) ([]XStream, error) {
	args := []any{"XREAD"}
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	args, wait := blockArgs(args, a.Block)
	args = append(args, "STREAMS")
	for _, s := range a.Streams {
		args = append(args, s)
	}
	return asXStreams(c.x.exec(args, wait))
}

// XGroupCreate creates a consumer group starting at start ("$" for new entries, "0"
// for all).
func (c cmds) XGroupCreate(key, group, start string) error {
	return asOK(c.do("XGROUP", "CREATE", key, group, start))
}

// XGroupCreateMkStream is XGroupCreate with MKSTREAM (creates an empty stream).
func (c cmds) XGroupCreateMkStream(key, group, start string) error {
	return asOK(c.do("XGROUP", "CREATE", key, group, start, "MKSTREAM"))
}

// XGroupDestroy deletes a consumer group.
func (c cmds) XGroupDestroy(key, group string) (int64, error) {
	return asInt(c.do("XGROUP", "DESTROY", key, group))
}

// XReadGroupArgs are XREADGROUP's arguments; Streams and Block as in XReadArgs (">"
// as the ID reads new entries).
type XReadGroupArgs struct {
	Group    string
	Consumer string
	Streams  []string
	Count    int64
	Block    time.Duration
	NoAck    bool
}

// XReadGroup reads entries for a consumer of a group; ErrNil on a blocking timeout.
func (c cmds) XReadGroup(a XReadGroupArgs) ([]XStream, error) {
	args := []any{"XREADGROUP", "GROUP", a.Group, a.Consumer}
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	args, wait := blockArgs(args, a.Block)
	if a.NoAck {
		args = append(args, "NOACK")
	}
	args = append(args, "STREAMS")
	for _, s := range a.Streams {
		args = append(args, s)
	}
	return asXStreams(c.x.exec(args, wait))
}

// XAck acknowledges entries and returns how many were pending.
func (c cmds) XAck(key, group string, ids ...string) (int64, error) {
	args := []any{"XACK", key, group}
	for _, id := range ids {
		args = append(args, id)
	}
	return asInt(c.do(args...))
}

// XPending is XPENDING's summary form.
type XPending struct {
	Count     int64
	Lower     string
	Higher    string
	Consumers map[string]int64
}

// XPending returns the group's pending summary.
func (c cmds) XPending(key, group string) (*XPending, error) {
	v, err := c.do("XPENDING", key, group)
	if err != nil {
		return nil, err
	}
	l, ok := asList(v)
	if !ok || len(l) != 4 {
		return nil, typeErr("xpending", v)
	}
	p := &XPending{Consumers: map[string]int64{}}
	p.Count, _ = asInt(l[0], nil)
	p.Lower, _ = asString(l[1], nil)
	p.Higher, _ = asString(l[2], nil)
	cl, _ := asList(l[3])
	for _, e := range cl {
		pair, _ := asList(e)
		if len(pair) == 2 {
			name, _ := asString(pair[0], nil)
			n, _ := asInt(pair[1], nil)
			p.Consumers[name] = n
		}
	}
	return p, nil
}

// XPendingExt is one entry of XPENDING's extended form.
type XPendingExt struct {
	ID         string
	Consumer   string
	Idle       time.Duration
	RetryCount int64
}

// XPendingExtArgs select the extended form's entries; Consumer "" means all; Idle > 0
// keeps entries idle at least that long.
type XPendingExtArgs struct {
	Stream, Group string
	Start, End    string
	Count         int64
	Consumer      string
	Idle          time.Duration
}

// XPendingExt returns pending entries in detail.
func (c cmds) XPendingExt(a XPendingExtArgs) ([]XPendingExt, error) {
	args := []any{"XPENDING", a.Stream, a.Group}
	if a.Idle > 0 {
		args = append(args, "IDLE", int64(a.Idle/time.Millisecond))
	}
	args = append(args, a.Start, a.End, a.Count)
	if a.Consumer != "" {
		args = append(args, a.Consumer)
	}
	v, err := c.do(args...)
	if err != nil {
		return nil, err
	}
	l, _ := asList(v)
	out := make([]XPendingExt, 0, len(l))
	for _, e := range l {
		f, _ := asList(e)
		if len(f) != 4 {
			return nil, typeErr("xpending entry", e)
		}
		var p XPendingExt
		p.ID, _ = asString(f[0], nil)
		p.Consumer, _ = asString(f[1], nil)
		idle, _ := asInt(f[2], nil)
		p.Idle = time.Duration(idle) * time.Millisecond
		p.RetryCount, _ = asInt(f[3], nil)
		out = append(out, p)
	}
	return out, nil
}

// XClaimArgs are XCLAIM's arguments.
type XClaimArgs struct {
	Stream, Group, Consumer string
	MinIdle                 time.Duration
	Messages                []string
}

// XClaim moves pending entries idle at least MinIdle to Consumer and returns them.
func (c cmds) XClaim(a XClaimArgs) ([]XMessage, error) {
	args := []any{"XCLAIM", a.Stream, a.Group, a.Consumer, int64(a.MinIdle / time.Millisecond)}
	for _, id := range a.Messages {
		args = append(args, id)
	}
	return asXMessages(c.do(args...))
}

// XAutoClaimArgs are XAUTOCLAIM's arguments; Start "" means "0-0".
type XAutoClaimArgs struct {
	Stream, Group, Consumer string
	MinIdle                 time.Duration
	Start                   string
	Count                   int64
}

// XAutoClaim claims pending entries idle at least MinIdle, scanning from Start; it
// returns the claimed entries and the cursor for the next call ("0-0" when done).
func (c cmds) XAutoClaim(a XAutoClaimArgs) ([]XMessage, string, error) {
	start := a.Start
	if start == "" {
		start = "0-0"
	}
	args := []any{"XAUTOCLAIM", a.Stream, a.Group, a.Consumer, int64(a.MinIdle / time.Millisecond), start}
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	v, err := c.do(args...)
	if err != nil {
		return nil, "", err
	}
	l, ok := asList(v)
	if !ok || len(l) < 2 {
		return nil, "", typeErr("xautoclaim", v)
	}
	next, _ := asString(l[0], nil)
	msgs, err := asXMessages(l[1], nil)
	return msgs, next, err
}
