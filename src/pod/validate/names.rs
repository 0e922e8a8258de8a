//! The string patterns of Marathon's schema, written as plain functions (no regex engine), and a
//! syntax check for the Java regular expressions of LIKE/UNLIKE constraints.

/// `strings.Name`: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (container, endpoint, volume names).
pub(super) fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty() && edge(b[0]) && edge(b[b.len() - 1]) && b.iter().all(|&c| edge(c) || c == b'-')
}

/// `strings.NetworkName`: like a name, with `_` allowed inside.
pub(super) fn is_network_name(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter().all(|&c| edge(c) || c == b'-' || c == b'_')
}

/// Environment variable names: `^[a-zA-Z_][a-zA-Z0-9_]{0,253}$`.
pub(super) fn is_env_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 254
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The RAML `PathId` pattern Marathon checks while parsing: `/`-separated segments that are empty,
/// `..`, or dot-separated labels of `[a-z0-9-]` not starting or ending with `-`. Relative ids and
/// `/` pass here and are refused later by the semantic rules.
pub(super) fn matches_raml_path_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|segment| {
            segment.is_empty() || segment == ".." || segment.split('.').all(is_name_label)
        })
}

fn is_name_label(label: &str) -> bool {
    let b = label.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty() && edge(b[0]) && edge(b[b.len() - 1]) && b.iter().all(|&c| edge(c) || c == b'-')
}

/// Whether Play's `OffsetDateTime` reader takes `s` (RAML `datetime`, read with Java's
/// `ISO_OFFSET_DATE_TIME`): `YYYY-MM-DDTHH:MM[:SS[.fraction]]` and an offset, `Z` or `+HH:MM[:SS]`,
/// letters in any case, a fraction of up to 9 digits, real dates only (no 30 February). Where
/// Java versions differ (an offset of hours only, `+01`, is read from Java 9 on) it accepts.
pub(super) fn is_offset_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |at: usize, n: usize| -> Option<u32> {
        let part = b.get(at..at + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'))
        })
    };
    // Year: four digits, or a sign and 4 to 10 (years past 9999, or before year 0).
    let (negative, mut i) = match b.first() {
        Some(b'+') => (false, 1),
        Some(b'-') => (true, 1),
        _ => (false, 0),
    };
    let year_len = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let year_ok = if i == 0 {
        year_len == 4
    } else {
        (4..=10).contains(&year_len)
    };
    if !year_ok {
        return false;
    }
    let Ok(year) = s[i..i + year_len].parse::<i64>() else {
        return false;
    };
    let year = if negative { -year } else { year };
    i += year_len;
    let (Some(b'-'), Some(month), Some(b'-'), Some(day)) =
        (b.get(i), digits(i + 1, 2), b.get(i + 3), digits(i + 4, 2))
    else {
        return false;
    };
    let leap = year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    if !(1..=month_days).contains(&day) {
        return false;
    }
    i += 6;
    let (Some(b'T' | b't'), Some(hour), Some(b':'), Some(minute)) =
        (b.get(i), digits(i + 1, 2), b.get(i + 3), digits(i + 4, 2))
    else {
        return false;
    };
    if hour > 23 || minute > 59 {
        return false;
    }
    i += 6;
    if b.get(i) == Some(&b':') {
        match digits(i + 1, 2) {
            Some(second) if second <= 59 => i += 3,
            _ => return false,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let fraction = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction > 9 {
                return false;
            }
            i += fraction;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let Some(hours) = digits(i + 1, 2) else {
                return false;
            };
            let mut rest = i + 3;
            let mut minutes = 0;
            let mut seconds = 0;
            if b.get(rest) == Some(&b':') {
                let Some(m) = digits(rest + 1, 2) else {
                    return false;
                };
                minutes = m;
                rest += 3;
                if b.get(rest) == Some(&b':') {
                    let Some(sec) = digits(rest + 1, 2) else {
                        return false;
                    };
                    seconds = sec;
                    rest += 3;
                }
            }
            // `ZoneOffset` ranges: at most 18 hours in all.
            rest == b.len()
                && minutes <= 59
                && seconds <= 59
                && hours * 3600 + minutes * 60 + seconds <= 18 * 3600
        }
        _ => false,
    }
}

