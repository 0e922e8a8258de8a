//! DC/OS in front of the simulated Marathon (`podctl sim --dcos`): Admin Router's routes and its
//! token check, the IAM's login, and the metadata a small cluster serves.
//!
//! A request first meets [`Dcos::admit`], which answers what DC/OS itself answers (login, metadata,
//! refusals) and hands everything else on to Marathon, under `/service/marathon/` as well as at `/`.
//! Tokens are JWTs: the IAM verifies a service account's RS256 login token against the account's
//! public key, and the tokens it issues carry `uid` and `exp`, the way DC/OS's do. Every expiry is
//! measured on the simulator's clock, which the caller passes in as `now`, so a test on the manual
//! clock can expire a token without waiting. This module does no I/O after [`Dcos::new`] and knows
//! nothing of HTTP beyond paths and header values; `error` spells its refusals.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, Context as _};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::SimError;

/// Where Admin Router proxies Marathon.
pub const MARATHON_PREFIX: &str = "/service/marathon";

/// The DC/OS release this simulator answers as, in `/dcos-metadata/dcos-version.json`.
pub const DCOS_VERSION: &str = "2.2.0";

/// The shortest `--token-ttl`: a JWT's `exp` counts whole seconds.
pub const MIN_TOKEN_TTL: Duration = Duration::from_secs(1);

/// How `--dcos` was asked for, before any file is read.
#[derive(Debug, Clone)]
pub struct DcosOptions {
    /// `--user ID:PASSWORD`, as given.
    pub users: Vec<String>,
    /// `--service-account ID=PUBLIC_KEY.pem`, as given.
    pub service_accounts: Vec<String>,
    /// How long an issued token lasts.
    pub token_ttl: Duration,
}

impl Default for DcosOptions {
    fn default() -> DcosOptions {
        DcosOptions {
            users: Vec::new(),
            service_accounts: Vec::new(),
            token_ttl: Duration::from_secs(5 * 24 * 3600),
        }
    }
}

/// The simulated DC/OS: its accounts and the key it signs its tokens with.
pub struct Dcos {
    users: HashMap<String, String>,
    accounts: HashMap<String, DecodingKey>,
    ttl: Duration,
    /// A random HS256 secret, new on every start: tokens of an earlier run are unknown.
    signing: EncodingKey,
    verifying: DecodingKey,
    /// `--require-token`: one more token that is always accepted and never expires, as DC/OS
    /// accepts long-lived tokens without `exp`.
    fixed: Option<String>,
    cluster_id: String,
    public_ip: String,
}

/// What becomes of a request that meets DC/OS.
#[derive(Debug, PartialEq)]
pub enum Gate<'p> {
    /// On to Marathon, at this path (the prefix taken off).
    Marathon(&'p str),
    /// DC/OS answers itself.
    Json(u16, Value),
    /// 301 to this path (Admin Router adds the slash to `/service/marathon`).
    Moved(&'static str),
    Refused(SimError),
}

/// What `POST /acs/api/v1/auth/login` takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    uid: String,
    password: Option<String>,
    token: Option<String>,
}

/// The claims DC/OS puts in and reads from its JWTs; `exp` may be fractional (a Python client's
/// `time.time() + 30`).
#[derive(Deserialize)]
struct Claims {
    uid: Option<String>,
    exp: Option<f64>,
}

