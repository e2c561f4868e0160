// RESP2 and RESP3 encoding of commands and parsing of replies over a bufio reader.

package client

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
)

// respMap is a RESP3 map reply kept as alternating keys and values, so the converters
// treat it like RESP2's flat arrays.
type respMap []any

// respPush is a RESP3 push message (pub/sub messages under HELLO 3).
type respPush []any

// appendArg appends one command argument as a bulk string.
func appendArg(buf []byte, a any) []byte {
	var s []byte
	switch v := a.(type) {
	case string:
		buf = append(buf, '$')
		buf = strconv.AppendInt(buf, int64(len(v)), 10)
		buf = append(buf, '\r', '\n')
		buf = append(buf, v...)
		return append(buf, '\r', '\n')
	case []byte:
		s = v
	case int:
		s = strconv.AppendInt(nil, int64(v), 10)
	case int64:
		s = strconv.AppendInt(nil, v, 10)
	case int32:
		s = strconv.AppendInt(nil, int64(v), 10)
	case uint:
		s = strconv.AppendUint(nil, uint64(v), 10)
	case uint64:
		s = strconv.AppendUint(nil, v, 10)
	case float64:
		s = []byte(formatFloat(v))
	case float32:
		s = []byte(formatFloat(float64(v)))
	case bool:
		if v {
			s = []byte("1")
		} else {
			s = []byte("0")
		}
	case nil:
		s = nil
	case fmt.Stringer:
		s = []byte(v.String())
	default:
		s = []byte(fmt.Sprint(v))
	}
	buf = append(buf, '$')
	buf = strconv.AppendInt(buf, int64(len(s)), 10)
	buf = append(buf, '\r', '\n')
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// appendCommand appends a whole command as a RESP array of bulk strings.
func appendCommand(buf []byte, args []any) []byte {
	buf = append(buf, '*')
	buf = strconv.AppendInt(buf, int64(len(args)), 10)
	buf = append(buf, '\r', '\n')
	for _, a := range args {
		buf = appendArg(buf, a)
	}
	return buf
}

// errProtocol is a reply the client cannot parse; the connection is dropped.
var errProtocol = errors.New("diskdb: protocol error")

// readLine reads one line without its CRLF. The slice is valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// A very long simple string or error: collect it.
		buf := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = r.ReadSlice('\n')
			buf = append(buf, line...)
		}
		line = buf
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errProtocol
	}
	return line[:len(line)-2], nil
}

func parseInt(b []byte) (int64, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, errProtocol
	}
	return n, nil
}

// readReply reads one reply. Values: string (bulk, simple, verbatim), int64, float64
// (RESP3 double), bool, nil, []any (arrays, sets), respMap, respPush, *big.Int, and
// error values (*ResponseError, *WrongTypeError) for error replies; the returned error
// is only for I/O and protocol failures.
func readReply(r *bufio.Reader) (any, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, errProtocol
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return string(body), nil
	case '-':
		return parseError(string(body)), nil
	case ':':
		return parseInt(body)
	case '$', '=', '!':
		n, err := parseInt(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		s := string(buf[:n])
		switch line[0] {
		case '=': // verbatim: "txt:" prefix
			if len(s) >= 4 {
				s = s[4:]
			}
		case '!':
			return parseError(s), nil
		}
		return s, nil
	case '*', '~', '>', '%', '|':
		n, err := parseInt(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		count := n
		if line[0] == '%' || line[0] == '|' {
			count = 2 * n
		}
		if count > 1<<24 {
			return nil, errProtocol
		}
		items := make([]any, count)
		for i := range items {
			if items[i], err = readReply(r); err != nil {
				return nil, err
			}
		}
		switch line[0] {
		case '%':
			return respMap(items), nil
		case '|': // attributes precede the real reply: skip them
			return readReply(r)
		case '>':
			return respPush(items), nil
		}
		return items, nil
	case '_':
		return nil, nil
	case '#':
		return len(body) == 1 && body[0] == 't', nil
	case ',':
		s := string(body)
		switch s {
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		case "nan":
			return math.NaN(), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errProtocol
		}
		return f, nil
	case '(':
		b, ok := new(big.Int).SetString(string(body), 10)
		if !ok {
			return nil, errProtocol
		}
		return b, nil
	}
	return nil, errProtocol
}

// publicValue turns a parsed reply into what Do and Pipeline.Exec hand out: RESP3 maps
// become map[string]any, pushes plain []any; nested values converted too.
func publicValue(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = publicValue(e)
		}
		return out
	case respPush:
		return publicValue([]any(x))
	case respMap:
		m := make(map[string]any, len(x)/2)
		for i := 0; i+1 < len(x); i += 2 {
			m[fmt.Sprint(publicValue(x[i]))] = publicValue(x[i+1])
		}
		return m
	}
	return v
}
