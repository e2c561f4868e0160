//! ACL categories as bits, computed once from the command table: each registry spec's
//! categories ([`crate::commands::Registry::acl_categories`], Redis's rules) become a
//! bit mask in the order of Redis's category table, which ACL CAT lists.

use std::sync::OnceLock;

use crate::commands::registry;
use crate::commands::table::ACL_CATEGORY_ORDER;

/// Category names without `@`, in Redis 7.0's table order (and RedisJSON's `json`,
/// which Redis appends when the module is loaded).
pub const CATEGORIES: [&str; 22] = [
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
    "json",
];

struct Table {
    /// Category bits per registry index.
    bits: Vec<u32>,
    /// For a container, the registry indexes of its subcommands.
    subs: Vec<std::ops::Range<usize>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let reg = registry();
        let mut bits = Vec::with_capacity(reg.specs.len());
        let mut subs = Vec::with_capacity(reg.specs.len());
        for (i, (full, spec)) in reg.specs.iter().enumerate() {
            let mut mask = 0u32;
            for cat in reg.acl_categories(full) {
                if let Some(j) = CATEGORIES.iter().position(|c| Some(*c) == cat.strip_prefix('@')) {
                    mask |= 1 << j;
                }
            }
            bits.push(mask);
            let n = if full.contains('|') { 0 } else { spec.subcommands.len() };
            subs.push(i + 1..i + 1 + n);
        }
        debug_assert_eq!(ACL_CATEGORY_ORDER.len(), CATEGORIES.len());
        Table { bits, subs }
    })
}

/// The category bits of registry index `idx`.
pub fn of(idx: usize) -> u32 {
    table().bits[idx]
}

/// The registry indexes of the subcommands of the container at `idx` (empty for others).
pub fn subcommands_of(idx: usize) -> std::ops::Range<usize> {
    table().subs[idx].clone()
}

/// The bit of a category name (without `@`, any case).
pub fn by_name(name: &[u8]) -> Option<u32> {
    CATEGORIES.iter().position(|c| c.as_bytes().eq_ignore_ascii_case(name)).map(|j| 1 << j)
}

/// The commands of category bit `cat` as ACL CAT lists them (full names, `config|get`).
pub fn commands_in(cat: u32) -> Vec<&'static str> {
    let reg = registry();
    (0..reg.specs.len()).filter(|&i| of(i) & cat != 0).map(|i| reg.specs[i].0.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commands DiskDB has that redis-server 7.0 does not (Redis 7.2's, RedisJSON's):
    /// the fixture cannot list them.
    fn newer_than_redis_70(full: &str) -> bool {
        // JSON (RedisJSON's), SHM.ATTACH (DiskDB's own) and two CLIENT subcommands of 7.2.
        full.starts_with("json.") || matches!(full, "client|setinfo" | "client|no-touch" | "shm.attach")
    }

    /// Every command's categories against `ACL CAT <category>` of redis-server 7.0
    /// (tests/fixtures/redis7_acl_categories.txt, written by redis-cli).
    #[test]
    fn categories_match_redis_70() {
        let fixture = include_str!("../../tests/fixtures/redis7_acl_categories.txt");
        let reg = registry();
        let mut problems = Vec::new();
        let mut seen = 0;
        for line in fixture.lines().filter(|l| !l.starts_with('#')) {
            let (cat, commands) = line.split_once(':').unwrap();
            let bit = by_name(cat.as_bytes()).unwrap_or_else(|| panic!("unknown category {cat}"));
            seen += 1;
            let theirs: Vec<&str> = commands.split_whitespace().collect();
            for name in &theirs {
                if let Some(i) = reg.index_of(name.as_bytes()) {
                    if of(i) & bit == 0 {
                        problems.push(format!("{name} lacks @{cat}"));
                    }
                }
            }
            for ours in commands_in(bit) {
                if !theirs.contains(&ours) && !newer_than_redis_70(ours) {
                    problems.push(format!("{ours} has @{cat}, Redis 7.0's does not"));
                }
            }
        }
        assert_eq!(seen, 21, "Redis 7.0 has 21 categories");
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
