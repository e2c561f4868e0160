//! Prometheus metrics (`metrics-port`, `metrics-bind`): the real binary scraped over a
//! plain TCP HTTP GET, as Prometheus does.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{free_port, wait_until, Server, R};

/// A server with metrics on a free port; the metrics port.
fn start(extra: &[&str]) -> (Server, u16) {
    let port = free_port();
    let mut args = vec!["--metrics-port".to_string(), port.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (Server::start_with(&args), port)
}

/// Sends `request` as is and reads the whole answer: (status, head, body).
fn http(port: u16, request: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("metrics port listens");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(request); // a server that closed early answers nothing: status 0
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8(answer).expect("UTF-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn get(port: u16, path: &str) -> (u16, String, String) {
    http(port, format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n").as_bytes())
}

/// One sample line: `name{labels} value`, labels as written.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses one line of the text exposition format strictly: a name of
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, optional `{k="v",...}` with `\\`, `\"` and `\n`
/// escapes, one space, a float (`+Inf`, `-Inf`, `NaN` included).
fn parse_sample(line: &str) -> Result<Sample, String> {
    let bad = |why: &str| format!("{why}: {line:?}");
    let name_end = line.find(|c: char| c == '{' || c == ' ').ok_or_else(|| bad("no value"))?;
    let name = &line[..name_end];
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        return Err(bad("bad metric name"));
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let mut s = after;
        loop {
            if let Some(r) = s.strip_prefix('}') {
                rest = r;
                break;
            }
            let eq = s.find("=\"").ok_or_else(|| bad("label without =\""))?;
            let key = &s[..eq];
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad("bad label name"));
            }
            let mut value = String::new();
            let mut it = s[eq + 2..].char_indices();
            let end = loop {
                match it.next() {
                    Some((i, '"')) => break i,
                    Some((_, '\\')) => match it.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c @ ('\\' | '"'))) => value.push(c),
                        _ => return Err(bad("bad escape")),
                    },
                    Some((_, c)) => value.push(c),
                    None => return Err(bad("unterminated label value")),
                }
            };
            labels.push((key.to_string(), value));
            s = &s[eq + 2 + end + 1..];
            s = s.strip_prefix(',').unwrap_or(s);
        }
    }
    let value = rest.strip_prefix(' ').ok_or_else(|| bad("no space before the value"))?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse::<f64>().map_err(|_| bad("bad value"))?,
    };
    Ok(Sample { name: name.to_string(), labels, value })
}

/// A scraped page: `name{k="v",...}` (labels in page order) to value.
struct Page {
    text: String,
    samples: BTreeMap<String, f64>,
}

impl Page {
    fn value(&self, series: &str) -> Option<f64> {
        self.samples.get(series).copied()
    }

    /// A series' value, 0 when absent (a counter not yet incremented is left out).
    fn or_zero(&self, series: &str) -> f64 {
        self.value(series).unwrap_or(0.0)
    }

    fn has_family(&self, name: &str) -> bool {
        self.text.contains(&format!("# TYPE {name} "))
    }
}

/// GET /metrics, checked line by line: each a comment (`# HELP`/`# TYPE`) or a sample
/// of a family declared by a `# TYPE` line above it.
fn scrape(port: u16) -> Page {
    let (status, head, body) = get(port, "/metrics");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("Content-Type: text/plain; version=0.0.4"), "{head}");
    let length: usize = head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).unwrap().parse().unwrap();
    assert_eq!(length, body.len());
    let mut samples = BTreeMap::new();
    let mut family = String::new();
    for line in body.lines() {
        if let Some(c) = line.strip_prefix("# ") {
            if let Some(t) = c.strip_prefix("TYPE ") {
                let (name, kind) = t.split_once(' ').unwrap();
                assert!(["counter", "gauge", "histogram", "untyped", "summary"].contains(&kind), "{line}");
                family = name.to_string();
            } else {
                assert!(c.starts_with("HELP "), "{line}");
            }
            continue;
        }
        let s = parse_sample(line).unwrap_or_else(|e| panic!("{e}"));
        let belongs = s.name == family
            || ["_bucket", "_sum", "_count"].iter().any(|suffix| s.name.strip_suffix(suffix) == Some(family.as_str()));
        assert!(belongs, "sample outside its family {family}: {line}");
        let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let key = if labels.is_empty() { s.name.clone() } else { format!("{}{{{}}}", s.name, labels.join(",")) };
        assert!(samples.insert(key, s.value).is_none(), "series twice: {line}");
    }
    Page { text: body, samples }
}

