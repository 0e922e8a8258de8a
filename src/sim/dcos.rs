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
            users.insert(id.to_string(), password.to_string());
        }
        let mut accounts = HashMap::new();
        for given in &opts.service_accounts {
            let (id, file) = given
                .split_once('=')
                .filter(|(id, file)| !id.is_empty() && !file.is_empty())
                .ok_or_else(|| {
                    anyhow!("--service-account expects ID=PUBLIC_KEY.pem, got {given:?}")
                })?;
            let pem = std::fs::read(file)
                .with_context(|| format!("cannot read the public key of {id:?} from {file}"))?;
            let key = DecodingKey::from_rsa_pem(&pem).map_err(|e| {
                anyhow!("{file} is not a PEM RSA public key (service account {id:?}): {e}")
            })?;
            accounts.insert(id.to_string(), key);
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
