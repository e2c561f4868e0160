// Every typed method against the real server, under RESP2 and RESP3.

package client

import (
	"errors"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func forProtocols(t *testing.T, fn func(t *testing.T, db *DB)) {
	for _, proto := range []int{2, 3} {
		proto := proto
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			db, err := ConnectWith(Options{Addr: shared.addr(), Protocol: proto, DB: 1})
			must(t, err)
			defer db.Close()
			must(t, db.FlushDB())
			fn(t, db)
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func deepEq(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestPromisedAPI(t *testing.T) {
	// As the product documentation shows it.
	db, err := Connect(shared.addr())
	must(t, err)
	defer db.Close()
	err = db.Set("visits", "1000")
	must(t, err)
	_, err = db.Incr("visits")
	must(t, err)
	visits, err := db.Get("visits")
	must(t, err)
	eq(t, visits, "1001")
}

func TestStrings(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		must(t, db.Set("s", "hello"))
		v, err := db.Get("s")
		must(t, err)
		eq(t, v, "hello")
		_, err = db.Get("missing")
		isErr(t, err, ErrNil)

		old, err := db.SetWithArgs("s", "world", SetArgs{Get: true})
		must(t, err)
		eq(t, old, "hello")
		_, err = db.SetWithArgs("s", "x", SetArgs{NX: true})
		isErr(t, err, ErrNil)
		_, err = db.SetWithArgs("nx", "x", SetArgs{XX: true})
		isErr(t, err, ErrNil)
		_, err = db.SetWithArgs("s", "ttl", SetArgs{EX: 100 * time.Second})
		must(t, err)
		ttl, _ := db.TTL("s")
		if ttl <= 0 || ttl > 100 {
			t.Fatalf("ttl %d", ttl)
		}
		_, err = db.SetWithArgs("s", "kept", SetArgs{KeepTTL: true, XX: true})
		must(t, err)
		ttl, _ = db.TTL("s")
		if ttl <= 0 {
			t.Fatalf("KEEPTTL lost the ttl: %d", ttl)
		}
		_, err = db.SetWithArgs("px", "v", SetArgs{PX: 50000 * time.Millisecond})
		must(t, err)
		pttl, _ := db.PTTL("px")
		if pttl <= 0 || pttl > 50000 {
			t.Fatalf("pttl %d", pttl)
		}

		ok, err := db.SetNX("nx1", "a", 0)
		must(t, err)
		eq(t, ok, true)
		ok, err = db.SetNX("nx1", "b", time.Minute)
		must(t, err)
		eq(t, ok, false)
		must(t, db.SetEX("ex", "v", 30*time.Second))
		ttl, _ = db.TTL("ex")
		if ttl <= 0 || ttl > 30 {
			t.Fatalf("setex ttl %d", ttl)
		}

		must(t, db.MSet("a", 1, "b", "two"))
		must(t, db.MSet(map[string]any{"c": 3.5}))
		vals, err := db.MGet("a", "b", "nope", "c")
		must(t, err)
		deepEq(t, vals, []any{"1", "two", nil, "3.5"})

		n, err := db.Incr("cnt")
		must(t, err)
		eq(t, n, int64(1))
		n, _ = db.IncrBy("cnt", -11)
		eq(t, n, int64(-10))
		n, _ = db.Decr("cnt")
		eq(t, n, int64(-11))
		n, _ = db.DecrBy("cnt", 4)
		eq(t, n, int64(-15))
		f, err := db.IncrByFloat("fl", 1.5)
		must(t, err)
		eq(t, f, 1.5)
		f, _ = db.IncrByFloat("fl", -0.25)
		eq(t, f, 1.25)

		n, _ = db.Append("ap", "foo")
		eq(t, n, int64(3))
		n, _ = db.Append("ap", "bar")
		eq(t, n, int64(6))
		n, _ = db.StrLen("ap")
		eq(t, n, int64(6))
		r, _ := db.GetRange("ap", 1, -2)
		eq(t, r, "ooba")
		n, _ = db.SetRange("ap", 3, "BAZ")
		eq(t, n, int64(6))
		v, _ = db.Get("ap")
		eq(t, v, "fooBAZ")
		v, err = db.GetDel("ap")
		must(t, err)
		eq(t, v, "fooBAZ")
		_, err = db.GetDel("ap")
		isErr(t, err, ErrNil)

		must(t, db.Set("bin", []byte{0, 1, 2, '\r', '\n'}))
		v, _ = db.Get("bin")
		eq(t, v, "\x00\x01\x02\r\n")
		must(t, db.Ping())
		e, _ := db.Echo("hi")
		eq(t, e, "hi")
	})
}

func TestKeys(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		must(t, db.MSet("k1", "a", "k2", "b", "other", "c"))
		n, err := db.Exists("k1", "k2", "nope", "k1")
		must(t, err)
		eq(t, n, int64(3))
		ok, err := db.Expire("k1", 100*time.Second)
		must(t, err)
		eq(t, ok, true)
		ok, _ = db.Expire("nope", time.Second)
		eq(t, ok, false)
		ttl, _ := db.TTL("k1")
		if ttl < 1 || ttl > 100 {
			t.Fatalf("ttl %d", ttl)
		}
		ok, _ = db.PExpire("k2", 100000*time.Millisecond)
		eq(t, ok, true)
		pttl, _ := db.PTTL("k2")
		if pttl < 1 || pttl > 100000 {
			t.Fatalf("pttl %d", pttl)
		}
		ok, _ = db.Persist("k1")
		eq(t, ok, true)
		ttl, _ = db.TTL("k1")
		eq(t, ttl, int64(-1))
		ttl, _ = db.TTL("nope")
		eq(t, ttl, int64(-2))

		must(t, db.Rename("other", "renamed"))
		keys, err := db.Keys("k*")
		must(t, err)
		deepEq(t, sorted(keys), []string{"k1", "k2"})
		size, _ := db.DBSize()
		eq(t, size, int64(3))

		for i := 0; i < 120; i++ {
			must(t, db.Set("scan:"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strconv.Itoa(i), i))
		}
		it := db.ScanIter("scan:*", 10)
		seen := map[string]bool{}
		for it.Next() {
			seen[it.Val()] = true
		}
		must(t, it.Err())
		eq(t, len(seen), 120)
		keys, cur, err := db.Scan(0, "renamed", 1000)
		must(t, err)
		_ = cur
		_ = keys

		for typ, set := range map[string]func(){
			"string": func() { db.Set("t", "v") },
			"list":   func() { db.LPush("t", "v") },
			"set":    func() { db.SAdd("t", "v") },
			"hash":   func() { db.HSet("t", "f", "v") },
			"zset":   func() { db.ZAdd("t", map[string]float64{"m": 1}) },
			"json":   func() { db.JSONSet("t", "$", map[string]int{"a": 1}) },
			"stream": func() { db.XAdd("t", map[string]any{"f": "v"}) },
		} {
			db.Del("t")
			set()
			got, err := db.Type("t")
			must(t, err)
			eq(t, got, typ)
		}
		got, _ := db.Type("t-missing")
		eq(t, got, "none")

		n, err = db.Del("k1", "k2", "nope")
		must(t, err)
		eq(t, n, int64(2))
		must(t, db.FlushDB())
		size, _ = db.DBSize()
		eq(t, size, int64(0))
	})
}

