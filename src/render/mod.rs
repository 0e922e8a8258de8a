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
