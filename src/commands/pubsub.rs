//! Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
//! SUNSUBSCRIBE, PUBLISH, SPUBLISH and the PUBSUB container. The hub they act on, and how
//! messages reach a subscriber, are in [`crate::pubsub`]; subscribe mode's gate is in
//! dispatch.
//!
//! The (un)subscribe commands answer through the client's mailbox, one confirmation per
//! channel (several replies to one command, as Redis), so the command's own reply is
//! suppressed. Inside EXEC the confirmations are EXEC's reply items instead.

use bytes::Bytes;

use super::connection::help_reply;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::Result;
use crate::protocol::Reply;
use crate::pubsub::Space;

/// Subscribes to every name in `argv[1..]`. O(N) in the names.
fn subscribe_in(ctx: &mut Ctx<'_>, argv: &[Bytes], space: Space) -> Result<Reply> {
    let direct = in_exec(ctx);
    let confirm = (!direct).then_some(ctx.session.resp);
    let hub = &ctx.server.pubsub;
    let sub = ctx.session.subscriber();
    let mut replies = Vec::new();
    for name in &argv[1..] {
        let count = hub.subscribe(space, sub, name, confirm);
        replies.push((Some(name.clone()), count));
    }
    Ok(confirmations(ctx, space.subscribe_word(), replies, direct))
}

/// Unsubscribes from the names in `argv[1..]`, or from all. O(N) in the names.
fn unsubscribe_in(ctx: &mut Ctx<'_>, argv: &[Bytes], space: Space) -> Result<Reply> {
    let direct = in_exec(ctx);
    let confirm = (!direct).then_some(ctx.session.resp);
    let hub = &ctx.server.pubsub;
    let sub = ctx.session.subscriber();
    let replies = hub.unsubscribe(space, sub, &argv[1..], confirm);
    Ok(confirmations(ctx, space.unsubscribe_word(), replies, direct))
}

/// EXEC runs its commands with blocking switched off: the one sign a handler has that
/// its reply goes into EXEC's array rather than straight to the client.
fn in_exec(ctx: &Ctx<'_>) -> bool {
    !ctx.session.may_block
}

/// The command's reply: nothing (the confirmations are queued), or inside EXEC the
/// confirmation itself (several nested in one array, where Redis would emit them all
/// into EXEC's array and break its count).
fn confirmations(ctx: &mut Ctx<'_>, word: &'static [u8], items: Vec<(Option<Bytes>, usize)>, direct: bool) -> Reply {
    if !direct {
        ctx.session.reply_skip = true;
        return Reply::Nil;
    }
    let mut replies: Vec<Reply> = items
        .into_iter()
        .map(|(name, count)| {
            Reply::Push(vec![
                Reply::Bulk(Bytes::from_static(word)),
                name.map_or(Reply::Nil, Reply::Bulk),
                Reply::Int(count as i64),
            ])
        })
        .collect();
    if replies.len() == 1 {
        replies.pop().unwrap_or(Reply::Nil)
    } else {
        Reply::Array(replies)
    }
}

/// `SUBSCRIBE channel [channel ...]`. O(N) in the channels.
fn subscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    subscribe_in(ctx, argv, Space::Channel)
}

