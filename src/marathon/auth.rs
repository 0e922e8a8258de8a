//! DC/OS authentication for the Marathon client: the `Authorization` header, logging in
//! (`POST <dcos_url>/acs/api/v1/auth/login` with a password or a service account's login token,
//! a JWT signed RS256 with its private key), and renewing a token shortly before it expires or
//! after a 401, with the credentials `podctl cluster login` kept.
//!
//! A token's `exp` is read without verifying the token: that is the server's job; podctl only
//! wants to know when to log in again. No credential (token, password, key) is ever part of a
//! message or a log line; a new token goes back to podctl's own config file, for the cluster
//! it was stored for.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::config::{ConfigFile, Login, Renewal, Settings};
use crate::http::{Http, Log, Request, TransportError};

/// A token is renewed when it has less than this left (by this machine's clock).
const RENEW_MARGIN: Duration = Duration::from_secs(30);
/// How long the login token signed with a service account's key is valid: only for the login.
const LOGIN_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// The largest private key file read; an RSA key in PEM is a few KiB.
const MAX_KEY_BYTES: u64 = 64 * 1024;
/// The longest token taken from a login answer; DC/OS's are about 1 KiB.
const MAX_TOKEN_BYTES: usize = 64 * 1024;
/// The largest password file read.
const MAX_PASSWORD_BYTES: u64 = 64 * 1024;

/// A login that did not give a token.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("reading the private key {}", path.display())]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a PEM RSA private key (its content is never shown).
    #[error("{}: {reason}", path.display())]
    BadKey { path: PathBuf, reason: String },
    #[error("logging in to {url} as {uid:?}: {error}")]
    Transport {
        url: String,
        uid: String,
        error: Box<TransportError>,
    },
    /// The server answered the login with an error status (401: a wrong credential).
    #[error("logging in to {url} as {uid:?}: {message} (HTTP {status}){}", match status {
        401 => "; check the account id and its key or password",
        404 => "; no DC/OS login there: is it a DC/OS cluster (its URL ending in /service/marathon)?",
        _ => "",
    })]
    Refused {
        url: String,
        uid: String,
        status: u16,
        message: String,
    },
    #[error("logging in to {url}: the answer holds no usable token")]
    NoToken { url: String },
    /// Stored renewal credentials that cannot be used as they are.
    #[error("{0}")]
    Credentials(String),
}

/// The secret a login proves itself with.
pub enum Secret {
    /// A service account's private key (PEM RSA), by path.
    Key(PathBuf),
    Password(String),
}

/// The claims of a service account's login token.
#[derive(Serialize)]
struct LoginClaims<'a> {
    uid: &'a str,
    exp: u64,
}

/// Signs the login token of service account `uid` with the PEM RSA key in `path` (RS256).
pub fn login_token(uid: &str, path: &Path, now: SystemTime) -> Result<String, LoginError> {
    let pem = read_limited(path, MAX_KEY_BYTES).map_err(|source| LoginError::KeyFile {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |reason: &str| LoginError::BadKey {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = String::from_utf8_lossy(&pem);
    if text.contains("PUBLIC KEY-----") && !text.contains("PRIVATE KEY-----") {
        return Err(bad(
            "this is a public key; give the service account's private key (the public one is \
             the cluster's)",
        ));
    }
    // jsonwebtoken's own messages say nothing about the key's content, but none is needed.
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem)
        .map_err(|_| bad("not a PEM RSA private key (PKCS#1 or PKCS#8)"))?;
    let exp = (now + LOGIN_TOKEN_LIFETIME)
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    jsonwebtoken::encode(&header, &LoginClaims { uid, exp }, &key)
        .map_err(|_| bad("the key cannot sign (an RSA key of at least 2048 bits is needed)"))
}

/// Reads a password file: its first line, without the line end or trailing whitespace.
pub fn read_password_file(path: &Path) -> std::io::Result<String> {
    let bytes = read_limited(path, MAX_PASSWORD_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not UTF-8 text",
        )
    })?;
    // Whitespace at the end goes, as the DC/OS CLI drops it from the same file.
    Ok(text.lines().next().unwrap_or("").trim_end().to_string())
}