impl Dcos {
    /// Reads every service account's public key now, so a bad file stops the start.
    pub fn new(
        opts: &DcosOptions,
        fixed: Option<String>,
        cluster_id: &str,
        public_ip: &str,
    ) -> anyhow::Result<Dcos> {
        if opts.token_ttl < MIN_TOKEN_TTL {
            return Err(anyhow!(
                "--token-ttl must be at least 1s: a token's expiry counts whole seconds"
            ));
        }
        let mut users = HashMap::new();
        for given in &opts.users {
            let (id, password) = given
                .split_once(':')
                .filter(|(id, _)| !id.is_empty())
                .ok_or_else(|| anyhow!("--user expects ID:PASSWORD, got {given:?}"))?;
            if users.insert(id.to_string(), password.to_string()).is_some() {
                return Err(anyhow!("--user {id:?} is given more than once"));
            }
        }
        let mut accounts = HashMap::new();
        for given in &opts.service_accounts {
            let (id, file) = given
                .split_once('=')
                .filter(|(id, file)| !id.is_empty() && !file.is_empty())
                .ok_or_else(|| {
                    anyhow!("--service-account expects ID=PUBLIC_KEY.pem, got {given:?}")
                })?;
            let pem = read_key(file)
                .with_context(|| format!("cannot read the public key of {id:?} from {file}"))?;
            // jsonwebtoken takes a private key here too, and then no signature ever verifies.
            let text = String::from_utf8_lossy(&pem);
            if !text.contains("-----BEGIN PUBLIC KEY-----")
                && !text.contains("-----BEGIN RSA PUBLIC KEY-----")
            {
                return Err(anyhow!(
                    "{file} holds no PEM public key (service account {id:?}); give the public \
                     key, never the private one"
                ));
            }
            let key = DecodingKey::from_rsa_pem(&pem).map_err(|e| {
                anyhow!("{file} is not a PEM RSA public key (service account {id:?}): {e}")
            })?;
            if accounts.insert(id.to_string(), key).is_some() || users.contains_key(id) {
                return Err(anyhow!("account {id:?} is given more than once"));
            }
        }
        let secret: Vec<u8> = (0..2)
            .flat_map(|_| uuid::Uuid::new_v4().into_bytes())
            .collect();
        Ok(Dcos {
            users,
            accounts,
            ttl: opts.token_ttl,
            signing: EncodingKey::from_secret(&secret),
            verifying: DecodingKey::from_secret(&secret),
            fixed,
            cluster_id: cluster_id.to_string(),
            public_ip: public_ip.to_string(),
        })
    }

