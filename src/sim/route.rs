//! Request targets: which Marathon endpoint a method and URL name, and the query flags.
//!
//! Follows Marathon's URL rules for pod ids (leading, trailing and doubled slashes ignored,
//! segments percent-decoded one by one, `::status` and friends glued to the id, with or without a
//! `/` before them). Pure string work: no HTTP types, no state.

use percent_encoding::percent_decode_str;

use super::error::{SimError, Violation};
use crate::pod::PodId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Ping,
    Info,
    Leader,
    Queue,
    Deployments,
    Deployment(String),
    Pods,
    AllStatus,
    Pod(PodId),
    Status(PodId),
    Versions(PodId),
    Version(PodId, String),
    Instances(PodId),
    Instance(PodId, String),
}

/// The HTTP methods this simulator distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Other,
}

impl Route {
    /// Finds the endpoint for a path (without query). Unknown paths are `UriNotFound`; a pod id
    /// that breaks Marathon's naming rules is `NotValid`, as Marathon validates URL ids too.
    pub fn parse(path: &str) -> Result<Route, SimError> {
        let not_found = || SimError::UriNotFound(path.to_string());
        match path {
            "/ping" => return Ok(Route::Ping),
            "/v2/info" => return Ok(Route::Info),
            "/v2/leader" => return Ok(Route::Leader),
            "/v2/queue" => return Ok(Route::Queue),
            "/v2/deployments" | "/v2/deployments/" => return Ok(Route::Deployments),
            "/v2/pods" | "/v2/pods/" => return Ok(Route::Pods),
            _ => {}
        }
        if let Some(id) = path.strip_prefix("/v2/deployments/") {
            let id = decode(id).ok_or_else(not_found)?;
            if id.is_empty() || id.contains('/') {
                return Err(not_found());
            }
            return Ok(Route::Deployment(id));
        }
        let Some(rest) = path.strip_prefix("/v2/pods/") else {
            return Err(not_found());
        };
        let Some((id_part, suffix)) = rest.split_once("::") else {
            return Ok(Route::Pod(pod_id(rest)?));
        };
        let has_id = id_part.split('/').any(|s| !s.is_empty());
        // What no `::` endpoint takes is the id of `/v2/pods/{id:.+}`: an invalid pod id (422).
        if !has_id {
            return match suffix {
                "status" | "status/" => Ok(Route::AllStatus),
                _ => Err(pod_id(rest).err().unwrap_or_else(not_found)),
            };
        }
        let id = pod_id(id_part)?;
        let (name, arg) = match suffix.split_once('/') {
            Some((name, arg)) => (name, Some(arg.trim_end_matches('/'))),
            None => (suffix, None),
        };
        match (name, arg) {
            ("status", None | Some("")) => Ok(Route::Status(id)),
            ("versions", None | Some("")) => Ok(Route::Versions(id)),
            ("instances", None | Some("")) => Ok(Route::Instances(id)),
            ("versions", Some(v)) if !v.contains('/') => {
                Ok(Route::Version(id, decode(v).ok_or_else(not_found)?))
            }
            ("instances", Some(i)) if !i.contains('/') => {
                Ok(Route::Instance(id, decode(i).ok_or_else(not_found)?))
            }
            _ => Ok(Route::Pod(pod_id(rest)?)),
        }
    }

    /// Whether the endpoint answers this method; anything else is 405.
    pub fn allows(&self, method: Method) -> bool {
        use Method::*;
        match self {
            Route::Ping | Route::Info | Route::Leader | Route::Queue => {
                matches!(method, Get | Head)
            }
            Route::Deployments => matches!(method, Get | Head),
            Route::Deployment(_) => method == Delete,
            Route::Pods => matches!(method, Get | Head | Post),
            Route::AllStatus | Route::Status(_) | Route::Versions(_) | Route::Version(..) => {
                matches!(method, Get | Head)
            }
            Route::Pod(_) => matches!(method, Get | Head | Put | Delete),
            Route::Instances(_) | Route::Instance(..) => method == Delete,
        }
    }
}

impl Method {
    pub fn parse(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => Method::Other,
        }
    }
}

