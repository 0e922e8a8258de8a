//! Marathon timestamps (ISO-8601 UTC) and the short ages podctl shows for them.
//!
//! Marathon 1.10 writes two forms. Definitions, statuses and `::versions` use its own formatter,
//! always `2026-11-25T16:15:10.120Z`; the version inside a `specReference` is Java's
//! `OffsetDateTime.toString`, which drops zero fields: `…T16:15:10.120Z`, `…T16:15:10Z` on a whole
//! second, `…T16:15Z` on a whole minute (`PodStatusConversion.scala`). Older Marathons wrote other
//! fraction lengths. So timestamps are parsed in every form Java writes and compared as instants,
//! never as text.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Formats a time the way Marathon 1.10 writes it in JSON: `2026-11-25T16:15:10.123Z`.
pub fn format_timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Formats a time as Java's `OffsetDateTime.toString` does in UTC: seconds only when they or the
/// fraction are not zero, and the fraction in groups of three digits (`.120`, `.120500`).
pub fn format_java(t: SystemTime) -> String {
    // `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, cut back to Java's form.
    let full = humantime::format_rfc3339_nanos(t).to_string();
    let (Some(minutes), Some(seconds), Some(nanos)) =
        (full.get(..16), full.get(17..19), full.get(20..29))
    else {
        return format_timestamp(t);
    };
    let nanos = nanos.trim_end_matches('0');
    if seconds == "00" && nanos.is_empty() {
        return format!("{minutes}Z");
    }
    let digits = match nanos.len() {
        0 => 0,
        1..=3 => 3,
        4..=6 => 6,
        _ => 9,
    };
    if digits == 0 {
        return format!("{minutes}:{seconds}Z");
    }
    format!("{minutes}:{seconds}.{nanos:0<digits$}Z")
}

/// Parses an ISO-8601 date-time with an offset, as Java's `OffsetDateTime.parse` reads it:
/// `YYYY-MM-DDTHH:MM`, optional `:SS` and then an optional fraction of 1 to 9 digits, then `Z`
/// or `±HH:MM[:SS]` (letters in either case).
pub fn parse_timestamp(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let number = |from: usize, len: usize| -> Option<u64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i).is_some_and(|x| x.eq_ignore_ascii_case(&c));
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':')) {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute) = (number(11, 2)?, number(14, 2)?);
    let mut i = 16;
    let mut second = 0;
    let mut nanos = 0;
    if at(i, b':') {
        second = number(i + 1, 2)?;
        i += 3;
        if at(i, b'.') {
            let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            let fraction = number(i + 1, digits)?;
            nanos = fraction * 10u64.pow(9 - digits as u32);
            i += 1 + digits;
        }
    }
    let offset = parse_offset(b.get(i..)?)?;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    let secs = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64 - offset;
    let whole = Duration::from_secs(secs.unsigned_abs());
    let at_second = if secs >= 0 {
        UNIX_EPOCH.checked_add(whole)?
    } else {
        UNIX_EPOCH.checked_sub(whole)?
    };
    at_second.checked_add(Duration::from_nanos(nanos))
}