/// `PSUBSCRIBE pattern [pattern ...]`. O(N) in the patterns.
fn psubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    subscribe_in(ctx, argv, Space::Pattern)
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`. O(N) in the channels.
fn ssubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    subscribe_in(ctx, argv, Space::Shard)
}

/// `UNSUBSCRIBE [channel ...]`: all channels when none is given.
fn unsubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    unsubscribe_in(ctx, argv, Space::Channel)
}

/// `PUNSUBSCRIBE [pattern ...]`: all patterns when none is given.
fn punsubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    unsubscribe_in(ctx, argv, Space::Pattern)
}

/// `SUNSUBSCRIBE [shardchannel ...]`: all shard channels when none is given.
fn sunsubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    unsubscribe_in(ctx, argv, Space::Shard)
}

/// `PUBLISH channel message`: the number of receivers. O(N+M): N subscribers of the
/// channel, M patterns on the server.
fn publish(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.publish(&argv[1], &argv[2]) as i64))
}

/// `SPUBLISH shardchannel message`: the number of receivers. O(N) in the subscribers.
fn spublish(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.spublish(&argv[1], &argv[2]) as i64))
}

/// `PUBSUB CHANNELS [pattern]` and `PUBSUB SHARDCHANNELS [pattern]`.
fn names_in(ctx: &mut Ctx<'_>, argv: &[Bytes], space: Space) -> Result<Reply> {
    let names = ctx.server.pubsub.names(space, argv.get(2).map(|p| &p[..]));
    Ok(Reply::Array(names.into_iter().map(Reply::Bulk).collect()))
}

/// `PUBSUB NUMSUB [channel ...]` and `PUBSUB SHARDNUMSUB [shardchannel ...]`: name,
/// count pairs in one flat array (Redis 7.0 answers an array in RESP3 too).
fn numsub_in(ctx: &mut Ctx<'_>, argv: &[Bytes], space: Space) -> Result<Reply> {
    let mut out = Vec::with_capacity((argv.len() - 2) * 2);
    for name in &argv[2..] {
        out.push(Reply::Bulk(name.clone()));
        out.push(Reply::Int(ctx.server.pubsub.numsub(space, name) as i64));
    }
    Ok(Reply::Array(out))
}

fn pubsub_channels(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    names_in(ctx, argv, Space::Channel)
}

fn pubsub_shardchannels(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    names_in(ctx, argv, Space::Shard)
}

fn pubsub_numsub(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    numsub_in(ctx, argv, Space::Channel)
}

fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    numsub_in(ctx, argv, Space::Shard)
}

/// `PUBSUB NUMPAT`: distinct patterns with subscribers.
fn pubsub_numpat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.pubsub.len(Space::Pattern) as i64))
}

fn pubsub_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    ))
}

const SUBSCRIBE_FLAGS: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;
const PUBLISH_FLAGS: u32 = PUBSUB | LOADING | STALE | FAST;
const QUERY_FLAGS: u32 = PUBSUB | LOADING | STALE;

static PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "channels", arity: -2, flags: QUERY_FLAGS, group: "pubsub", handler: pubsub_channels,
        summary: "List active channels", since: "2.8.0",
        complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        docs: "[pattern:pattern]",
    },
    command! {
        name: "numsub", arity: -2, flags: QUERY_FLAGS, group: "pubsub", handler: pubsub_numsub,
        summary: "Get the count of subscribers for channels", since: "2.8.0",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        docs: "[channel...]",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "pubsub", handler: pubsub_help,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "numpat", arity: 2, flags: QUERY_FLAGS, group: "pubsub", handler: pubsub_numpat,
        summary: "Get the count of unique patterns pattern subscriptions", since: "2.8.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "shardchannels", arity: -2, flags: QUERY_FLAGS, group: "pubsub", handler: pubsub_shardchannels,
        summary: "List active shard channels", since: "7.0.0",
        complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        docs: "[pattern:pattern]",
    },
    command! {
        name: "shardnumsub", arity: -2, flags: QUERY_FLAGS, group: "pubsub", handler: pubsub_shardnumsub,
        summary: "Get the count of subscribers for shard channels", since: "7.0.0",
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        docs: "[shardchannel...]",
    },
];

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "subscribe", arity: -2, flags: SUBSCRIBE_FLAGS, group: "pubsub", handler: subscribe,
        summary: "Listen for messages published to the given channels", since: "2.0.0",
        complexity: "O(N) where N is the number of channels to subscribe to.",
        docs: "channel...",
    },
    command! {
        name: "unsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, group: "pubsub", handler: unsubscribe,
        summary: "Stop listening for messages posted to the given channels", since: "2.0.0",
        complexity: "O(N) where N is the number of clients already subscribed to a channel.",
        docs: "[channel...]",
    },
    command! {
        name: "psubscribe", arity: -2, flags: SUBSCRIBE_FLAGS, group: "pubsub", handler: psubscribe,
        summary: "Listen for messages published to channels matching the given patterns", since: "2.0.0",
        complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
        docs: "pattern(pattern:pattern)...",
    },
    command! {
        name: "punsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, group: "pubsub", handler: punsubscribe,
        summary: "Stop listening for messages posted to channels matching the given patterns", since: "2.0.0",
        complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
        docs: "[pattern:pattern...]",
    },
    command! {
        name: "publish", arity: 3, flags: PUBLISH_FLAGS, group: "pubsub", handler: publish,
        summary: "Post a message to a channel", since: "2.0.0",
        complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
        docs: "channel message",
    },
    command! {
        name: "pubsub", arity: -2, group: "pubsub", subcommands: PUBSUB_SUBCOMMANDS,
        summary: "A container for Pub/Sub commands", since: "2.8.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "ssubscribe", arity: -2, flags: SUBSCRIBE_FLAGS, keys: Keys::all_from(1), group: "pubsub", handler: ssubscribe,
        summary: "Listen for messages published to the given shard channels", since: "7.0.0",
        complexity: "O(N) where N is the number of shard channels to subscribe to.",
        docs: "shardchannel...
            key 0:            not_key, index 1, range -1",
    },
    command! {
        name: "sunsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, keys: Keys::all_from(1), group: "pubsub", handler: sunsubscribe,
        summary: "Stop listening for messages posted to the given shard channels", since: "7.0.0",
        complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
        docs: "[shardchannel...]
            key 0:            not_key, index 1, range -1",
    },
    command! {
        name: "spublish", arity: 3, flags: PUBLISH_FLAGS, keys: Keys::one(), group: "pubsub", handler: spublish,
        summary: "Post a message to a shard channel", since: "7.0.0",
        complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
        docs: "shardchannel message
            key 0:            not_key, index 1, range 0",
    },
];
