// Package client is DiskDB's Go client: standard library only, a goroutine-safe
// connection pool, RESP2 and RESP3, typed methods for every data type, pipelines,
// transactions, pub/sub and typed errors.
//
//	db, err := client.Connect("localhost:6380")
//	if err != nil { ... }
//	defer db.Close()
//	err = db.Set("visits", "1000")
//	n, err := db.Incr("visits")
//	visits, err := db.Get("visits") // "1001"
//
// Every method runs with context.Background(); db.WithContext(ctx) returns a view of
// the same client whose calls honour ctx's deadline and cancellation:
//
//	v, err := db.WithContext(ctx).Get("visits")
package client

import (
	"context"
	"crypto/tls"
	"time"
)

// executor runs one command; block is the extra time a blocking command may wait
// (negative: forever).
type executor interface {
	exec(args []any, block time.Duration) (any, error)
}

// cmds carries the typed command methods shared by DB, Tx and Pipeline.
type cmds struct {
	x executor
}

func (c cmds) do(args ...any) (any, error) { return c.x.exec(args, 0) }

// DB is a client: a pool of connections to one server. Safe for concurrent use.
type DB struct {
	cmds
	opt  *Options
	pool *pool
	ctx  context.Context
}

// Connect connects over TCP to addr ("host:port") with the default options, and checks
// the server answers.
func Connect(addr string) (*DB, error) { return ConnectWith(Options{Addr: addr}) }

// ConnectTLS connects over TLS with the given configuration.
func ConnectTLS(addr string, cfg *tls.Config) (*DB, error) {
	return ConnectWith(Options{Addr: addr, TLSConfig: cfg})
}

// ConnectUnix connects over the Unix socket at path.
func ConnectUnix(path string) (*DB, error) {
	return ConnectWith(Options{Network: "unix", Addr: path})
}

// ConnectWith connects with full options. It opens one connection (dial, handshake)
// so a wrong address or password fails here rather than on the first command.
func ConnectWith(o Options) (*DB, error) {
	opt := o.withDefaults()
	db := &DB{opt: &opt, pool: newPool(&opt), ctx: context.Background()}
	db.cmds = cmds{x: db}
	c, err := db.pool.get(db.ctx)
	if err != nil {
		return nil, err
	}
	db.pool.put(c)
	return db, nil
}

// Close closes every idle connection; connections in use close when given back.
func (db *DB) Close() error { return db.pool.close() }

// Options returns the options the client was made with (defaults filled in).
func (db *DB) Options() Options { return *db.opt }

// WithContext returns a view of db whose calls use ctx: its deadline bounds each
// call, its cancellation interrupts it (the connection is then dropped). The view
// shares db's pool; closing either closes both.
func (db *DB) WithContext(ctx context.Context) *DB {
	if ctx == nil {
		panic("diskdb: nil context")
	}
	v := &DB{opt: db.opt, pool: db.pool, ctx: ctx}
	v.cmds = cmds{x: v}
	return v
}

// Context returns the context the calls of this view use.
func (db *DB) Context() context.Context { return db.ctx }

func (db *DB) exec(args []any, block time.Duration) (any, error) {
	c, err := db.pool.get(db.ctx)
	if err != nil {
		return nil, err
	}
	v, err := c.call(db.ctx, args, block)
	db.pool.put(c)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(error); ok {
		return nil, e
	}
	return v, nil
}

// Do sends any command and returns its reply: string for bulk and simple strings,
// int64, float64 (RESP3 doubles), bool, nil for a nil reply (with ErrNil), []any,
// map[string]any (RESP3 maps); an error reply comes back as the error.
func (c cmds) Do(args ...any) (any, error) {
	v, err := c.do(args...)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNil
	}
	return publicValue(v), nil
}

// Pipeline queues commands and sends them in one write when Exec is called.
//
//	p := db.Pipeline()
//	p.Set("a", "1")
//	p.Incr("a")
//	results, err := p.Exec() // ["OK", int64(2)]
//
// Inside a pipeline the typed methods return ErrQueued and their zero value.
type Pipeline struct {
	cmds
	db    *DB
	tx    *Tx // set when the pipeline runs on a Tx's connection
	multi bool
	queue [][]any
}

type pipeRecorder struct{ p *Pipeline }

func (r pipeRecorder) exec(args []any, _ time.Duration) (any, error) {
	r.p.queue = append(r.p.queue, args)
	return nil, ErrQueued
}

// Pipeline returns a new pipeline: commands queued on it go out in one round trip.
func (db *DB) Pipeline() *Pipeline {
	p := &Pipeline{db: db}
	p.cmds = cmds{x: pipeRecorder{p}}
	return p
}

// TxPipeline returns a pipeline wrapped in MULTI/EXEC: its commands run atomically.
func (db *DB) TxPipeline() *Pipeline {
	p := db.Pipeline()
	p.multi = true
	return p
}