#[test]
fn the_page_is_prometheus_text_exposition() {
    let (s, port) = start(&[]);
    s.raw().cmd(&["SET", "k", "v"]);
    let page = scrape(port);
    let version = env!("CARGO_PKG_VERSION");
    let build = page.samples.iter().find(|(k, _)| k.starts_with(&format!("diskdb_build_info{{version=\"{version}\"")));
    assert_eq!(build.map(|(_, v)| *v), Some(1.0), "{}", page.text);
    // Conventions: counters end in _total, histograms have buckets up to +Inf.
    for line in page.text.lines().filter_map(|l| l.strip_prefix("# TYPE ")) {
        let (name, kind) = line.split_once(' ').unwrap();
        assert!(name.starts_with("diskdb_") || name.starts_with("process_"), "{name}");
        assert_eq!(kind == "counter", name.ends_with("_total"), "{line}");
    }
    let count = page.value("diskdb_command_duration_seconds_count{cmd=\"set\"}").unwrap();
    assert_eq!(page.value("diskdb_command_duration_seconds_bucket{cmd=\"set\",le=\"+Inf\"}"), Some(count));
    assert!(page.value("diskdb_command_duration_seconds_sum{cmd=\"set\"}").unwrap() > 0.0);
}

#[test]
fn command_counters_and_histograms_grow_with_commands_sent() {
    let (s, port) = start(&[]);
    let mut c = s.raw();
    let before = scrape(port);
    for i in 0..3 {
        assert_eq!(c.cmd(&["SET", &format!("k{i}"), "v"]), R::ok());
    }
    c.cmd(&["GET", "k0"]);
    c.cmd(&["CONFIG", "GET", "maxclients"]);
    let after = scrape(port);
    let grew = |series: &str| after.or_zero(series) - before.or_zero(series);
    assert_eq!(grew("diskdb_commands_total{cmd=\"set\"}"), 3.0);
    assert_eq!(grew("diskdb_commands_total{cmd=\"get\"}"), 1.0);
    assert_eq!(grew("diskdb_commands_total{cmd=\"config|get\"}"), 1.0);
    assert_eq!(grew("diskdb_command_duration_seconds_count{cmd=\"set\"}"), 3.0);
    assert_eq!(grew("diskdb_command_duration_seconds_bucket{cmd=\"set\",le=\"+Inf\"}"), 3.0);
    assert!(grew("diskdb_commands_processed_total") >= 5.0);
    assert!(grew("diskdb_net_input_bytes_total") > 0.0 && grew("diskdb_net_output_bytes_total") > 0.0);
    // Buckets are cumulative, in the order of their bounds, ending at the count.
    let buckets: Vec<(f64, f64)> = after
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("diskdb_command_duration_seconds_bucket{cmd=\"set\",le=\""))
        .map(|l| {
            let (le, v) = l.split_once("\"} ").unwrap();
            (if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() }, v.parse().unwrap())
        })
        .collect();
    assert_eq!(buckets.len(), 21);
    assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "{buckets:?}");
    assert_eq!(buckets[20].1, after.value("diskdb_command_duration_seconds_count{cmd=\"set\"}").unwrap());
}

#[test]
fn transactions_count_exec_and_the_commands_inside() {
    let (s, port) = start(&[]);
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    c.cmd(&["INCR", "n"]);
    c.cmd(&["INCR", "n"]);
    c.cmd(&["EXEC"]);
    let page = scrape(port);
    assert_eq!(page.value("diskdb_commands_total{cmd=\"incr\"}"), Some(2.0));
    assert_eq!(page.value("diskdb_commands_total{cmd=\"exec\"}"), Some(1.0));
    assert_eq!(page.value("diskdb_command_duration_seconds_count{cmd=\"exec\"}"), Some(1.0));
}

