//! The `diskdb` binary: read the configuration, set up logging, run the server.

use diskdb::config::{self, Config};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::fmt;

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
    // RUST_LOG overrides `loglevel` (and then CONFIG SET loglevel does not apply).
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let filter = from_env.unwrap_or_else(|| tracing_subscriber::EnvFilter::new(config::tracing_filter(&config.loglevel)));
    let (filter, reload) = tracing_subscriber::reload::Layer::new(filter);
    if std::env::var_os("RUST_LOG").is_none() {
        let _ = config::LOGLEVEL_HOOK.set(Box::new(move |level: &str| {
            let _ = reload.modify(|f| *f = tracing_subscriber::EnvFilter::new(config::tracing_filter(level)));
        }));
    }
    let registry = tracing_subscriber::registry().with(filter);
    if config.logfile.is_empty() {
        registry.with(fmt::layer().with_target(false).with_writer(std::io::stderr)).init();
    } else {
        match std::fs::OpenOptions::new().create(true).append(true).open(&config.logfile) {
            Ok(f) => registry.with(fmt::layer().with_target(false).with_ansi(false).with_writer(std::sync::Mutex::new(f))).init(),
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