/// A pod id from the URL: segments decoded one by one, so an encoded `/` cannot sneak in.
fn pod_id(raw: &str) -> Result<PodId, SimError> {
    let invalid = |message: String| SimError::NotValid(vec![Violation::new("/", message)]);
    let mut segments = Vec::new();
    for segment in raw.split('/').filter(|s| !s.is_empty()) {
        let decoded =
            decode(segment).ok_or_else(|| invalid(format!("'{segment}' is not valid UTF-8")))?;
        if decoded.contains('/') || decoded.is_empty() {
            return Err(invalid(format!(
                "segment '{decoded}' is not a valid path element"
            )));
        }
        segments.push(decoded);
    }
    PodId::parse(&segments.join("/")).map_err(|e| invalid(e.to_string()))
}

fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Marathon's boolean query flags: only an explicit `true` (any case) counts; a bare `?force` is
/// false, as Java parses the empty string.
pub fn flag(query: &str, name: &str) -> bool {
    query.split('&').any(|pair| match pair.split_once('=') {
        Some((k, v)) => decode(k).as_deref() == Some(name) && v.eq_ignore_ascii_case("true"),
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> PodId {
        PodId::parse(s).expect("valid test id")
    }

    #[test]
    fn pod_ids_in_every_spelling() {
        for path in [
            "/v2/pods/prod/web",
            "/v2/pods//prod/web",
            "/v2/pods/prod/web/",
            "/v2/pods/pro%64/web",
        ] {
            assert_eq!(
                Route::parse(path),
                Ok(Route::Pod(id("/prod/web"))),
                "{path}"
            );
        }
        for path in ["/v2/pods/prod/web::status", "/v2/pods/prod/web/::status"] {
            assert_eq!(
                Route::parse(path),
                Ok(Route::Status(id("/prod/web"))),
                "{path}"
            );
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(Route::parse("/v2/pods/::status"), Ok(Route::AllStatus));
        assert_eq!(Route::parse("/v2/pods"), Ok(Route::Pods));
        assert_eq!(
            Route::parse("/v2/pods/web::versions/2020-01-01T00:00:00.000Z"),
            Ok(Route::Version(id("web"), "2020-01-01T00:00:00.000Z".into()))
        );
        assert_eq!(
            Route::parse("/v2/pods/web::instances"),
            Ok(Route::Instances(id("web")))
        );
        assert_eq!(
            Route::parse("/v2/pods/a/web::instances/a_web.instance-1"),
            Ok(Route::Instance(id("a/web"), "a_web.instance-1".into()))
        );
        assert_eq!(
            Route::parse("/v2/deployments/abc"),
            Ok(Route::Deployment("abc".into()))
        );
    }

    #[test]
    fn unknown_and_invalid() {
        assert_eq!(
            Route::parse("/v2/apps"),
            Err(SimError::UriNotFound("/v2/apps".into()))
        );
        // Marathon's `{id:.+}` takes what no `::` endpoint does: an invalid pod id.
        for path in [
            "/v2/pods/web::bogus",
            "/v2/pods/::bogus",
            "/v2/pods/web::status/x",
        ] {
            assert!(
                matches!(Route::parse(path), Err(SimError::NotValid(_))),
                "{path}"
            );
        }
        assert!(matches!(
            Route::parse("/v2/pods/Web"),
            Err(SimError::NotValid(_))
        ));
        assert!(matches!(
            Route::parse("/v2/pods/a%2Fb"),
            Err(SimError::NotValid(_))
        ));
        assert!(matches!(
            Route::parse("/v2/pods/%FF"),
            Err(SimError::NotValid(_))
        ));
    }

    #[test]
    fn methods() {
        assert!(Route::Pods.allows(Method::Post));
        assert!(!Route::Pods.allows(Method::Delete));
        assert!(!Route::Deployment("x".into()).allows(Method::Get));
        assert!(Route::Instances(id("a")).allows(Method::Delete));
    }

    #[test]
    fn flags_need_an_explicit_true() {
        assert!(flag("force=true", "force"));
        assert!(flag("a=1&force=TRUE", "force"));
        assert!(!flag("force", "force"));
        assert!(!flag("force=", "force"));
        assert!(!flag("force=false", "force"));
        assert!(!flag("wipe=true", "force"));
    }
}