    /// Decides one request as Admin Router and the IAM would; `authorization` is the header's
    /// value, `body` the request body, `now` the simulator's time.
    pub fn admit<'p>(
        &self,
        method: &str,
        path: &'p str,
        authorization: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Gate<'p> {
        match path {
            // The IAM's auth endpoints are the only ones Admin Router lets through unauthenticated.
            "/acs/api/v1/auth/login" => {
                return match method {
                    "POST" => match self.login(body, now) {
                        Ok(token) => Gate::Json(200, json!({ "token": token })),
                        Err(e) => Gate::Refused(e),
                    },
                    _ => Gate::Refused(SimError::MethodNotAllowed),
                }
            }
            "/acs/api/v1/auth/providers" => return Gate::Json(200, providers()),
            // Admin Router's redirect happens before it looks at credentials.
            MARATHON_PREFIX => return Gate::Moved("/service/marathon/"),
            // The simulator's own controls are not behind DC/OS.
            _ if path.starts_with("/_sim/") => return Gate::Marathon(path),
            _ => {}
        }
        if let Err(e) = self.check(authorization, now) {
            return Gate::Refused(e);
        }
        match path {
            "/dcos-metadata/dcos-version.json" => Gate::Json(200, self.version()),
            "/metadata" => Gate::Json(
                200,
                json!({ "PUBLIC_IPV4": self.public_ip, "CLUSTER_ID": self.cluster_id }),
            ),
            _ => match path.strip_prefix(MARATHON_PREFIX) {
                Some(rest) if rest.starts_with('/') => Gate::Marathon(rest),
                _ => Gate::Marathon(path),
            },
        }
    }

    /// Admin Router's check: a `token=` (or `Bearer`) value that this IAM issued and that has not
    /// expired, or the `--require-token` one.
    fn check(&self, authorization: Option<&str>, now: SystemTime) -> Result<(), SimError> {
        let value = authorization.map(str::trim).unwrap_or_default();
        let token = value
            .strip_prefix("token=")
            .or_else(|| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(SimError::DcosNotAuthenticated)?;
        if self.fixed.as_deref() == Some(token) {
            return Ok(());
        }
        let mut validation = Validation::new(Algorithm::HS256);
        relax(&mut validation);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.verifying, &validation)
            .map_err(|_| SimError::DcosNotAuthenticated)?
            .claims;
        if claims.uid.is_none() || claims.exp.is_some_and(|exp| expired(exp, now)) {
            return Err(SimError::DcosNotAuthenticated);
        }
        Ok(())
    }

    /// The IAM's login: a user's password, or a service account's login token signed RS256 with
    /// its private key (claims `uid`, which must be the account's, and `exp`, not past).
    fn login(&self, body: &[u8], now: SystemTime) -> Result<String, SimError> {
        let request: LoginRequest = serde_json::from_slice(body)
            .map_err(|e| SimError::LoginMalformed(format!("invalid login request: {e}")))?;
        let uid = request.uid;
        match (request.password, request.token) {
            (Some(password), None) => {
                if self.users.get(&uid) != Some(&password) {
                    return Err(SimError::LoginRefused);
                }
            }
            (None, Some(token)) => self.check_login_token(&uid, &token, now)?,
            _ => {
                return Err(SimError::LoginMalformed(
                    "a login request has either a password or a token".to_string(),
                ))
            }
        }
        self.issue(&uid, now)
    }

    fn check_login_token(&self, uid: &str, token: &str, now: SystemTime) -> Result<(), SimError> {
        let key = self.accounts.get(uid).ok_or(SimError::LoginRefused)?;
        let mut validation = Validation::new(Algorithm::RS256);
        relax(&mut validation);
        let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|_| SimError::LoginRefused)?
            .claims;
        match (claims.uid, claims.exp) {
            (Some(claimed), Some(exp)) if claimed == uid && !expired(exp, now) => Ok(()),
            _ => Err(SimError::LoginRefused),
        }
    }

    /// A token for `uid` that expires `--token-ttl` from `now`, rounded up to a whole second.
    fn issue(&self, uid: &str, now: SystemTime) -> Result<String, SimError> {
        // A whole number, as every JWT library reads `exp`; the TTL is at most 30 days.
        let exp = (seconds(now) + self.ttl.as_secs_f64()).ceil() as u64;
        let claims = json!({ "uid": uid, "exp": exp });
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.signing)
            .map_err(|e| SimError::Internal(e.to_string()))
    }

    /// `/dcos-metadata/dcos-version.json` as an open-source cluster writes it.
    fn version(&self) -> Value {
        json!({
            "version": DCOS_VERSION,
            "dcos-variant": "open",
            "dcos-image-commit": "0000000000000000000000000000000000000000",
            "bootstrap-id": "0000000000000000000000000000000000000000"
        })
    }
}

/// The most a public key file may hold; a 16384-bit RSA key's PEM is under 3 KiB.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Reads a key file, refusing one larger than [`MAX_KEY_FILE`] (say, `/dev/zero`).
fn read_key(file: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut pem = Vec::new();
    std::fs::File::open(file)?
        .take(MAX_KEY_FILE + 1)
        .read_to_end(&mut pem)?;
    if pem.len() as u64 > MAX_KEY_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} KiB, too large for a public key",
            MAX_KEY_FILE / 1024
        )));
    }
    Ok(pem)
}

/// A `Location` Marathon answered through the prefix, as Admin Router's `proxy_redirect` passes
/// it on: one on Marathon's own origin (`http://host/`) moves under `/service/marathon/`.
pub fn proxied_location(location: &str, origin: &str) -> String {
    match location.strip_prefix(origin) {
        Some(rest) => format!("{MARATHON_PREFIX}/{rest}"),
        None => location.to_string(),
    }
}

/// The checks DC/OS makes itself, on the simulator's clock: none of jsonwebtoken's own time
/// checks (they read the system clock), no audience, no claim required up front.
fn relax(validation: &mut Validation) {
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
}

