//go:build !unix

// Without a portable non-blocking peek, idle connections are taken as alive; a dead one
// fails its next call and is dropped.

package client

func (c *conn) alive() bool { return c.br.Buffered() == 0 }
