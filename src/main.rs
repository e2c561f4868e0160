//! The `diskdb` binary: read the configuration, set up logging, run the server.

use diskdb::config::Config;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let level = match config.loglevel.as_str() {
        "debug" => "debug",
        "verbose" => "debug",
        "notice" => "info",
        "warning" => "warn",
        _ => "off",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("diskdb={level}")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    if config.logfile.is_empty() {
        builder.with_writer(std::io::stderr).init();
    } else {
        match std::fs::OpenOptions::new().create(true).append(true).open(&config.logfile) {
            Ok(f) => builder.with_ansi(false).with_writer(std::sync::Mutex::new(f)).init(),
            Err(e) => {
                eprintln!("cannot open logfile {}: {e}", config.logfile);
                std::process::exit(1);
            }
        }
    }
    let threads = config.io_threads;
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(diskdb::server::run(config)) {
        tracing::error!("{e}");
        eprintln!("{e}");
        std::process::exit(1);
    }
}
