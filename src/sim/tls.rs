//! HTTPS for `podctl sim --tls-cert FILE --tls-key FILE`: loads the PEM files into a rustls
//! server configuration, and pipes one TLS connection to a plaintext backend connection.
//!
//! The HTTP server never sees TLS: `front` hands each accepted connection here, and the
//! decrypted bytes go to it over loopback. Both directions share the one rustls connection under
//! a lock that is held only to feed or drain it, never while waiting for the network to read.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use rustls::{ServerConfig, ServerConnection};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server configuration from a PEM certificate chain and a PEM private key; every error is
/// one line naming the file.
pub fn load(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let cert_pem = std::fs::read(cert)
        .with_context(|| format!("cannot read TLS certificate {}", cert.display()))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("invalid TLS certificate {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(anyhow!(
            "invalid TLS certificate {}: no PEM CERTIFICATE block found",
            cert.display()
        ));
    }
    let key_pem =
        std::fs::read(key).with_context(|| format!("cannot read TLS key {}", key.display()))?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => anyhow!(
            "invalid TLS key {}: no PEM private key found (PKCS#8, PKCS#1 or SEC1)",
            key.display()
        ),
        e => anyhow!("invalid TLS key {}: {e}", key.display()),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("setting up TLS")?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            anyhow!(
                "TLS key {} does not fit certificate {}: {e}",
                key.display(),
                cert.display()
            )
        })?;
    Ok(Arc::new(config))
}

/// Serves one client connection: the handshake, then decrypted bytes to `upstream` and
/// encrypted answers back, until both sides are done.
pub fn pipe(client: TcpStream, upstream: TcpStream, config: Arc<ServerConfig>) -> io::Result<()> {
    let mut tls = ServerConnection::new(config).map_err(io::Error::other)?;
    client.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    {
        let mut socket = &client;
        while tls.is_handshaking() {
            tls.complete_io(&mut socket)?;
        }
    }
    client.set_read_timeout(None)?;
    let tls = Arc::new(Mutex::new(tls));
    let back = {
        let tls = Arc::clone(&tls);
        let (from, to) = (upstream.try_clone()?, client.try_clone()?);
        thread::Builder::new()
            .name("sim-tls-out".into())
            .spawn(move || {
                let _ = encrypt(&tls, &from, &to);
                // A client gone mid-answer must not leave the server writing into a full socket.
                let _ = from.shutdown(Shutdown::Both);
            })?
    };
    let _ = decrypt(&tls, &client, &upstream);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}

/// Client to server: TLS records in, plaintext out. The handshake may already have received
/// the first request, so what rustls holds is forwarded before reading on.
fn decrypt(
    tls: &Mutex<ServerConnection>,
    client: &TcpStream,
    upstream: &TcpStream,
) -> io::Result<()> {
    let mut raw = vec![0u8; 16 * 1024];
    let mut records: &[u8] = &[];
    let mut plain = Vec::new();
    loop {
        let closed = {
            let mut tls = tls.lock().unwrap_or_else(PoisonError::into_inner);
            let mut closed = false;
            loop {
                if !records.is_empty() {
                    tls.read_tls(&mut records)?;
                }
                let state = match tls.process_new_packets() {
                    Ok(state) => state,
                    Err(e) => {
                        // Tell the client why (an alert), then give up on the connection.
                        let _ = tls.write_tls(&mut &*client);
                        return Err(io::Error::other(e));
                    }
                };
                closed |= state.peer_has_closed();
                let ready = state.plaintext_bytes_to_read();
                if ready > 0 {
                    let start = plain.len();
                    plain.resize(start + ready, 0);
                    tls.reader().read_exact(&mut plain[start..])?;
                }
                if records.is_empty() {
                    break;
                }
            }
            while tls.wants_write() {
                tls.write_tls(&mut &*client)?;
            }
            closed
        };
        (&*upstream).write_all(&plain)?;
        plain.clear();
        if closed {
            return Ok(());
        }
        let n = (&*client).read(&mut raw)?;
        if n == 0 {
            return Ok(());
        }
        records = &raw[..n];
    }
}

/// Server to client: plaintext in, TLS records out; a close_notify when the server is done.
fn encrypt(
    tls: &Mutex<ServerConnection>,
    upstream: &TcpStream,
    client: &TcpStream,
) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = (&*upstream).read(&mut buf)?;
        let mut tls = tls.lock().unwrap_or_else(PoisonError::into_inner);
        if n == 0 {
            tls.send_close_notify();
        } else {
            tls.writer().write_all(&buf[..n])?;
        }
        while tls.wants_write() {
            tls.write_tls(&mut &*client)?;
        }
        if n == 0 {
            let _ = client.shutdown(Shutdown::Write);
            return Ok(());
        }
    }
}