func TestLists(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		n, err := db.LPush("l", "b", "a")
		must(t, err)
		eq(t, n, int64(2))
		n, _ = db.RPush("l", "c", "d", 5)
		eq(t, n, int64(5))
		r, _ := db.LRange("l", 0, -1)
		deepEq(t, r, []string{"a", "b", "c", "d", "5"})
		n, _ = db.LLen("l")
		eq(t, n, int64(5))
		v, _ := db.LIndex("l", -1)
		eq(t, v, "5")
		_, err = db.LIndex("l", 100)
		isErr(t, err, ErrNil)
		must(t, db.LSet("l", 0, "A"))
		var re *ResponseError
		err = db.LSet("l", 99, "x")
		if !errors.As(err, &re) || re.Code != "ERR" || re.Msg != "ERR index out of range" {
			t.Fatalf("LSET out of range: %v", err)
		}
		n, _ = db.LInsert("l", "BEFORE", "c", "bc")
		eq(t, n, int64(6))
		n, _ = db.LInsert("l", "AFTER", "zz", "x")
		eq(t, n, int64(-1))
		db.RPush("l", "b", "b")
		n, _ = db.LRem("l", 0, "b")
		eq(t, n, int64(3))
		must(t, db.LTrim("l", 0, 2))
		r, _ = db.LRange("l", 0, -1)
		deepEq(t, r, []string{"A", "bc", "c"})
		v, _ = db.LPop("l")
		eq(t, v, "A")
		v, _ = db.RPop("l")
		eq(t, v, "c")
		v, _ = db.LMove("l", "l2", "LEFT", "RIGHT")
		eq(t, v, "bc")
		_, err = db.RPop("l")
		isErr(t, err, ErrNil)
		_, err = db.LPop("l")
		isErr(t, err, ErrNil)

		db.RPush("q", "1", "2")
		kv, err := db.BLPop(time.Second, "empty", "q")
		must(t, err)
		deepEq(t, kv, []string{"q", "1"})
		kv, _ = db.BRPop(time.Second, "q")
		deepEq(t, kv, []string{"q", "2"})
		_, err = db.BLPop(100*time.Millisecond, "q")
		isErr(t, err, ErrNil)

		// A blocked BLPOP (timeout 0: forever) is woken by a push from another goroutine.
		got := make(chan []string, 1)
		go func() {
			kv, err := db.BRPop(0, "wake")
			if err != nil {
				kv = []string{err.Error()}
			}
			got <- kv
		}()
		for {
			v, err := db.Do("CLIENT", "LIST")
			must(t, err)
			if strings.Contains(v.(string), "cmd=brpop") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		db.LPush("wake", "up")
		deepEq(t, <-got, []string{"wake", "up"})
	})
}

