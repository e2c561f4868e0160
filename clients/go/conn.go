// One connection to the server, the goroutine-safe pool of them, and the dialing
// options.

package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// Options configure ConnectWith. Zero values mean the defaults given per field.
type Options struct {
	// Addr is host:port for TCP (default "localhost:6380") or the socket path when
	// Network is "unix".
	Addr string
	// Network is "tcp" (default) or "unix".
	Network string
	// Username and Password are sent with HELLO (RESP3) or AUTH; empty Username
	// means the default user.
	Username string
	Password string
	// DB is the database index selected on every new connection.
	DB int
	// DialTimeout bounds connecting and the handshake (default 5s).
	DialTimeout time.Duration
	// ReadTimeout and WriteTimeout bound each reply and each request (0: no bound).
	// Blocking commands (BLPOP, XREAD BLOCK) wait their own timeout on top.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// PoolSize is the most connections open at once (default 10); callers beyond it
	// wait for a free connection.
	PoolSize int
	// TLSConfig, when set, makes every connection TLS.
	TLSConfig *tls.Config
	// Protocol is 2 (RESP2, default) or 3 (HELLO 3).
	Protocol int
	// MaxTxRetries bounds Watch's retries when a watched key changed (default 1000).
	MaxTxRetries int
}

func (o *Options) withDefaults() Options {
	opt := *o
	if opt.Network == "" {
		opt.Network = "tcp"
	}
	if opt.Addr == "" {
		opt.Addr = "localhost:6380"
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = 5 * time.Second
	}
	if opt.PoolSize <= 0 {
		opt.PoolSize = 10
	}
	if opt.Protocol == 0 {
		opt.Protocol = 2
	}
	if opt.MaxTxRetries <= 0 {
		opt.MaxTxRetries = 1000
	}
	return opt
}

// conn is one server connection. Not goroutine-safe: the pool hands it to one caller.
type conn struct {
	nc       net.Conn
	raw      syscall.Conn // the socket under TLS, for the liveness check
	isTLS    bool
	br       *bufio.Reader
	wbuf     []byte
	opt      *Options
	broken   bool
	deadline bool // a deadline is set on nc
}

func dial(ctx context.Context, opt *Options) (*conn, error) {
	d := net.Dialer{Timeout: opt.DialTimeout}
	nc, err := d.DialContext(ctx, opt.Network, opt.Addr)
	if err != nil {
		return nil, err
	}
	c := &conn{nc: nc, opt: opt}
	if sc, ok := nc.(syscall.Conn); ok {
		c.raw = sc
	}
	if opt.TLSConfig != nil {
		cfg := opt.TLSConfig.Clone()
		if cfg.ServerName == "" && !cfg.InsecureSkipVerify && opt.Network != "unix" {
			if host, _, err := net.SplitHostPort(opt.Addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		hctx, cancel := context.WithTimeout(ctx, opt.DialTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			nc.Close()
			return nil, err
		}
		c.nc = tc
		c.isTLS = true
	}
	c.br = bufio.NewReaderSize(c.nc, 32*1024)
	if err := c.handshake(ctx); err != nil {
		c.nc.Close()
		return nil, err
	}
	return c, nil
}

// handshake sends HELLO 3 (with AUTH) or AUTH, then SELECT.
func (c *conn) handshake(ctx context.Context) error {
	hctx, cancel := context.WithTimeout(ctx, c.opt.DialTimeout)
	defer cancel()
	user := c.opt.Username
	if user == "" {
		user = "default"
	}
	if c.opt.Protocol == 3 {
		args := []any{"HELLO", 3}
		if c.opt.Password != "" {
			args = append(args, "AUTH", user, c.opt.Password)
		}
		if err := c.callOK(hctx, args, 0); err != nil {
			return err
		}
	} else if c.opt.Password != "" {
		args := []any{"AUTH", c.opt.Password}
		if c.opt.Username != "" {
			args = []any{"AUTH", c.opt.Username, c.opt.Password}
		}
		if err := c.callOK(hctx, args, 0); err != nil {
			return err
		}
	}
	if c.opt.DB != 0 {
		if err := c.callOK(hctx, []any{"SELECT", c.opt.DB}, 0); err != nil {
			return err
		}
	}
	return nil
}

// setDeadlines arms the read/write deadlines for one exchange. extra is added to the
// read timeout for blocking commands; extra < 0 means the read may wait forever.
func (c *conn) setDeadlines(ctx context.Context, extra time.Duration) {
	var rd, wd time.Time
	now := time.Time{}
	if c.opt.WriteTimeout > 0 {
		now = time.Now()
		wd = now.Add(c.opt.WriteTimeout)
	}
	if c.opt.ReadTimeout > 0 && extra >= 0 {
		if now.IsZero() {
			now = time.Now()
		}
		rd = now.Add(c.opt.ReadTimeout + extra)
	}
	if d, ok := ctx.Deadline(); ok {
		if rd.IsZero() || d.Before(rd) {
			rd = d
		}
		if wd.IsZero() || d.Before(wd) {
			wd = d
		}
	}
	if rd.IsZero() && wd.IsZero() {
		if c.deadline {
			c.nc.SetDeadline(time.Time{})
			c.deadline = false
		}
		return
	}
	c.nc.SetReadDeadline(rd)
	c.nc.SetWriteDeadline(wd)
	c.deadline = true
}

// watchCtx makes a cancellation of ctx interrupt the socket; the returned stop must be
// called when the exchange ends.
func (c *conn) watchCtx(ctx context.Context) func() {
	if ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			c.nc.SetDeadline(time.Unix(1, 0))
			c.deadline = true
		case <-done:
		}
	}()
	return func() { close(done); wg.Wait() }
}

