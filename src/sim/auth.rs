//! Who may ask: the simulator's two ways of requiring credentials, each answered as the real
//! gatekeeper does.
//!
//! `--require-token` is DC/OS Admin Router (401 without a token, 403 with a wrong one);
//! `--require-basic` is plain Marathon's `--http_credentials`, enforced by Jetty (401 for missing
//! and for wrong credentials alike). It looks at the `Authorization` value only and does no I/O.

use base64::Engine as _;

use super::error::SimError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// Plain Marathon's default: anyone may ask.
    #[default]
    Open,
    /// `Authorization: token=<token>`.
    Token(String),
    /// `Authorization: Basic base64(user:password)`, holding `user:password`.
    Basic(String),
}

impl Auth {
    /// Checks one request's `Authorization` header; `path` goes into Jetty's error page.
    pub fn check(&self, authorization: Option<&str>, path: &str) -> Result<(), SimError> {
        match self {
            Auth::Open => Ok(()),
            Auth::Token(token) => match authorization {
                None => Err(SimError::NotAuthenticated),
                Some(value) if value.trim() == format!("token={token}") => Ok(()),
                Some(_) => Err(SimError::NotAuthorized),
            },
            Auth::Basic(expected) => {
                if authorization.and_then(basic_credentials).as_deref() == Some(expected.as_str()) {
                    Ok(())
                } else {
                    Err(SimError::BasicNotAuthenticated(path.to_string()))
                }
            }
        }
    }
}

/// `user:password` from a `Basic` authorization value; the scheme is case-insensitive.
pub fn basic_credentials(value: &str) -> Option<String> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(credentials: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
    }

    #[test]
    fn basic_headers_are_decoded() {
        assert_eq!(
            basic_credentials("Basic dXNlcjpwYXNz").as_deref(),
            Some("user:pass")
        );
        assert_eq!(
            basic_credentials("  basic   dXNlcjpwYXNz ").as_deref(),
            Some("user:pass")
        );
        // A colon in the password stays in it.
        assert_eq!(basic_credentials(&basic("u:p:w")).as_deref(), Some("u:p:w"));
        assert_eq!(basic_credentials("Bearer dXNlcjpwYXNz"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(basic_credentials("Basic"), None);
        assert_eq!(basic_credentials("token=x"), None);
    }

    #[test]
    fn basic_auth_answers_401_for_missing_and_wrong_credentials() {
        let auth = Auth::Basic("admin:s3cret".into());
        assert_eq!(auth.check(Some(&basic("admin:s3cret")), "/v2/pods"), Ok(()));
        for wrong in [None, Some(basic("admin:nope")), Some("token=x".to_string())] {
            assert_eq!(
                auth.check(wrong.as_deref(), "/v2/pods"),
                Err(SimError::BasicNotAuthenticated("/v2/pods".into())),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn tokens_answer_401_then_403() {
        let auth = Auth::Token("t".into());
        assert_eq!(auth.check(None, "/"), Err(SimError::NotAuthenticated));
        assert_eq!(
            auth.check(Some("token=u"), "/"),
            Err(SimError::NotAuthorized)
        );
        assert_eq!(auth.check(Some("token=t"), "/"), Ok(()));
        assert_eq!(Auth::Open.check(None, "/"), Ok(()));
    }
}
