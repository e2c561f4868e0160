//! The table of every parameter in diskdb.conf.example, generated from [`DIRECTIVES`]
//! so that the documentation says exactly what the code does. A unit test compares the
//! file with [`config_table`]; to regenerate the file's table after changing the list:
//!
//! ```text
//! UPDATE_CONFIG_TABLE=1 cargo test --release --lib config::docs
//! ```

use super::table::FILE_ONLY;
use super::{Config, Effect, DIRECTIVES};

/// The lines that open and close the generated table in diskdb.conf.example.
pub const BEGIN: &str = "# >>> BEGIN GENERATED TABLE (src/config/docs.rs) >>>";
pub const END: &str = "# <<< END GENERATED TABLE <<<";

const WIDTH: usize = 92;

/// Appends `text` as comment lines starting with `prefix`, wrapped at [`WIDTH`].
fn wrap(out: &mut String, prefix: &str, text: &str) {
    let mut line = String::from(prefix);
    for word in text.split(' ') {
        if line.len() > prefix.len() && line.len() + 1 + word.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(prefix);
        }
        if line.len() > prefix.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

fn effect_line(effect: Effect) -> String {
    match effect {
        Effect::Honoured(how) => format!("honoured: {how}."),
        Effect::Ignored(why) => format!("no effect: {why}."),
    }
}

/// The generated table, markers included.
pub fn config_table() -> String {
    let defaults = Config::default();
    let mut params: Vec<_> = DIRECTIVES.iter().filter(|d| d.alias_of.is_none()).collect();
    params.sort_by_key(|d| d.name);
    let honoured = params.iter().filter(|d| matches!(d.effect, Effect::Honoured(_))).count();
    let mut out = String::new();
    out.push_str(BEGIN);
    out.push('\n');
    let intro = format!(
        "Every parameter, from the list the code reads (src/config/table.rs); do not edit by hand, \
         regenerate with `UPDATE_CONFIG_TABLE=1 cargo test --release --lib config::docs`. \
         DiskDB takes all of Redis 7.0's parameters (the {} names CONFIG GET * lists, old ones included) \
         and {} of its own: {honoured} are honoured, {} accepted without effect. A parameter without effect \
         is still checked with Redis's rules and error texts, answered by CONFIG GET, changed by CONFIG SET \
         (where Redis allows it) and kept by CONFIG REWRITE; at start-up one log line (notice level) names \
         those the files and flags set, and the few whose absence changes what the server is log a warning. \
         Each entry: name = DiskDB's default [values; when CONFIG SET may change it].",
        DIRECTIVES.iter().filter(|d| !d.is_diskdb_own()).count(),
        params.iter().filter(|d| d.is_diskdb_own()).count(),
        params.len() - honoured,
    );
    wrap(&mut out, "# ", &intro);
    out.push_str("#\n");
    for d in params {
        let aliases: Vec<&str> = DIRECTIVES.iter().filter(|a| a.alias_of == Some(d.name)).map(|a| a.name).collect();
        let value = defaults.value_of(d);
        let shown = if value.is_empty() { "\"\"".to_string() } else { value };
        let when = if !d.mutable {
            "at start only"
        } else if d.protected {
            "protected"
        } else {
            "runtime"
        };
        let old = if aliases.is_empty() { String::new() } else { format!(" (old name: {})", aliases.join(", ")) };
        wrap(&mut out, "# ", &format!("{}{old} = {shown} [{}; {when}]", d.name, d.kind.describe()));
        wrap(&mut out, "#     ", &effect_line(d.effect));
    }
    out.push_str("#\n");
    wrap(&mut out, "# ", "Config-file directives that are not parameters:");
    for (name, effect) in FILE_ONLY {
        wrap(&mut out, "# ", name);
        wrap(&mut out, "#     ", &effect_line(*effect));
    }
    out.push_str(END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_holds_the_generated_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("diskdb.conf.example");
        let text = std::fs::read_to_string(&path).unwrap();
        let (start, end) = match (text.find(BEGIN), text.find(END)) {
            (Some(s), Some(e)) => (s, e + END.len() + 1),
            _ => (text.len(), text.len()),
        };
        let table = config_table();
        if std::env::var_os("UPDATE_CONFIG_TABLE").is_some() {
            let updated = format!("{}{}{}", &text[..start], table, &text[end.min(text.len())..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        assert!(
            text[start..end.min(text.len())] == table,
            "diskdb.conf.example's table differs from the code: run UPDATE_CONFIG_TABLE=1 cargo test --release --lib config::docs"
        );
    }
}
