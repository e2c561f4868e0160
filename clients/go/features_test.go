// JSON, streams, pipelines, transactions, pub/sub, contexts, Unix socket, restarts.

package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestJSON(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		doc := map[string]any{
			"name": "Alice", "address": map[string]any{"city": "NYC"},
			"interests": []string{"go", "rust"}, "age": 30,
			"friends": []map[string]any{{"name": "Bob"}, {"name": "Carol"}},
		}
		must(t, db.JSONSet("u", "$", doc))
		var city string
		must(t, db.JSONGet("u", "$.address.city", &city))
		eq(t, city, "NYC")
		var interests []string
		must(t, db.JSONGet("u", "$.interests", &interests))
		deepEq(t, interests, []string{"go", "rust"})
		var names []string // several matches: the array of them
		must(t, db.JSONGet("u", "$..name", &names))
		deepEq(t, names, []string{"Alice", "Bob", "Carol"})
		var nothing any
		isErr(t, db.JSONGet("u", "$.nope", &nothing), ErrNil)
		isErr(t, db.JSONGet("missing", "$", &nothing), ErrNil)
		var legacy string
		must(t, db.JSONGet("u", ".address.city", &legacy))
		eq(t, legacy, "NYC")
		type Profile struct {
			Name string `json:"name"`
			Age  int    `json:"age"`
		}
		var p Profile
		must(t, db.JSONGet("u", "$", &p))
		eq(t, p, Profile{"Alice", 30})
		raw, _ := db.JSONGetRaw("u", "$.age")
		eq(t, raw, "[30]")

		typ, err := db.JSONType("u", "$.age")
		must(t, err)
		deepEq(t, typ, []string{"integer"})
		typ, _ = db.JSONType("u", ".name")
		deepEq(t, typ, []string{"string"})
		f, err := db.JSONNumIncrBy("u", "$.age", 2)
		must(t, err)
		eq(t, f, 32.0)
		f, _ = db.JSONNumIncrBy("u", ".age", -1)
		eq(t, f, 31.0)
		l, err := db.JSONArrAppend("u", "$.interests", "zig", map[string]int{"x": 1})
		must(t, err)
		deepEq(t, l, []int64{4})
		l, _ = db.JSONArrLen("u", "$.interests")
		deepEq(t, l, []int64{4})
		var popped map[string]int
		must(t, db.JSONArrPop("u", "$.interests", -1, &popped))
		deepEq(t, popped, map[string]int{"x": 1})
		l, _ = db.JSONStrLen("u", "$.name")
		deepEq(t, l, []int64{5})
		l, _ = db.JSONObjLen("u", "$.address")
		deepEq(t, l, []int64{1})
		keys, err := db.JSONObjKeys("u", "$.address")
		must(t, err)
		deepEq(t, keys, []string{"city"})
		ok, err := db.JSONSetMode("u", "$.name", "Zed", "NX")
		must(t, err)
		eq(t, ok, false)
		ok, _ = db.JSONSetMode("u", "$.email", "a@b.c", "NX")
		eq(t, ok, true)
		n, err := db.JSONDel("u", "$.address")
		must(t, err)
		eq(t, n, int64(1))
		must(t, db.JSONSet("u", "$.raw", json.RawMessage(`{"k":[1,2]}`)))
		var r map[string][]int
		must(t, db.JSONGet("u", "$.raw", &r))
		deepEq(t, r, map[string][]int{"k": {1, 2}})

		// Errors: a server error text, and WRONGTYPE on a string key.
		var re *ResponseError
		err = db.JSONSet("u", "$.a.b.c", 1)
		if err == nil {
			t.Fatal("deep set under a missing path succeeded")
		}
		db.Set("str", "x")
		err = db.JSONSet("str", "$", 1)
		var wt *WrongTypeError
		if !errors.As(err, &wt) || !errors.As(err, &re) {
			t.Fatalf("json.set on a string: %v", err)
		}
	})
}