func TestSets(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		n, err := db.SAdd("s", "a", "b", "c", "a")
		must(t, err)
		eq(t, n, int64(3))
		db.SAdd("t", "b", "c", "d")
		ok, _ := db.SIsMember("s", "a")
		eq(t, ok, true)
		ok, _ = db.SIsMember("s", "z")
		eq(t, ok, false)
		m, _ := db.SMembers("s")
		deepEq(t, sorted(m), []string{"a", "b", "c"})
		n, _ = db.SCard("s")
		eq(t, n, int64(3))
		r, _ := db.SInter("s", "t")
		deepEq(t, sorted(r), []string{"b", "c"})
		r, _ = db.SUnion("s", "t")
		deepEq(t, sorted(r), []string{"a", "b", "c", "d"})
		r, _ = db.SDiff("s", "t")
		deepEq(t, r, []string{"a"})
		n, _ = db.SRem("s", "a", "zz")
		eq(t, n, int64(1))
		p, err := db.SPop("s")
		must(t, err)
		if p != "b" && p != "c" {
			t.Fatalf("spop %q", p)
		}
		ps, _ := db.SPopN("s", 5)
		eq(t, len(ps), 1)
		_, err = db.SPop("s")
		isErr(t, err, ErrNil)
		m, _ = db.SMembers("nothing")
		eq(t, len(m), 0)
	})
}

func TestHashes(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		n, err := db.HSet("h", "name", "Alice", "age", 30)
		must(t, err)
		eq(t, n, int64(2))
		n, _ = db.HSet("h", map[string]any{"city": "NYC", "age": 31})
		eq(t, n, int64(1))
		v, _ := db.HGet("h", "age")
		eq(t, v, "31")
		_, err = db.HGet("h", "nope")
		isErr(t, err, ErrNil)
		vals, _ := db.HMGet("h", "name", "nope", "city")
		deepEq(t, vals, []any{"Alice", nil, "NYC"})
		all, err := db.HGetAll("h")
		must(t, err)
		deepEq(t, all, map[string]string{"name": "Alice", "age": "31", "city": "NYC"})
		all, _ = db.HGetAll("nothing")
		deepEq(t, all, map[string]string{})
		ok, _ := db.HExists("h", "city")
		eq(t, ok, true)
		n, _ = db.HIncrBy("h", "age", -1)
		eq(t, n, int64(30))
		k, _ := db.HKeys("h")
		deepEq(t, sorted(k), []string{"age", "city", "name"})
		vs, _ := db.HVals("h")
		deepEq(t, sorted(vs), []string{"30", "Alice", "NYC"})
		n, _ = db.HLen("h")
		eq(t, n, int64(3))
		n, _ = db.HDel("h", "city", "nope")
		eq(t, n, int64(1))
	})
}

