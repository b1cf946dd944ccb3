//! The accept loop. `axum::serve` gives hyper no timer, so a client that
//! sends its request headers slowly, or never, holds its connection forever
//! (slowloris). Here every connection has a deadline for its headers, which
//! also ends idle keep-alive connections, and the number of open
//! connections is bounded: past the bound, new ones wait in the kernel's
//! backlog until a slot frees.
//!
//! What would let it go: an `axum::serve` that takes a header read timeout
//! and a connection limit. Axum's main branch has both (not in 0.8.x); once
//! a release has them and `tests/slow_clients.rs` passes with it, this file
//! can be replaced by that call.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: u32,
    /// Time a client has to send a request's headers, counted from the
    /// connection's first byte or from the end of its previous response.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { max_connections: 4096, header_timeout: Duration::from_secs(10) }
    }
}

impl ConnectionLimits {
    /// Never more connections than file descriptors allow, with room left
    /// for the files being served. Raises the soft descriptor limit to the
    /// hard one first, as servers do.
    pub fn within_open_file_limit(mut self) -> Self {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit and setrlimit only read and write the struct given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
                let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
                let room = limit.rlim_cur.saturating_sub(256).max(64);
                self.max_connections = self.max_connections.min(u32::try_from(room).unwrap_or(u32::MAX));
            }
        }
        self
    }
}

pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was
                    // accepted: wait a little instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = builder
            .serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(app.clone().map_request(with_peer(peer))),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    // Requests in flight finish; idle connections close.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => tracing::warn!("connections still open after 30 s; closing"),
    }
    Ok(())
}

/// Gives each request its client's address, as `axum::serve` does for
/// `ConnectInfo` (sign-in is rate-limited by it), and axum's body type.
fn with_peer<B>(peer: SocketAddr) -> impl Fn(Request<B>) -> Request<Body> + Clone
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    move |req| {
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    }
}
