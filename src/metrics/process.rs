//! The standard `process_*` figures (as Prometheus' own clients name them), read from
//! `/proc` on Linux; elsewhere they are absent from the page.

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ): 100 on every Linux
/// architecture DiskDB builds for (the kernel fixes it for user space); INFO's cpu
/// section reads it the same way.
const TICKS: f64 = 100.0;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Process {
    pub cpu_seconds: f64,
    pub resident_bytes: u64,
    pub virtual_bytes: u64,
    pub start_time_seconds: f64,
    pub open_fds: u64,
    pub max_fds: u64,
    pub threads: u64,
}

/// `None` where `/proc/self/stat` cannot be read (not Linux).
pub fn read() -> Option<Process> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
        s.lines().find_map(|l| l.strip_prefix("btime ")).and_then(|v| v.trim().parse::<u64>().ok())
    });
    let mut p = parse_stat(&stat, boot.unwrap_or(0))?;
    p.open_fds = std::fs::read_dir("/proc/self/fd").map(|d| d.count() as u64).unwrap_or(0);
    p.max_fds = rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft).unwrap_or(0);
    Some(p)
}

/// The figures of a `/proc/<pid>/stat` line, with the boot time (`btime` of
/// `/proc/stat`) to place the start in Unix time.
fn parse_stat(stat: &str, boot_secs: u64) -> Option<Process> {
    // The command name (field 2) may hold spaces and parentheses: fields are counted
    // after its last ')', where field 3 (state) is index 0.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let (utime, stime) = (num(11)?, num(12)?);
    Some(Process {
        cpu_seconds: (utime + stime) as f64 / TICKS,
        threads: num(17).unwrap_or(0),
        start_time_seconds: boot_secs as f64 + num(19).unwrap_or(0) as f64 / TICKS,
        virtual_bytes: num(20).unwrap_or(0),
        // Pages: 4 KiB on the architectures DiskDB builds for, checked against VmRSS.
        resident_bytes: rss_bytes().unwrap_or_else(|| num(21).unwrap_or(0) * 4096),
        open_fds: 0,
        max_fds: 0,
    })
}

/// VmRSS of `/proc/self/status`, in bytes.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_with_spaces_in_the_name_is_read() {
        let line = "4242 (disk db) worker) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 7 0 12345 104857600 2560 18446744073709551615";
        let p = parse_stat(line, 1_700_000_000).unwrap();
        assert_eq!(p.cpu_seconds, 3.0);
        assert_eq!(p.threads, 7);
        assert_eq!(p.start_time_seconds, 1_700_000_000.0 + 123.45);
        assert_eq!(p.virtual_bytes, 104_857_600);
        assert!(p.resident_bytes > 0);
    }

    #[test]
    fn this_process_is_read() {
        let p = read().expect("Linux /proc");
        assert!(p.resident_bytes > 0 && p.open_fds > 0 && p.max_fds >= p.open_fds && p.threads >= 1);
        assert!(p.start_time_seconds > 1_500_000_000.0);
    }
}
