//! `diskdb import`: sends a stream of commands (what `diskdb export` writes, or any
//! RESP command stream, as `redis-cli --pipe` takes) to a server, pipelined, counting
//! replies and errors; or, with `--from`, exports a running server straight into it.

use std::io::BufRead;

use super::export::Sink;
use super::resp::{encode, read_command, Client, Reply};

/// Commands sent before their replies are read.
const WINDOW: usize = 1000;
/// Error replies shown on standard error; the rest are only counted.
const SHOWN_ERRORS: u64 = 10;

/// A [`Sink`] that sends commands to a server in pipelined windows.
pub struct PipeSink<'a> {
    target: &'a mut Client,
    buf: Vec<u8>,
    queued: usize,
    pub replies: u64,
    pub errors: u64,
}

impl<'a> PipeSink<'a> {
    pub fn new(target: &'a mut Client) -> PipeSink<'a> {
        PipeSink { target, buf: Vec::new(), queued: 0, replies: 0, errors: 0 }
    }

    /// Sends what is queued and reads its replies.
    pub fn flush(&mut self) -> Result<(), String> {
        if self.queued == 0 {
            return Ok(());
        }
        let io = |e: std::io::Error| format!("target: {e}");
        self.target.send_raw(&self.buf).map_err(io)?;
        self.target.flush().map_err(io)?;
        self.buf.clear();
        for _ in 0..std::mem::take(&mut self.queued) {
            self.replies += 1;
            if let Reply::Error(e) = self.target.read().map_err(io)? {
                self.errors += 1;
                if self.errors <= SHOWN_ERRORS {
                    eprintln!("error reply: {e}");
                }
            }
        }
        Ok(())
    }
}

impl Sink for PipeSink<'_> {
    fn command(&mut self, args: &[&[u8]]) -> Result<(), String> {
        encode(&mut self.buf, args);
        self.queued += 1;
        if self.queued >= WINDOW || self.buf.len() >= 8 << 20 {
            self.flush()?;
        }
        Ok(())
    }
}

/// Sends every command of `input` to `target`.
pub fn pipe(input: &mut impl BufRead, sink: &mut PipeSink<'_>) -> Result<(), String> {
    while let Some(cmd) = read_command(input).map_err(|e| format!("input: {e}"))? {
        let args: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
        sink.command(&args)?;
    }
    sink.flush()
}
