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
//!   ([`crate::extract`], [`crate::context`]).

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
            let connection = builder.serve_connection(TokioIo::new(stream), service);
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