/// Mesos text or scalar values for the IS operator: `^[a-zA-Z0-9_/.-]*$`.
pub(super) fn is_mesos_text(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'.' | b'-'))
}

/// Whether Java's `Integer.parseInt` (Scala's `toInt`) accepts `s`.
pub(super) fn is_java_int(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
        && s.parse::<i64>()
            .ok()
            .and_then(|n| i32::try_from(n).ok())
            .is_some()
}

/// Why Java's `Pattern.compile` would refuse `pattern`, or `None` when it is (probably) fine.
///
/// Only clear syntax errors are reported (unbalanced groups and classes, a quantifier with nothing
/// to repeat, a malformed `{n,m}`, an unknown letter escape, a trailing `\`): Java accepts much
/// that other engines refuse (look-around, back-references, possessive quantifiers), and a
/// constraint must never be refused for something Marathon takes.
pub(super) fn java_regex_error(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut depth = 0usize;
    // Whether the last thing seen can take a quantifier.
    let mut atom = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Some("ends with a lone '\\'".into());
                };
                if next == 'Q' {
                    // Quoted up to \E or the end.
                    let rest: String = chars[i + 2..].iter().collect();
                    match rest.find("\\E") {
                        Some(end) => i += 2 + rest[..end].chars().count() + 2,
                        None => i = chars.len(),
                    }
                    atom = true;
                    continue;
                }
                if next.is_ascii_alphabetic() && !JAVA_LETTER_ESCAPES.contains(next) {
                    return Some(format!("'\\{next}' is not a known escape"));
                }
                i += 2;
                // `\p{Alpha}`, `\x{263a}`, `\N{name}`: the braces belong to the escape.
                if matches!(next, 'p' | 'P' | 'x' | 'N') && chars.get(i) == Some(&'{') {
                    match chars[i..].iter().position(|&x| x == '}') {
                        Some(end) => i += end + 1,
                        None => return Some(format!("has an unclosed '\\{next}{{'")),
                    }
                }
                atom = true;
                continue;
            }
            '[' => {
                let Some(end) = skip_class(&chars, i) else {
                    return Some("has an unclosed '['".into());
                };
                i = end;
                atom = true;
                continue;
            }
            '(' => {
                depth += 1;
                atom = false;
                // `(?` starts a group construct (flags, look-around, named or non-capturing).
                if chars.get(i + 1) == Some(&'?') {
                    i += 1;
                }
            }
            ')' => {
                if depth == 0 {
                    return Some("has an unmatched ')'".into());
                }
                depth -= 1;
                atom = true;
            }
            '|' => atom = false,
            '*' | '+' | '?' => {
                if !atom {
                    // A quantifier right after another one is lazy/possessive: fine.
                    let after_quantifier =
                        i > 0 && matches!(chars[i - 1], '*' | '+' | '?' | '}') && c != '*';
                    if !after_quantifier {
                        return Some(format!("'{c}' has nothing to repeat"));
                    }
                }
                atom = false;
            }
            '{' => {
                let close = chars[i..].iter().position(|&x| x == '}').map(|p| i + p);
                let body: Option<String> = close.map(|end| chars[i + 1..end].iter().collect());
                let valid = body.as_deref().is_some_and(valid_repetition);
                if !valid || !atom {
                    return Some("has a malformed repetition '{...}'".into());
                }
                i = close.unwrap_or(i) + 1;
                atom = false;
                continue;
            }
            _ => atom = true,
        }
        i += 1;
    }
    if depth > 0 {
        return Some("has an unclosed '('".into());
    }
    None
}

/// Letters Java accepts after a backslash.
const JAVA_LETTER_ESCAPES: &str = "aAbBcdDeEfGhHknNpPQrRsStuvVwWxXzZ";

/// From a `[` at `start`, the index after its matching `]` (Java classes nest); `None` when unclosed.
fn skip_class(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut depth = 1usize;
    let mut first = true;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 2;
                first = false;
                continue;
            }
            '^' if first && chars[i - 1] == '[' => {
                i += 1;
                continue;
            }
            ']' if first => {}
            '[' => {
                depth += 1;
                first = true;
                i += 1;
                continue;
            }
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        first = false;
        i += 1;
    }
    None
}

