//! RSA key pairs for DC/OS service accounts, and the login tokens they sign.
//!
//! Generating an RSA key takes a while, so each pair is made once per test process and shared.
//! Private keys are PKCS#8 PEM and public keys SubjectPublicKeyInfo PEM, the forms DC/OS's own
//! tests and `dcos security org service-accounts keypair` use.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

/// `(private_pem, public_pem)` of a 2048-bit RSA key.
fn generate() -> (String, String) {
    let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key");
    let public = RsaPublicKey::from(&private);
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PEM")
        .to_string();
    let public_pem = public.to_public_key_pem(LineEnding::LF).expect("PEM");
    (private_pem, public_pem)
}

/// The key pair of a service account: `(private_pem, public_pem)`.
pub fn service_account_key() -> (String, String) {
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    KEY.get_or_init(generate).clone()
}

/// A second, unrelated key pair, for a login signed with the wrong key.
pub fn other_key() -> (String, String) {
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    KEY.get_or_init(generate).clone()
}

/// A service login token as the DC/OS CLI makes it: RS256, claims `uid` and `exp`.
pub fn login_token(private_pem: &str, uid: &str, exp: u64) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("RSA key");
    let claims = serde_json::json!({ "uid": uid, "exp": exp });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .expect("signed")
}

/// Seconds since the epoch on the system clock, for `exp` claims of simulators on that clock.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// The claims of a JWT, read without verifying it (the way a client reads `exp`).
pub fn claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