/// `Z`, `+HH:MM` or `+HH:MM:SS` (and `-`) to the end of the text, in seconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i64> {
    if b.eq_ignore_ascii_case(b"Z") {
        return Some(0);
    }
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let two = |from: usize| -> Option<i64> {
        let d = b.get(from..from + 2)?;
        (d[0].is_ascii_digit() && d[1].is_ascii_digit())
            .then(|| i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
    };
    let (hours, minutes) = (two(1)?, two(4)?);
    if b.get(3) != Some(&b':') {
        return None;
    }
    let seconds = match b.len() {
        6 => 0,
        9 if b[6] == b':' => two(7)?,
        _ => return None,
    };
    if hours > 18 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (March-based years, so the
/// leap day ends a year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Whether two timestamps name the same instant (`.31Z`, `.310Z` and, on a whole minute, `:00Z`
/// and no seconds at all do). Text that is no timestamp names no instant.
pub fn same_instant(a: &str, b: &str) -> bool {
    match (parse_timestamp(a), parse_timestamp(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
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

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    /// 2026-01-01T12:34:00Z
    const MINUTE_MS: u64 = 1_767_270_840_000;

    #[test]
    fn timestamps_round_trip_and_compare_as_instants() {
        let t = at(1_700_000_000_123);
        let s = format_timestamp(t);
        assert_eq!(s, "2023-11-14T22:13:20.123Z");
        assert_eq!(parse_timestamp(&s), Some(t));
        assert!(same_instant(
            "2017-01-03T18:21:19.31Z",
            "2017-01-03T18:21:19.310Z"
        ));
        assert!(!same_instant(
            "2017-01-03T18:21:19.31Z",
            "2017-01-03T18:21:19.311Z"
        ));
        assert!(parse_timestamp("2017-01-03T18:21:19Z").is_some());
    }

    #[test]
    fn java_text_drops_zero_fields() {
        assert_eq!(format_java(at(MINUTE_MS)), "2026-01-01T12:34Z");
        assert_eq!(format_java(at(MINUTE_MS + 56_000)), "2026-01-01T12:34:56Z");
        assert_eq!(
            format_java(at(MINUTE_MS + 56_120)),
            "2026-01-01T12:34:56.120Z"
        );
        assert_eq!(format_java(at(MINUTE_MS + 1)), "2026-01-01T12:34:00.001Z");
        let micros = at(MINUTE_MS) + Duration::from_micros(5);
        assert_eq!(format_java(micros), "2026-01-01T12:34:00.000005Z");
        let nanos = at(MINUTE_MS) + Duration::from_nanos(7);
        assert_eq!(format_java(nanos), "2026-01-01T12:34:00.000000007Z");
        for t in [at(MINUTE_MS), at(MINUTE_MS + 56_000), micros, nanos] {
            assert_eq!(parse_timestamp(&format_java(t)), Some(t));
        }
    }

    #[test]
    fn every_form_java_writes_parses_to_the_same_instant() {
        let minute = Some(at(MINUTE_MS));
        for form in [
            "2026-01-01T12:34Z",
            "2026-01-01T12:34:00Z",
            "2026-01-01T12:34:00.0Z",
            "2026-01-01T12:34:00.000Z",
            "2026-01-01T12:34:00.000000000Z",
            "2026-01-01t12:34z",
            "2026-01-01T13:34+01:00",
            "2026-01-01T11:04:00-01:30",
            "2026-01-01T12:34:30+00:00:30",
        ] {
            assert_eq!(parse_timestamp(form), minute, "{form}");
        }
        let second = Some(at(MINUTE_MS + 56_000));
        assert_eq!(parse_timestamp("2026-01-01T12:34:56Z"), second);
        for digits in 1..=9 {
            let form = format!("2026-01-01T12:34:56.{}Z", "5".repeat(digits));
            let parsed = parse_timestamp(&form).expect(&form);
            let nanos = parsed
                .duration_since(UNIX_EPOCH)
                .ok()
                .map(|d| d.subsec_nanos());
            let expected = "5".repeat(digits) + &"0".repeat(9 - digits);
            assert_eq!(nanos.map(|n| n.to_string()), Some(expected), "{form}");
        }
        assert!(same_instant(
            "2026-01-01T12:34Z",
            "2026-01-01T12:34:00.000Z"
        ));
        assert!(same_instant(
            "2026-01-01T12:34:56Z",
            "2026-01-01T12:34:56.000Z"
        ));
        assert_eq!(
            parse_timestamp("1969-12-31T23:59:59Z"),
            UNIX_EPOCH.checked_sub(Duration::from_secs(1))
        );
        assert_eq!(parse_timestamp("2024-02-29T00:00Z").map(|_| ()), Some(()));
    }

    #[test]
    fn what_java_refuses_is_no_timestamp() {
        for bad in [
            "",
            "garbage",
            "2026-01-01",
            "2026-01-01T12:34",
            "2026-01-01T12:34:56",
            "2026-01-01 12:34:56Z",
            "2026-01-01T12Z",
            "2026-01-01T12:34:5Z",
            "2026-01-01T12:34:56.Z",
            "2026-01-01T12:34:56.1234567890Z",
            "2026-13-01T12:34Z",
            "2025-02-29T12:34Z",
            "2026-01-01T24:00Z",
            "2026-01-01T12:60Z",
            "2026-01-01T12:34:56ZZ",
            "2026-01-01T12:34+1:00",
            "2026-01-01T12:34+19:00",
            "2026-01-01T12:34:56.12a3Z",
            "２026-01-01T12:34Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
        assert!(!same_instant("garbage", "garbage"), "text is not compared");
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