func TestStreams(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		id1, err := db.XAdd("events", map[string]any{"action": "login", "ip": "192.168.1.1"})
		must(t, err)
		id2, err := db.XAdd("events", []string{"action", "logout"})
		must(t, err)
		id3, _ := db.XAddWithArgs(XAddArgs{Stream: "events", ID: "9999999999999-0", Values: []any{"n", 3}})
		eq(t, id3, "9999999999999-0")
		msgs, err := db.XRange("events", "-", "+")
		must(t, err)
		deepEq(t, msgs, []XMessage{
			{id1, map[string]string{"action": "login", "ip": "192.168.1.1"}},
			{id2, map[string]string{"action": "logout"}},
			{id3, map[string]string{"n": "3"}},
		})
		msgs, _ = db.XRangeN("events", "-", "+", 1)
		eq(t, len(msgs), 1)
		msgs, _ = db.XRevRangeN("events", "+", "-", 2)
		eq(t, msgs[0].ID, id3)
		msgs, _ = db.XRevRange("events", "+", "-")
		eq(t, len(msgs), 3)
		n, _ := db.XLen("events")
		eq(t, n, int64(3))
		n, _ = db.XDel("events", id3, "1-1")
		eq(t, n, int64(1))
		_, err = db.XAddWithArgs(XAddArgs{Stream: "none", NoMkStream: true, Values: []string{"a", "b"}})
		isErr(t, err, ErrNil)

		// XREAD: immediate, blocking with a timeout, and woken by an XADD.
		st, err := db.XRead(XReadArgs{Streams: []string{"events", "0"}, Count: 10})
		must(t, err)
		eq(t, len(st), 1)
		eq(t, st[0].Stream, "events")
		eq(t, len(st[0].Messages), 2)
		_, err = db.XRead(XReadArgs{Streams: []string{"events", "$"}, Block: 50 * time.Millisecond})
		isErr(t, err, ErrNil)

		// Consumer groups.
		must(t, db.XGroupCreateMkStream("jobs", "workers", "0"))
		var re *ResponseError
		err = db.XGroupCreate("jobs", "workers", "0")
		if !errors.As(err, &re) || re.Code != "BUSYGROUP" {
			t.Fatalf("busygroup: %v", err)
		}
		for i := 0; i < 3; i++ {
			db.XAdd("jobs", map[string]any{"job": i})
		}
		st, err = db.XReadGroup(XReadGroupArgs{Group: "workers", Consumer: "w1", Streams: []string{"jobs", ">"}, Count: 2})
		must(t, err)
		eq(t, len(st[0].Messages), 2)
		first := st[0].Messages[0].ID
		pend, err := db.XPending("jobs", "workers")
		must(t, err)
		eq(t, pend.Count, int64(2))
		eq(t, pend.Consumers["w1"], int64(2))
		ext, err := db.XPendingExt(XPendingExtArgs{Stream: "jobs", Group: "workers", Start: "-", End: "+", Count: 10})
		must(t, err)
		eq(t, len(ext), 2)
		eq(t, ext[0].Consumer, "w1")
		eq(t, ext[0].RetryCount, int64(1))
		claimed, err := db.XClaim(XClaimArgs{Stream: "jobs", Group: "workers", Consumer: "w2", Messages: []string{first}})
		must(t, err)
		eq(t, len(claimed), 1)
		eq(t, claimed[0].Values["job"], "0")
		auto, next, err := db.XAutoClaim(XAutoClaimArgs{Stream: "jobs", Group: "workers", Consumer: "w3", Count: 10})
		must(t, err)
		eq(t, len(auto), 2)
		eq(t, next, "0-0")
		n, _ = db.XAck("jobs", "workers", first)
		eq(t, n, int64(1))
		n, err = db.XTrim("jobs", XTrimArgs{MaxLen: 3, Approx: true, Limit: 10})
		must(t, err)
		eq(t, n, int64(0))
		n, _ = db.XTrimMaxLen("jobs", 1)
		eq(t, n, int64(2))
		n, _ = db.XTrimMinID("jobs", "9999999999999-0")
		eq(t, n, int64(1))
		n, _ = db.XGroupDestroy("jobs", "workers")
		eq(t, n, int64(1))

		got := make(chan []XStream, 1)
		go func() {
			st, err := db.XRead(XReadArgs{Streams: []string{"live", "$"}, Block: -1})
			if err != nil {
				t.Error(err)
			}
			got <- st
		}()
		waitBlocked(t, db, "xread")
		id, _ := db.XAdd("live", map[string]string{"k": "v"})
		st = <-got
		eq(t, st[0].Messages[0].ID, id)
	})
}

