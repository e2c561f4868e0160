//! The audit log (`audit-log-file`): one JSON line per event with time, client id,
//! address, user, event and outcome, for authentication failures and successes, CONFIG
//! SET (names only) and REWRITE, ACL changes and denials, FLUSHDB, FLUSHALL, DEBUG, CLIENT KILL, refused
//! connections and SHUTDOWN; reopened on SIGHUP after a rotation; and no password in the
//! audit log or the server log.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

fn events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Waits until the log holds an event named `event` and answers it (the last such).
fn wait_event(path: &Path, event: &str) -> serde_json::Value {
    let mut found = None;
    assert!(
        wait_until(Duration::from_secs(10), || {
            found = events(path).into_iter().rev().find(|e| e["event"] == event);
            found.is_some()
        }),
        "no {event} event in {:?}",
        std::fs::read_to_string(path).unwrap_or_default()
    );
    found.unwrap()
}

#[test]
fn audit_log_records_each_event_kind_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.log");
    let log = dir.path().join("server.log");
    let secret = "Pa55-w0rd-never-logged";
    let new_secret = "An0ther-s3cret-never-logged";
    let mut server = Server::start_with(&[
        "--audit-log-file",
        audit.to_str().unwrap(),
        "--logfile",
        log.to_str().unwrap(),
        "--loglevel",
        "debug",
        "--requirepass",
        secret,
        "--enable-debug-command",
        "local",
    ]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&audit).unwrap().permissions().mode() & 0o777, 0o600);

    let mut c = Raw::connect(server.port);
    assert!(matches!(c.cmd(&["AUTH", "wrong-guess"]), R::Error(_)));
    let failed = wait_event(&audit, "auth");
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["user"], "default");
    assert!(failed["client_id"].is_u64() && failed["addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(failed["time"].as_str().unwrap().ends_with('Z'));

    assert_eq!(c.cmd(&["AUTH", secret]), R::ok());
    assert!(wait_until(Duration::from_secs(10), || events(&audit).iter().any(|e| e["event"] == "auth" && e["outcome"] == "ok")));

    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "100", "requirepass", new_secret]), R::ok());
    let set = wait_event(&audit, "config_set");
    assert_eq!(set["detail"], "maxclients requirepass");
    assert_eq!(set["outcome"], "ok");
    assert!(matches!(c.cmd(&["CONFIG", "SET", "no-such-param", "1"]), R::Error(_)));
    assert!(wait_until(Duration::from_secs(10), || events(&audit).iter().any(|e| e["event"] == "config_set" && e["outcome"] == "failed")));

    // ACL changes (the user name, never the password) and denials (the command, never
    // the key).
    assert_eq!(c.cmd(&["ACL", "SETUSER", "bob", "on", ">B0b-secret-never-logged", "~app:*", "+get"]), R::ok());
    assert_eq!(wait_event(&audit, "acl_change")["detail"], "setuser bob");
    let mut bob = Raw::connect(server.port);
    assert_eq!(bob.cmd(&["AUTH", "bob", "B0b-secret-never-logged"]), R::ok());
    assert!(matches!(bob.cmd(&["SET", "app:1", "x"]), R::Error(e) if e.starts_with("NOPERM")));
    let denied = wait_event(&audit, "acl_denied");
    assert_eq!((denied["detail"].as_str(), denied["user"].as_str(), denied["outcome"].as_str()), (Some("command set"), Some("bob"), Some("denied")));

    assert_eq!(c.cmd(&["FLUSHDB"]), R::ok());
    wait_event(&audit, "flushdb");
    assert_eq!(c.cmd(&["FLUSHALL"]), R::ok());
    wait_event(&audit, "flushall");
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0"]), R::ok());
    assert_eq!(wait_event(&audit, "debug")["detail"], "sleep");
    let mut victim = Raw::connect(server.port);
    assert_eq!(victim.cmd(&["AUTH", new_secret]), R::ok());
    let id = victim.id();
    assert_eq!(c.cmd(&["CLIENT", "KILL", "ID", &id]), R::Int(1));
    assert_eq!(wait_event(&audit, "client_kill")["detail"], format!("ID {id}"));

    // maxclients: a refused connection is an event without a client id.
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "1"]), R::ok());
    let mut refused = Raw::connect(server.port);
    assert!(refused.read_to_close().starts_with(b"-ERR max number of clients reached"));
    let e = wait_event(&audit, "connection_refused");
    assert_eq!((e["detail"].as_str(), e["outcome"].as_str(), e["client_id"].is_null()), (Some("maxclients"), Some("denied"), true));
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "100"]), R::ok());

    // Rotation: the file is moved away, SIGHUP reopens the configured path.
    let rotated = dir.path().join("audit.log.1");
    std::fs::rename(&audit, &rotated).unwrap();
    server.signal("HUP");
    assert!(wait_until(Duration::from_secs(10), || {
        c.cmd(&["FLUSHDB"]);
        audit.exists() && events(&audit).iter().any(|e| e["event"] == "flushdb")
    }));
    assert!(events(&rotated).iter().any(|e| e["event"] == "auth"));

    c.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(true));
    assert!(events(&audit).iter().any(|e| e["event"] == "shutdown"));

    for file in [&audit, &rotated, &log] {
        let text = std::fs::read_to_string(file).unwrap();
        for pw in [secret, new_secret, "B0b-secret-never-logged"] {
            assert!(!text.contains(pw), "a password in {}", file.display());
        }
    }
}