// callOK sends one command and turns an error reply into the error.
func (c *conn) callOK(ctx context.Context, args []any, extra time.Duration) error {
	v, err := c.call(ctx, args, extra)
	if err != nil {
		return err
	}
	if e, ok := v.(error); ok {
		return e
	}
	return nil
}

// call sends one command and reads its reply.
func (c *conn) call(ctx context.Context, args []any, extra time.Duration) (any, error) {
	rs, err := c.pipeline(ctx, [][]any{args}, extra)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// pipeline writes all commands in one write and reads one reply per command. Error
// replies come back as values; the error is for I/O, protocol or context failures,
// after which the connection is marked broken.
func (c *conn) pipeline(ctx context.Context, cmds [][]any, extra time.Duration) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.setDeadlines(ctx, extra)
	stop := c.watchCtx(ctx)
	defer stop()
	c.wbuf = c.wbuf[:0]
	for _, args := range cmds {
		c.wbuf = appendCommand(c.wbuf, args)
	}
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return nil, c.fail(ctx, err)
	}
	if cap(c.wbuf) > 64*1024 {
		c.wbuf = nil
	}
	out := make([]any, 0, len(cmds))
	for len(out) < len(cmds) {
		v, err := readReply(c.br)
		if err != nil {
			return nil, c.fail(ctx, err)
		}
		if _, ok := v.(respPush); ok { // out-of-band push (RESP3): not a reply
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *conn) fail(ctx context.Context, err error) error {
	c.broken = true
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	// The socket deadline armed from ctx's may fire before ctx's own timer.
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

func (c *conn) close() error { return c.nc.Close() }

// pool hands connections to one caller at a time; at most opt.PoolSize exist.
type pool struct {
	opt    *Options
	slots  chan struct{}
	idle   chan *conn
	mu     sync.Mutex
	closed bool
}

func newPool(opt *Options) *pool {
	return &pool{
		opt:   opt,
		slots: make(chan struct{}, opt.PoolSize),
		idle:  make(chan *conn, opt.PoolSize),
	}
}

// get returns an idle live connection or dials a new one. Dead idle connections (the
// server restarted, or closed them for idleness) are dropped on the way.
func (p *pool) get(ctx context.Context) (*conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		<-p.slots
		return nil, ErrClosed
	}
	for {
		select {
		case c := <-p.idle:
			if c.alive() {
				return c, nil
			}
			c.close()
			continue
		default:
		}
		break
	}
	c, err := dial(ctx, p.opt)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// put gives a connection back; a broken one is closed instead.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if c.broken || closed {
		c.close()
	} else {
		select {
		case p.idle <- c:
		default:
			c.close()
		}
	}
	<-p.slots
}

func (p *pool) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.close()
		default:
			return nil
		}
	}
}
