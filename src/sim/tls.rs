//! HTTPS for `podctl sim --tls-cert FILE --tls-key FILE`: loads the PEM files into a rustls
//! server configuration, checking that the key fits the certificate. `net` terminates TLS on
//! each connection with it (tokio-rustls); nothing here touches a socket.

use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

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