/// At most `limit` bytes of a regular file; a bigger or special file is an error.
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {}, too large to be one",
                crate::size::show(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// `POST login_url` as `uid`; returns the authentication token.
pub fn login(
    http: &Http,
    login_url: &str,
    uid: &str,
    secret: &Secret,
    deadline: Option<Instant>,
) -> Result<String, LoginError> {
    let body = match secret {
        Secret::Key(path) => {
            serde_json::json!({"uid": uid, "token": login_token(uid, path, SystemTime::now())?})
        }
        Secret::Password(password) => serde_json::json!({"uid": uid, "password": password}),
    };
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let reply = http
        .send(Request {
            method: Method::POST,
            url: login_url,
            headers,
            body: Some(body.to_string().into_bytes()),
            deadline,
        })
        .map_err(|error| LoginError::Transport {
            url: login_url.to_string(),
            uid: uid.to_string(),
            error: Box::new(error),
        })?;
    if !reply.status.is_success() {
        return Err(LoginError::Refused {
            url: login_url.to_string(),
            uid: uid.to_string(),
            status: reply.status.as_u16(),
            message: error_message(&reply.body, reply.status.canonical_reason()),
        });
    }
    #[derive(Deserialize)]
    struct Answer {
        token: String,
    }
    let no_token = || LoginError::NoToken {
        url: login_url.to_string(),
    };
    let answer: Answer = serde_json::from_slice(&reply.body).map_err(|_| no_token())?;
    // The token goes into a header: it must be visible ASCII.
    if answer.token.is_empty()
        || answer.token.len() > MAX_TOKEN_BYTES
        || !answer.token.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(no_token());
    }
    Ok(answer.token)
}

/// What DC/OS says in an error body (`description`, else `title`), escaped and clipped.
fn error_message(body: &[u8], reason: Option<&str>) -> String {
    let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let said = ["description", "title", "message"].iter().find_map(|key| {
        value
            .as_ref()
            .and_then(|v| v.get(key))
            .and_then(|v| v.as_str())
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    });
    let text = said.unwrap_or_else(|| reason.unwrap_or("refused").to_string());
    super::clip(&text)
}

/// When a JWT expires (its `exp` claim), read without verifying it; `None` when the token is
/// not a JWT or says nothing.
pub fn expiry(token: &str) -> Option<SystemTime> {
    #[derive(Deserialize)]
    struct Claims {
        exp: Option<u64>,
    }
    let mut validation = jsonwebtoken::Validation::default();
    validation.insecure_disable_signature_validation();
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let key = jsonwebtoken::DecodingKey::from_secret(&[]);
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .ok()?
        .claims;
    UNIX_EPOCH.checked_add(Duration::from_secs(claims.exp?))
}

/// The header a request carries, and how to get a new one.
#[derive(Clone)]
pub struct Auth {
    state: Arc<Mutex<State>>,
    renewal: Option<Arc<Renewal>>,
    /// The cluster in use, for telling the user how to log in.
    cluster: Option<String>,
    config_path: PathBuf,
    log: Option<Log>,
}

struct State {
    header: Option<HeaderValue>,
    expires: Option<SystemTime>,
    /// Whether `expires` can be compared with this machine's clock: false for a token that
    /// looked expired the moment it was issued (the clocks disagree; only a 401 tells then).
    trust_expiry: bool,
}

impl Auth {
    /// The authentication of `settings`: its token (or basic auth) and its renewal credentials.
    pub fn new(settings: &Settings, header: Option<HeaderValue>, log: Option<Log>) -> Auth {
        let expires = settings.token.as_deref().and_then(expiry);
        Auth {
            state: Arc::new(Mutex::new(State {
                header,
                expires,
                trust_expiry: true,
            })),
            renewal: settings.renewal.clone().map(Arc::new),
            cluster: settings.cluster.clone(),
            config_path: settings.config_path.clone(),
            log,
        }
    }

    /// The `Authorization` header to send now.
    pub fn header(&self) -> Option<HeaderValue> {
        self.lock().header.clone()
    }

    /// Whether a login can get a new token.
    pub fn can_renew(&self) -> bool {
        self.renewal.is_some()
    }

    /// Whether the token should be renewed before the next request: renewal credentials exist
    /// and there is no token yet, or it expires within [`RENEW_MARGIN`].
    pub fn due(&self) -> bool {
        if self.renewal.is_none() {
            return false;
        }
        let state = self.lock();
        match (&state.header, state.expires) {
            (None, _) => true,
            (Some(_), Some(exp)) => state.trust_expiry && exp < SystemTime::now() + RENEW_MARGIN,
            (Some(_), None) => false,
        }
    }

