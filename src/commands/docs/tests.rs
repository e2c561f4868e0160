//! Unit tests of the docs-text parser: argument trees, labelled lines, key
//! specifications and the keys they find.

use super::*;

#[test]
fn labelled_lines_give_history_deprecation_and_key_specs() {
    let text = r#"key#0 value
                [x]
    deprecated 6.2.0:   `SET` with the `!GET` argument
    history 2.6.12:     Added the `EX`, `PX`, `NX` and `XX` options, and a
                        long line continued.
    key 0:              RW access update variable_flags, index 1, range 0,
                        "notes, with a comma""#;
    let e = &Entry::parse(text).unwrap();
    assert_eq!(e.arguments.len(), 3, "the indented line continues the arguments");
    assert_eq!(e.deprecated, Some(("6.2.0", "`SET` with the `!GET` argument".to_string())));
    assert_eq!(e.history, [("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options, and a long line continued.".to_string())]);
    assert_eq!(
        e.key_specs,
        [KeySpec {
            notes: Some("notes, with a comma".into()),
            flags: vec!["RW", "access", "update", "variable_flags"],
            begin_search: BeginSearch::Index(1),
            find_keys: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
        }]
    );
    let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
    let keys: Vec<Reply> = e.doc_fields().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, [b("doc_flags"), b("deprecated_since"), b("replaced_by"), b("history"), b("arguments")]);
    assert!(Entry::parse("-").unwrap().doc_fields().is_empty(), "nothing to say: no fields");
    assert_eq!((&e.acl, &e.tips), (&None, &Vec::new()));

    let text = "pattern:pattern\n    acl:  @keyspace @dangerous\n    tips: request_policy:all_shards\n          nondeterministic_output_order";
    let e = &Entry::parse(text).unwrap();
    assert_eq!(e.arguments.len(), 1);
    assert_eq!(e.acl, Some(vec!["@keyspace".to_string(), "@dangerous".to_string()]));
    assert_eq!(e.tips, ["request_policy:all_shards", "nondeterministic_output_order"]);

    for bad in [
        "a\n    key 1:  RO, index 1, range 0",
        "key#0\n    key 0:  RO, index 1, range 0\n    key 0:  RO, index 2, range 0",
        "key#1\n    key 0:  RO, index 1, range 0",
        "a\n    history 6.x:  text",
        "a\n    history 6.0.0:",
        "a\n    deprecated 6.2.0:  a\n    deprecated 6.2.0:  b",
        "a\n    acl:  keyspace",
        "a\n    acl:  @read\n    acl:  @write",
        "a\n    tips:",
        "a\n\n    tips: x",
        "history 6.0.0: the first line is the arguments",
    ] {
        assert!(Entry::parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn key_specs_parse_and_reply_in_redis_order() {
    let spec = KeySpec::parse("RO access, index 2, keynum 0 first 1 step 2").unwrap();
    assert_eq!(spec.find_keys, FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 2 });
    let spec = KeySpec::parse("OW update, keyword STORE from -1, range 0 limit 2").unwrap();
    assert_eq!(spec.begin_search, BeginSearch::Keyword { keyword: "STORE".into(), startfrom: -1 });
    assert_eq!(spec.find_keys, FindKeys::Range { lastkey: 0, keystep: 1, limit: 2 });
    let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
    let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| Reply::Map(vec![(b("type"), b(kind)), (b("spec"), Reply::Map(spec))]);
    assert_eq!(
        KeySpec::parse("RO access, unknown, unknown, \"why\"").unwrap().reply(),
        Reply::Map(vec![
            (b("notes"), b("why")),
            (b("flags"), Reply::Set(vec![Reply::status("RO"), Reply::status("access")])),
            (b("begin_search"), search("unknown", vec![])),
            (b("find_keys"), search("unknown", vec![])),
        ])
    );
    for bad in [
        "RO, index 1",
        "access RO, index 1, range 0",
        "RO fast, index 1, range 0",
        ", index 1, range 0",
        "RO, index x, range 0",
        "RO, index 1, range 0 limit 2 step 1",
        "RO, index 1, range 0 step",
        "RO, index 1, keynum 0",
        "RO, index 1, range 0, notes",
        "RO, index 1, range 0, \"a \"quoted\" word\"",
    ] {
        assert!(KeySpec::parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn keys_by_spec_follows_each_kind_of_spec() {
    let argv = |line: &str| line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect::<Vec<_>>();
    let specs = |lines: &[&str]| lines.iter().map(|l| KeySpec::parse(l).unwrap()).collect::<Vec<_>>();
    let positions = |specs: &[KeySpec], line: &str| {
        keys_by_spec(specs, &argv(line)).into_iter().map(|(i, f)| (i, f.join(" "))).collect::<Vec<_>>()
    };
    let zunionstore = specs(&["OW update, index 1, range 0", "RO access, index 2, keynum 0 first 1"]);
    assert_eq!(
        positions(&zunionstore, "zunionstore d 2 a b WEIGHTS 1 2"),
        [(1, "OW update".into()), (3, "RO access".into()), (4, "RO access".into())]
    );
    assert_eq!(positions(&zunionstore, "zunionstore d x a"), [(1, "OW update".into())], "a bad count finds nothing");
    let mset = specs(&["OW update, index 1, range -1 step 2"]);
    assert_eq!(positions(&mset, "mset a 1 b 2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 3]);
    let store = specs(&["RO access, index 1, range 0", "OW update, keyword STORE from -1, range 0", "RO, unknown, unknown"]);
    assert_eq!(positions(&store, "sort k BY x STORE dst").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 5]);
    let limit = specs(&["RO, index 1, range -1 limit 2"]);
    assert_eq!(positions(&limit, "c k1 k2 v1 v2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn oneofs_blocks_and_their_flags_nest() {
    let args = parse("key#0 [condition(NX | XX)@2.6.12] [expiration(EX seconds:integer@2.6.12 | KEEPTTL)] data(field value)...").unwrap();
    assert_eq!(args.len(), 4);
    assert_eq!((args[0].name.as_str(), args[0].kind, args[0].key_spec_index), ("key", ArgType::Key, Some(0)));

    let condition = &args[1];
    assert_eq!((condition.kind, condition.optional, condition.since), (ArgType::Oneof, true, Some("2.6.12")));
    let nx = &condition.args[0];
    assert_eq!((nx.name.as_str(), nx.kind, nx.token, nx.optional), ("nx", ArgType::PureToken, Some("NX"), false));

    let ex = &args[2].args[0];
    assert_eq!((ex.name.as_str(), ex.kind, ex.token, ex.since), ("seconds", ArgType::Integer, Some("EX"), Some("2.6.12")));
    assert_eq!(args[2].args[1].token, Some("KEEPTTL"));

    let data = &args[3];
    assert_eq!((data.kind, data.multiple, data.optional), (ArgType::Block, true, false));
    assert_eq!(data.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["field", "value"]);
    assert!(data.args.iter().all(|a| a.kind == ArgType::String && !a.multiple));
}

#[test]
fn tokens_names_and_repetition() {
    let args = parse(
        r#"[GET pattern:pattern#1]... [WEIGHTS weight:integer...] [change=CH@3.0.2]
               f("ip:port"!2.8.12 | LIMIT (offset:integer count:integer) | 'lib-name' libname)"#,
    )
    .unwrap();
    let get = &args[0];
    assert_eq!((get.kind, get.key_spec_index, get.token), (ArgType::Pattern, Some(1), Some("GET")));
    assert!(get.optional && get.multiple && get.multiple_token);
    let weights = &args[1];
    assert!(weights.optional && weights.multiple && !weights.multiple_token);
    let change = &args[2];
    assert_eq!((change.name.as_str(), change.kind, change.token, change.since), ("change", ArgType::PureToken, Some("CH"), Some("3.0.2")));
    let alternatives = &args[3].args;
    assert_eq!((alternatives[0].name.as_str(), alternatives[0].deprecated_since), ("ip:port", Some("2.8.12")));
    assert_eq!((alternatives[1].name.as_str(), alternatives[1].kind, alternatives[1].token), ("limit", ArgType::Block, Some("LIMIT")));
    assert_eq!((alternatives[2].name.as_str(), alternatives[2].token), ("libname", Some("lib-name")));
}

#[test]
fn malformed_lines_are_refused() {
    for bad in [
        "",
        "[GET pattern",
        "a(b | c d)",
        "[x]...",
        "key:key",
        "x:float",
        "(a b)",
        "NX=FOO",
        "x@",
        "x......",
        "a(b",
        "\"unterminated",
        "Mixed",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn replies_have_redis_field_order() {
    let args = parse("[condition(NX | XX)@2.6.12]").unwrap();
    let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
    let token = |name: &'static str, token: &'static str| {
        Reply::Map(vec![(b("name"), b(name)), (b("type"), b("pure-token")), (b("token"), b(token))])
    };
    assert_eq!(
        args[0].reply(),
        Reply::Map(vec![
            (b("name"), b("condition")),
            (b("type"), b("oneof")),
            (b("since"), b("2.6.12")),
            (b("flags"), Reply::Set(vec![Reply::status("optional")])),
            (b("arguments"), Reply::Array(vec![token("nx", "NX"), token("xx", "XX")])),
        ])
    );
    let key = parse("key#0...").unwrap()[0].reply();
    assert_eq!(
        key,
        Reply::Map(vec![
            (b("name"), b("key")),
            (b("type"), b("key")),
            (b("key_spec_index"), Reply::Int(0)),
            (b("flags"), Reply::Set(vec![Reply::status("multiple")])),
        ])
    );
}
