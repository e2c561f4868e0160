// Pub/sub: a dedicated connection whose messages arrive on a Go channel.

package client

import (
	"context"
	"sync"
)

// Message is one published message. Pattern is set for PSubscribe matches.
type Message struct {
	Channel string
	Pattern string
	Payload string
}

// PubSub is a subscription on its own connection (not from the pool). Messages arrive
// on Channel() until Close, which closes the channel.
type PubSub struct {
	c       *conn
	ch      chan Message
	wmu     sync.Mutex
	closed  bool
	done    chan struct{}
	quit    chan struct{}
	errMu   sync.Mutex
	err     error
	pending int // confirmations Subscribe still waits for
	ready   chan struct{}
}

// Subscribe subscribes to channels and returns once the server confirmed them.
func (db *DB) Subscribe(channels ...string) (*PubSub, error) {
	return db.subscribe("SUBSCRIBE", channels)
}

// PSubscribe subscribes to glob patterns ("news.*").
func (db *DB) PSubscribe(patterns ...string) (*PubSub, error) {
	return db.subscribe("PSUBSCRIBE", patterns)
}

func (db *DB) subscribe(cmd string, names []string) (*PubSub, error) {
	if len(names) == 0 {
		return nil, &ResponseError{Code: "ERR", Msg: "ERR wrong number of arguments for '" + cmd + "' command"}
	}
	c, err := dial(db.ctx, db.opt)
	if err != nil {
		return nil, err
	}
	// The reader waits for messages for as long as the subscription lives.
	c.setDeadlines(context.Background(), -1)
	ps := &PubSub{
		c:       c,
		ch:      make(chan Message, 256),
		done:    make(chan struct{}),
		quit:    make(chan struct{}),
		pending: len(names),
		ready:   make(chan struct{}),
	}
	if err := ps.send(cmd, names); err != nil {
		c.close()
		return nil, err
	}
	go ps.loop()
	select {
	case <-ps.ready:
	case <-ps.done:
		return nil, ps.Err()
	case <-db.ctx.Done():
		ps.Close()
		return nil, db.ctx.Err()
	}
	return ps, nil
}

func (ps *PubSub) send(cmd string, names []string) error {
	ps.wmu.Lock()
	defer ps.wmu.Unlock()
	if ps.closed {
		return ErrClosed
	}
	args := keysArgs(cmd, names)
	_, err := ps.c.nc.Write(appendCommand(nil, args))
	return err
}

// Subscribe adds channels to the subscription.
func (ps *PubSub) Subscribe(channels ...string) error { return ps.send("SUBSCRIBE", channels) }

// PSubscribe adds patterns.
func (ps *PubSub) PSubscribe(patterns ...string) error { return ps.send("PSUBSCRIBE", patterns) }

// Unsubscribe removes channels (all of them without arguments).
func (ps *PubSub) Unsubscribe(channels ...string) error { return ps.send("UNSUBSCRIBE", channels) }

// PUnsubscribe removes patterns (all of them without arguments).
func (ps *PubSub) PUnsubscribe(patterns ...string) error { return ps.send("PUNSUBSCRIBE", patterns) }

// Channel returns the channel messages arrive on; it is closed when the subscription
// ends (Close, or the connection was lost: see Err).
func (ps *PubSub) Channel() <-chan Message { return ps.ch }

// Err returns the error that ended the subscription, nil after Close.
func (ps *PubSub) Err() error {
	ps.errMu.Lock()
	defer ps.errMu.Unlock()
	return ps.err
}

// Close ends the subscription and closes its connection.
func (ps *PubSub) Close() error {
	ps.wmu.Lock()
	if ps.closed {
		ps.wmu.Unlock()
		return nil
	}
	ps.closed = true
	ps.wmu.Unlock()
	close(ps.quit)
	err := ps.c.close()
	<-ps.done
	return err
}

func (ps *PubSub) loop() {
	defer close(ps.done)
	defer close(ps.ch)
	for {
		v, err := readReply(ps.c.br)
		if err != nil {
			ps.wmu.Lock()
			closed := ps.closed
			ps.wmu.Unlock()
			if !closed {
				ps.errMu.Lock()
				ps.err = err
				ps.errMu.Unlock()
			}
			return
		}
		if e, ok := v.(error); ok {
			ps.errMu.Lock()
			ps.err = e
			ps.errMu.Unlock()
			if ps.pending > 0 {
				return
			}
			continue
		}
		l, ok := asList(v)
		if !ok || len(l) < 3 {
			continue
		}
		kind, _ := asString(l[0], nil)
		var m Message
		switch kind {
		case "message":
			m.Channel, _ = asString(l[1], nil)
			m.Payload, _ = asString(l[2], nil)
		case "pmessage":
			if len(l) < 4 {
				continue
			}
			m.Pattern, _ = asString(l[1], nil)
			m.Channel, _ = asString(l[2], nil)
			m.Payload, _ = asString(l[3], nil)
		case "subscribe", "psubscribe":
			if ps.pending > 0 {
				ps.pending--
				if ps.pending == 0 {
					close(ps.ready)
				}
			}
			continue
		default:
			continue
		}
		select {
		case ps.ch <- m:
		case <-ps.quit:
			return
		}
	}
}
