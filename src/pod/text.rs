//! Turns the raw bytes of a pod definition into JSON, refusing what Marathon would misread, and
//! makes text safe to print on one line ([`printable`]): the one escaping function for
//! everything from a server or a definition that reaches a terminal.
//!
//! Pure, no I/O: the caller reads a file, stdin or a URL (at most [`MAX_DEFINITION_BYTES`] + 1
//! bytes) and hands the bytes here. Beyond plain JSON syntax this refuses oversized input,
//! non-UTF-8 bytes and duplicate object keys (serde_json would silently keep the last one, and
//! the definition sent would not be the one that was reviewed), and skips a UTF-8 byte order
//! mark, which Marathon's Jackson accepts too. These checks run even with `--no-validate`, as
//! does the refusal of a document that is not an object and of an over-long id. It must never
//! panic and never recurse without bound: nesting is limited by serde_json's recursion limit
//! (128), which stays in force.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::id::check_length;
#[cfg(test)]
use super::id::MAX_ID_LENGTH;
use super::validate::{Invalid, Problem, Segment};

/// The largest definition podctl reads: 10 MiB. Marathon has no use for more (its own request
/// limit is far lower), and a limit keeps a wrong file, or `/dev/zero`, from eating memory.
pub const MAX_DEFINITION_BYTES: usize = 10 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a definition read from `source` (a file name, `stdin` or a URL, used in messages).
/// Every failure is an [`Invalid`] with one problem: where (JSON pointer, or line and column in
/// the message) and what.
pub fn parse_definition(source: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    let value = parse_json(source, bytes)?;
    check_shape(&value).map_err(|(path, message)| Invalid {
        source: source.to_string(),
        problems: vec![Problem::error(path, message)],
    })?;
    Ok(value)
}

/// [`parse_definition`] for a text that may also hold an array of definitions (`pod apply`):
/// each element is checked as a definition, a problem located at its index.
pub fn parse_definitions(source: &str, bytes: &[u8]) -> Result<Vec<Value>, Invalid> {
    let invalid = |path: Vec<Segment>, message: String| Invalid {
        source: source.to_string(),
        problems: vec![Problem::error(path, message)],
    };
    match parse_json(source, bytes)? {
        Value::Array(items) if items.is_empty() => Err(invalid(
            Vec::new(),
            "is an empty array; expected pod definitions".into(),
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_shape(item).map_err(|(mut path, message)| {
                    path.insert(0, Segment::Index(i));
                    invalid(path, message)
                })?;
            }
            Ok(items)
        }
        value => {
            check_shape(&value).map_err(|(path, message)| invalid(path, message))?;
            Ok(vec![value])
        }
    }
}

/// Any JSON document within the size limit, without repeated keys.
fn parse_json(source: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    let invalid = |path: Vec<Segment>, message: String| Invalid {
        source: source.to_string(),
        problems: vec![Problem::error(path, message)],
    };
    if bytes.len() > MAX_DEFINITION_BYTES {
        return Err(too_large(source, Some(bytes.len() as u64)));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(
            Vec::new(),
            "is empty; expected a JSON pod definition".into(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(&bytes[..e.valid_up_to()]);
        invalid(
            Vec::new(),
            format!("is not UTF-8 text: invalid byte at line {line} column {column}"),
        )
    })?;
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ValueSeed {
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    let value = parsed.map_err(|e| match duplicate.into_inner() {
        Some(Duplicate { key, mut path }) => {
            // Segments were collected innermost first, while the error travelled outwards.
            path.reverse();
            invalid(
                path,
                format!(
                    "duplicate key {} at line {} column {}",
                    Value::String(key),
                    e.line(),
                    e.column()
                ),
            )
        }
        None => invalid(Vec::new(), format!("invalid JSON: {}", describe(&e))),
    })?;
    Ok(value)
}

/// What is refused even with `--no-validate`: a document that is no pod definition at all
/// (`null`, `[]`), and an id no command could address afterwards (see [`MAX_ID_LENGTH`](super::id::MAX_ID_LENGTH)).
fn check_shape(value: &Value) -> Result<(), (Vec<Segment>, String)> {
    let Some(object) = value.as_object() else {
        let got = kind_of(value);
        return Err((
            Vec::new(),
            format!("a pod definition must be a JSON object, got {got}"),
        ));
    };
    if let Some(Value::String(id)) = object.get("id") {
        check_length(id).map_err(|e| (vec![Segment::Key("id".into())], e.to_string()))?;
    }
    Ok(())
}

/// What kind of JSON value this is, for a message: "null", "a number", "an array", ...
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The refusal of a definition over the limit; `size` is `None` when only "more" is known
/// (stdin, a URL without a length).
pub fn too_large(source: &str, size: Option<u64>) -> Invalid {
    let limit = MAX_DEFINITION_BYTES / (1024 * 1024);
    let size = match size.map(|bytes| format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))) {
        // Just over the limit would read "is 10.0 MiB", which looks like it should pass.
        Some(mib) if mib != format!("{limit}.0") => format!("is {mib} MiB"),
        _ => format!("is more than {limit} MiB"),
    };
    Invalid {
        source: source.to_string(),
        problems: vec![Problem::error(
            Vec::new(),
            format!("{size}; pod definitions are limited to {limit} MiB"),
        )],
    }
}

