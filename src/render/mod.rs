//! Turns typed data into text: tables for people, JSON for scripts. No network, no exit codes;
//! every function returns a `String` or writes to a `Write` it is given.

mod tables;

pub use tables::{cluster_list, deployments, pod_list, pod_show, versions, ClusterRow};

use std::io::Write;

use serde::{Deserialize, Serialize};

/// How output may look on the stream it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour escapes allowed (a terminal, and no NO_COLOR / --no-color).
    pub color: bool,
}

impl Style {
    /// Plain text: what scripts, pipes and tests see.
    pub const PLAIN: Style = Style { color: false };
}

/// Copies a JSON document from `reader` to `out` as it arrives, checking on the way that it is
/// one well-formed JSON value; ends it with a newline. What was copied before a syntax error
/// stays written; the error says where the document broke.
pub fn copy_json<R: std::io::Read, W: Write + ?Sized>(
    reader: R,
    out: &mut W,
) -> std::io::Result<Result<(), serde_json::Error>> {
    struct Tee<'a, R, W: ?Sized> {
        reader: R,
        out: &'a mut W,
        failed: Option<std::io::Error>,
    }
    impl<R: std::io::Read, W: Write + ?Sized> std::io::Read for Tee<'_, R, W> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.reader.read(buf)?;
            if let Err(e) = self.out.write_all(&buf[..n]) {
                let kind = e.kind();
                self.failed = Some(e);
                return Err(std::io::Error::from(kind));
            }
            Ok(n)
        }
    }
    let mut tee = Tee {
        reader: std::io::BufReader::with_capacity(64 * 1024, reader),
        out,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_reader(&mut tee);
    let checked = serde::de::IgnoredAny::deserialize(&mut de).and_then(|_| de.end());
    drop(de);
    if let Some(e) = tee.failed.take() {
        return Err(e);
    }
    tee.out.write_all(b"\n")?;
    Ok(checked.map(|_| ()))
}

/// Writes a value as pretty JSON followed by a newline.
pub fn write_json<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_copied_as_received_and_checked() {
        let mut out = Vec::new();
        let body = br#"[{"id":"/web","x":[1,2,{"y":null}]}]"#;
        copy_json(&body[..], &mut out).unwrap().unwrap();
        assert_eq!(out, [&body[..], b"\n"].concat());

        let mut out = Vec::new();
        let broken = br#"[{"id":"/web","x":[1,2"#;
        let err = copy_json(&broken[..], &mut out).unwrap().unwrap_err();
        assert!(err.is_eof(), "{err}");
        let mut out = Vec::new();
        assert!(copy_json(&b"<html>hi</html>"[..], &mut out)
            .unwrap()
            .is_err());
        let mut out = Vec::new();
        assert!(
            copy_json(&b"[] []"[..], &mut out).unwrap().is_err(),
            "one document only"
        );
    }
}