// Pipelined queues what fn queues and runs it: one round trip.
func (db *DB) Pipelined(fn func(p *Pipeline) error) ([]any, error) {
	p := db.Pipeline()
	if err := fn(p); err != nil {
		return nil, err
	}
	return p.Exec()
}

// TxPipelined is Pipelined inside MULTI/EXEC.
func (db *DB) TxPipelined(fn func(p *Pipeline) error) ([]any, error) {
	p := db.TxPipeline()
	if err := fn(p); err != nil {
		return nil, err
	}
	return p.Exec()
}

// Len is the number of queued commands.
func (p *Pipeline) Len() int { return len(p.queue) }

// Discard drops the queued commands.
func (p *Pipeline) Discard() { p.queue = nil }

// Exec sends the queued commands and returns one result per command (values as Do
// returns them; an error reply is an error element, a nil reply a nil element) and the
// first error among them. A MULTI/EXEC pipeline whose watched keys changed returns
// ErrTxFailed; one with a command refused while queueing returns the EXECABORT error.
// The queue is empty afterwards.
func (p *Pipeline) Exec() ([]any, error) {
	cmds := p.queue
	p.queue = nil
	if len(cmds) == 0 {
		return []any{}, nil
	}
	if p.multi {
		cmds = append(append([][]any{{"MULTI"}}, cmds...), []any{"EXEC"})
	}
	var c *conn
	ctx := p.db.ctx
	if p.tx != nil {
		c = p.tx.c
	} else {
		var err error
		if c, err = p.db.pool.get(ctx); err != nil {
			return nil, err
		}
		defer p.db.pool.put(c)
	}
	replies, err := c.pipeline(ctx, cmds, 0)
	if err != nil {
		return nil, err
	}
	if p.multi {
		last := replies[len(replies)-1]
		if e, ok := last.(error); ok {
			return nil, e
		}
		if last == nil {
			return nil, ErrTxFailed
		}
		arr, ok := last.([]any)
		if !ok {
			return nil, errProtocol
		}
		replies = arr
	}
	out := make([]any, len(replies))
	var first error
	for i, v := range replies {
		if e, ok := v.(error); ok && first == nil {
			first = e
		}
		out[i] = publicValue(v)
	}
	return out, first
}

// Tx is one connection held for a Watch callback: its typed methods run at once on
// that connection (reads of the watched keys), and TxPipelined queues the writes
// that EXEC applies only if no watched key changed.
type Tx struct {
	cmds
	db *DB
	c  *conn
}

func (tx *Tx) exec(args []any, block time.Duration) (any, error) {
	v, err := tx.c.call(tx.db.ctx, args, block)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(error); ok {
		return nil, e
	}
	return v, nil
}

// TxPipelined runs what fn queues inside MULTI/EXEC on the transaction's connection.
// It returns ErrTxFailed when a watched key changed.
func (tx *Tx) TxPipelined(fn func(p *Pipeline) error) ([]any, error) {
	p := &Pipeline{db: tx.db, tx: tx, multi: true}
	p.cmds = cmds{x: pipeRecorder{p}}
	if err := fn(p); err != nil {
		return nil, err
	}
	return p.Exec()
}

// Watch runs fn with WATCH on keys, on one connection, retrying the whole of fn while
// it returns ErrTxFailed (a watched key changed before EXEC), up to
// Options.MaxTxRetries times:
//
//	err := db.Watch(func(tx *client.Tx) error {
//		n, err := tx.Get("counter")
//		...
//		_, err = tx.TxPipelined(func(p *client.Pipeline) error {
//			p.Set("counter", n+1)
//			return nil
//		})
//		return err
//	}, "counter")
func (db *DB) Watch(fn func(tx *Tx) error, keys ...string) error {
	var err error
	for i := 0; i < db.opt.MaxTxRetries; i++ {
		err = db.watchOnce(fn, keys)
		if err != ErrTxFailed {
			return err
		}
	}
	return err
}

func (db *DB) watchOnce(fn func(tx *Tx) error, keys []string) error {
	c, err := db.pool.get(db.ctx)
	if err != nil {
		return err
	}
	defer db.pool.put(c)
	tx := &Tx{db: db, c: c}
	tx.cmds = cmds{x: tx}
	if len(keys) > 0 {
		args := make([]any, 0, len(keys)+1)
		args = append(args, "WATCH")
		for _, k := range keys {
			args = append(args, k)
		}
		if _, err := tx.exec(args, 0); err != nil {
			return err
		}
	}
	err = fn(tx)
	if !c.broken {
		// Harmless after EXEC; needed when fn returned before it.
		if _, uerr := c.call(db.ctx, []any{"UNWATCH"}, 0); uerr != nil && err == nil {
			err = uerr
		}
	}
	return err
}
