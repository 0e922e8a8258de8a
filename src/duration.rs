//! Durations given on the command line (`--timeout 5m`) or in the config file
//! (`request_timeout = "30s"`): parsed once, bounded, so no later arithmetic can overflow.
//!
//! Used by `cli` (clap value parsers) and `config`; it depends on neither. No I/O here.

use std::time::Duration;

/// The longest duration podctl accepts anywhere: long enough for any wait, short enough that
/// `Instant::now() + d` can never overflow.
pub const MAX: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The shortest polling interval, so a typo cannot flood Marathon.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Parses `500ms`, `3s`, `2m`, `1h 30m`, or a bare number of seconds; zero is allowed, more
/// than [`MAX`] is not.
pub fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = match s.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(s)
            .map_err(|e| format!("{e} (expected a duration such as 500ms, 30s or 5m)"))?,
    };
    if d > MAX {
        return Err(format!(
            "{s:?} is longer than {}, the longest duration podctl accepts",
            humantime::format_duration(MAX)
        ));
    }
    Ok(d)
}

/// A duration where zero means nothing useful (a timeout): more than zero, at most [`MAX`].
pub fn parse_positive(s: &str) -> Result<Duration, String> {
    let d = parse(s)?;
    if d.is_zero() {
        return Err("must be more than zero".to_string());
    }
    Ok(d)
}

/// A polling interval: at least [`MIN_INTERVAL`], at most [`MAX`].
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse(s)?;
    if d < MIN_INTERVAL {
        return Err(format!(
            "must be at least {}",
            humantime::format_duration(MIN_INTERVAL)
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse(" 2m "), Ok(Duration::from_secs(120)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert!(parse("soon").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn bounded_so_no_deadline_overflows() {
        assert_eq!(parse("30days"), Ok(MAX));
        for huge in [
            "18446744073709551615s",
            "18446744073709551615",
            "31days",
            "1000000000000h",
            "720h 1s",
        ] {
            let err = parse(huge).unwrap_err();
            assert!(err.contains("longest"), "{huge}: {err}");
            assert!(parse_positive(huge).is_err() && parse_interval(huge).is_err());
        }
        // Every accepted duration can be added to now.
        assert!(std::time::Instant::now().checked_add(MAX).is_some());
    }

    #[test]
    fn zero_and_tiny_values_where_they_mean_nothing() {
        assert!(parse_positive("0").unwrap_err().contains("more than zero"));
        assert!(parse_positive("0s").is_err());
        assert_eq!(parse_positive("1ms"), Ok(Duration::from_millis(1)));
        assert!(parse_interval("5ms").unwrap_err().contains("at least 10ms"));
        assert_eq!(parse_interval("10ms"), Ok(MIN_INTERVAL));
    }
}
