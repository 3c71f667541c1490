//! The connection loop: what a client may hold of the host before it has
//! sent a request.
//!
//! `axum::serve` gives every connection a task for as long as the client
//! keeps it open, and waits for a request head without end; a client that
//! opens connections and sends nothing held the host's memory and file
//! descriptors until `/healthz` stopped answering. Here, instead:
//! - a request head must arrive within the header time-out
//!   (`AGENDO_HEADER_TIMEOUT_SECONDS`); the same time-out closes a kept-alive
//!   connection that sends no next request, since hyper reads the next head
//!   as soon as a response is sent;
//! - at most `AGENDO_MAX_CONNECTIONS` connections are held (fewer when the
//!   process may open fewer files); past that, new connections wait in the
//!   kernel's backlog, costing the host nothing, until one closes;
//! - one address holds at most a quarter of them, so one client cannot take
//!   every connection (not behind a proxy, where every connection comes
//!   from the proxy's address);
//! - a body must arrive within the request time-out, and a body declared
//!   larger than the limit is refused before it is read
//!   ([`crate::extract`], [`crate::context`]);
//! - a request hyper cannot parse (a malformed request line or header, a
//!   head too large) is answered by hyper itself, with a status and no
//!   body; [`Problems`] turns that answer into a problem document like
//!   every other error.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt as _;

/// Limits on the connections held, from the settings.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections held at once.
    pub connections: usize,
    /// Connections one address may hold at once; `None` behind a proxy.
    pub per_address: Option<usize>,
    /// How long a client may take to send a request head, or to start the
    /// next one on a kept-alive connection.
    pub header_timeout: Duration,
}

impl Limits {
    /// The limits of `config`, lowered to what the process may open.
    pub fn of(config: &crate::config::Config) -> Limits {
        let connections = match open_files_limit() {
            // Leave room for the database, logs and the listener.
            Some(files) => config
                .max_connections
                .min(files.saturating_sub(128).max(16)),
            None => config.max_connections,
        };
        Limits {
            connections,
            per_address: (!config.trust_proxy).then(|| (connections / 4).max(1)),
            header_timeout: config.header_timeout,
        }
    }
}

/// The soft limit on open files of this process, where the system says
/// (Linux's `/proc/self/limits`).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// How many connections each address holds.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    /// Counts one more connection from `address`, unless it holds `max`.
    fn take(self: &Arc<Self>, address: IpAddr, max: usize) -> Option<AddressSlot> {
        // A `std::sync::Mutex`: held only to change a count.
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            table: Arc::clone(self),
            address,
        })
    }
}

/// One connection counted against its address, until dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown`
/// completes; then stops accepting, lets every connection finish its
/// request in flight, and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.connections));
    let per_address = Arc::new(PerAddress::default());
    let (closing, closed) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before it
                    // was accepted: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let address_slot = match limits.per_address {
            Some(max) => match per_address.take(remote.ip(), max) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(address = %remote.ip(), "refused a connection past the address's share");
                    continue;
                }
            },
            None => None,
        };
        // Answers go out as written, not held back for a coalescing ACK.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                router.clone().oneshot(request.map(axum::body::Body::new))
            });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let closed = closed.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(Problems::new(stream)), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = until_closing(closed) => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(address_slot);
            drop(slot);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection gives its slot back when it ends.
    let all = u32::try_from(limits.connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
}

/// Completes when the host starts closing (or the loop is gone).
async fn until_closing(mut closed: watch::Receiver<bool>) {
    while !*closed.borrow_and_update() {
        if closed.changed().await.is_err() {
            return;
        }
    }
}

/// A connection's stream that turns hyper's own answers to a request it
/// could not parse into problem documents. hyper answers those with a
/// head alone (`HTTP/1.1 400 Bad Request`, `content-length: 0`) and closes
/// the connection; every error of ours has a body, so a 4xx head with an
/// empty body written here can only be hyper's. Reading passes through.
struct Problems<S> {
    inner: S,
    /// A replacement answer being written, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> Problems<S> {
    fn new(inner: S) -> Problems<S> {
        Problems {
            inner,
            pending: None,
        }
    }
}

/// The problem document for hyper's bodiless answer in `head`, if `head` is
/// one.
fn problem_for(head: &[u8]) -> Option<Vec<u8>> {
    // Most writes are our own answers: look no further than their first
    // bytes. hyper's bodiless head is short.
    if head.len() > 1024 || !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let status: u16 = text.strip_prefix("HTTP/1.1 4")?.get(..2)?.parse().ok()?;
    let status = 400 + status;
    let lower = text.to_ascii_lowercase();
    if !text.ends_with("\r\n\r\n") || !lower.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let what = match status {
        431 => "the request head is too large",
        414 => "the request target is too long",
        _ => "the request line or a header is malformed",
    };
    let error = crate::error::Error::BadRequest {
        what: what.to_owned(),
    };
    let mut problem = error.problem(agendo_core::Lang::En);
    problem.status = status;
    let body = serde_json::to_vec(&problem).ok()?;
    let code = axum::http::StatusCode::from_u16(status).ok()?;
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/problem+json\r\n\
         content-language: en\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        code.canonical_reason().unwrap_or("Bad Request"),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

impl<S: tokio::io::AsyncWrite + Unpin> Problems<S> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            match std::pin::Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Problems<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Problems<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        use std::task::Poll;
        if self.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        if let Some(answer) = problem_for(buf) {
            self.pending = Some((answer, 0));
            // The replacement is written now or on the next flush; hyper
            // counts its own bytes as written.
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        // hyper's bodiless head comes as one slice; anything else is ours
        // and goes out as the socket takes it, without copying.
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next()) {
            if problem_for(only).is_some() {
                return self.poll_write(cx, only);
            }
        }
        if self.poll_pending(cx)?.is_pending() {
            return std::task::Poll::Pending;
        }
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.poll_pending(cx)?.is_pending() {
            return std::task::Poll::Pending;
        }
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.poll_pending(cx)?.is_pending() {
            return std::task::Poll::Pending;
        }
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodiless_error_becomes_a_problem_document() {
        let head = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 03:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(problem_for(head).unwrap()).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
        assert!(answer.contains("application/problem+json"), "{answer}");
        assert!(answer.contains("\"code\":\"bad_request\""), "{answer}");
        let large = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(String::from_utf8(problem_for(large).unwrap())
            .unwrap()
            .contains("\"status\":431"));
        // Our own answers, with a body, pass through.
        assert!(problem_for(b"HTTP/1.1 404 Not Found\r\ncontent-length: 120\r\n\r\n").is_none());
        assert!(problem_for(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
