//! The ACL LOG: denied commands, keys, channels and failed authentications, newest
//! first, at most `acllog-max-len` entries. As in Redis, a denial equal to one of the
//! last 10 entries (same reason, context, object and user, within 60 seconds) counts
//! into it instead of adding an entry.

use std::collections::VecDeque;

use bytes::Bytes;
use parking_lot::Mutex;

use crate::protocol::Reply;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    Command,
    Key,
    Channel,
    Auth,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

struct Entry {
    count: u64,
    reason: Reason,
    /// `toplevel`, `multi` or `lua`.
    context: &'static str,
    object: Bytes,
    username: Bytes,
    created_ms: i64,
    updated_ms: i64,
    client_info: String,
    id: u64,
}

#[derive(Default)]
pub struct AclLog {
    inner: Mutex<(VecDeque<Entry>, u64)>,
}

const GROUPING_MS: i64 = 60_000;

impl AclLog {
    /// Records a denial; `max_len` is `acllog-max-len`.
    #[allow(clippy::too_many_arguments)]
    /// `context` is `toplevel`, `multi` or `lua`.
    pub fn add(&self, reason: Reason, context: &'static str, object: Bytes, username: Bytes, client_info: String, now_ms: i64, max_len: usize) {
        let mut guard = self.inner.lock();
        let (entries, next_id) = &mut *guard;
        let found = entries.iter().take(10).position(|e| {
            e.reason == reason
                && e.context == context
                && (e.updated_ms - now_ms).abs() <= GROUPING_MS
                && e.object == object
                && e.username == username
        });
        if let Some(i) = found {
            let mut e = entries.remove(i).unwrap();
            e.count += 1;
            e.updated_ms = now_ms;
            e.client_info = client_info;
            entries.push_front(e);
            return;
        }
        let id = *next_id;
        *next_id += 1;
        entries.push_front(Entry {
            count: 1,
            reason,
            context,
            object,
            username,
            created_ms: now_ms,
            updated_ms: now_ms,
            client_info,
            id,
        });
        entries.truncate(max_len);
    }

    pub fn reset(&self) {
        self.inner.lock().0.clear();
    }

    /// ACL LOG's reply: the newest `count` entries, with Redis 7.2's fields.
    pub fn reply(&self, count: usize, now_ms: i64) -> Reply {
        let guard = self.inner.lock();
        let field = |s: &'static str| Reply::bulk_str(s);
        Reply::Array(
            guard
                .0
                .iter()
                .take(count)
                .map(|e| {
                    Reply::Map(vec![
                        (field("count"), Reply::Int(e.count as i64)),
                        (field("reason"), Reply::bulk_str(e.reason.name())),
                        (field("context"), Reply::bulk_str(e.context)),
                        (field("object"), Reply::Bulk(e.object.clone())),
                        (field("username"), Reply::Bulk(e.username.clone())),
                        (field("age-seconds"), Reply::Double((now_ms - e.updated_ms) as f64 / 1000.0)),
                        (field("client-info"), Reply::Bulk(Bytes::from(e.client_info.clone()))),
                        (field("entry-id"), Reply::Int(e.id as i64)),
                        (field("timestamp-created"), Reply::Int(e.created_ms)),
                        (field("timestamp-last-updated"), Reply::Int(e.updated_ms)),
                    ])
                })
                .collect(),
        )
    }
}
