//! The simulator's public socket: accepts each client connection, optionally terminates TLS on
//! it (`tls`), and pipes it to the HTTP server listening on an internal loopback port.
//!
//! One backend connection per client connection, so the backend sees the client by the local
//! address of that connection; [`Connections`] maps it back, which is how a `reset` fault can
//! close the client's socket without a byte of answer (tiny_http itself cannot). It knows
//! nothing of HTTP.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use rustls::ServerConfig;

use super::tls;

/// Client sockets by the local address of their backend connection.
#[derive(Debug, Default)]
pub struct Connections {
    clients: Mutex<HashMap<SocketAddr, TcpStream>>,
}

impl Connections {
    /// Closes the client connection whose backend connection comes from `backend_peer`, as a
    /// crashed server or proxy would; false when there is none.
    pub fn reset(&self, backend_peer: Option<&SocketAddr>) -> bool {
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        match backend_peer.and_then(|p| clients.get(p)) {
            Some(client) => client.shutdown(Shutdown::Both).is_ok(),
            None => false,
        }
    }

    fn add(&self, key: SocketAddr, client: TcpStream) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.insert(key, client);
    }

    fn remove(&self, key: &SocketAddr) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.remove(key);
    }
}

/// The bound public socket.
pub struct Front {
    listener: TcpListener,
    backend: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    connections: Arc<Connections>,
}

impl Front {
    pub fn new(
        listener: TcpListener,
        backend: SocketAddr,
        tls: Option<Arc<ServerConfig>>,
        connections: Arc<Connections>,
    ) -> Front {
        Front {
            listener,
            backend,
            tls,
            connections,
        }
    }

    /// Accepts connections until the process ends, each on its own thread.
    pub fn run(self) {
        for client in self.listener.incoming() {
            // A failed accept concerns one connection only.
            let Ok(client) = client else { continue };
            let backend = self.backend;
            let tls = self.tls.clone();
            let connections = Arc::clone(&self.connections);
            let spawned = thread::Builder::new()
                .name("sim-connection".into())
                .spawn(move || {
                    // The connection is over either way; its errors concern nobody else.
                    let _ = serve_connection(client, backend, tls, &connections);
                });
            // Out of threads: this connection is dropped, the next may fare better.
            drop(spawned);
        }
    }
}

fn serve_connection(
    client: TcpStream,
    backend: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    connections: &Connections,
) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let upstream = TcpStream::connect(backend)?;
    let _ = upstream.set_nodelay(true);
    let key = upstream.local_addr()?;
    connections.add(key, client.try_clone()?);
    let result = match tls {
        Some(config) => tls::pipe(client, upstream, config),
        None => pipe(client, upstream),
    };
    connections.remove(&key);
    result
}

/// Copies both ways until each side has finished; a thread for the way back.
fn pipe(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let back = {
        let (mut from, mut to) = (upstream.try_clone()?, client.try_clone()?);
        thread::Builder::new()
            .name("sim-pipe".into())
            .spawn(move || {
                let _ = io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Write);
                // A client gone mid-answer must not leave the server writing into a full socket.
                let _ = from.shutdown(Shutdown::Both);
            })?
    };
    let (mut from, mut to) = (&client, &upstream);
    let _ = copy(&mut from, &mut to);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}

/// `io::copy` with a flush after every read, so that nothing waits in a buffer.
fn copy(from: &mut impl Read, to: &mut impl Write) -> io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
        to.flush()?;
    }
}