fn valid_repetition(body: &str) -> bool {
    let (lo, hi) = match body.split_once(',') {
        Some((lo, hi)) => (lo, Some(hi)),
        None => (body, None),
    };
    let number = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !number(lo) {
        return false;
    }
    match hi {
        None | Some("") => true,
        Some(hi) => {
            number(hi)
                && match (lo.parse::<u64>(), hi.parse::<u64>()) {
                    (Ok(lo), Ok(hi)) => lo <= hi,
                    _ => false,
                }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "web", "web-1", "0a"] {
            assert!(is_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "Web", "a_b", "a.b", "é"] {
            assert!(!is_name(bad), "{bad}");
        }
        assert!(is_network_name("my_net"));
        assert!(!is_network_name("_net"));
        assert!(is_env_name("_A1"));
        assert!(is_env_name(&"A".repeat(254)));
        assert!(!is_env_name(&"A".repeat(255)));
        assert!(!is_env_name("1A"));
        assert!(!is_env_name("A-B"));
    }

    #[test]
    fn raml_path_ids() {
        for ok in ["/web", "web", "/", "/a/../b", "/a//b", "/a.b-c/d"] {
            assert!(matches_raml_path_id(ok), "{ok}");
        }
        for bad in ["", "/Web", "/a_b", "/-a", "/a./b", "/a/."] {
            assert!(!matches_raml_path_id(bad), "{bad}");
        }
    }

    #[test]
    fn java_ints() {
        assert!(is_java_int("3"));
        assert!(is_java_int("-3"));
        assert!(is_java_int("+3"));
        assert!(!is_java_int("3.0"));
        assert!(!is_java_int(""));
        assert!(!is_java_int(" 3"));
        assert!(!is_java_int("99999999999"));
    }

    #[test]
    fn java_regexes() {
        for ok in [
            "",
            "rack-[0-9]+",
            "a|b",
            "(?i)abc",
            "(?=x)y",
            "(a)\\1",
            "a*+",
            "a+?",
            "[]a]",
            "[a-z&&[^b]]",
            "\\Q(*\\E",
            "a{2,3}",
            "a{2,}",
            "\\p{Alpha}",
            "\\.",
            "é+",
        ] {
            assert_eq!(java_regex_error(ok), None, "{ok}");
        }
        for bad in [
            "(", "a)", "[a", "*a", "a|*", "(+)", "a{", "a{x}", "a{3,2}", "\\", "\\y", "{2}",
        ] {
            assert!(java_regex_error(bad).is_some(), "{bad}");
        }
    }

    /// The forms Java's `ISO_OFFSET_DATE_TIME` reads, and some it refuses.
    #[test]
    fn offset_date_times() {
        for ok in [
            "2024-01-31T12:00:00.000Z",
            "2024-01-31T12:00:00Z",
            "2024-01-31T12:00Z",
            "2024-01-31t12:00:00.123456789z",
            "2024-01-31T12:00:00.5+02:00",
            "2024-01-31T12:00:00-05:30:15",
            "2024-01-31T12:00+18:00",
            "2024-01-31T12:00:00+01",
            "2024-02-29T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "+12024-01-31T12:00:00Z",
        ] {
            assert!(is_offset_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "nope",
            "2024-01-31",
            "2024-01-31T12:00:00",
            "2024-01-31 12:00:00Z",
            "2024-01-31T12Z",
            "2024-1-31T12:00:00Z",
            "24-01-31T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "1900-02-29T12:00:00Z",
            "2024-04-31T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-00-01T12:00:00Z",
            "2024-01-00T12:00:00Z",
            "2024-01-31T24:00:00Z",
            "2024-01-31T12:60:00Z",
            "2024-01-31T12:00:60Z",
            "2024-01-31T12:00:00.1234567890Z",
            "2024-01-31T12:00.5Z",
            "2024-01-31T12:00:00+0200",
            "2024-01-31T12:00:00+19:00",
            "2024-01-31T12:00:00+02:60",
            "2024-01-31T12:00:00ZZ",
            "2024-01-31T12:00:00Z ",
            "1700000000000",
        ] {
            assert!(!is_offset_date_time(bad), "{bad}");
        }
    }
}