/// Seconds since the epoch, fractional.
fn seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Whether a token with this `exp` is no longer valid at `now` (Admin Router: valid while
/// `now < exp`, no leeway).
fn expired(exp: f64, now: SystemTime) -> bool {
    !exp.is_finite() || seconds(now) >= exp
}

/// `GET /acs/api/v1/auth/providers`: the one way to log in here, user id and password (service
/// accounts log in through the same endpoint).
fn providers() -> Value {
    json!({
        "dcos-users": {
            "authentication-type": "dcos-uid-password",
            "client-method": "dcos-usercredential-post-receive-authtoken",
            "config": { "start_flow_url": "/acs/api/v1/auth/login" },
            "description": "Default DC/OS login provider"
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: u64 = 1_767_225_600;

    fn at(secs: f64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs)
    }

    fn dcos(ttl_secs: u64, fixed: Option<&str>) -> Dcos {
        let opts = DcosOptions {
            users: vec!["admin:s3:cret".into()],
            service_accounts: Vec::new(),
            token_ttl: Duration::from_secs(ttl_secs),
        };
        Dcos::new(&opts, fixed.map(str::to_string), "cluster-1", "127.0.0.1").expect("valid")
    }

    /// Logs `admin` in at `now` and returns the token.
    fn login(d: &Dcos, now: SystemTime) -> String {
        let body = br#"{"uid": "admin", "password": "s3:cret"}"#;
        match d.admit("POST", "/acs/api/v1/auth/login", None, body, now) {
            Gate::Json(200, answer) => answer["token"].as_str().expect("token").to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn routes_strip_the_prefix_and_only_login_and_sim_pass_without_a_token() {
        let d = dcos(60, Some("fixed"));
        let now = at(START as f64);
        let admit = |path| d.admit("GET", path, Some("token=fixed"), b"", now);
        assert_eq!(
            admit("/service/marathon/v2/pods"),
            Gate::Marathon("/v2/pods")
        );
        assert_eq!(admit("/service/marathon/"), Gate::Marathon("/"));
        assert_eq!(admit("/v2/pods"), Gate::Marathon("/v2/pods"));
        // Only `/service/marathon` itself is the prefix, not a longer service name.
        assert_eq!(
            admit("/service/marathonx/v2/pods"),
            Gate::Marathon("/service/marathonx/v2/pods")
        );
        assert_eq!(
            admit("/metadata"),
            Gate::Json(
                200,
                json!({"PUBLIC_IPV4": "127.0.0.1", "CLUSTER_ID": "cluster-1"})
            )
        );
        let anonymous = |path| d.admit("GET", path, None, b"", now);
        assert_eq!(
            anonymous("/service/marathon"),
            Gate::Moved("/service/marathon/")
        );
        assert_eq!(anonymous("/_sim/clock"), Gate::Marathon("/_sim/clock"));
        assert!(matches!(
            anonymous("/acs/api/v1/auth/providers"),
            Gate::Json(200, _)
        ));
        for path in [
            "/v2/pods",
            "/ping",
            "/metadata",
            "/dcos-metadata/dcos-version.json",
        ] {
            assert_eq!(
                anonymous(path),
                Gate::Refused(SimError::DcosNotAuthenticated),
                "{path}"
            );
        }
        assert_eq!(
            d.admit("GET", "/acs/api/v1/auth/login", None, b"", now),
            Gate::Refused(SimError::MethodNotAllowed)
        );
    }

    #[test]
    fn an_issued_token_lasts_the_ttl_rounded_up_to_a_second() {
        let d = dcos(2, None);
        // Half a second past the start: exp is the next whole second after start + 2.5 s.
        let token = login(&d, at(START as f64 + 0.5));
        let exp = START + 3;
        let check = |secs: f64| d.check(Some(&format!("token={token}")), at(secs));
        assert_eq!(check(exp as f64 - 0.001), Ok(()));
        assert_eq!(check(exp as f64), Err(SimError::DcosNotAuthenticated));
        assert_eq!(
            check(exp as f64 + 100.0),
            Err(SimError::DcosNotAuthenticated)
        );
        // Bearer, as newer Admin Routers accept, and surrounding blanks.
        assert_eq!(
            d.check(Some(&format!("  Bearer {token} ")), at(START as f64)),
            Ok(())
        );
    }

    #[test]
    fn tokens_not_issued_here_are_unknown() {
        let d = dcos(60, Some("fixed"));
        let other = dcos(60, None);
        let now = at(START as f64);
        let foreign = login(&other, now);
        for value in [
            format!("token={foreign}"),
            "token=".to_string(),
            "token=wrong".to_string(),
            "fixed".to_string(),
            "Basic YTpi".to_string(),
        ] {
            assert_eq!(
                d.check(Some(&value), now),
                Err(SimError::DcosNotAuthenticated),
                "{value}"
            );
        }
        assert_eq!(d.check(None, now), Err(SimError::DcosNotAuthenticated));
        // The fixed token never expires.
        assert_eq!(d.check(Some("token=fixed"), at(4e9)), Ok(()));
        // A token of ours without `uid` is refused, as Admin Router requires it.
        let no_uid = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"exp": START + 60}),
            &d.signing,
        )
        .expect("signed");
        assert_eq!(
            d.check(Some(&format!("token={no_uid}")), now),
            Err(SimError::DcosNotAuthenticated)
        );
    }

    #[test]
    fn passwords_must_match_exactly_and_bodies_must_be_login_requests() {
        let d = dcos(60, None);
        let now = at(START as f64);
        let post = |body: &[u8]| d.admit("POST", "/acs/api/v1/auth/login", None, body, now);
        for body in [
            &br#"{"uid": "admin", "password": "s3:cret "}"#[..],
            br#"{"uid": "admin", "password": "s3"}"#,
            br#"{"uid": "Admin", "password": "s3:cret"}"#,
            br#"{"uid": "admin", "token": "a.b.c"}"#,
        ] {
            assert_eq!(
                post(body),
                Gate::Refused(SimError::LoginRefused),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [
            &b""[..],
            b"{",
            br#"{"uid": 5, "password": "x"}"#,
            br#"{"uid": "admin", "password": "s3:cret", "extra": 1}"#,
            br#"{"uid": "admin"}"#,
        ] {
            assert!(
                matches!(post(body), Gate::Refused(SimError::LoginMalformed(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn bad_options_name_the_flag() {
        let new = |opts: DcosOptions| {
            Dcos::new(&opts, None, "c", "127.0.0.1")
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default()
        };
        let ttl = new(DcosOptions {
            token_ttl: Duration::from_millis(999),
            ..DcosOptions::default()
        });
        assert!(ttl.contains("--token-ttl must be at least 1s"), "{ttl}");
        for user in ["nocolon", ":password"] {
            let message = new(DcosOptions {
                users: vec![user.into()],
                ..DcosOptions::default()
            });
            assert!(message.contains("--user expects ID:PASSWORD"), "{message}");
        }
        for account in ["ci", "=key.pem", "ci="] {
            let message = new(DcosOptions {
                service_accounts: vec![account.into()],
                ..DcosOptions::default()
            });
            assert!(message.contains("--service-account expects"), "{message}");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("key.pem");
        let account = format!("ci={}", file.display());
        let missing = new(DcosOptions {
            service_accounts: vec![account.clone()],
            ..DcosOptions::default()
        });
        assert!(
            missing.contains("cannot read the public key of \"ci\""),
            "{missing}"
        );
        std::fs::write(
            &file,
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        )
        .expect("write");
        let bad = new(DcosOptions {
            service_accounts: vec![account],
            ..DcosOptions::default()
        });
        assert!(bad.contains("is not a PEM RSA public key"), "{bad}");
        let dup = new(DcosOptions {
            users: vec!["a:1".into(), "a:2".into()],
            ..DcosOptions::default()
        });
        assert!(
            dup.contains("--user \"a\" is given more than once"),
            "{dup}"
        );
        std::fs::write(&file, vec![b'A'; 70 * 1024]).expect("write");
        let huge = new(DcosOptions {
            service_accounts: vec![format!("ci={}", file.display())],
            ..DcosOptions::default()
        });
        assert!(huge.contains("too large for a public key"), "{huge}");
    }

    #[test]
    fn locations_move_under_the_prefix_only_on_marathons_origin() {
        let origin = "http://127.0.0.1:8080/";
        assert_eq!(
            proxied_location("http://127.0.0.1:8080/v2/deployments/x", origin),
            "/service/marathon/v2/deployments/x"
        );
        assert_eq!(
            proxied_location("http://elsewhere/v2/pods", origin),
            "http://elsewhere/v2/pods"
        );
    }
}
