//! The basics against a running server:
//! `cargo run --example quickstart -- redis://127.0.0.1:6380` (or `unix:///path`,
//! `diskdb+shm:///path/to/diskdb.sock`).

use diskdb_client::{AsyncCommands, Client, Pipeline};

#[tokio::main(flavor = "current_thread")]
async fn main() -> diskdb_client::Result<()> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "redis://127.0.0.1:6380".into());
    let mut db = Client::open(&url).await?;
    println!("connected over {}", db.connection().await?.transport());

    db.set("visits", 1000).await?;
    println!("visits after INCR: {}", db.incr("visits").await?);

    db.lpush("queue", &["job1", "job2"]).await?;
    while let Some(job) = db.rpop("queue").await? {
        println!("job: {job}");
    }

    db.zadd_multiple("leaderboard", &[("alice", 2500.0), ("bob", 1800.0)]).await?;
    for (player, score) in db.zrevrange_withscores("leaderboard", 0, 2).await? {
        println!("{player}: {score}");
    }

    let id = db.xadd("events", "*", &[("action", "login"), ("ip", "192.168.1.1")]).await?;
    println!("stream entry {id}");

    // Several commands, one round trip.
    let (n, v): (i64, Option<String>) = Pipeline::new().incr("visits").get("visits").query_as(db.connection().await?).await?;
    println!("pipelined: {n} {v:?}");
    Ok(())
}
