//! Marathon timestamps (ISO-8601 UTC) and the short ages podctl shows for them.

use std::time::{Duration, SystemTime};

/// Formats a time the way Marathon 1.10 does: `2026-11-25T16:15:10.123Z`.
pub fn format_timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Parses a Marathon timestamp; the number of fraction digits varies between versions.
pub fn parse_timestamp(s: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(s.trim_end_matches('Z'))
        .ok()
        .or_else(|| humantime::parse_rfc3339(s).ok())
}

/// Whether two timestamps name the same instant (`.31Z` and `.310Z` do).
pub fn same_instant(a: &str, b: &str) -> bool {
    match (parse_timestamp(a), parse_timestamp(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A compact age like kubectl's: `45s`, `12m`, `3h`, `5d`.
pub fn format_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// The age of a Marathon timestamp relative to `now`; `-` when it is missing or unreadable.
pub fn age_since(timestamp: Option<&str>, now: SystemTime) -> String {
    timestamp
        .and_then(parse_timestamp)
        .map(|t| format_age(now.duration_since(t).unwrap_or_default()))
        .unwrap_or_else(|| "-".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_compare_as_instants() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let s = format_timestamp(t);
        assert_eq!(s, "2023-11-14T22:13:20.123Z");
        assert_eq!(parse_timestamp(&s), Some(t));
        assert!(same_instant("2017-01-03T18:21:19.31Z", "2017-01-03T18:21:19.310Z"));
        assert!(!same_instant("2017-01-03T18:21:19.31Z", "2017-01-03T18:21:19.311Z"));
        assert!(parse_timestamp("2017-01-03T18:21:19Z").is_some());
    }

    #[test]
    fn ages_are_compact() {
        assert_eq!(format_age(Duration::from_secs(5)), "5s");
        assert_eq!(format_age(Duration::from_secs(600)), "10m");
        assert_eq!(format_age(Duration::from_secs(3 * 3600)), "3h");
        assert_eq!(format_age(Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(age_since(None, SystemTime::now()), "-");
        assert_eq!(age_since(Some("garbage"), SystemTime::now()), "-");
    }
}