/// serde_json's message, in words a user of podctl can act on where it is terse.
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("recursion limit exceeded") {
        Some(rest) => format!("nested too deeply (more than 127 levels){rest}"),
        None => text,
    }
}

/// 1-based line and column just after `before`, counted in characters as serde_json does.
fn line_column(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// A repeated key, and the path of its object (filled in as the error unwinds).
struct Duplicate {
    key: String,
    path: Vec<Segment>,
}

/// Builds a [`Value`] like serde_json's own deserializer, but fails on a repeated key. The
/// path is only assembled on that failure, so valid input pays nothing for it.
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    duplicate: &'a RefCell<Option<Duplicate>>,
}

impl ValueSeed<'_> {
    fn note_segment<E>(self, segment: impl FnOnce() -> Segment, err: E) -> E {
        if let Some(d) = self.duplicate.borrow_mut().as_mut() {
            d.path.push(segment());
        }
        err
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text cannot spell NaN or infinity (serde_json refuses 1e400), so this is total.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(e) => {
                    let index = items.len();
                    return Err(self.note_segment(|| Segment::Index(index), e));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            // Checked before the value is read, so the position given is the key's.
            if map.contains_key(&key) {
                let message = format!("duplicate key {key:?}");
                *self.duplicate.borrow_mut() = Some(Duplicate {
                    key,
                    path: Vec::new(),
                });
                return Err(de::Error::custom(message));
            }
            match access.next_value_seed(self) {
                Ok(value) => map.insert(key, value),
                Err(e) => return Err(self.note_segment(|| Segment::Key(key), e)),
            };
        }
        Ok(Value::Object(map))
    }
}

/// Text safe to print on one line: control characters (C0 such as newline, CR, BS, BEL and ESC,
/// which starts CSI and OSC sequences; DEL; the C1 range U+0080 to U+009F) and the Unicode
/// bidirectional controls (U+202A to U+202E, U+2066 to U+2069, and the marks U+200E, U+200F,
/// U+061C), which can make text read in another order than it is, are shown escaped (`\n`,
/// `\u{1b}`, `\u{202e}`). Text from a definition or a server can neither break a line, nor
/// drive the terminal, nor disguise itself. Linear in the length of the text.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether [`printable`] escapes `c`. `char::is_control` is Unicode's Cc: C0, DEL and C1.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

#[cfg(test)]
mod tests {

