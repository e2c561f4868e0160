//! Pub/sub: SUBSCRIBE / PSUBSCRIBE as a stream of messages, over RESP2 and RESP3.

mod common;

use common::Server;
use diskdb_client::{blocking, AsyncCommands, Client, Commands};

#[tokio::test]
async fn subscribe_and_psubscribe_receive_messages() {
    let s = Server::start();
    for url in [s.tcp_url(), format!("{}?protocol=3", s.tcp_url()), s.unix_url()] {
        let mut db = Client::open(&url).await.unwrap();
        let mut ps = db.pubsub().await.unwrap();
        ps.subscribe(&["news", "sport"]).await.unwrap();
        ps.psubscribe("alerts.*").await.unwrap();
        assert_eq!(db.publish("news", "hello").await.unwrap(), 1);
        assert_eq!(db.publish("alerts.fire", "run").await.unwrap(), 1);
        assert_eq!(db.publish("nobody", "x").await.unwrap(), 0);
        let m = ps.next_message().await.unwrap();
        assert_eq!((m.channel.as_str(), m.pattern.as_deref(), m.payload_str().as_ref()), ("news", None, "hello"));
        let m = ps.next_message().await.unwrap();
        assert_eq!((m.channel.as_str(), m.pattern.as_deref(), m.payload.as_slice()), ("alerts.fire", Some("alerts.*"), &b"run"[..]));
        ps.unsubscribe("news").await.unwrap();
        assert_eq!(db.publish("news", "gone").await.unwrap(), 0);
        // As a Stream.
        let mut stream = ps.into_stream();
        db.publish("sport", &[0u8, 1, 2][..]).await.unwrap();
        let m = stream.next().await.unwrap().unwrap();
        assert_eq!((m.channel.as_str(), m.payload), ("sport", vec![0, 1, 2]));
    }
}

#[test]
fn blocking_subscriber_iterates_messages() {
    let s = Server::start();
    let mut db = blocking::Client::open(&s.tcp_url()).unwrap();
    let mut ps = db.pubsub().unwrap();
    ps.subscribe("jobs").unwrap();
    for i in 0..3 {
        db.publish("jobs", i).unwrap();
    }
    let got: Vec<String> = ps.iter().take(3).map(|m| m.unwrap().payload_str().into_owned()).collect();
    assert_eq!(got, vec!["0", "1", "2"]);
}
