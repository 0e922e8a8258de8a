//! `cluster list` in each output mode.

use std::io::{self, Write};

use serde_json::json;

use super::{cluster_list, write_json, ClusterRow, Mode, Style};

/// Writes the clusters: a JSON array, their names one a line (`-q`), or a table with the
/// current one marked. Saying that there are none is the caller's (it goes to stderr).
pub fn write_clusters(
    out: &mut dyn Write,
    rows: &[ClusterRow],
    mode: Mode,
    style: Style,
) -> io::Result<()> {
    match mode {
        Mode::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| json!({"name": r.name, "url": r.url, "current": r.current, "token": r.has_token}))
                .collect();
            write_json(out, &list)
        }
        Mode::Quiet => rows.iter().try_for_each(|r| writeln!(out, "{}", r.name)),
        Mode::Human => out.write_all(cluster_list(rows, style).as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(mode: Mode) -> String {
        let rows = [
            ClusterRow {
                name: "local".into(),
                url: "http://127.0.0.1:8080".into(),
                current: false,
                has_token: false,
            },
            ClusterRow {
                name: "prod".into(),
                url: "https://prod.example.com".into(),
                current: true,
                has_token: true,
            },
        ];
        let mut out = Vec::new();
        write_clusters(&mut out, &rows, mode, Style::PLAIN).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_mode_has_its_form() {
        assert_eq!(written(Mode::Quiet), "local\nprod\n");
        let json: serde_json::Value = serde_json::from_str(&written(Mode::Json)).unwrap();
        assert_eq!(json[1]["current"], true);
        assert_eq!(json[1]["token"], true);
        let table = written(Mode::Human);
        assert!(
            table
                .lines()
                .any(|l| l.starts_with('*') && l.contains("prod")),
            "{table}"
        );
    }
}