// waitBlocked waits until some client is blocked in cmd.
func waitBlocked(t *testing.T, db *DB, cmd string) {
	t.Helper()
	for {
		v, err := db.Do("CLIENT", "LIST")
		must(t, err)
		if containsCmd(v.(string), cmd) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func containsCmd(list, cmd string) bool {
	return len(list) > 0 && (indexOf(list, "cmd="+cmd+" ") >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestPipeline(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		p := db.Pipeline()
		err := p.Set("a", "1")
		isErr(t, err, ErrQueued)
		p.Incr("a")
		p.LPush("l", "x", "y")
		p.Get("missing")
		p.HSet("h", "f", "v")
		p.HGetAll("h")
		p.Incr("l") // WRONGTYPE inside a pipeline: an error element, the rest still run
		p.Get("a")
		eq(t, p.Len(), 8)
		res, err := p.Exec()
		var wt *WrongTypeError
		if !errors.As(err, &wt) {
			t.Fatalf("first error: %v", err)
		}
		eq(t, len(res), 8)
		deepEq(t, res[:4], []any{"OK", int64(2), int64(2), nil})
		if _, ok := res[6].(*WrongTypeError); !ok {
			t.Fatalf("res[6] = %#v", res[6])
		}
		deepEq(t, res[7], any("2"))
		eq(t, p.Len(), 0)

		// Many commands, one round trip.
		p = db.Pipeline()
		for i := 0; i < 1000; i++ {
			p.RPush("many", i)
		}
		res, err = p.Exec()
		must(t, err)
		deepEq(t, res[999], any(int64(1000)))

		res, err = db.Pipelined(func(p *Pipeline) error {
			p.Set("x", 1)
			p.Get("x")
			return nil
		})
		must(t, err)
		deepEq(t, res, []any{"OK", "1"})

		// MULTI/EXEC pipelines.
		res, err = db.TxPipelined(func(p *Pipeline) error {
			p.IncrBy("acct:a", -100)
			p.IncrBy("acct:b", 100)
			return nil
		})
		must(t, err)
		deepEq(t, res, []any{int64(-100), int64(100)})
		tp := db.TxPipeline()
		tp.Set("t", "v")
		tp.Do("NOSUCHCMD")
		_, err = tp.Exec()
		var re *ResponseError
		if !errors.As(err, &re) || re.Code != "EXECABORT" {
			t.Fatalf("execabort: %v", err)
		}
		_, err = db.Get("t")
		isErr(t, err, ErrNil)
	})
}

func TestWatchContention(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		const workers, each = 8, 25
		var retries int64
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := db.Watch(func(tx *Tx) error {
						n, err := tx.Get("counter")
						if err != nil && err != ErrNil {
							return err
						}
						var v int
						fmt.Sscan(n, &v)
						_, err = tx.TxPipelined(func(p *Pipeline) error {
							p.Set("counter", v+1)
							return nil
						})
						if err == ErrTxFailed {
							mu.Lock()
							retries++
							mu.Unlock()
						}
						return err
					}, "counter")
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		v, err := db.Get("counter")
		must(t, err)
		eq(t, v, fmt.Sprint(workers*each))
		t.Logf("%d retries for %d increments", retries, workers*each)

		// A change by another client between WATCH and EXEC fails the transaction.
		other, err := ConnectWith(Options{Addr: shared.addr(), DB: 1})
		must(t, err)
		defer other.Close()
		attempts := 0
		err = db.Watch(func(tx *Tx) error {
			attempts++
			if attempts == 1 {
				other.Set("w", "changed")
			}
			_, err := tx.TxPipelined(func(p *Pipeline) error { return p.Set("w", "mine") })
			return err
		}, "w")
		// p.Set returns ErrQueued inside a pipeline: fn's error aborts the run.
		isErr(t, err, ErrQueued)
		err = db.Watch(func(tx *Tx) error {
			attempts++
			if attempts == 2 {
				other.Set("w", "changed again")
			}
			_, err := tx.TxPipelined(func(p *Pipeline) error { p.Set("w", "mine"); return nil })
			return err
		}, "w")
		must(t, err)
		eq(t, attempts, 3)
		v, _ = db.Get("w")
		eq(t, v, "mine")
	})
}