    #[test]
    fn printable_escapes_control_characters_only() {
        assert_eq!(printable("/web"), "/web");
        assert_eq!(printable("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(printable("héllo ✓ שלום"), "héllo ✓ שלום");
    }

    #[test]
    fn printable_escapes_every_kind_of_terminal_control() {
        let cases = [
            ("\u{1b}]0;title\u{7}", "\\u{1b}]0;title\\u{7}"), // OSC ended by BEL
            ("ok\rfake", "ok\\rfake"),
            ("ab\u{8}\u{8}", "ab\\u{8}\\u{8}"),
            ("\u{7f}", "\\u{7f}"),
            ("\u{9b}31m", "\\u{9b}31m"), // C1 CSI
            ("\u{85}", "\\u{85}"),
            ("\u{9f}", "\\u{9f}"),
            ("abc\u{202e}fdp.exe", "abc\\u{202e}fdp.exe"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            (
                "\u{2066}\u{2067}\u{2068}\u{2069}",
                "\\u{2066}\\u{2067}\\u{2068}\\u{2069}",
            ),
            ("\u{200e}\u{200f}\u{61c}", "\\u{200e}\\u{200f}\\u{61c}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(printable(raw), shown, "{raw:?}");
        }
        // Neighbours of the ranges are ordinary text.
        assert_eq!(
            printable("\u{a0}\u{2029}\u{206a}"),
            "\u{a0}\u{2029}\u{206a}"
        );
    }

    /// `--no-validate` sent `null` and `[]`; the text checks refuse them.
    #[test]
    fn documents_that_are_not_objects_are_refused() {
        for (text, got) in [("null", "null"), ("[]", "an array"), ("5", "a number")] {
            assert_eq!(
                message(text.as_bytes()),
                format!("t.json: a pod definition must be a JSON object, got {got}")
            );
        }
    }

    #[test]
    fn over_long_ids_are_refused_by_the_text_checks() {
        let id = format!("/{}", "a".repeat(MAX_ID_LENGTH));
        let text = format!(r#"{{"id": "{id}"}}"#);
        assert_eq!(
            message(text.as_bytes()),
            "t.json: /id: is 201 characters long with its leading '/'; pod ids are limited to 200 \
             characters"
        );
        let ok = format!(r#"{{"id": "/{}"}}"#, "a".repeat(MAX_ID_LENGTH - 1));
        assert!(parse_definition("t.json", ok.as_bytes()).is_ok());
    }

    use super::*;

    fn message(bytes: &[u8]) -> String {
        let err = parse_definition("t.json", bytes).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        err.to_string()
    }

    #[test]
    fn parses_like_serde_json() {
        let text =
            r#"{"id": "/a", "n": [1, -2, 3.5, 18446744073709551615, true, null, "x"], "o": {}}"#;
        let ours = parse_definition("t.json", text.as_bytes()).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        let keys: Vec<&String> = ours.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "n", "o"], "key order is kept");
    }

    #[test]
    fn duplicate_keys_name_the_object_and_the_key() {
        let text = "{\"containers\": [{\"name\": \"a\",\n \"name\": \"b\"}]}";
        assert_eq!(
            message(text.as_bytes()),
            "t.json: /containers/0: duplicate key \"name\" at line 2 column 7"
        );
        assert_eq!(
            message(br#"{"id": "/a", "id": "/b"}"#),
            "t.json: duplicate key \"id\" at line 1 column 17"
        );
        assert_eq!(
            message(br#"{"a/b": {"~": [0, {"k": 1, "k": 2}]}}"#),
            "t.json: /a~1b/~0/1: duplicate key \"k\" at line 1 column 30"
        );
        // The same key in different objects is fine.
        assert!(parse_definition("t.json", br#"{"a": [{"k": 1}, {"k": 2}]}"#).is_ok());
    }

    /// Found by fuzzing: a key with a newline in it split the report over several lines.
    #[test]
    fn control_characters_in_keys_stay_on_one_line() {
        let text = br#"{"a\nb\u001b[31m": {"k": 1, "k": 2}}"#;
        assert_eq!(
            message(text),
            "t.json: /a\\nb\\u{1b}[31m: duplicate key \"k\" at line 1 column 31"
        );
    }

    #[test]
    fn bom_is_skipped_and_empty_input_is_named() {
        let v = parse_definition("t.json", b"\xEF\xBB\xBF{\"id\": \"/a\"}").unwrap();
        assert_eq!(v["id"], "/a");
        for empty in [&b""[..], b" \n\t\r ", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF \n"] {
            assert_eq!(
                message(empty),
                "t.json: is empty; expected a JSON pod definition"
            );
        }
    }

    #[test]
    fn bad_bytes_numbers_and_nesting_get_one_line() {
        assert_eq!(
            message(b"{\"id\":\n \"/a\xFF\"}"),
            "t.json: is not UTF-8 text: invalid byte at line 2 column 5"
        );
        assert!(message(b"{\"cpus\": 1e400}").contains("number out of range at line 1"));
        assert!(message(b"{\"cpus\": -1e400}").contains("number out of range at line 1"));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            message(deep.as_bytes()),
            "t.json: invalid JSON: nested too deeply (more than 127 levels) at line 1 column 128"
        );
        assert!(message(b"{} {}").contains("trailing characters at line 1 column 4"));
    }

    #[test]
    fn size_limit_is_checked_before_parsing() {
        let big = vec![b' '; MAX_DEFINITION_BYTES + 1];
        assert_eq!(
            message(&big),
            "t.json: is more than 10 MiB; pod definitions are limited to 10 MiB"
        );
        assert_eq!(
            too_large("stdin", None).to_string(),
            "stdin: is more than 10 MiB; pod definitions are limited to 10 MiB"
        );
        assert_eq!(
            too_large("x.json", Some(50 * 1024 * 1024)).to_string(),
            "x.json: is 50.0 MiB; pod definitions are limited to 10 MiB"
        );
    }
}
