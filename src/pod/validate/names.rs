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
}
