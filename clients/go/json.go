// JSON documents (the JSON.* commands) with encoding/json.

package client

import (
	"encoding/json"
	"strings"
)

func isJSONPath(path string) bool { return strings.HasPrefix(path, "$") }

// JSONSet stores v (encoded with encoding/json; a json.RawMessage is sent as it is) at
// path; path "$" replaces the whole document.
func (c cmds) JSONSet(key, path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return asOK(c.do("JSON.SET", key, path, b))
}

// JSONSetMode is JSONSet with "NX" (only if the path does not exist) or "XX" (only if
// it does); false when the condition prevented the write.
func (c cmds) JSONSetMode(key, path string, v any, mode string) (bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	r, err := c.do("JSON.SET", key, path, b, mode)
	if err != nil {
		return false, err
	}
	return r != nil, nil
}

// JSONGetRaw returns JSON.GET's reply text as the server sends it (for a JSONPath an
// array of matches); ErrNil when the key does not exist.
func (c cmds) JSONGetRaw(key string, paths ...string) (string, error) {
	args := []any{"JSON.GET", key}
	for _, p := range paths {
		args = append(args, p)
	}
	return asString(c.do(args...))
}

// JSONGet decodes the value at path into out (as json.Unmarshal does). A JSONPath
// ("$...") that matches one value decodes that value; several matches decode the
// array of them; no match, or a missing key, returns ErrNil. A legacy path (".a")
// decodes its single value.
func (c cmds) JSONGet(key, path string, out any) error {
	s, err := c.JSONGetRaw(key, path)
	if err != nil {
		return err
	}
	return decodeMatches(s, path, out)
}

func decodeMatches(s, path string, out any) error {
	if !isJSONPath(path) {
		return json.Unmarshal([]byte(s), out)
	}
	var matches []json.RawMessage
	if err := json.Unmarshal([]byte(s), &matches); err != nil {
		return err
	}
	switch len(matches) {
	case 0:
		return ErrNil
	case 1:
		return json.Unmarshal(matches[0], out)
	}
	return json.Unmarshal([]byte(s), out)
}

// JSONDel deletes the values at path and returns how many were deleted.
func (c cmds) JSONDel(key, path string) (int64, error) { return asInt(c.do("JSON.DEL", key, path)) }

// JSONType returns the JSON type of each value at path ("object", "array", "string",
// "integer", "number", "boolean", "null"); a legacy path gives one.
func (c cmds) JSONType(key, path string) ([]string, error) {
	v, err := c.do("JSON.TYPE", key, path)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNil
	}
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	// RESP3 nests each match's type in its own array.
	l, _ := asList(v)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if inner, ok := e.([]any); ok && len(inner) == 1 {
			e = inner[0]
		}
		s, _ := asString(e, nil)
		out = append(out, s)
	}
	return out, nil
}

// JSONNumIncrBy adds n to the number at path and returns the new value (of the first
// match for a JSONPath); ErrNil when no number matched.
func (c cmds) JSONNumIncrBy(key, path string, n float64) (float64, error) {
	v, err := c.do("JSON.NUMINCRBY", key, path, n)
	if err != nil {
		return 0, err
	}
	var nums []*float64
	switch x := v.(type) {
	case string:
		if isJSONPath(path) {
			if err := json.Unmarshal([]byte(x), &nums); err != nil {
				return 0, err
			}
		} else {
			var f float64
			if err := json.Unmarshal([]byte(x), &f); err != nil {
				return 0, err
			}
			return f, nil
		}
	default: // RESP3: an array of numbers or nulls
		l, _ := asList(v)
		for _, e := range l {
			if f, ferr := asFloat(e, nil); ferr == nil {
				nums = append(nums, &f)
			} else {
				nums = append(nums, nil)
			}
		}
	}
	for _, f := range nums {
		if f != nil {
			return *f, nil
		}
	}
	return 0, ErrNil
}

// intsPerMatch normalizes a per-match integer reply: a legacy path's single integer or
// a JSONPath's array with -1 where a match had the wrong type (nil in the reply).
func intsPerMatch(v any, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNil
	}
	if n, ok := v.(int64); ok {
		return []int64{n}, nil
	}
	l, ok := asList(v)
	if !ok {
		return nil, typeErr("integers", v)
	}
	out := make([]int64, len(l))
	for i, e := range l {
		if n, ok := e.(int64); ok {
			out[i] = n
		} else {
			out[i] = -1
		}
	}
	return out, nil
}

// JSONArrAppend appends values (each encoded with encoding/json) to the arrays at
// path and returns each array's new length.
func (c cmds) JSONArrAppend(key, path string, values ...any) ([]int64, error) {
	args := []any{"JSON.ARRAPPEND", key, path}
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		args = append(args, b)
	}
	return intsPerMatch(c.do(args...))
}

// JSONArrLen returns the length of each array at path.
func (c cmds) JSONArrLen(key, path string) ([]int64, error) {
	return intsPerMatch(c.do("JSON.ARRLEN", key, path))
}

// JSONStrLen returns the length of each string at path.
func (c cmds) JSONStrLen(key, path string) ([]int64, error) {
	return intsPerMatch(c.do("JSON.STRLEN", key, path))
}

// JSONObjLen returns the number of keys of each object at path.
func (c cmds) JSONObjLen(key, path string) ([]int64, error) {
	return intsPerMatch(c.do("JSON.OBJLEN", key, path))
}

// JSONArrPop removes the element at index (-1: the last) of the array at path and
// decodes it into out (the first match's for a JSONPath); ErrNil when none.
func (c cmds) JSONArrPop(key, path string, index int64, out any) error {
	v, err := c.do("JSON.ARRPOP", key, path, index)
	if err != nil {
		return err
	}
	var texts []any
	if l, ok := asList(v); ok {
		texts = l
	} else {
		texts = []any{v}
	}
	for _, t := range texts {
		if s, ok := t.(string); ok {
			return json.Unmarshal([]byte(s), out)
		}
	}
	return ErrNil
}

// JSONObjKeys returns the keys of the object at path (the first match's).
func (c cmds) JSONObjKeys(key, path string) ([]string, error) {
	v, err := c.do("JSON.OBJKEYS", key, path)
	if err != nil {
		return nil, err
	}
	l, ok := asList(v)
	if !ok {
		return nil, ErrNil
	}
	if isJSONPath(path) {
		for _, e := range l {
			if e != nil {
				return asStrings(e, nil)
			}
		}
		return nil, ErrNil
	}
	return asStrings(l, nil)
}