func TestSortedSets(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		n, err := db.ZAdd("z", map[string]float64{"alice": 2500, "bob": 1800, "carol": 3100})
		must(t, err)
		eq(t, n, int64(3))
		n, _ = db.ZAddWithArgs("z", ZAddArgs{GT: true, Ch: true}, map[string]float64{"alice": 2000, "bob": 1900})
		eq(t, n, int64(1))
		n, _ = db.ZAddWithArgs("z", ZAddArgs{NX: true}, map[string]float64{"alice": 1, "dave": 100})
		eq(t, n, int64(1))
		n, _ = db.ZAddWithArgs("z", ZAddArgs{XX: true, Ch: true}, map[string]float64{"dave": 200, "eve": 5})
		eq(t, n, int64(1))
		r, _ := db.ZRange("z", 0, -1)
		deepEq(t, r, []string{"dave", "bob", "alice", "carol"})
		zs, err := db.ZRangeWithScores("z", 0, 1)
		must(t, err)
		deepEq(t, zs, []Z{{"dave", 200}, {"bob", 1900}})
		r, _ = db.ZRevRange("z", 0, 1)
		deepEq(t, r, []string{"carol", "alice"})
		zs, _ = db.ZRevRangeWithScores("z", 0, 0)
		deepEq(t, zs, []Z{{"carol", 3100}})
		r, _ = db.ZRangeByScore("z", "(200", "2500")
		deepEq(t, r, []string{"bob", "alice"})
		zs, _ = db.ZRangeByScoreWithScores("z", "-inf", "200")
		deepEq(t, zs, []Z{{"dave", 200}})
		s, err := db.ZScore("z", "bob")
		must(t, err)
		eq(t, s, 1900.0)
		_, err = db.ZScore("z", "nobody")
		isErr(t, err, ErrNil)
		s, _ = db.ZIncrBy("z", 0.5, "bob")
		eq(t, s, 1900.5)
		n, _ = db.ZCard("z")
		eq(t, n, int64(4))
		n, _ = db.ZCount("z", "1000", "+inf")
		eq(t, n, int64(3))
		n, _ = db.ZRank("z", "alice")
		eq(t, n, int64(2))
		n, _ = db.ZRevRank("z", "alice")
		eq(t, n, int64(1))
		_, err = db.ZRank("z", "nobody")
		isErr(t, err, ErrNil)
		zs, _ = db.ZPopMin("z", 1)
		deepEq(t, zs, []Z{{"dave", 200}})
		zs, _ = db.ZPopMax("z", 2)
		deepEq(t, zs, []Z{{"carol", 3100}, {"alice", 2500}})
		n, _ = db.ZRem("z", "bob", "nobody")
		eq(t, n, int64(1))
		zs, _ = db.ZPopMin("z", 1)
		eq(t, len(zs), 0)
	})
}

func TestDoAndErrors(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		v, err := db.Do("SET", "k", "v")
		must(t, err)
		deepEq(t, v, any("OK"))
		v, _ = db.Do("GET", "k")
		deepEq(t, v, any("v"))
		_, err = db.Do("GET", "nokey")
		isErr(t, err, ErrNil)
		v, _ = db.Do("RPUSH", "l", "a", "b")
		deepEq(t, v, any(int64(2)))
		v, _ = db.Do("LRANGE", "l", 0, -1)
		deepEq(t, v, []any{"a", "b"})

		// WRONGTYPE maps to *WrongTypeError, which errors.As also finds as *ResponseError.
		_, err = db.Get("l")
		var wt *WrongTypeError
		if !errors.As(err, &wt) {
			t.Fatalf("want WrongTypeError, got %T %v", err, err)
		}
		eq(t, wt.Msg, "WRONGTYPE Operation against a key holding the wrong kind of value")
		var re *ResponseError
		if !errors.As(err, &re) || re.Code != "WRONGTYPE" {
			t.Fatalf("errors.As ResponseError: %v", err)
		}
		_, err = db.Incr("k")
		if !errors.As(err, &re) || re.Code != "ERR" || re.Msg != "ERR value is not an integer or out of range" {
			t.Fatalf("incr: %#v", err)
		}
		if errors.As(err, &wt) {
			t.Fatal("ERR is no WrongTypeError")
		}
		_, err = db.Do("NOSUCHCMD")
		if !errors.As(err, &re) || !strings.HasPrefix(re.Msg, "ERR unknown command 'NOSUCHCMD'") {
			t.Fatalf("unknown: %v", err)
		}
		_, err = db.HGetAll("k")
		if !errors.As(err, &wt) {
			t.Fatalf("hgetall on string: %v", err)
		}
		_, err = db.LPush("k", "x")
		if !errors.As(err, &wt) {
			t.Fatalf("lpush on string: %v", err)
		}
	})
}

func TestConnectErrors(t *testing.T) {
	// Nobody listens on a fresh port: the dial error comes from Connect.
	_, err := Connect("127.0.0.1:1")
	if err == nil {
		t.Fatal("connected to nothing")
	}
	// A password on a server without one: AUTH's error as a ResponseError.
	_, err = ConnectWith(Options{Addr: shared.addr(), Password: "secret"})
	var re *ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("auth error: %T %v", err, err)
	}
	// A closed client refuses calls.
	db, err := Connect(shared.addr())
	must(t, err)
	db.Close()
	_, err = db.Get("x")
	isErr(t, err, ErrClosed)
}