#[test]
fn errors_are_counted_by_type() {
    let (s, port) = start(&[]);
    let mut c = s.raw();
    let before = scrape(port);
    c.cmd(&["SET", "s", "text"]);
    assert!(matches!(c.cmd(&["LPUSH", "s", "x"]), R::Error(e) if e.starts_with("WRONGTYPE")));
    assert!(matches!(c.cmd(&["INCR", "s"]), R::Error(e) if e.starts_with("ERR")));
    assert!(matches!(c.cmd(&["NOSUCHCOMMAND"]), R::Error(e) if e.starts_with("ERR")));
    assert!(matches!(c.cmd(&["GET"]), R::Error(e) if e.starts_with("ERR")));
    let after = scrape(port);
    let grew = |series: &str| after.or_zero(series) - before.or_zero(series);
    assert_eq!(grew("diskdb_errors_total{error=\"WRONGTYPE\"}"), 1.0);
    assert_eq!(grew("diskdb_errors_total{error=\"ERR\"}"), 3.0);
    assert_eq!(grew("diskdb_commands_failed_total{cmd=\"lpush\"}"), 1.0);
    assert_eq!(grew("diskdb_commands_failed_total{cmd=\"incr\"}"), 1.0);
    assert_eq!(grew("diskdb_commands_rejected_total{cmd=\"get\"}"), 1.0);
}

#[test]
fn keys_and_expiring_keys_per_database() {
    let (s, port) = start(&[]);
    let mut c = s.raw();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SET", "b", "1", "EX", "1000"]);
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["HSET", "h", "f", "v"]);
    let page = scrape(port);
    assert_eq!(page.value("diskdb_db_keys{db=\"0\"}"), Some(2.0));
    assert_eq!(page.value("diskdb_db_keys_expiring{db=\"0\"}"), Some(1.0));
    assert_eq!(page.value("diskdb_db_keys{db=\"3\"}"), Some(1.0));
    assert_eq!(page.value("diskdb_db_keys_expiring{db=\"3\"}"), Some(0.0));
    assert_eq!(page.value("diskdb_db_keys{db=\"15\"}"), Some(0.0));
}

#[test]
fn connected_and_blocked_clients() {
    let (s, port) = start(&[]);
    let mut clients: Vec<_> = (0..3).map(|_| s.raw()).collect();
    for c in &mut clients {
        c.cmd(&["PING"]);
    }
    assert!(wait_until(Duration::from_secs(10), || scrape(port).value("diskdb_connected_clients") == Some(3.0)));
    assert_eq!(scrape(port).value("diskdb_blocked_clients"), Some(0.0));
    clients[0].send_cmd(&["BLPOP", "nothing", "0"]);
    s.wait_blocked(1);
    assert_eq!(scrape(port).value("diskdb_blocked_clients"), Some(1.0));
    drop(clients);
    assert!(wait_until(Duration::from_secs(10), || scrape(port).value("diskdb_connected_clients") == Some(0.0)));
}

#[test]
fn rocksdb_wal_and_process_figures_are_present() {
    let (s, port) = start(&["--appendfsync", "always"]);
    let mut c = s.raw();
    for i in 0..20 {
        c.cmd(&["SET", &format!("k{i}"), "value"]);
    }
    let page = scrape(port);
    for family in [
        "diskdb_rocksdb_memtable_bytes",
        "diskdb_rocksdb_live_sst_bytes",
        "diskdb_rocksdb_sst_bytes",
        "diskdb_rocksdb_pending_compaction_bytes",
        "diskdb_rocksdb_block_cache_usage_bytes",
        "diskdb_rocksdb_block_cache_capacity_bytes",
        "diskdb_rocksdb_block_cache_hits_total",
        "diskdb_rocksdb_block_cache_misses_total",
        "diskdb_rocksdb_write_stall_seconds_total",
        "diskdb_rocksdb_write_stalls_total",
        "diskdb_rocksdb_write_stopped",
        "diskdb_rocksdb_running_compactions",
        "diskdb_rocksdb_running_flushes",
        "diskdb_write_behind_queue_batches",
        "diskdb_wal_sync_duration_seconds",
        "diskdb_wal_sync_failures_total",
        "diskdb_write_error",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_start_time_seconds",
    ] {
        assert!(page.has_family(family), "{family} missing:\n{}", page.text);
    }
    assert!(page.value("diskdb_rocksdb_memtable_bytes").unwrap() > 0.0);
    assert!(page.value("diskdb_rocksdb_block_cache_capacity_bytes").unwrap() > 0.0);
    assert!(page.value("diskdb_rocksdb_write_stalls_total{kind=\"stop\"}").is_some());
    // appendfsync always: every write waited for a sync.
    assert!(page.value("diskdb_wal_sync_duration_seconds_count").unwrap() >= 1.0);
    assert_eq!(page.value("diskdb_write_error"), Some(0.0));
    assert!(page.value("process_resident_memory_bytes").unwrap() > 1e6);
    assert!(page.value("process_open_fds").unwrap() > 0.0);
    let started = page.value("process_start_time_seconds").unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!(started <= now + 1.0 && started > now - 3600.0, "{started} vs {now}");
}

