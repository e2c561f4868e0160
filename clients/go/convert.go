// Conversions from parsed replies to the typed results of the methods; each accepts
// both RESP2 and RESP3 shapes.

package client

import (
	"fmt"
	"math/big"
	"strconv"
)

func typeErr(want string, v any) error {
	return fmt.Errorf("diskdb: unexpected reply %T for %s", v, want)
}

func asString(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case nil:
		return "", ErrNil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x), nil
	case *big.Int:
		return x.String(), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	}
	return "", typeErr("string", v)
}

func asOK(v any, err error) error {
	if err != nil {
		return err
	}
	if v == nil {
		return ErrNil
	}
	return nil
}

func asInt(v any, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case nil:
		return 0, ErrNil
	case int64:
		return x, nil
	case string:
		n, perr := strconv.ParseInt(x, 10, 64)
		if perr != nil {
			return 0, typeErr("integer", v)
		}
		return n, nil
	case float64:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, typeErr("integer", v)
}

func asBool(v any, err error) (bool, error) {
	n, err := asInt(v, err)
	return n != 0, err
}

func asFloat(v any, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case nil:
		return 0, ErrNil
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case string:
		f, perr := strconv.ParseFloat(x, 64)
		if perr != nil {
			return 0, typeErr("float", v)
		}
		return f, nil
	}
	return 0, typeErr("float", v)
}

func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case respMap:
		return []any(x), true
	case respPush:
		return []any(x), true
	}
	return nil, false
}

func asStrings(v any, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return []string{}, nil
	}
	l, ok := asList(v)
	if !ok {
		return nil, typeErr("array", v)
	}
	out := make([]string, len(l))
	for i, e := range l {
		if e == nil {
			continue
		}
		if out[i], err = asString(e, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// asNullableStrings keeps nil elements as nil (MGET, HMGET).
func asNullableStrings(v any, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	l, ok := asList(v)
	if !ok {
		return nil, typeErr("array", v)
	}
	out := make([]any, len(l))
	for i, e := range l {
		if e != nil {
			s, err := asString(e, nil)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
	}
	return out, nil
}

// pairs flattens RESP2 [k, v, k, v] and RESP3 maps or [[k, v], ...] into k, v, k, v.
func pairs(v any) ([]any, bool) {
	l, ok := asList(v)
	if !ok {
		return nil, false
	}
	if len(l) > 0 {
		if _, nested := l[0].([]any); nested {
			flat := make([]any, 0, 2*len(l))
			for _, e := range l {
				p, ok := e.([]any)
				if !ok || len(p) != 2 {
					return nil, false
				}
				flat = append(flat, p[0], p[1])
			}
			return flat, true
		}
	}
	return l, len(l)%2 == 0
}

func asStringMap(v any, err error) (map[string]string, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return map[string]string{}, nil
	}
	l, ok := pairs(v)
	if !ok {
		return nil, typeErr("map", v)
	}
	m := make(map[string]string, len(l)/2)
	for i := 0; i < len(l); i += 2 {
		k, err := asString(l[i], nil)
		if err != nil {
			return nil, err
		}
		val, _ := asString(l[i+1], nil)
		m[k] = val
	}
	return m, nil
}

// Z is a sorted set member with its score.
type Z struct {
	Member string
	Score  float64
}

func asZs(v any, err error) ([]Z, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return []Z{}, nil
	}
	l, ok := pairs(v)
	if !ok {
		return nil, typeErr("member/score pairs", v)
	}
	out := make([]Z, 0, len(l)/2)
	for i := 0; i < len(l); i += 2 {
		m, err := asString(l[i], nil)
		if err != nil {
			return nil, err
		}
		s, err := asFloat(l[i+1], nil)
		if err != nil {
			return nil, err
		}
		out = append(out, Z{Member: m, Score: s})
	}
	return out, nil
}
