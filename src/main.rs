//! The `diskdb` binary: read the configuration, set up logging, run the server; or run
//! one of its tools (`diskdb restore|export|import ...`, see [`diskdb::tools`]).

#![deny(unsafe_code)]

use diskdb::config::Config;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| diskdb::tools::NAMES.contains(&a.as_str())) {
        std::process::exit(diskdb::tools::run(args));
    }
    let config = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = diskdb::logging::init(&config) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let threads = config.io_threads;
    let logs_to_file = !config.logfile.is_empty();
    // `io-engine uring` submits the replies of a loop iteration when a worker parks.
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(threads).enable_all();
    let rt = match diskdb::server::uring::install_park_hook(&mut builder).build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = rt.block_on(diskdb::server::run(config));
    // Storage is closed by now; connection tasks that outlived the shutdown grace period
    // are dropped here, bounded, so the process always exits.
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
    if let Err(e) = result {
        // In the log file, and on standard error for whoever started the process.
        if logs_to_file {
            tracing::error!("{e}");
        }
        eprintln!("{e}");
        std::process::exit(1);
    }
}