#[test]
fn other_paths_methods_and_versions_are_refused() {
    let (_s, port) = start(&[]);
    assert_eq!(get(port, "/").0, 404);
    assert_eq!(get(port, "/metrics/x").0, 404);
    assert_eq!(get(port, "/favicon.ico").0, 404);
    assert_eq!(get(port, "/metrics?name[]=x").0, 200);
    let (status, head, _) = http(port, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(status, 405);
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    let (status, head, body) = http(port, b"HEAD /metrics HTTP/1.1\r\n\r\n");
    assert_eq!((status, body.as_str()), (200, ""), "{head}");
    assert_eq!(http(port, b"GET /metrics HTTP/2.0\r\n\r\n").0, 505);
}

#[test]
fn malformed_slow_or_huge_requests_do_not_hurt_the_server() {
    let (s, port) = start(&[]);
    // Garbage, a TLS hello, a request line without a version, an empty head.
    for junk in [&b"\x00\x01\x02\xff\xfe\r\n\r\n"[..], b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\n\n", b"GET /metrics\r\n\r\n", b"\r\n\r\n"] {
        assert_eq!(http(port, junk).0, 400, "{junk:?}");
    }
    // A head that never ends: answered 431 once past the limit, then closed.
    let mut big = TcpStream::connect(("127.0.0.1", port)).unwrap();
    big.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut sent = 0;
    let line = format!("GET /metrics HTTP/1.1\r\nX-Filler: {}\r\n", "a".repeat(1000));
    while sent < 1 << 20 {
        if big.write_all(line.as_bytes()).is_err() {
            break; // the server closed it
        }
        sent += line.len();
    }
    let mut answer = Vec::new();
    let _ = big.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431 "), "{answer}");
    // Connections that send half a request, or nothing, and go away.
    for _ in 0..40 {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = c.write_all(b"GET /met");
    }
    // Their slots come back once the server has seen them close.
    assert!(wait_until(Duration::from_secs(30), || get(port, "/metrics").0 == 200));
    // A pipelined second request is not read: one answer per connection.
    let (status, _, body) = http(port, b"GET /metrics HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, 200);
    assert!(!body.contains("HTTP/1.1 404"));
    // Still serving both ports.
    let page = scrape(port);
    assert!(page.value("diskdb_connected_clients").is_some());
    assert_eq!(s.raw().cmd(&["PING"]), R::Status("PONG".into()));
}

/// The TCP ports process `pid` listens on, from its socket inodes and /proc/net/tcp*.
fn listening_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string))
        .collect();
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for row in std::fs::read_to_string(table).unwrap_or_default().lines().skip(1) {
            let f: Vec<&str> = row.split_whitespace().collect();
            // local_address is "ADDR:PORT" in hex; state 0A is LISTEN; inode is field 9.
            if f.len() > 9 && f[3] == "0A" && inodes.iter().any(|i| i == f[9]) {
                let port = f[1].rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()).unwrap();
                ports.push(port);
            }
        }
    }
    ports.sort();
    ports.dedup();
    ports
}

#[test]
fn metrics_are_off_by_default() {
    let s = Server::start();
    assert_eq!(listening_ports(s.pid()), vec![s.port], "only the RESP port listens");
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "GET", "metrics-port"]), common::bulks(&["metrics-port", "0"]));
    assert_eq!(c.cmd(&["CONFIG", "GET", "metrics-bind"]), common::bulks(&["metrics-bind", "127.0.0.1"]));
    // On, it is one more port, on metrics-bind.
    let (s2, port) = start(&[]);
    let mut expected = vec![s2.port, port];
    expected.sort();
    assert_eq!(listening_ports(s2.pid()), expected);
}

#[test]
fn metrics_port_and_bind_are_fixed_at_start() {
    let (s, _port) = start(&[]);
    let mut c = s.raw();
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "metrics-port", "9999"]),
        R::Error("ERR CONFIG SET failed (possibly related to argument 'metrics-port') - can't set immutable config".into())
    );
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "metrics-bind", "0.0.0.0"]),
        R::Error("ERR CONFIG SET failed (possibly related to argument 'metrics-bind') - can't set immutable config".into())
    );
    // A metrics-bind that is no IP address stops the start.
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(common::binary())
        .args(["--port", &free_port().to_string(), "--metrics-port", &free_port().to_string(), "--metrics-bind", "not-an-ip"])
        .arg("--dir")
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}
