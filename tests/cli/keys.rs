//! DC/OS test support: RSA key pairs for service accounts and the login tokens they sign, a
//! simulator behaving as DC/OS, and the DC/OS CLI's cluster files.
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

/// `podctl sim --dcos --clock manual` with the user `admin:s3cret` and the service account `ci`
/// (the public half of [`service_account_key`]), plus `extra`; the directory holds the key.
pub fn dcos_sim(extra: &[&str]) -> (crate::support::Sim, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("ci-public.pem");
    std::fs::write(&public, service_account_key().1).unwrap();
    let account = format!("ci={}", public.display());
    let mut args = vec![
        "--dcos",
        "--user",
        "admin:s3cret",
        "--service-account",
        &account,
    ];
    args.extend(extra);
    (crate::support::Sim::manual(&args), dir)
}

/// Writes `clusters/<id>/dcos.toml` under a DC/OS CLI directory (mode 0600, as the DC/OS CLI
/// does), with an `attached` file when asked; returns the file's path.
pub fn write_dcos_cluster(
    dir: &std::path::Path,
    id: &str,
    text: &str,
    attached: bool,
) -> std::path::PathBuf {
    let cluster = dir.join("clusters").join(id);
    std::fs::create_dir_all(&cluster).unwrap();
    let file = cluster.join("dcos.toml");
    std::fs::write(&file, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    if attached {
        std::fs::write(cluster.join("attached"), "").unwrap();
    }
    file
}

/// `cluster login CLUSTER --url URL --username UID --private-key KEY`: a service account's login.
pub fn key_login<'a>(cluster: &'a str, url: &'a str, uid: &'a str, key: &'a str) -> Vec<&'a str> {
    vec![
        "cluster",
        "login",
        cluster,
        "--url",
        url,
        "--username",
        uid,
        "--private-key",
        key,
    ]
}

/// `args` with `--verbose` first.
pub fn verbose(mut args: Vec<&str>) -> Vec<&str> {
    args.insert(0, "--verbose");
    args
}
