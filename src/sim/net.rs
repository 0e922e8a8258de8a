//! The simulator's sockets: accepts connections, terminates TLS, serves HTTP/1.1 on each with
//! hyper, drops a connection with a reset when `server` asks for it, and stops gracefully.
//!
//! Every connection is a task on the runtime, not a thread, so thousands of idle keep-alive
//! connections cost little. It knows nothing of Marathon: each request goes to
//! [`server::serve_one`], whose [`Outcome`] is either a response or a reset.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio_rustls::TlsAcceptor;

use super::server::{self, Context, Outcome};

/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection that has not sent a whole request head for this long is closed: an idle
/// kept-alive one as well as a slow client, as Jetty's default idle timeout does.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// On a stop, requests under way get this long to finish before their connections are closed;
/// idle connections close at once. Well below the 100 ms in which the simulator promises to exit.
const GRACE: Duration = Duration::from_millis(30);

/// After a failed accept (out of file descriptors, say), wait this long before the next, rather
/// than spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// Accepts and serves connections until `stop` completes; then accepts no more, closes idle
/// connections, and gives the others [`GRACE`] to finish before returning.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    ctx: Arc<Context>,
    stop: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    // Marathon's Jetty spells header names in title case; clients must not care, but logs read
    // the same.
    http.title_case_headers(true)
        // A client may shut its sending side once the request is out (`printf .. | nc`); it still
        // gets its answer.
        .half_close(true)
        .timer(TokioTimer::new())
        .header_read_timeout(IDLE_TIMEOUT);
    // Each connection holds a receiver: `send` asks them to stop, `closed` sees the last one go.
    let (stopping, _) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // A failed accept concerns one connection only.
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let connection = Connection {
            http: http.clone(),
            ctx: Arc::clone(&ctx),
            stop: stopping.subscribe(),
        };
        tokio::spawn(connection.run(stream, tls.clone()));
    }
    drop(listener);
    let _ = stopping.send(true);
    // Past the grace period, the runtime's shutdown drops what is left.
    let _ = tokio::time::timeout(GRACE, stopping.closed()).await;
}

/// Who is at the other end of a request's connection, and how to cut it: put into every
/// request's extensions for `server` (the event stream drops a subscriber that stops reading).
#[derive(Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    /// Notified, the connection is reset at once, whatever it was writing.
    pub drop: Arc<Notify>,
}

/// What one connection's task needs.
struct Connection {
    http: http1::Builder,
    ctx: Arc<Context>,
    stop: watch::Receiver<bool>,
}

impl Connection {
    /// Serves one client until either side closes, a reset is asked for, or the server stops.
    async fn run(self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        // Answers go out whole; nothing waits for more to fill a packet.
        let _ = stream.set_nodelay(true);
        let addr = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        match tls {
            None => {
                let mut stream = stream;
                if self.exchange(&mut stream, addr).await {
                    reset(&stream);
                }
            }
            Some(acceptor) => {
                let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                // A failed handshake has already sent its alert; there is nobody to tell.
                let Ok(Ok(mut stream)) = handshake.await else {
                    return;
                };
                if self.exchange(&mut stream, addr).await {
                    reset(stream.get_ref().0);
                }
            }
        }
    }

    /// Serves HTTP on `io`; true when a request asked for the connection to be reset, in which
    /// case nothing more has been written to it.
    async fn exchange<S>(mut self, io: &mut S, addr: SocketAddr) -> bool
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let reset = Arc::new(Notify::new());
        let service = {
            let (ctx, reset) = (Arc::clone(&self.ctx), Arc::clone(&reset));
            service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                let (ctx, reset) = (Arc::clone(&ctx), Arc::clone(&reset));
                request.extensions_mut().insert(Peer {
                    addr,
                    drop: Arc::clone(&reset),
                });
                async move {
                    match server::serve_one(&ctx, request).await {
                        Outcome::Respond(response) => Ok::<_, Infallible>(response),
                        Outcome::Reset => {
                            reset.notify_one();
                            // The connection is dropped before this could answer.
                            std::future::pending().await
                        }
                    }
                }
            })
        };
        let conn = self.http.serve_connection(TokioIo::new(io), service);
        tokio::pin!(conn);
        let mut stopping = false;
        loop {
            tokio::select! {
                // Errors (a client gone mid-request, a malformed request) end this connection only.
                _ = conn.as_mut() => return false,
                () = reset.notified() => return true,
                _ = self.stop.changed(), if !stopping => {
                    stopping = true;
                    // Finishes the request under way, if any, then closes.
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Makes the coming close of `stream` a reset (RST) rather than an orderly FIN, as when a server
/// or proxy crashes: `SO_LINGER` zero discards whatever is unsent.
fn reset(stream: &TcpStream) {
    let outcome: io::Result<()> = stream.set_zero_linger();
    // Without it the close is a plain FIN: still no answer, which is the best left to do.
    drop(outcome);
}
