//! JSON commands (RedisJSON 2.x) against the real server: the examples of RedisJSON's
//! command documentation, both path syntaxes, the error replies, the generic commands
//! on JSON keys (TYPE, OBJECT ENCODING, EXPIRE, RENAME, COPY, MOVE, SCAN TYPE,
//! DUMP/RESTORE, MULTI/EXEC, WATCH), large documents, bad input, restart and kill -9.

mod common;
use common::*;

fn e(s: &str) -> R {
    R::err(s)
}

const NO_KEY: &str = "ERR could not perform this operation on a key that doesn't exist";
/// RedisJSON's reply to a JSON command on a key of another type (the module API's text).
const KEY_TYPE: &str = "Existing key has wrong Redis type";

#[test]
fn set_and_get_follow_the_documented_examples() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$", r#"{"a":2}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.a", "3"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$"]), R::bulk(r#"[{"a":3}]"#));
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.b", "8"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc"]), R::bulk(r#"{"a":3,"b":8}"#));
    // Every match is updated.
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$", r#"{"f1": {"a":1}, "f2":{"a":2}}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$..a", "3"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc"]), R::bulk(r#"{"f1":{"a":3},"f2":{"a":3}}"#));
    // A missing parent stops it: nil.
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.nothere.b", "1"]), R::Nil);
    // NX and XX.
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.f1", "1", "NX"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.new", "1", "XX"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.new", "[1,2]", "NX"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$.f1", "true", "xx"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "doc", "$", "{}", "NX"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.SET", "nokey", "$", "{}", "XX"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.GET", "doc", "."]), R::bulk(r#"{"f1":true,"f2":{"a":3},"new":[1,2]}"#));
    // Legacy paths.
    assert_eq!(c.cmd(&["JSON.SET", "doc", ".f2.a", r#""x""#]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc", "f2.a"]), R::bulk(r#""x""#));
    assert_eq!(c.cmd(&["JSON.GET", "doc", r#"["f2"]"#]), R::bulk(r#"{"a":"x"}"#));
    assert_eq!(c.cmd(&["JSON.GET", "doc", ".new[-1]"]), R::bulk("2"));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$.new[-1]"]), R::bulk("[2]"));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$.missing"]), R::bulk("[]"));
    assert_eq!(c.cmd(&["JSON.GET", "doc", ".missing"]), e("ERR Path '$.missing' does not exist"));
    assert_eq!(c.cmd(&["JSON.GET", "nokey", "$"]), R::Nil);
    // Numbers keep their written form.
    assert_eq!(c.cmd(&["JSON.SET", "n", "$", r#"{"i":1,"f":1.0,"e":2.5e-7,"big":18446744073709551615}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "n"]), R::bulk(r#"{"i":1,"f":1.0,"e":2.5e-7,"big":18446744073709551615}"#));
    // Non-ASCII and escapes round-trip.
    assert_eq!(c.cmd(&["JSON.SET", "u", "$", r#"{"name":"Zoë \"Z\"\n"}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "u", "$.name"]), R::bulk(r#"["Zoë \"Z\"\n"]"#));
}

#[test]
fn get_formats_and_several_paths() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":2, "b": 3, "nested": {"a": 4, "b": null}}"#]);
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$..b", "$..a"]), R::bulk(r#"{"$..b":[3,null],"$..a":[2,4]}"#));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "..a", "$..b"]), R::bulk(r#"{"..a":[2,4],"$..b":[3,null]}"#));
    // All legacy: the first match of each.
    assert_eq!(c.cmd(&["JSON.GET", "doc", ".a", "nested.b"]), R::bulk(r#"{".a":2,"nested.b":null}"#));
    assert_eq!(c.cmd(&["JSON.GET", "doc", ".a", ".zz"]), e("ERR Path '.zz' does not exist"));
    assert_eq!(
        c.cmd(&["JSON.GET", "doc", "INDENT", "\t", "NEWLINE", "\n", "SPACE", " ", "$.nested"]),
        R::bulk("[\n\t{\n\t\t\"a\": 4,\n\t\t\"b\": null\n\t}\n]")
    );
    assert_eq!(c.cmd(&["JSON.GET", "doc", "SPACE", " ", ".nested"]), R::bulk(r#"{"a": 4,"b": null}"#));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "NOESCAPE", ".a"]), R::bulk("2"));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "INDENT"]), arity("json.get"));
    // MGET.
    c.cmd(&["JSON.SET", "doc1", "$", r#"{"a":1, "b": 2, "nested": {"a": 3}, "c": null}"#]);
    c.cmd(&["JSON.SET", "doc2", "$", r#"{"a":4, "b": 5, "nested": {"a": 6}, "c": null}"#]);
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["JSON.MGET", "doc1", "doc2", "$..a"]), bulks(&["[1,3]", "[4,6]"]));
    assert_eq!(c.cmd(&["JSON.MGET", "doc1", "nokey", "str", ".b"]), R::Array(vec![R::bulk("2"), R::Nil, R::Nil]));
    assert_eq!(c.cmd(&["JSON.MGET", "doc1", ".nothere"]), R::Array(vec![R::Nil]));
    assert_eq!(c.cmd(&["JSON.MGET", "doc1"]), arity("json.mget"));
}

#[test]
fn jsonpath_filters_slices_unions() {
    let s = Server::start();
    let mut c = s.raw();
    let store = r#"{"items":[{"name":"pen","price":5,"tags":["a","b"]},{"name":"book","price":12,"tags":["a"]},{"name":"cup","price":8,"tags":["c"]}]}"#;
    c.cmd(&["JSON.SET", "shop", "$", store]);
    assert_eq!(c.cmd(&["JSON.GET", "shop", r#"$.items[?(@.price < 10 && @.tags[0] == "a")].name"#]), R::bulk(r#"["pen"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[?(@.price>=8)].name"]), R::bulk(r#"["book","cup"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[*].price"]), R::bulk("[5,12,8]"));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[-1].name"]), R::bulk(r#"["cup"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[0:2].name"]), R::bulk(r#"["pen","book"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[0,2].name"]), R::bulk(r#"["pen","cup"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[0]['name','price']"]), R::bulk(r#"["pen",5]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$..name"]), R::bulk(r#"["pen","book","cup"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "shop", r#"$.items[?(@.name =~ "^c")].price"#]), R::bulk("[8]"));
    // Updates through a filter.
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "shop", "$.items[?(@.price < 10)].price", "1"]), R::bulk("[6,9]"));
    assert_eq!(c.cmd(&["JSON.SET", "shop", "$.items[?(@.name == 'cup')].price", "1.5"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "shop", "$.items[2].price"]), R::bulk("[1.5]"));
    // Syntax errors are replies.
    let r = c.cmd(&["JSON.GET", "shop", "$.items[$]"]);
    assert!(matches!(&r, R::Error(m) if m.starts_with("Error occurred on position 8, \"$.items[ ---->>>> $]\"")), "{r:?}");
}

#[test]
fn del_type_and_numbers() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "doc", "$", r#"{"a": 1, "nested": {"a": 2, "b": 3}}"#]);
    assert_eq!(c.cmd(&["JSON.DEL", "doc", "$..a"]), R::Int(2));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$"]), R::bulk(r#"[{"nested":{"b":3}}]"#));
    assert_eq!(c.cmd(&["JSON.FORGET", "doc", ".nested.zz"]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.DEL", "doc"]), R::Int(1));
    assert_eq!(c.cmd(&["EXISTS", "doc"]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.DEL", "doc"]), R::Int(0));
    c.cmd(&["JSON.SET", "arr", "$", "[0,1,2,3,4]"]);
    assert_eq!(c.cmd(&["JSON.DEL", "arr", "$[0,2,4]"]), R::Int(3));
    assert_eq!(c.cmd(&["JSON.GET", "arr"]), R::bulk("[1,3]"));

    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":2, "nested": {"a": true}, "foo": "bar", "f": 1.5, "n": null, "o": {}, "l": []}"#]);
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", "$..foo"]), bulks(&["string"]));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", "$..a"]), bulks(&["integer", "boolean"]));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", "$..dummy"]), bulks(&[]));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", "$.*"]), bulks(&["integer", "object", "string", "number", "null", "object", "array"]));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc"]), R::bulk("object"));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", ".f"]), R::bulk("number"));
    assert_eq!(c.cmd(&["JSON.TYPE", "doc", ".dummy"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.TYPE", "nokey"]), R::Nil);

    c.cmd(&["JSON.SET", "doc", ".", r#"{"a":"b","b":[{"a":2}, {"a":5}, {"a":"c"}]}"#]);
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", "$.a", "2"]), R::bulk("[null]"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", "$..a", "2"]), R::bulk("[null,4,7,null]"));
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "doc", "$..a", "2"]), R::bulk("[null,8,14,null]"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", ".b[0].a", "0.5"]), R::bulk("8.5"));
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "doc", ".b[1].a", "1.0"]), R::bulk("14.0"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", ".a", "1"]), e("ERR Path '$.a' does not exist or does not contains a number"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", ".b[0].a", "x"]), e("expected value at line 1 column 1"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "doc", ".b[0].a", r#""1""#]), e("bad input number"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "nokey", "$", "1"]), e(NO_KEY));
    c.cmd(&["JSON.SET", "big", "$", "1e308"]);
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "big", "$", "10"]), e("result is not a number"));
    assert_eq!(c.cmd(&["JSON.GET", "big"]), R::bulk("1e308"));
    c.cmd(&["JSON.SET", "i", "$", "9223372036854775807"]);
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "i", ".", "1"]), R::bulk("9.223372036854776e18"));
}

#[test]
fn strings_booleans_objects_clear() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":"foo", "nested": {"a": "hello"}, "nested2": {"a": 31}}"#]);
    assert_eq!(c.cmd(&["JSON.STRAPPEND", "doc", "$..a", r#""baz""#]), R::Array(vec![R::Int(6), R::Int(8), R::Nil]));
    assert_eq!(c.cmd(&["JSON.GET", "doc", "$"]), R::bulk(r#"[{"a":"foobaz","nested":{"a":"hellobaz"},"nested2":{"a":31}}]"#));
    assert_eq!(c.cmd(&["JSON.STRLEN", "doc", "$..a"]), R::Array(vec![R::Int(6), R::Int(8), R::Nil]));
    assert_eq!(c.cmd(&["JSON.STRLEN", "doc", ".a"]), R::Int(6));
    assert_eq!(c.cmd(&["JSON.STRLEN", "doc", ".nested2.a"]), e("WRONGTYPE wrong type of path value - expected string but found integer"));
    assert_eq!(c.cmd(&["JSON.STRLEN", "doc", ".zz"]), e("ERR Path '$.zz' does not exist"));
    assert_eq!(c.cmd(&["JSON.STRLEN", "nokey"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.STRLEN", "nokey", "$"]), e(NO_KEY));
    assert_eq!(c.cmd(&["JSON.STRAPPEND", "doc", ".a", "1"]), e("WRONGTYPE wrong type of path value - expected string but found 1"));
    assert_eq!(c.cmd(&["JSON.STRAPPEND", "doc", ".nested2.a", r#""x""#]), e("ERR Path '$.nested2.a' does not exist or not a string"));
    c.cmd(&["JSON.SET", "s", "$", r#""ab""#]);
    assert_eq!(c.cmd(&["JSON.STRAPPEND", "s", r#""c""#]), R::Int(3));
    assert_eq!(c.cmd(&["JSON.GET", "s"]), R::bulk(r#""abc""#));

    c.cmd(&["JSON.SET", "b", "$", r#"{"bool": true, "n": 1}"#]);
    assert_eq!(c.cmd(&["JSON.TOGGLE", "b", "$.bool"]), ints(&[0]));
    assert_eq!(c.cmd(&["JSON.GET", "b", "$"]), R::bulk(r#"[{"bool":false,"n":1}]"#));
    assert_eq!(c.cmd(&["JSON.TOGGLE", "b", "$.*"]), R::Array(vec![R::Int(1), R::Nil]));
    assert_eq!(c.cmd(&["JSON.TOGGLE", "b", ".bool"]), R::bulk("false"));
    assert_eq!(c.cmd(&["JSON.TOGGLE", "b", ".n"]), e("ERR Path '$.n' does not exist or not a bool"));

    c.cmd(&["JSON.SET", "o", "$", r#"{"a":[3], "nested": {"a": {"b":2, "c": 1}}}"#]);
    assert_eq!(c.cmd(&["JSON.OBJKEYS", "o", "$..a"]), R::Array(vec![R::Nil, bulks(&["b", "c"])]));
    assert_eq!(c.cmd(&["JSON.OBJKEYS", "o"]), bulks(&["a", "nested"]));
    assert_eq!(c.cmd(&["JSON.OBJKEYS", "o", ".a"]), e("ERR Path '$.a' does not exist or not an object"));
    assert_eq!(c.cmd(&["JSON.OBJKEYS", "o", ".zz"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.OBJLEN", "o", "$..a"]), R::Array(vec![R::Nil, R::Int(2)]));
    assert_eq!(c.cmd(&["JSON.OBJLEN", "o", ".nested"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.OBJLEN", "o", ".a"]), e("WRONGTYPE wrong type of path value - expected object but found array"));
    assert_eq!(c.cmd(&["JSON.OBJLEN", "nokey"]), R::Nil);

    c.cmd(&["JSON.SET", "cl", "$", r#"{"obj":{"a":1, "b":2}, "arr":[1,2,3], "str": "foo", "bool": true, "int": 42, "float": 3.14}"#]);
    assert_eq!(c.cmd(&["JSON.CLEAR", "cl", "$.*"]), R::Int(4));
    assert_eq!(c.cmd(&["JSON.GET", "cl", "$"]), R::bulk(r#"[{"obj":{},"arr":[],"str":"foo","bool":true,"int":0,"float":0}]"#));
    assert_eq!(c.cmd(&["JSON.CLEAR", "cl"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.GET", "cl"]), R::bulk("{}"));
    assert_eq!(c.cmd(&["JSON.CLEAR", "nokey"]), e(NO_KEY));
}

#[test]
fn arrays() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "item:1", "$", r#"{"name":"Noise-cancelling Bluetooth headphones","connection":{"wireless":true,"type":"Bluetooth"},"price":99.98,"stock":25,"colors":["black","silver"]}"#]);
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "item:1", "$.colors", r#""blue""#]), ints(&[3]));
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "item:1", "$.colors", "2", r#""yellow""#, r#""gold""#]), ints(&[5]));
    assert_eq!(c.cmd(&["JSON.GET", "item:1", "$.colors"]), R::bulk(r#"[["black","silver","yellow","gold","blue"]]"#));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "item:1", "$.colors"]), ints(&[5]));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "item:1", ".colors"]), R::Int(5));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "item:1", "$.*"]), R::Array(vec![R::Nil, R::Nil, R::Nil, R::Nil, R::Int(5)]));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "item:1", ".price"]), e("ERR Path '$.price' does not exist or not an array"));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "nokey", ".a"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "item:1", "$.colors", r#""gold""#]), ints(&[3]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "item:1", ".colors", r#""silver""#, "2"]), R::Int(-1));
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "item:1", "$.colors", "9", "1"]), e("ERR index out of bounds"));
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "item:1", "$.colors", "x", "1"]), e("Couldn't parse as integer"));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "item:1", ".price", "1"]), e("ERR Path '$.price' does not exist or not an array"));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "nokey", "$", "1"]), e(NO_KEY));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "item:1", "$.colors"]), arity("json.arrappend"));

    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":[1,2,3,2], "nested": {"a": [3,4]}}"#]);
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "doc", "$..a", "2"]), ints(&[1, -1]));
    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":[1,2,3,2], "nested": {"a": false}}"#]);
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "doc", "$..a", "2"]), R::Array(vec![R::Int(1), R::Nil]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "doc", "$.a", "2", "-1"]), ints(&[3]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "doc", "$.a", "2", "0", "2"]), ints(&[1]));

    c.cmd(&["JSON.SET", "p", "$", r#"{"a":[1,2,3],"b":[[1,2],[3,4]],"e":[]}"#]);
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", "$.a"]), bulks(&["3"]));
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", "$.a", "0"]), bulks(&["1"]));
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", ".b"]), R::bulk("[3,4]"));
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", "$.e"]), R::Array(vec![R::Nil]));
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", ".e"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.GET", "p"]), R::bulk(r#"{"a":[2],"b":[[1,2]],"e":[]}"#));
    c.cmd(&["JSON.SET", "root", "$", "[1,2,3]"]);
    assert_eq!(c.cmd(&["JSON.ARRPOP", "root"]), R::bulk("3"));

    c.cmd(&["JSON.SET", "t", "$", r#"{"a":[0,1,2,3,4,5]}"#]);
    assert_eq!(c.cmd(&["JSON.ARRTRIM", "t", "$.a", "1", "3"]), ints(&[3]));
    assert_eq!(c.cmd(&["JSON.GET", "t", "$.a"]), R::bulk("[[1,2,3]]"));
    assert_eq!(c.cmd(&["JSON.ARRTRIM", "t", ".a", "-1", "99"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.ARRTRIM", "t", ".a", "5", "9"]), R::Int(0));
}

#[test]
fn merge_mset_resp_debug() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "doc", "$", r#"{"a":2}"#]);
    assert_eq!(c.cmd(&["JSON.MERGE", "doc", "$.a", "3"]), R::ok());
    assert_eq!(c.cmd(&["JSON.MERGE", "doc", "$.b", "8"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc"]), R::bulk(r#"{"a":3,"b":8}"#));
    assert_eq!(c.cmd(&["JSON.MERGE", "doc", "$", r#"{"a":null,"c":{"d":[1]}}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "doc"]), R::bulk(r#"{"b":8,"c":{"d":[1]}}"#));
    assert_eq!(c.cmd(&["JSON.MERGE", "new", "$.a", "1"]), e("ERR new objects must be created at the root"));
    assert_eq!(c.cmd(&["JSON.MERGE", "new", "$", r#"{"a":1}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.MERGE", "new", "$", "1", "FORMAT"]), e("ERR syntax error"));
    assert_eq!(c.cmd(&["JSON.GET", "new", "$"]), R::bulk(r#"[{"a":1}]"#));
    c.cmd(&["JSON.SET", "types", "$", r#"{"o":{},"a":[],"i":42,"n":1.2,"b":false,"z":null}"#]);
    assert_eq!(c.cmd(&["JSON.DEBUG", "MEMORY", "types", "$.*"]), ints(&[8, 8, 8, 16, 8, 8]));

    assert_eq!(c.cmd(&["JSON.MSET", "doc1", "$", r#"{"a":1}"#, "doc2", "$", r#"{"f":{"a":2}}"#, "doc3", "$", r#"{"f1":{"a":0},"f2":{"a":0}}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.MSET", "doc1", "$", r#"{"a":2}"#, "doc2", "$.f.a", "3", "doc3", "$", r#"{"f1":{"a":1},"f2":{"a":2}}"#]), R::ok());
    assert_eq!(
        c.cmd(&["JSON.MGET", "doc1", "doc2", "doc3", "$"]),
        bulks(&[r#"[{"a":2}]"#, r#"[{"f":{"a":3}}]"#, r#"[{"f1":{"a":1},"f2":{"a":2}}]"#])
    );
    // All or nothing.
    assert_eq!(c.cmd(&["JSON.MSET", "doc1", "$", "5", "nokey", "$.a", "1"]), e("ERR new objects must be created at the root"));
    assert_eq!(c.cmd(&["JSON.MSET", "doc1", "$", "5", "doc2", "$", "{bad"]), e("key must be a string at line 1 column 2"));
    assert_eq!(c.cmd(&["JSON.GET", "doc1"]), R::bulk(r#"{"a":2}"#));
    assert_eq!(c.cmd(&["JSON.MSET", "doc1", "$", "5", "doc2"]), arity("json.mset"));

    c.cmd(&["JSON.SET", "item:2", "$", r#"{"name":"Wireless earbuds","connection":{"wireless":true,"type":"Bluetooth"},"price":64.99,"stock":17,"colors":["black","white"],"n":null}"#]);
    let st = |s: &str| R::Status(s.into());
    assert_eq!(
        c.cmd(&["JSON.RESP", "item:2"]),
        R::Array(vec![
            st("{"),
            R::bulk("name"),
            R::bulk("Wireless earbuds"),
            R::bulk("connection"),
            R::Array(vec![st("{"), R::bulk("wireless"), st("true"), R::bulk("type"), R::bulk("Bluetooth")]),
            R::bulk("price"),
            R::bulk("64.99"),
            R::bulk("stock"),
            R::Int(17),
            R::bulk("colors"),
            R::Array(vec![st("["), R::bulk("black"), R::bulk("white")]),
            R::bulk("n"),
            R::Nil,
        ])
    );
    assert_eq!(c.cmd(&["JSON.RESP", "item:2", "$.stock"]), ints(&[17]));
    assert_eq!(c.cmd(&["JSON.RESP", "item:2", ".zz"]), e("ERR Path '$.zz' does not exist"));
    assert!(matches!(c.cmd(&["JSON.DEBUG", "MEMORY", "item:2"]), R::Int(n) if n > 50));
    assert!(matches!(c.cmd(&["JSON.DEBUG", "MEMORY", "item:2", "$..*"]), R::Array(v) if v.len() == 10));
    assert_eq!(c.cmd(&["JSON.DEBUG", "MEMORY", "nokey"]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.DEBUG", "HELP"]), bulks(&["MEMORY <key> [path] - reports memory usage", "HELP                - this message"]));
    assert_eq!(c.cmd(&["JSON.DEBUG", "NOPE"]), e("ERR unknown subcommand - try `JSON.DEBUG HELP`"));
}

#[test]
fn errors_for_bad_input_leave_the_server_alive() {
    let mut s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["JSON.SET", "k", "$.a", "1"]), e("ERR new objects must be created at the root"));
    assert_eq!(c.cmd(&["JSON.SET", "k", "$", "{bad"]), e("key must be a string at line 1 column 2"));
    assert_eq!(c.cmd(&["JSON.SET", "k", "$", r#"{"a":1"#]), e("EOF while parsing an object at line 1 column 6"));
    assert_eq!(c.cmd(&["JSON.SET", "k", "$", "1", "NX", "XX"]), e("ERR syntax error"));
    assert_eq!(c.cmd(&["JSON.SET", "k", "$"]), arity("json.set"));
    let deep = "[".repeat(200) + &"]".repeat(200);
    let r = c.cmd(&["JSON.SET", "k", "$", &deep]);
    assert!(matches!(&r, R::Error(m) if m.starts_with("recursion limit exceeded at line 1 column")), "{r:?}");
    // Growing a document past the limit one level at a time is refused too.
    let ok = "[".repeat(120) + &"]".repeat(120);
    assert_eq!(c.cmd(&["JSON.SET", "k", "$", &ok]), R::ok());
    // The 119th array holds the (empty) 120th: 119 + 8 levels is the most allowed.
    let inner = "$".to_string() + &"[0]".repeat(118);
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "k", &inner, &("[".repeat(8) + &"]".repeat(8))]), ints(&[2]));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "k", &inner, &("[".repeat(9) + &"]".repeat(9))]), e("ERR recursion limit exceeded"));
    // A 100,000-character path, valid or not.
    let long = "$".to_string() + &".a".repeat(50_000);
    assert_eq!(c.cmd(&["JSON.GET", "k", &long]), R::bulk("[]"));
    let brackets = "$".to_string() + &"[".repeat(100_000);
    assert!(matches!(c.cmd(&["JSON.GET", "k", &brackets]), R::Error(m) if m.starts_with("Error occurred on position 2")));
    let parens = "$[?(".to_string() + &"(".repeat(100_000) + "@";
    assert!(matches!(c.cmd(&["JSON.GET", "k", &parens]), R::Error(_)));
    // The deepest document with the deepest filters, each walking it with `..`.
    let chain = r#"{"a":"#.repeat(126) + "1" + &"}".repeat(126);
    assert_eq!(c.cmd(&["JSON.SET", "chain", "$", &chain]), R::ok());
    assert!(matches!(c.cmd(&["JSON.GET", "chain", "$..[?(@..[?(@..a == 1)])].a"]), R::Bulk(_)));
    let r = c.cmd(&["JSON.GET", "chain", "$..[?(@..[?(@..[?(@.a)])])]"]);
    assert!(matches!(&r, R::Error(m) if m.contains("nested at most 2 deep")), "{r:?}");
    assert_eq!(c.cmd(&["SET", "str", "x"]), R::ok());
    assert_eq!(c.cmd(&["JSON.GET", "str"]), e(KEY_TYPE));
    assert_eq!(c.cmd(&["JSON.SET", "str", "$", "1"]), e(KEY_TYPE));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "str", "$", "1"]), e(KEY_TYPE));
    assert_eq!(c.cmd(&["JSON.SET", "k", "$", "1"]), R::ok());
    assert_eq!(c.cmd(&["GET", "k"]), wrongtype());
    assert!(s.alive());
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn generic_commands_on_json_keys() {
    let s = Server::start();
    let mut c = s.raw();
    let big = format!(r#"{{"pad":"{}","n":1}}"#, "x".repeat(200_000));
    for (key, doc) in [("small", r#"{"a":[1,2],"b":"c"}"#.to_string()), ("large", big.clone())] {
        assert_eq!(c.cmd(&["JSON.SET", key, "$", &doc]), R::ok());
        assert_eq!(c.cmd(&["TYPE", key]), R::Status("ReJSON-RL".into()));
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", key]), R::bulk("raw"));
        // TTLs are kept by changes.
        assert_eq!(c.cmd(&["EXPIRE", key, "100"]), R::Int(1));
        assert_eq!(c.cmd(&["JSON.SET", key, "$.z", "1"]), R::ok());
        assert!(matches!(c.cmd(&["TTL", key]), R::Int(t) if t > 90));
        assert_eq!(c.cmd(&["JSON.SET", key, "$", &doc]), R::ok());
        assert!(matches!(c.cmd(&["TTL", key]), R::Int(t) if t > 90), "replacing the root keeps the TTL");
        assert_eq!(c.cmd(&["JSON.SET", key, "$.z", "1"]), R::ok());
        assert_eq!(c.cmd(&["PERSIST", key]), R::Int(1));
        // RENAME, COPY, MOVE.
        let renamed = format!("{key}-renamed");
        assert_eq!(c.cmd(&["RENAME", key, &renamed]), R::ok());
        assert_eq!(c.cmd(&["COPY", &renamed, key]), R::Int(1));
        assert_eq!(c.cmd(&["JSON.SET", &renamed, "$.z", "2"]), R::ok());
        assert_eq!(c.cmd(&["JSON.GET", key, "$.z"]), R::bulk("[1]"), "a copy is independent");
        assert_eq!(c.cmd(&["MOVE", &renamed, "1"]), R::Int(1));
        assert_eq!(c.cmd(&["SELECT", "1"]), R::ok());
        assert_eq!(c.cmd(&["JSON.GET", &renamed, "$.z"]), R::bulk("[2]"));
        assert_eq!(c.cmd(&["DEL", &renamed]), R::Int(1));
        assert_eq!(c.cmd(&["SELECT", "0"]), R::ok());
    }
    assert_eq!(c.cmd(&["SET", "plain", "x"]), R::ok());
    let scan = c.cmd(&["SCAN", "0", "TYPE", "ReJSON-RL", "COUNT", "100"]);
    let R::Array(parts) = scan else { panic!() };
    let R::Array(mut keys) = parts[1].clone() else { panic!() };
    keys.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(R::Array(keys), bulks(&["large", "small"]));

    // DUMP in one server, RESTORE in another.
    let other = Server::start();
    let mut o = other.raw();
    for key in ["small", "large"] {
        let R::Bulk(payload) = c.cmd(&["DUMP", key]) else { panic!("DUMP") };
        assert_eq!(o.cmd_bytes(&[b"RESTORE", key.as_bytes(), b"0", &payload]), R::ok());
        assert_eq!(o.cmd(&["JSON.GET", key]), c.cmd(&["JSON.GET", key]));
        assert_eq!(o.cmd(&["TYPE", key]), R::Status("ReJSON-RL".into()));
    }

    // UNLINK, and expiry ends a document.
    assert_eq!(c.cmd(&["JSON.SET", "gone", "$", "[1]"]), R::ok());
    assert_eq!(c.cmd(&["UNLINK", "gone"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.GET", "gone"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.SET", "brief", "$", r#"{"a":1}"#]), R::ok());
    assert_eq!(c.cmd(&["PEXPIRE", "brief", "50"]), R::Int(1));
    assert!(wait_until(std::time::Duration::from_secs(5), || c.cmd(&["JSON.GET", "brief"]) == R::Nil));
    assert_eq!(c.cmd(&["EXISTS", "brief"]), R::Int(0));

    // MULTI/EXEC and WATCH.
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "small", "$.a[0]", "10"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "small", "$.a[0]", "5"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::bulk("[15]")]));
    assert_eq!(c.cmd(&["WATCH", "small"]), R::ok());
    let mut other_client = s.raw();
    assert_eq!(other_client.cmd(&["JSON.ARRAPPEND", "small", "$.a", "3"]), ints(&[3]));
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    c.cmd(&["JSON.SET", "small", "$", "0"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.GET", "small", "$.a"]), R::bulk("[[15,2,3]]"));
}

#[test]
fn a_10_mb_document_works() {
    let s = Server::start();
    let mut c = s.raw();
    let items: Vec<String> = (0..100_000).map(|i| format!(r#"{{"id":{i},"name":"item number {i:>60}","ok":true}}"#)).collect();
    let doc = format!(r#"{{"count":0,"items":[{}]}}"#, items.join(","));
    assert!(doc.len() > 10_000_000, "{}", doc.len());
    assert_eq!(c.cmd(&["JSON.SET", "big", "$", &doc]), R::ok());
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "big", "$.count", "1"]), R::bulk("[1]"));
    assert_eq!(c.cmd(&["JSON.GET", "big", "$.items[99999].id"]), R::bulk("[99999]"));
    assert_eq!(c.cmd(&["JSON.ARRLEN", "big", ".items"]), R::Int(100_000));
    let R::Bulk(back) = c.cmd(&["JSON.GET", "big"]) else { panic!() };
    assert_eq!(back.len(), doc.len());
    assert_eq!(c.cmd(&["DEL", "big"]), R::Int(1));
}

#[test]
fn documents_survive_restart_and_kill9() {
    let mut s = Server::start();
    let mut c = s.raw();
    let big = format!(r#"{{"pad":"{}","n":1}}"#, "y".repeat(150_000));
    c.cmd(&["JSON.SET", "a", "$", r#"{"n":1,"l":[1,2]}"#]);
    c.cmd(&["JSON.SET", "b", "$", &big]);
    c.cmd(&["JSON.NUMINCRBY", "b", "$.n", "41"]);
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["JSON.GET", "a"]), R::bulk(r#"{"n":1,"l":[1,2]}"#));
    assert_eq!(c.cmd(&["JSON.GET", "b", "$.n"]), R::bulk("[42]"));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "a", "$.l", "3"]), ints(&[3]));
    assert_eq!(c.cmd(&["JSON.SET", "b", "$.n", "7"]), R::ok());
    drop(c);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["JSON.GET", "a", "$.l"]), R::bulk("[[1,2,3]]"));
    assert_eq!(c.cmd(&["JSON.GET", "b", "$.n"]), R::bulk("[7]"));
    assert_eq!(c.cmd(&["TYPE", "b"]), R::Status("ReJSON-RL".into()));
}

#[test]
fn command_table_lists_the_json_commands() {
    let s = Server::start();
    let mut c = s.raw();
    let R::Array(info) = c.cmd(&["COMMAND", "INFO", "json.set", "json.mget", "json.mset"]) else { panic!() };
    assert_eq!(info.len(), 3);
    let R::Array(set) = &info[0] else { panic!() };
    assert_eq!(set[0], R::bulk("json.set"));
    assert_eq!(set[1], R::Int(-4));
    let R::Array(mget) = &info[1] else { panic!() };
    assert_eq!((&mget[3], &mget[4], &mget[5]), (&R::Int(1), &R::Int(-2), &R::Int(1)));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "JSON.MSET", "a", "$", "1", "b", "$", "2"]), bulks(&["a", "b"]));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "JSON.DEBUG", "MEMORY", "k"]), bulks(&["k"]));
}

/// Cases of RedisJSON's own multi-path test suite (tests/pytest/test_multi.py).
#[test]
fn redisjson_multi_path_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // DEL: only the outermost of nested matches counts.
    c.cmd(&["JSON.SET", "doc2", "$", r#"{"a": {"a": 2, "b": 3}, "b": ["a", "b"], "nested": {"b":[true, "a","b"]}}"#]);
    assert_eq!(c.cmd(&["JSON.DEL", "doc2", "$..a"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.GET", "doc2", "$"]), R::bulk(r#"[{"nested":{"b":[true,"a","b"]},"b":["a","b"]}]"#));
    c.cmd(&["JSON.SET", "doc3", "$", r#"[{"ciao":["non ancora"],"nested":[{"ciao":[1,"a"]}, {"ciao":[2,"a"]}, {"ciaoc":[3,"non","ciao"]}, {"ciao":[4,"a"]}, {"e":[5,"non","ciao"]}]}]"#]);
    assert_eq!(c.cmd(&["JSON.DEL", "doc3", r#"$.[0]["nested"]..ciao"#]), R::Int(3));
    assert_eq!(
        c.cmd(&["JSON.GET", "doc3", "$"]),
        R::bulk(r#"[[{"ciao":["non ancora"],"nested":[{},{},{"ciaoc":[3,"non","ciao"]},{},{"e":[5,"non","ciao"]}]}]]"#)
    );
    c.cmd(&["JSON.SET", "d", "$", "[[1],[1,2,3]]"]);
    assert_eq!(c.cmd(&["JSON.DEL", "d", "$..[0]"]), R::Int(2));
    assert_eq!(c.cmd(&["JSON.GET", "d"]), R::bulk("[[2,3]]"));
    c.cmd(&["JSON.SET", "d", "$", r#"{"a":[[1],[1,2,3,[4,5,[{"a":6},7,8]]], [10,{"11":11}], ["12","13"]], "b":[[1,2],{"a":[3,4,5]}]}"#]);
    assert_eq!(c.cmd(&["JSON.DEL", "d", "$..[0]"]), R::Int(8));
    assert_eq!(c.cmd(&["JSON.GET", "d"]), R::bulk(r#"{"a":[[2,3,[5,[7,8]]],[{"11":11}],["13"]],"b":[{"a":[4,5]}]}"#));
    c.cmd(&["JSON.SET", "d", "$", r#"[ true, { "answer": 42}, null ]"#]);
    assert_eq!(c.cmd(&["JSON.DEL", "d", "[-1]"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.GET", "d"]), R::bulk(r#"[true,{"answer":42}]"#));

    // Numbers: integer and double results.
    c.cmd(&["JSON.SET", "n", "$", r#"{"a":"b","b":[{"a":2}, {"a":5.0}, {"a":"c"}]}"#]);
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", "$..a", "2"]), R::bulk("[null,4,7.0,null]"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", "$..a", "2.5"]), R::bulk("[null,6.5,9.5,null]"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", "$.b[1].a", "3.5"]), R::bulk("[13.0]"));
    c.cmd(&["JSON.SET", "n", "$", r#"{"a":"b","b":[{"a":2}, {"a":5.0}, {"a":"c"}]}"#]);
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "n", "$..a", "2"]), R::bulk("[null,4,10.0,null]"));
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "n", "$..a", "2.5"]), R::bulk("[null,10.0,25.0,null]"));
    assert_eq!(c.cmd(&["JSON.NUMMULTBY", "n", ".b[0].a", "3"]), R::bulk("30.0"));

    // Legacy paths over several matches: every one changes, the last one answers.
    let base = r#"{"a":["foo"], "nested1": {"a": ["hello", null, "world"]}, "nested2": {"a": 31}}"#;
    c.cmd(&["JSON.SET", "doc1", "$", base]);
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "doc1", "..a", r#""bar""#, r#""racuda""#]), R::Int(5));
    c.cmd(&["JSON.SET", "doc1", "$", base]);
    assert_eq!(c.cmd(&["JSON.ARRPOP", "doc1", "..a", "1"]), R::bulk("null"));
    assert_eq!(c.cmd(&["JSON.GET", "doc1", "$"]), R::bulk(r#"[{"a":[],"nested1":{"a":["hello","world"]},"nested2":{"a":31}}]"#));
    c.cmd(&["JSON.SET", "doc1", "$", base]);
    assert_eq!(c.cmd(&["JSON.ARRPOP", "doc1", "$..a", "1"]), R::Array(vec![R::bulk(r#""foo""#), R::bulk("null"), R::Nil]));
    c.cmd(&["JSON.SET", "doc1", "$", base]);
    assert_eq!(c.cmd(&["JSON.ARRTRIM", "doc1", "$..a", "1", "-1"]), R::Array(vec![R::Int(0), R::Int(2), R::Nil]));
    c.cmd(&["JSON.SET", "doc1", "$", base]);
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "doc1", "$..a", "1", r#""bar""#, r#""racuda""#]), R::Array(vec![R::Int(3), R::Int(5), R::Nil]));
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "doc1", ".nested1.a", "-2", r#""baz""#]), R::Int(6));
    assert_eq!(c.cmd(&["JSON.GET", "doc1", "$.nested1.a"]), R::bulk(r#"[["hello","bar","racuda","baz",null,"world"]]"#));

    // ARRINDEX: integers and doubles differ; start and stop.
    c.cmd(&["JSON.SET", "num", ".", r#"[{"arr":[0,1,3.0,3,2,1,0,3]},{"nested1_found":{"arr":[5,4,3,2,1,0,1,2,3.0,2,4,5]}},{"nested2_not_found":{"arr":[2,4,6]}},{"nested3_scalar":{"arr":"3"}},[{"nested41_not_arr":{"arr_renamed":[1,2,3]}},{"nested42_empty_arr":{"arr":[]}}]]"#]);
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", "$..arr", "3"]), R::Array(vec![R::Int(3), R::Int(2), R::Int(-1), R::Nil, R::Int(-1)]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", "$..arr", "3.0"]), R::Array(vec![R::Int(2), R::Int(8), R::Int(-1), R::Nil, R::Int(-1)]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", "$..arr", "5", "7", "0"]), R::Array(vec![R::Int(-1), R::Int(11), R::Int(-1), R::Nil, R::Int(-1)]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", "$..arr", "5", "7", "-1"]), R::Array(vec![R::Int(-1), R::Int(-1), R::Int(-1), R::Nil, R::Int(-1)]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", ".[0].arr", "3"]), R::Int(3));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "num", ".[4][1].nested42_empty_arr.arr", r#"{"arr":[]}"#]), R::Int(-1));

    // The error matrix: JSONPath answers per match, legacy paths answer errors.
    c.cmd(&["JSON.SET", "t", "$", r#"{"object":{},"array":[],"string":"str","integer":42,"number":1.2,"boolean":false,"null":null}"#]);
    c.cmd(&["HSET", "hash_key", "a", "1"]);
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "t", "$.string", r#""abc""#]), R::Array(vec![R::Nil]));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "t", "$.nowhere", r#""abc""#]), R::Array(vec![]));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "hash_key", "$.string", r#""abc""#]), e(KEY_TYPE));
    assert_eq!(c.cmd(&["JSON.ARRAPPEND", "t", ".string", r#""abc""#]), e("ERR Path '$.string' does not exist or not an array"));
    assert_eq!(c.cmd(&["JSON.ARRPOP", "t", "$.string", r#""abc""#]), R::Array(vec![R::Nil]));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "nokey", "$.number", r#""abc""#]), e("ERR Path '$.number' does not exist"));
    assert_eq!(c.cmd(&["JSON.ARRINDEX", "t", ".number", r#""abc""#]), e("WRONGTYPE wrong type of path value - expected array but found number"));
    assert_eq!(c.cmd(&["JSON.ARRTRIM", "t", ".nowhere", "0", "1"]), e("ERR Path '$.nowhere' does not exist or not an array"));
    assert_eq!(c.cmd(&["JSON.OBJKEYS", "t", "$.nowhere"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["JSON.OBJLEN", "nokey", "$.string"]), e("ERR Path '$.string' does not exist or not an object"));
    assert_eq!(c.cmd(&["JSON.OBJLEN", "t", ".boolean"]), e("WRONGTYPE wrong type of path value - expected object but found boolean"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "t", "$.nowhere", "3"]), R::bulk("[]"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "t", ".nowhere", "3"]), e("ERR Path '$.nowhere' does not exist or does not contains a number"));
    assert_eq!(c.cmd(&["JSON.STRLEN", "t", "$.object", r#""abc""#]), R::Array(vec![R::Nil]));
    assert_eq!(c.cmd(&["JSON.TOGGLE", "t", ".nowhere"]), e("ERR Path '$.nowhere' does not exist or not a bool"));
    assert_eq!(c.cmd(&["JSON.CLEAR", "t", "$.null"]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.CLEAR", "t", ".nowhere"]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.DEL", "nokey", "$.object", r#""abc""#]), R::Int(0));
    assert_eq!(c.cmd(&["JSON.DEBUG", "MEMORY", "t", "$.nowhere"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["JSON.DEBUG", "MEMORY", "t", ".nowhere"]), e("ERR Path '$.nowhere' does not exist"));
    assert_eq!(c.cmd(&["JSON.RESP", "t", "$.nowhere"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["JSON.RESP", "nokey", "$.object"]), R::Nil);

    // Filters do not repeat matches.
    c.cmd(&["JSON.SET", "f", "$", r#"[{"name":{"first":"Markss","middle":"S","last":"Pronto"},"rank":1},{"name":{"first":"A","middle":"A","last":"Pronto"},"rank":8},{"name":{"first":"A","middle":"A","last":"Pronto"},"rank":90}]"#]);
    assert_eq!(
        c.cmd(&["JSON.GET", "f", r#"$.[?(@.name.first=="A")]"#]),
        R::bulk(r#"[{"name":{"first":"A","middle":"A","last":"Pronto"},"rank":8},{"name":{"first":"A","middle":"A","last":"Pronto"},"rank":90}]"#)
    );
    // JSON.RESP of a nested document.
    c.cmd(&["JSON.SET", "r", "$", "[[1],[2],-19.5]"]);
    let st = |s: &str| R::Status(s.into());
    assert_eq!(
        c.cmd(&["JSON.RESP", "r"]),
        R::Array(vec![st("["), R::Array(vec![st("["), R::Int(1)]), R::Array(vec![st("["), R::Int(2)]), R::bulk("-19.5")])
    );
}

/// Cases of RedisJSON's main test suite (tests/pytest/test.py).
#[test]
fn redisjson_single_path_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // Bracket notation, keys with dots and brackets.
    c.cmd(&["JSON.SET", "x", ".", "{}"]);
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f1"]"#, "{}"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f1"].f2"#, "[0,0,0]"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f1"].f2[1]"#, "{}"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f1"].f2[1]["f.]$.f"]"#, "{}"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f1"]["f2"][1]["f.]$.f"]"#, "1"]), R::ok());
    assert_eq!(c.cmd(&["JSON.SET", "x", r#".["f3"].f2"#, "1"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.GET", "x"]), R::bulk(r#"{"f1":{"f2":[0,{"f.]$.f":1},0]}}"#));
    assert!(matches!(c.cmd(&["JSON.SET", "x", "$..f", "1"]), R::Error(_)));
    assert_eq!(c.cmd(&["JSON.SET", "x", "$[0]", "1"]), e("ERR array index out of range"));
    assert!(matches!(c.cmd(&["JSON.SET", "x", "$a", "12"]), R::Error(_)));
    c.cmd(&["JSON.SET", "a", ".", "[1,2,3]"]);
    assert_eq!(c.cmd(&["JSON.GET", "a", ".[1]"]), R::bulk("2"));
    assert_eq!(c.cmd(&["JSON.GET", "a", "[1]"]), R::bulk("2"));
    assert_eq!(c.cmd(&["JSON.GET", "a", "$.[1]"]), R::bulk("[2]"));
    assert!(matches!(c.cmd(&["JSON.GET", "a", "not\r\nallowed by protocol"]), R::Error(m) if m.contains("does not exist")));
    // NX on array elements.
    c.cmd(&["JSON.SET", "t", ".", "[0]"]);
    assert_eq!(c.cmd(&["JSON.SET", "t", ".[0]", "[0]", "NX"]), R::Nil);
    assert_eq!(c.cmd(&["JSON.SET", "t", ".[1]", "[0]", "NX"]), e("ERR array index out of range"));
    for bad in [&["JSON.SET", "t", ".foo", "[]", ""][..], &["JSON.SET", "t", ".foo", "[]", "NN"], &["JSON.SET", "t", ".foo", "[]", "XX", "XN"]] {
        assert_eq!(c.cmd(bad), e("ERR syntax error"));
    }
    // Formatting of the whole document, CRLF newlines too.
    c.cmd(&["JSON.SET", "obj", "$", r#"{"obj":{"f":"v"}}"#]);
    assert_eq!(
        c.cmd(&["JSON.GET", "obj", "INDENT", "  ", "NEWLINE", "\r\n", "SPACE", "\t"]),
        R::bulk("{\r\n  \"obj\":\t{\r\n    \"f\":\t\"v\"\r\n  }\r\n}")
    );
    // ARRPOP's index clamping.
    c.cmd(&["JSON.SET", "p", ".", "[1,2,3,4,5,6,7,8,9]"]);
    for (args, want) in [
        (&[][..], "9"),
        (&["."][..], "8"),
        (&[".", "-1"][..], "7"),
        (&[".", "-2"][..], "5"),
        (&[".", "0"][..], "1"),
        (&[".", "2"][..], "4"),
        (&[".", "99"][..], "6"),
        (&[".", "-99"][..], "2"),
        (&[][..], "3"),
    ] {
        let mut cmd = vec!["JSON.ARRPOP", "p"];
        cmd.extend_from_slice(args);
        assert_eq!(c.cmd(&cmd), R::bulk(want), "{args:?}");
    }
    assert_eq!(c.cmd(&["JSON.ARRPOP", "p", ".", "2"]), R::Nil);
    c.cmd(&["JSON.SET", "one", ".", "1"]);
    assert_eq!(c.cmd(&["JSON.ARRPOP", "one"]), e("ERR Path '$' does not exist or not an array"));
    // ARRINSERT and ARRINDEX.
    c.cmd(&["JSON.SET", "i", ".", "[]"]);
    for (at, v, n) in [("0", "1", 1), ("-1", "2", 2), ("-2", "3", 3), ("3", "4", 4)] {
        assert_eq!(c.cmd(&["JSON.ARRINSERT", "i", ".", at, v]), R::Int(n));
    }
    assert_eq!(c.cmd(&["JSON.GET", "i"]), R::bulk("[3,2,1,4]"));
    assert_eq!(c.cmd(&["JSON.ARRINSERT", "i", ".", "-10", "10"]), e("ERR index out of bounds"));
    assert_eq!(c.cmd_bytes(&[b"JSON.ARRAPPEND", b"i", b".", b"\x80abc"]), e("Couldn't parse as UTF-8 string"));
    c.cmd(&["JSON.SET", "ix", ".", r#"{ "arr": [0, 1, 2, 3, 2, 1, 0, {"val": 4}, {"val": 9}, [3,4,8], ["a", "b", 8]] }"#]);
    for (args, want) in [
        (&["0"][..], 0),
        (&["0", "1"][..], 6),
        (&["0", "-5"][..], 6),
        (&["0", "4", "0"][..], 6),
        (&["0", "5", "-1"][..], 6),
        (&["2", "-2", "6"][..], -1),
        (&[r#"{"val":4}"#][..], 7),
        (&[r#"["a", "b", 8]"#][..], 10),
    ] {
        let mut cmd = vec!["JSON.ARRINDEX", "ix", ".arr"];
        cmd.extend_from_slice(args);
        assert_eq!(c.cmd(&cmd), R::Int(want), "{args:?}");
    }
    // Overflow leaves the value as it was.
    c.cmd(&["JSON.SET", "big", "$", r#"{"l1":{"l2":[0,1.6350000000001313e+308]}}"#]);
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "big", "$.l1.l2[1]", "1.6350000000001313e+308"]), e("result is not a number"));
    assert_eq!(c.cmd(&["JSON.GET", "big", "$"]), R::bulk(r#"[{"l1":{"l2":[0,1.6350000000001313e308]}}]"#));
    c.cmd(&["JSON.SET", "n", ".", r#"{ "foo": 0, "bar": "baz" }"#]);
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", ".foo", "1"]), R::bulk("1"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", ".foo", "2"]), R::bulk("3"));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "n", ".foo", "0.5"]), R::bulk("3.5"));
    c.cmd(&["JSON.SET", "dbl", ".", "[1512060373.222988]"]);
    assert_eq!(c.cmd(&["JSON.GET", "dbl", "[0]"]), R::bulk("1512060373.222988"));
    // Filters on objects test the object itself.
    c.cmd(&["JSON.SET", "f", "$", r#"{"a":{"x":{"i":10}}, "b":{"x":{"i":20, "j":5}}}"#]);
    assert_eq!(c.cmd(&["JSON.GET", "f", "$..x[?(@.i>10)]"]), R::bulk(r#"[{"i":20,"j":5}]"#));
    assert_eq!(c.cmd(&["JSON.GET", "f", "$..x[?($.i>10)]"]), R::bulk("[]"));
    c.cmd(&["JSON.SET", "m", "$", r#"{"a":[1,2,3],"b":["c","d","e"],"c":"k"}"#]);
    assert_eq!(c.cmd(&["JSON.GET", "m", "$.*[0,2]"]), R::bulk(r#"[1,3,"c","e"]"#));
    assert_eq!(c.cmd(&["JSON.GET", "m", ".*[0,2]"]), R::bulk("1"));
    // CLEAR reads one path.
    c.cmd(&["JSON.SET", "cl", ".", r#"{"n":42,"arr":[{"n":{"a":1}}]}"#]);
    assert_eq!(c.cmd(&["JSON.CLEAR", "cl", "$", "$.arr[0].n"]), R::Int(1));
    assert_eq!(c.cmd(&["JSON.GET", "cl"]), R::bulk("{}"));
}

/// A large (chunked) document changed in a loop and killed mid-write: after restart it
/// parses and holds every acknowledged change (chunks and metadata commit together).
#[test]
fn kill9_during_large_document_updates_loses_no_acknowledged_change() {
    use std::io::{BufReader, Write};
    let mut s = Server::start();
    let mut c = s.raw();
    let doc = format!(r#"{{"n":0,"log":[],"pad":"{}"}}"#, "p".repeat(120_000));
    assert_eq!(c.cmd(&["JSON.SET", "big", "$", &doc]), R::ok());
    let addr = s.addr();
    let writer = std::thread::spawn(move || {
        let sock = std::net::TcpStream::connect(&addr).unwrap();
        sock.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut w = sock.try_clone().unwrap();
        let mut r = BufReader::new(sock);
        let mut acked = 0i64;
        loop {
            if w.write_all(&encode(&["JSON.NUMINCRBY", "big", "$.n", "1"])).is_err() {
                break;
            }
            match read_reply(&mut r) {
                Ok(R::Bulk(b)) if b == format!("[{}]", acked + 1).into_bytes() => acked += 1,
                _ => break,
            }
        }
        acked
    });
    std::thread::sleep(std::time::Duration::from_millis(700));
    s.kill9();
    let acked = writer.join().unwrap();
    assert!(acked > 0);
    s.restart();
    let mut c = s.raw();
    let R::Bulk(n) = c.cmd(&["JSON.GET", "big", ".n"]) else { panic!() };
    let n: i64 = String::from_utf8(n).unwrap().parse().unwrap();
    assert!(n == acked || n == acked + 1, "acknowledged {acked}, found {n}");
    assert_eq!(c.cmd(&["JSON.STRLEN", "big", ".pad"]), R::Int(120_000));
}

/// RESP3 clients get JSON.TYPE in an array and NUMINCRBY's numbers as numbers, as
/// RedisJSON 2.6 answers them; JSON.GET's text is the same in either protocol.
#[test]
fn resp3_replies() {
    let s = Server::start();
    let mut c = s.raw();
    let R::Agg(..) = c.cmd(&["HELLO", "3"]) else { panic!("HELLO 3") };
    assert_eq!(c.cmd(&["JSON.SET", "d", "$", r#"{"a":1,"b":"x","f":1.5}"#]), R::ok());
    assert_eq!(c.cmd(&["JSON.TYPE", "d", ".a"]), bulks(&["integer"]));
    assert_eq!(c.cmd(&["JSON.TYPE", "d", "$.*"]), R::Array(vec![bulks(&["integer", "string", "number"])]));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "d", "$.*", "2"]), R::Array(vec![R::Int(3), R::Nil, R::Double("3.5".into())]));
    assert_eq!(c.cmd(&["JSON.NUMINCRBY", "d", ".a", "1"]), R::Array(vec![R::Int(4)]));
    assert_eq!(c.cmd(&["JSON.GET", "d", "$.a"]), R::bulk("[4]"));
    assert_eq!(c.cmd(&["JSON.RESP", "d", ".f"]), R::Double("3.5".into()));
}

/// Bad input over and over: error replies, and the server's memory stays flat.
#[test]
fn repeated_bad_input_keeps_memory_flat() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["JSON.SET", "k", "$", r#"{"a":[1,2,3]}"#]);
    let deep = "[".repeat(200) + &"]".repeat(200);
    let brackets = "$".to_string() + &"[".repeat(100_000);
    let parens = "$[?(".to_string() + &"(".repeat(100_000) + "@";
    let round = |c: &mut Raw| {
        for _ in 0..50 {
            assert!(matches!(c.cmd(&["JSON.SET", "k", "$", &deep]), R::Error(_)));
            assert!(matches!(c.cmd(&["JSON.GET", "k", &brackets]), R::Error(_)));
            assert!(matches!(c.cmd(&["JSON.GET", "k", &parens]), R::Error(_)));
            assert!(matches!(c.cmd(&["JSON.SET", "k", "$", "{bad"]), R::Error(_)));
        }
    };
    round(&mut c);
    let before = s.rss_kib();
    for _ in 0..4 {
        round(&mut c);
    }
    let after = s.rss_kib();
    assert!(after < before + 32 * 1024, "RSS grew from {before} KiB to {after} KiB");
    assert_eq!(c.cmd(&["JSON.GET", "k"]), R::bulk(r#"{"a":[1,2,3]}"#));
}