func TestPubSub(t *testing.T) {
	forProtocols(t, func(t *testing.T, db *DB) {
		ps, err := db.Subscribe("news", "sports")
		must(t, err)
		pps, err := db.PSubscribe("news.*")
		must(t, err)
		n, err := db.Publish("news", "hello")
		must(t, err)
		eq(t, n, int64(1))
		db.Publish("sports", "goal")
		n, _ = db.Publish("news.tech", "go 1.19")
		eq(t, n, int64(1))
		eq(t, <-ps.Channel(), Message{Channel: "news", Payload: "hello"})
		eq(t, <-ps.Channel(), Message{Channel: "sports", Payload: "goal"})
		eq(t, <-pps.Channel(), Message{Channel: "news.tech", Pattern: "news.*", Payload: "go 1.19"})

		// More channels on a live subscription; the confirmation comes first on the wire.
		must(t, ps.Subscribe("late"))
		for {
			n, _ := db.Publish("late", "x")
			if n == 1 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		eq(t, <-ps.Channel(), Message{Channel: "late", Payload: "x"})
		must(t, ps.Unsubscribe("news"))
		must(t, ps.Close())
		if _, open := <-ps.Channel(); open {
			t.Fatal("channel open after Close")
		}
		must(t, ps.Err())
		must(t, pps.Close())
		// Close without reading pending messages does not hang.
		ps2, err := db.Subscribe("flood")
		must(t, err)
		for i := 0; i < 1000; i++ {
			db.Publish("flood", i)
		}
		must(t, ps2.Close())
	})
}

func TestContext(t *testing.T) {
	db := connect(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	view := db.WithContext(ctx)
	must(t, view.Set("k", "v"))
	v, err := view.Get("k")
	must(t, err)
	eq(t, v, "v")
	if view.Context() != ctx {
		t.Fatal("view context")
	}

	// Cancellation interrupts a blocked call.
	done := make(chan error, 1)
	go func() {
		_, err := view.BLPop(0, "never")
		done <- err
	}()
	waitBlocked(t, db, "blpop")
	cancel()
	isErr(t, <-done, context.Canceled)
	_, err = view.Get("k")
	isErr(t, err, context.Canceled)

	// A deadline bounds a call.
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	_, err = db.WithContext(dctx).BLPop(0, "never")
	isErr(t, err, context.DeadlineExceeded)
	// The pool still works afterwards (the interrupted connections were dropped).
	v, err = db.Get("k")
	must(t, err)
	eq(t, v, "v")

	// ReadTimeout bounds a reply; a blocking command's own timeout comes on top.
	slow, err := ConnectWith(Options{Addr: shared.addr(), ReadTimeout: 20 * time.Millisecond})
	must(t, err)
	defer slow.Close()
	_, err = slow.BLPop(200*time.Millisecond, "never")
	isErr(t, err, ErrNil)
	_, err = slow.Do("DEBUG", "SLEEP", "0.3")
	if err == nil {
		t.Fatal("no timeout")
	}
}

func TestUnixSocket(t *testing.T) {
	db, err := ConnectUnix(shared.sock)
	must(t, err)
	defer db.Close()
	must(t, db.Set("unix", "yes"))
	v, err := db.Get("unix")
	must(t, err)
	eq(t, v, "yes")
	info, err := db.Do("CLIENT", "INFO")
	must(t, err)
	if indexOf(info.(string), "addr=/") < 0 && indexOf(info.(string), "laddr="+shared.sock) < 0 && indexOf(info.(string), "flags=U") < 0 {
		t.Fatalf("not a unix socket client: %s", info)
	}
	db3, err := ConnectWith(Options{Network: "unix", Addr: shared.sock, Protocol: 3, DB: 3})
	must(t, err)
	defer db3.Close()
	_, err = db3.HSet("h", "a", "1")
	must(t, err)
	m, err := db3.HGetAll("h")
	must(t, err)
	deepEq(t, m, map[string]string{"a": "1"})
}

func TestRESP3Handshake(t *testing.T) {
	db, err := ConnectWith(Options{Addr: shared.addr(), Protocol: 3})
	must(t, err)
	defer db.Close()
	v, err := db.Do("HELLO")
	must(t, err)
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("HELLO under RESP3 is a map, got %T", v)
	}
	deepEq(t, m["proto"], any(int64(3)))
	v, err = db.Do("ZSCORE", "nokey", "m")
	isErr(t, err, ErrNil)
	db.ZAdd("rz", map[string]float64{"a": 1.5})
	v, _ = db.Do("ZSCORE", "rz", "a")
	deepEq(t, v, any(1.5)) // a RESP3 double
}

func TestReconnectAfterRestart(t *testing.T) {
	srv, err := newServer()
	must(t, err)
	defer srv.cleanup()
	db, err := ConnectWith(Options{Addr: srv.addr(), PoolSize: 4})
	must(t, err)
	defer db.Close()
	// Fill the pool with several idle connections.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db.Set(fmt.Sprint("k", i), i)
		}(i)
	}
	wg.Wait()
	ps, err := db.Subscribe("before-restart")
	must(t, err)
	must(t, srv.restart())
	// A subscription's channel closes when its connection is lost, and Err says why.
	for range ps.Channel() {
	}
	if ps.Err() == nil {
		t.Fatal("no error after the server went away")
	}
	ps.Close()
	// Every pooled connection is dead now; calls go through on new ones.
	for i := 0; i < 8; i++ {
		v, err := db.Get(fmt.Sprint("k", i%4))
		must(t, err)
		eq(t, v, fmt.Sprint(i%4))
	}
	// A call while the server is down fails; the next after it is back works.
	must(t, srv.stop())
	_, err = db.Get("k0")
	if err == nil {
		t.Fatal("no error with the server down")
	}
	must(t, srv.start())
	v, err := db.Get("k0")
	must(t, err)
	eq(t, v, "0")
}