    /// Logs in again with the stored credentials and uses the new token from now on (in this
    /// process and, saved to the config file, in the next).
    pub fn renew(&self, http: &Http, deadline: Option<Instant>) -> Result<(), LoginError> {
        let Some(renewal) = &self.renewal else {
            return Err(LoginError::Credentials(
                "no credentials to log in again with".into(),
            ));
        };
        let secret = secret_of(&renewal.login, &renewal.cluster)?;
        let token = login(
            http,
            &renewal.login_url,
            &renewal.login.uid,
            &secret,
            deadline,
        )?;
        self.use_token(&token)?;
        if let Some(log) = self.log {
            log(&format!(
                "logged in again to {} as {:?}: the token was renewed",
                renewal.login_url, renewal.login.uid
            ));
        }
        if let Err(e) = save_token(&self.config_path, &renewal.cluster, &token) {
            if let Some(log) = self.log {
                log(&format!(
                    "the renewed token could not be saved to {}: {e:#}",
                    self.config_path.display()
                ));
            }
        }
        Ok(())
    }

    fn use_token(&self, token: &str) -> Result<(), LoginError> {
        let mut header = HeaderValue::from_str(&format!("token={token}"))
            .map_err(|_| LoginError::Credentials("the new token is not a valid header".into()))?;
        header.set_sensitive(true);
        let expires = expiry(token);
        let mut state = self.lock();
        state.header = Some(header);
        state.expires = expires;
        state.trust_expiry = expires.is_none_or(|e| e > SystemTime::now() + RENEW_MARGIN);
        Ok(())
    }

