//! The binary's subcommands beside running a server: `diskdb restore`, `diskdb export`
//! and `diskdb import` (see `diskdb <subcommand> --help`).
//!
//! - [`restore`](crate::storage::backup::restore): a backup into a new data directory.
//! - [`export`]: a keyspace as a stream of commands, from DiskDB or redis-server.
//! - [`import`]: such a stream (or a running server's keyspace) into a server.

mod export;
mod import;
mod resp;

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

use clap::{Arg, ArgAction, Command};

use crate::storage::backup;

/// The subcommand names; anything else is the server's own command line.
pub const NAMES: &[&str] = &["restore", "export", "import"];

fn cli() -> Command {
    let format = || {
        Arg::new("format")
            .long("format")
            .value_parser(["commands", "restore"])
            .default_value("commands")
            .help("commands: SET/RPUSH/HSET/.../XADD/JSON.SET and PEXPIREAT, loadable by DiskDB and redis-server alike; restore: RESTORE ... REPLACE ABSTTL from DUMP, only between servers of the same kind")
    };
    Command::new("diskdb")
        .about("DiskDB's tools: restore a backup, export and import a keyspace")
        .subcommand_required(true)
        .subcommand(
            Command::new("restore")
                .about("Restore a backup (made by SAVE, BGSAVE or a save point) into a new data directory")
                .arg(Arg::new("backup").required(true).value_name("BACKUP").help("a backup directory (backup-...), or a directory of backups (its newest is used)"))
                .arg(Arg::new("dir").long("dir").required(true).value_name("DIR").help("the new data directory: missing or empty (a directory in use is refused)")),
        )
        .subcommand(
            Command::new("export")
                .about("Write every database of a running server (DiskDB or Redis) as a stream of RESP commands, for `diskdb import` or `redis-cli --pipe`")
                .arg(Arg::new("from").long("from").value_name("URL").default_value("redis://127.0.0.1:6380").help("the server to read: redis://[user:password@]host:port"))
                .arg(format())
                .arg(Arg::new("output").long("output").short('o').value_name("FILE").help("where to write the stream; default: standard output")),
        )
        .subcommand(
            Command::new("import")
                .about("Send a stream of RESP commands (from a file or standard input), or the keyspace of another running server, to a server")
                .arg(Arg::new("to").long("to").value_name("URL").default_value("redis://127.0.0.1:6380").help("the server to write: redis://[user:password@]host:port"))
                .arg(Arg::new("from").long("from").value_name("URL").help("copy this running server's keyspace (DiskDB or Redis) instead of reading a stream"))
                .arg(format())
                .arg(Arg::new("input").value_name("FILE").action(ArgAction::Set).help("the command stream; default: standard input")),
        )
}

/// Runs a subcommand; answers the process's exit code.
pub fn run(args: impl IntoIterator<Item = String>) -> i32 {
    let m = match cli().try_get_matches_from(std::iter::once("diskdb".to_string()).chain(args)) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match m.subcommand() {
        Some(("restore", m)) => restore(m),
        Some(("export", m)) => export_cmd(m),
        Some(("import", m)) => import_cmd(m),
        _ => Err("unknown subcommand".into()),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("diskdb: {e}");
            1
        }
    }
}

fn arg(m: &clap::ArgMatches, name: &str) -> Option<String> {
    m.get_one::<String>(name).cloned()
}

fn format_of(m: &clap::ArgMatches) -> export::Format {
    if arg(m, "format").as_deref() == Some("restore") {
        export::Format::Restore
    } else {
        export::Format::Commands
    }
}

fn restore(m: &clap::ArgMatches) -> Result<(), String> {
    let given = PathBuf::from(arg(m, "backup").unwrap_or_default());
    let dir = PathBuf::from(arg(m, "dir").unwrap_or_default());
    let source = backup::resolve(&given)?;
    let (copied, linked) = backup::restore(&source, &dir)?;
    eprintln!(
        "restored {} into {} ({linked} table files hard-linked, {copied} bytes copied); start a server with --dir {}",
        source.display(),
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn connect(url: &str) -> Result<resp::Client, String> {
    resp::Client::connect(&resp::Address::parse(url)?)
}

fn report(summary: &export::Summary) {
    eprintln!("exported {} keys in {} commands", summary.keys, summary.commands);
    for (key, kind) in &summary.skipped {
        eprintln!("skipped key {key:?}: type {kind} cannot be exported");
    }
}

fn export_cmd(m: &clap::ArgMatches) -> Result<(), String> {
    let mut src = connect(&arg(m, "from").unwrap_or_default())?;
    let summary = match arg(m, "output") {
        Some(path) => {
            let f = std::fs::File::create(&path).map_err(|e| format!("{path}: {e}"))?;
            let mut sink = export::StreamSink(BufWriter::new(f));
            let s = export::export(&mut src, &mut sink, format_of(m))?;
            sink.0.into_inner().map_err(|e| e.to_string())?.sync_all().map_err(|e| format!("{path}: {e}"))?;
            s
        }
        None => {
            let stdout = std::io::stdout();
            let mut sink = export::StreamSink(BufWriter::new(stdout.lock()));
            let s = export::export(&mut src, &mut sink, format_of(m))?;
            sink.0.flush().map_err(|e| e.to_string())?;
            s
        }
    };
    report(&summary);
    Ok(())
}

fn import_cmd(m: &clap::ArgMatches) -> Result<(), String> {
    let mut target = connect(&arg(m, "to").unwrap_or_default())?;
    let mut sink = import::PipeSink::new(&mut target);
    if let Some(from) = arg(m, "from") {
        let mut src = connect(&from)?;
        let summary = export::export(&mut src, &mut sink, format_of(m))?;
        sink.flush()?;
        report(&summary);
    } else {
        match arg(m, "input") {
            Some(path) if path != "-" => {
                let f = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
                import::pipe(&mut BufReader::with_capacity(1 << 16, f), &mut sink)?;
            }
            _ => import::pipe(&mut std::io::stdin().lock(), &mut sink)?,
        }
    }
    // The line redis-cli --pipe ends with.
    eprintln!("errors: {}, replies: {}", sink.errors, sink.replies);
    if sink.errors > 0 {
        return Err(format!("{} commands failed", sink.errors));
    }
    Ok(())
}
