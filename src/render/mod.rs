//! Turns typed data into text: tables for people, JSON for scripts. No network, no exit codes;
//! every function returns a `String` or writes to a `Write` it is given.

mod clusters;
mod events;
mod report;
mod settings;
mod tables;
mod wait;

pub use clusters::write_clusters;
pub use events::event_line;
pub use report::{write_report, Verdict};
pub use settings::write_settings;
pub use tables::{
    cluster_list, deployments, pod_list, pod_show, versions, ClusterRow, Layout, PAD_LIMIT,
};
pub use wait::{wait_done, wait_progress, wait_warning};

use std::io::Write;

use serde::Serialize;

/// What kind of output the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Tables and sentences for people.
    Human,
    /// `--json`: documents for scripts.
    Json,
    /// `-q`: ids only, one a line.
    Quiet,
}

/// How output may look on the stream it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour escapes allowed (a terminal, and no NO_COLOR / --no-color).
    pub color: bool,
    /// The terminal's width in columns when the output goes to one: table cells wider than
    /// that are cut with `…`. `None` (a pipe, a file): cells are written whole.
    pub width: Option<usize>,
}

impl Style {
    /// Plain text: what scripts, pipes and tests see.
    pub const PLAIN: Style = Style {
        color: false,
        width: None,
    };
}

/// Writes a value as pretty JSON followed by a newline.
pub fn write_json<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// A value as pretty JSON text that is safe on a terminal and in an editor and still the same
/// JSON: the characters [`crate::pod::text::printable`] escapes (DEL, C1 controls, bidi
/// overrides; serde_json already escapes C0) are written as `\uXXXX` escapes. They can only
/// occur inside strings, where such an escape means the same character.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        let plain = matches!(
            crate::pod::text::printable(c.encode_utf8(&mut [0; 4])),
            std::borrow::Cow::Borrowed(_)
        );
        // The newlines are the layout's own; inside strings serde_json wrote `\n`.
        if plain || c == '\n' {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
    }
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_escapes_terminal_controls_and_stays_the_same_json() {
        let value =
            serde_json::json!({"cmd": "a\u{1b}[31m\u{9b}b\u{202e}c\u{7f}", "ok": "héllo ✓"});
        let text = json_text(&value).unwrap();
        assert!(
            !text.contains(['\u{1b}', '\u{9b}', '\u{202e}', '\u{7f}']),
            "{text:?}"
        );
        assert!(
            text.contains("\\u202e") && text.contains("héllo ✓"),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
        assert!(text.ends_with("}\n") && text.lines().count() == 4, "{text}");
    }
}
