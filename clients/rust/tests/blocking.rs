//! The blocking wrapper: the same helpers without async.

mod common;

use common::Server;
use diskdb_client::{blocking, Commands, Pipeline, Value};

#[test]
fn blocking_client_runs_helpers_pipelines_and_transactions() {
    let s = Server::start();
    let mut urls = vec![s.tcp_url(), s.unix_url()];
    if s.has_shm() {
        urls.push(s.shm_url());
    }
    for url in urls {
        let mut db = blocking::Client::open(&url).unwrap();
        db.flushdb().unwrap();
        db.set("visits", "1000").unwrap();
        assert_eq!(db.incr("visits").unwrap(), 1001);
        assert_eq!(db.get("visits").unwrap(), Some("1001".into()));
        db.hset("h", "f", "v").unwrap();
        assert_eq!(db.hgetall("h").unwrap()["f"], "v");
        let r = db.run_pipeline(Pipeline::new().set("a", 1).incr("a")).unwrap();
        assert_eq!(r, vec![Value::Status("OK".into()), Value::Int(2)]);
        let r = db
            .transaction("a", |db, pipe| {
                let a: i64 = db.get("a")?.unwrap().parse().unwrap();
                pipe.set("a", a * 10).get("a");
                Ok(())
            })
            .unwrap();
        assert_eq!(r, vec![Value::Status("OK".into()), Value::Bulk(b"20".to_vec())]);
        assert_eq!(db.cmd(&["DBSIZE"]).unwrap(), Value::Int(3));
    }
}
