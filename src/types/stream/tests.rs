//! Type-layer tests of streams against a temporary RocksDB.

use super::*;
use crate::error::Error;
use crate::types::testing::{open as store_in, run};

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn add(t: &mut Txn<'_>, key: &[u8], id: StreamId, trim: Option<TrimArgs>) -> Result<StreamId> {
    let mut s = StreamMut::open_or_create(t, key)?;
    let id = s.add(t, NewId::Exact(id), &[b("f"), b("v")], NODE_ENTRIES)?;
    if let Some(args) = trim {
        s.trim(t, args)?;
    }
    s.finish(t)?;
    Ok(id)
}

fn ids(t: &mut Txn<'_>, key: &[u8]) -> Result<Vec<u64>> {
    let s = open(t, key, Access::Read)?.unwrap();
    Ok(s.range(t, StreamId::MIN, StreamId::MAX, 0, false)?.into_iter().map(|(id, _)| id.ms).collect())
}

#[test]
fn stream_entries_ranges_and_trimming() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    for ms in 1..=300u64 {
        run(&store, |t| add(t, b"s", StreamId::new(ms, 0), None));
    }
    let err = {
        let mut t = Txn::new(&store, 0);
        add(&mut t, b"s", StreamId::new(300, 0), None).unwrap_err()
    };
    assert_eq!(err, Error::StreamIdTooSmall);
    let window = run(&store, |t| {
        let s = open(t, b"s", Access::Read)?.unwrap();
        s.range(t, StreamId::new(10, 0), StreamId::new(20, 0), 3, true)
    });
    assert_eq!(window.iter().map(|e| e.0.ms).collect::<Vec<_>>(), [20, 19, 18]);
    assert_eq!(window[0].1, vec![b("f"), b("v")]);
    // Approximate trimming removes whole nodes only; exact trimming is exact, with a
    // range tombstone for a large trim.
    let approx = TrimArgs { strategy: Trim::MaxLen(150), approx: true, limit: 0 };
    let removed = run(&store, |t| {
        let mut s = StreamMut::open(t, b"s")?.unwrap();
        let n = s.trim(t, approx)?;
        s.finish(t)?;
        Ok(n)
    });
    assert_eq!(removed, 100);
    assert_eq!(run(&store, |t| ids(t, b"s"))[0], 101);
    run(&store, |t| add(t, b"s", StreamId::new(301, 0), Some(TrimArgs { strategy: Trim::MaxLen(2), approx: false, limit: 0 })));
    assert_eq!(run(&store, |t| ids(t, b"s")), [300, 301]);
    run(&store, |t| add(t, b"s", StreamId::new(302, 0), Some(TrimArgs { strategy: Trim::MaxLen(0), approx: false, limit: 0 })));
    let s = run(&store, |t| open(t, b"s", Access::Read)).unwrap();
    assert_eq!((s.len(), s.info.first_id, s.info.last_id, s.info.entries_added), (0, StreamId::MIN, StreamId::new(302, 0), 302));
}

#[test]
fn groups_consumers_and_pending_entries() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    run(&store, |t| add(t, b"s", StreamId::new(1, 0), None));
    run(&store, |t| {
        let mut s = StreamMut::open(t, b"s")?.unwrap();
        assert!(s.create_group(t, b"g", StreamId::MIN, 0)?);
        assert!(!s.create_group(t, b"g", StreamId::MIN, 0)?);
        s.see_consumer(t, b"g", b"alice", true)?;
        let nack = Nack { delivered: 5, deliveries: 1, consumer: b("alice") };
        s.put_nack(t, b"g", StreamId::new(1, 0), nack)?;
        s.finish(t)
    });
    let (g, consumers) = run(&store, |t| {
        let s = open(t, b"s", Access::Read)?.unwrap();
        Ok((s.group(t, b"g")?.unwrap(), s.consumers(t, b"g")?))
    });
    assert_eq!((g.pending, g.consumers), (1, 1));
    assert_eq!(consumers[0].1.pending, 1);
    // Claimed by another consumer, then acknowledged.
    run(&store, |t| {
        let mut s = StreamMut::open(t, b"s")?.unwrap();
        s.put_nack(t, b"g", StreamId::new(1, 0), Nack { delivered: 6, deliveries: 2, consumer: b("bob") })?;
        s.finish(t)
    });
    let pending = run(&store, |t| {
        let s = open(t, b"s", Access::Read)?.unwrap();
        Ok((
            s.consumer_pending(t, b"g", b"alice", StreamId::MIN, StreamId::MAX, 0)?,
            s.consumer_pending(t, b"g", b"bob", StreamId::MIN, StreamId::MAX, 0)?,
            s.consumers(t, b"g")?.into_iter().map(|(n, c)| (n, c.pending)).collect::<Vec<_>>(),
        ))
    });
    assert_eq!(pending.0, []);
    assert_eq!(pending.1, [StreamId::new(1, 0)]);
    assert_eq!(pending.2, [(b("alice"), 0), (b("bob"), 1)]);
    assert!(run(&store, |t| {
        let mut s = StreamMut::open(t, b"s")?.unwrap();
        let acked = s.remove_nack(t, b"g", StreamId::new(1, 0))?;
        s.finish(t)?;
        Ok(acked)
    }));
    let g = run(&store, |t| open(t, b"s", Access::Read)?.unwrap().group(t, b"g")).unwrap();
    assert_eq!(g.pending, 0);
    // Destroying the group removes all of its records.
    run(&store, |t| {
        let mut s = StreamMut::open(t, b"s")?.unwrap();
        assert!(s.destroy_group(t, b"g")?);
        s.finish(t)
    });
    let s = run(&store, |t| open(t, b"s", Access::Read)).unwrap();
    assert!(run(&store, |t| s.groups(t)).is_empty());
    assert!(run(&store, |t| s.consumers(t, b"g")).is_empty());
}
