//! The aclfile (Redis's format: one `user <name> <rule> ...` line per user, words
//! separated by single spaces) and the `user` lines of the config file: reading with
//! Redis's error texts, and writing for ACL SAVE (to a temporary file renamed over the
//! old one, so a crash never leaves half a file).

use std::path::Path;

use super::user::{has_spaces, merge_selectors, RuleError, User};

/// Reads the aclfile at `path` into users (Redis's `ACLLoadFromFile`); the error is
/// the text ACL LOAD answers, every problem found, and nothing is applied.
pub fn load(path: &Path, all_channels: bool) -> Result<Vec<User>, String> {
    let shown = path.display();
    let text = std::fs::read(path).map_err(|e| format!("Error loading ACLs, opening file '{shown}': {}", os_error(&e)))?;
    let mut users: Vec<User> = Vec::new();
    let mut errors = String::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let linenum = i + 1;
        let line = trim(raw, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let words: Vec<&[u8]> = line.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            continue;
        }
        if words[0] != b"user" || words.len() < 2 {
            errors.push_str(&format!("{shown}:{linenum} should start with user keyword followed by the username. "));
            continue;
        }
        let name = String::from_utf8_lossy(words[1]).into_owned();
        if has_spaces(words[1]) {
            errors.push_str(&format!("'{shown}:{linenum}: username '{name}' contains invalid characters. "));
            continue;
        }
        if users.iter().any(|u| u.name == name) {
            errors.push_str(&format!("WARNING: Duplicate user '{name}' found on line {linenum}. "));
            continue;
        }
        let mut user = User::new(&name, all_channels);
        match merge_selectors(&words[2..]) {
            Err(_) => errors.push_str(&format!("{shown}:{linenum}: Unmatched parenthesis in selector definition.")),
            Ok(rules) => {
                for rule in rules {
                    if let Err(e) = user.apply(trim(&rule, b"\t\r\n"), all_channels) {
                        errors.push_str(&format!("{shown}:{linenum}: {}. ", e.text()));
                    }
                }
            }
        }
        users.push(user);
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        errors.push_str("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
        Err(errors)
    }
}

/// Writes `users` to `path` as ACL SAVE does.
pub fn save(path: &Path, users: &[User]) -> std::io::Result<()> {
    let mut text = Vec::new();
    for u in users {
        text.extend_from_slice(b"user ");
        text.extend_from_slice(u.name.as_bytes());
        text.push(b' ');
        text.extend_from_slice(&u.describe());
        text.push(b'\n');
    }
    let tmp = path.with_file_name(format!(
        "{}.tmp-{}-{}",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id(),
        crate::types::now_ms()
    ));
    let written = std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Checks a config file `user <name> <rule>...` line (Redis's `ACLAppendUserForLoading`):
/// the error names the rule at fault. Unknown command names are let through, as Redis
/// lets them through there (and refuses them when the users are applied).
pub fn check_config_line(args: &[String]) -> Result<(), String> {
    let words: Vec<&[u8]> = args[1..].iter().map(|a| a.as_bytes()).collect();
    let rules = merge_selectors(&words)
        .map_err(|i| format!("Error in user declaration '{}': Unmatched parenthesis in acl selector", args[1 + i]))?;
    let mut user = User::new(&args[0], false);
    for rule in rules {
        match user.apply(&rule, false) {
            Ok(()) | Err(RuleError::UnknownName) => {}
            Err(e) => return Err(format!("Error in user declaration '{}': {}", String::from_utf8_lossy(&rule), e.text())),
        }
    }
    Ok(())
}

/// The users of the config file's `user` lines (Redis's `ACLLoadConfiguredUsers`):
/// `default` starts from `reset`, others from a new user.
pub fn configured_users(lines: &[Vec<String>], all_channels: bool) -> Result<Vec<User>, String> {
    let mut users: Vec<User> = Vec::new();
    for line in lines {
        let name = &line[0];
        if has_spaces(name.as_bytes()) {
            return Err("Spaces not allowed in ACL usernames".into());
        }
        if users.iter().any(|u| &u.name == name) {
            return Err(format!("Error in user declaration '{name}': {}", "Duplicate user found. A user can only be defined once in config files"));
        }
        let mut user = if name == "default" {
            let mut d = User::default_user();
            let _ = d.apply(b"reset", all_channels);
            d
        } else {
            User::new(name, all_channels)
        };
        let words: Vec<&[u8]> = line[1..].iter().map(|a| a.as_bytes()).collect();
        let rules = merge_selectors(&words).map_err(|_| format!("Unmatched parenthesis in the rules of user '{name}'"))?;
        for rule in rules {
            user.apply(&rule, all_channels).map_err(|e| {
                format!("Error loading ACL rule '{}' for the user named '{name}': {}", String::from_utf8_lossy(&rule), e.text())
            })?;
        }
        users.push(user);
    }
    Ok(users)
}

/// The users to start with, from `requirepass`, the `user` lines and the aclfile
/// (Redis's `ACLLoadUsersAtStartup`); the error is why the server must not start.
pub fn startup_users(config: &crate::config::Config) -> Result<Vec<User>, String> {
    let aclfile = config.stored("aclfile", "");
    if !aclfile.is_empty() && !config.acl_users.is_empty() {
        return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".into());
    }
    let all_channels = config.stored("acl-pubsub-default", "resetchannels") == "allchannels";
    let mut default = User::default_user();
    if let Some(pass) = &config.requirepass {
        let _ = default.apply(b"resetpass", all_channels);
        let _ = default.apply(format!(">{pass}").as_bytes(), all_channels);
    }
    let mut users = vec![default];
    for u in configured_users(&config.acl_users, all_channels)? {
        match users.iter_mut().find(|x| x.name == u.name) {
            Some(slot) => *slot = u,
            None => users.push(u),
        }
    }
    if !aclfile.is_empty() {
        users = load(Path::new(&aclfile), all_channels).map_err(|e| format!("Aborting Redis startup because of ACL errors: {e}"))?;
    }
    Ok(users)
}

fn trim<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|b| !set.contains(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !set.contains(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// The C library's text for an I/O error, as Redis prints `strerror(errno)`.
fn os_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.acl");
        let mut a = User::new("alice", false);
        for r in ["on", ">pw", "~app:*", "+@read", "(~b +set)"] {
            a.apply(r.as_bytes(), false).unwrap();
        }
        save(&path, &[User::default_user(), a.clone()]).unwrap();
        let back = load(&path, false).unwrap();
        assert_eq!(back[1], a);
        std::fs::write(&path, "user bob on +nosuch\nfoo\n").unwrap();
        let err = load(&path, false).unwrap_err();
        assert!(err.contains(":1: Unknown command or category name in ACL. "), "{err}");
        assert!(err.contains(":2 should start with user keyword followed by the username. "), "{err}");
        assert!(err.ends_with("no change to the previously active ACL rules was performed"), "{err}");
    }
}
