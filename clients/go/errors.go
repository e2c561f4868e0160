// Typed errors of the DiskDB Go client.

package client

import (
	"errors"
	"strings"
)

// ErrNil is returned when the server answers a nil: a missing key or field, an empty
// list pop, a JSON path without a match, a blocking pop that timed out.
var ErrNil = errors.New("diskdb: nil")

// ErrTxFailed is returned by EXEC (and by Watch after its retries) when a watched key
// changed, so the transaction was not executed.
var ErrTxFailed = errors.New("diskdb: transaction failed (a watched key changed)")

// ErrQueued is what a typed method returns inside a Pipeline: the command was queued
// and its reply comes from Exec.
var ErrQueued = errors.New("diskdb: queued in a pipeline; the reply comes from Exec")

// ErrClosed is returned by calls on a closed DB or PubSub.
var ErrClosed = errors.New("diskdb: client is closed")

// ResponseError is an error reply from the server. Code is the reply's upper-case
// first word ("ERR", "WRONGTYPE", "NOAUTH", "EXECABORT", "BUSYGROUP", ...; "" when the
// text has none, as some JSON errors), Msg the whole text.
type ResponseError struct {
	Code string
	Msg  string
}

func (e *ResponseError) Error() string { return e.Msg }

// WrongTypeError is a WRONGTYPE reply, or the JSON commands' "Existing key has wrong
// Redis type": a command on a key holding another type.
// errors.As(err, &respErr) with a **ResponseError target matches it too.
type WrongTypeError struct {
	ResponseError
}

func (e *WrongTypeError) Error() string { return e.Msg }

// As lets errors.As find the embedded *ResponseError.
func (e *WrongTypeError) As(target any) bool {
	if t, ok := target.(**ResponseError); ok {
		*t = &e.ResponseError
		return true
	}
	return false
}

// parseError turns an error reply's text into a typed error.
func parseError(msg string) error {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if strings.ToUpper(code) != code {
		code = ""
	}
	if code == "WRONGTYPE" || msg == "Existing key has wrong Redis type" {
		return &WrongTypeError{ResponseError{Code: code, Msg: msg}}
	}
	return &ResponseError{Code: code, Msg: msg}
}
