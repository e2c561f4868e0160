//go:build unix

// The liveness check of idle pooled connections: a non-blocking peek at the socket.

package client

import "syscall"

// alive reports whether an idle connection can still be used: the server has not
// closed it and sent nothing unasked. One non-blocking peek.
func (c *conn) alive() bool {
	if c.raw == nil {
		return true
	}
	rc, err := c.raw.SyscallConn()
	if err != nil {
		return false
	}
	ok := true
	var buf [1]byte
	rerr := rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
		case err != nil, n == 0:
			ok = false
		case !c.isTLS: // bytes nobody asked for (TLS may send session tickets)
			ok = false
		}
		return true
	})
	return ok && rerr == nil && c.br.Buffered() == 0
}