func TestPoolConcurrency(t *testing.T) {
	db, err := ConnectWith(Options{Addr: shared.addr(), PoolSize: 3, DB: 4})
	must(t, err)
	defer db.Close()
	must(t, db.FlushDB())
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := db.Incr("shared"); err != nil {
					t.Error(err)
					return
				}
				key := fmt.Sprint("g", g)
				db.Set(key, i)
				v, err := db.Get(key)
				if err != nil || v != fmt.Sprint(i) {
					t.Errorf("goroutine %d read %q %v", g, v, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	v, _ := db.Get("shared")
	eq(t, v, "1000")
	clients, _ := db.Do("CLIENT", "LIST")
	lines := 0
	for _, c := range clients.(string) {
		if c == '\n' {
			lines++
		}
	}
	t.Logf("%d server clients", lines)
}

func TestAuthAndOptions(t *testing.T) {
	srv, err := newServer("--requirepass", "s3cret")
	must(t, err)
	defer srv.cleanup()
	for _, proto := range []int{2, 3} {
		db, err := ConnectWith(Options{Addr: srv.addr(), Password: "s3cret", Protocol: proto, DB: 5})
		must(t, err)
		must(t, db.Set("in5", proto))
		v, err := db.Do("CLIENT", "INFO")
		must(t, err)
		if indexOf(v.(string), " db=5 ") < 0 || indexOf(v.(string), " resp="+strconv.Itoa(proto)) < 0 {
			t.Fatalf("client info: %s", v)
		}
		db.Close()
		// Username "default" with the password: AUTH default s3cret / HELLO ... AUTH.
		db, err = ConnectWith(Options{Addr: srv.addr(), Username: "default", Password: "s3cret", Protocol: proto})
		must(t, err)
		n, _ := db.Exists("in5")
		eq(t, n, int64(0)) // database 0
		db.Close()

		_, err = ConnectWith(Options{Addr: srv.addr(), Password: "wrong", Protocol: proto})
		var re *ResponseError
		if !errors.As(err, &re) || re.Code != "WRONGPASS" {
			t.Fatalf("wrong password (RESP%d): %v", proto, err)
		}
	}
	// Without a password, Connect works (the dial) and commands answer NOAUTH.
	db, err := Connect(srv.addr())
	must(t, err)
	defer db.Close()
	_, err = db.Get("x")
	var re *ResponseError
	if !errors.As(err, &re) || re.Code != "NOAUTH" {
		t.Fatalf("no password: %v", err)
	}
}

func TestMiscMethods(t *testing.T) {
	db := connect(t, 6)
	eq(t, db.Options().PoolSize, 10)
	eq(t, db.Options().Protocol, 2)
	p := db.Pipeline()
	p.Set("discarded", 1)
	p.Discard()
	eq(t, p.Len(), 0)
	res, err := p.Exec()
	must(t, err)
	eq(t, len(res), 0)
	n, _ := db.Exists("discarded")
	eq(t, n, int64(0))

	// Patterns added and removed on a live subscription.
	ps, err := db.Subscribe("plain")
	must(t, err)
	defer ps.Close()
	must(t, ps.PSubscribe("pat.*"))
	for {
		if n, _ := db.Publish("pat.x", "1"); n == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	eq(t, <-ps.Channel(), Message{Channel: "pat.x", Pattern: "pat.*", Payload: "1"})
	must(t, ps.PUnsubscribe("pat.*"))
	for {
		if n, _ := db.Publish("pat.x", "2"); n == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	db.Publish("plain", "still here")
	for m := range ps.Channel() {
		if m.Pattern == "pat.*" && m.Payload == "2" {
			continue // published before the PUNSUBSCRIBE took effect
		}
		eq(t, m, Message{Channel: "plain", Payload: "still here"})
		break
	}

	// FlushAll empties every database.
	other, err := ConnectWith(Options{Addr: shared.addr(), DB: 7})
	must(t, err)
	defer other.Close()
	must(t, other.Set("k", "v"))
	must(t, db.FlushAll())
	n, _ = other.DBSize()
	eq(t, n, int64(0))
}