    /// For a 401 that no renewal answers: when the token expired (if its `exp` says it did)
    /// and how to log in again; `None` when there is nothing more specific to say than the
    /// general advice (no cluster in use and no expired token).
    pub fn unauthorized_hint(&self) -> Option<String> {
        let expired = self.lock().expires.filter(|e| *e <= SystemTime::now());
        if expired.is_none() && self.cluster.is_none() {
            return None;
        }
        let mut hint = match expired {
            Some(at) => format!(
                "the token expired at {} (by this machine's clock); ",
                humantime::format_rfc3339_seconds(at)
            ),
            None => String::new(),
        };
        hint.push_str(&match self.cluster.as_deref() {
            Some(dcos) if dcos.starts_with(crate::config::DCOS_PREFIX) => {
                "log in again with `dcos auth login`, or copy the cluster with `podctl cluster \
                 import` and log in with `podctl cluster login NAME --username ID \
                 --private-key FILE` to have podctl renew the token"
                    .to_string()
            }
            Some(name) => format!(
                "log in with `podctl cluster login {name} --username ID --private-key FILE` \
                 (or --password-file FILE), and podctl renews the token itself"
            ),
            None => "log in with `podctl cluster login NAME --url URL --username ID \
                     --private-key FILE`"
                .to_string(),
        });
        Some(hint)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain values.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The secret of stored renewal credentials.
fn secret_of(login: &Login, cluster: &str) -> Result<Secret, LoginError> {
    match (&login.private_key, &login.password) {
        (Some(path), _) => Ok(Secret::Key(path.clone())),
        (None, Some(password)) => Ok(Secret::Password(password.clone())),
        (None, None) => Err(LoginError::Credentials(format!(
            "cluster {cluster:?} keeps no key or password to log in again with (log in with \
             `podctl cluster login {cluster} --remember` or a --private-key)"
        ))),
    }
}

/// Stores a renewed token with its cluster, if the cluster is still there. A file with keys
/// podctl does not know is left alone: saving would drop them, and nobody asked for a change.
fn save_token(path: &Path, cluster: &str, token: &str) -> anyhow::Result<()> {
    let (mut file, warnings) = ConfigFile::load_with_warnings(path)?;
    if !warnings.is_empty() {
        anyhow::bail!("it has keys podctl does not know, which saving would drop");
    }
    if let Some(entry) = file.clusters.get_mut(cluster) {
        entry.token = Some(token.to_string());
        file.save(path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsigned(claims: &str) -> String {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64(claims)
        )
    }

    #[test]
    fn expiry_is_read_without_verifying() {
        let token = unsigned(r#"{"uid":"ci","exp":1700000000,"aud":"x"}"#);
        assert_eq!(
            expiry(&token),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(expiry(&unsigned(r#"{"uid":"ci"}"#)), None);
        assert_eq!(expiry("not-a-jwt"), None);
        assert_eq!(expiry(&unsigned(r#"{"exp":"soon"}"#)), None);
    }

    #[test]
    fn bad_keys_are_named_by_path_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(
            &path,
            "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0\n-----END RSA PRIVATE KEY-----\n",
        )
        .unwrap();
        let err = login_token("ci", &path, SystemTime::now()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("key.pem") && !text.contains("c2VjcmV0"),
            "{text}"
        );
        let err = login_token("ci", &dir.path().join("missing.pem"), SystemTime::now());
        assert!(matches!(err, Err(LoginError::KeyFile { .. })));
        let err = login_token("ci", dir.path(), SystemTime::now());
        assert!(matches!(err, Err(LoginError::KeyFile { .. })));
    }

    fn settings_with(token: &str, login: Option<Login>) -> Settings {
        let mut file = ConfigFile {
            current: Some("c".into()),
            ..Default::default()
        };
        file.clusters.insert(
            "c".into(),
            crate::config::ClusterEntry {
                url: "http://127.0.0.1:1".into(),
                token: Some(token.into()),
                login,
                ..Default::default()
            },
        );
        let env = |_: &str| None;
        crate::config::resolve(&Default::default(), &env, &file, "/nowhere".into()).unwrap()
    }

    fn key_login() -> Option<Login> {
        Some(Login {
            uid: "ci".into(),
            private_key: Some("/keys/ci.pem".into()),
            password: None,
        })
    }

    fn exp_in(secs: i64) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        now.checked_add_signed(secs).unwrap()
    }

    #[test]
    fn renewal_is_due_shortly_before_expiry_by_a_clock_that_agrees() {
        let near = unsigned(&format!(r#"{{"exp":{}}}"#, exp_in(10)));
        let far = unsigned(&format!(r#"{{"exp":{}}}"#, exp_in(3600)));
        let auth = Auth::new(&settings_with(&near, key_login()), None, None);
        assert!(auth.can_renew());
        assert!(auth.due(), "no token to send yet: log in first");
        let header = Some(HeaderValue::from_static("token=x"));
        let auth = Auth::new(&settings_with(&near, key_login()), header.clone(), None);
        assert!(auth.due());
        let auth = Auth::new(&settings_with(&far, key_login()), header.clone(), None);
        assert!(!auth.due());
        // Without credentials nothing is ever due, and a 401 says how to log in.
        let past = unsigned(r#"{"exp":1500000000}"#);
        let auth = Auth::new(&settings_with(&past, None), header.clone(), None);
        assert!(!auth.due() && !auth.can_renew());
        let hint = auth.unauthorized_hint().unwrap();
        assert!(hint.contains("expired at 2017-07-14T02:40:00Z"), "{hint}");
        assert!(hint.contains("podctl cluster login c "), "{hint}");
        // A new token that looks expired already: the clocks disagree; only a 401 tells.
        let auth = Auth::new(&settings_with(&far, key_login()), header, None);
        auth.use_token(&past).unwrap();
        assert!(!auth.due());
        auth.use_token(&near).unwrap();
        assert!(
            !auth.due(),
            "a token shorter-lived than the margin is renewed on a 401"
        );
        auth.use_token(&far).unwrap();
        assert!(!auth.due());
        assert!(auth.header().is_some_and(|h| h.is_sensitive()));
    }

    #[test]
    fn a_password_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\r\nsecond\n").unwrap();
        assert_eq!(read_password_file(&path).unwrap(), "s3cret");
        // As the DC/OS CLI reads the same file: whitespace at its end is no part of it.
        std::fs::write(&path, "s3cret \t\n").unwrap();
        assert_eq!(read_password_file(&path).unwrap(), "s3cret");
        std::fs::write(&path, " s3 cret").unwrap();
        assert_eq!(read_password_file(&path).unwrap(), " s3 cret");
    }

    #[test]
    fn error_bodies_are_escaped() {
        let body = br#"{"title":"Unauthorized","description":"bad \u001b[31m login"}"#;
        let message = error_message(body, Some("Unauthorized"));
        assert!(
            !message.contains('\u{1b}') && message.contains("login"),
            "{message}"
        );
        assert_eq!(
            error_message(b"<html>", Some("Unauthorized")),
            "Unauthorized"
        );
    }
}
