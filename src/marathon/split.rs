//! [`ArrayReader`]: reads a JSON array arriving in chunks element by element, each decoded as
//! soon as its last byte is in, so that decoding overlaps the download and only the element
//! under way is held.
//!
//! The bytes are checked to be UTF-8 once, as they are read, and handed to the decoder both as
//! bytes and as that checked text: a JSON decoder reading the text need not check every string
//! again (for `pod list` that check was an eighth of the decoding time).

/// Where the reader is in the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening `[`.
    Start,
    /// After `[` or `,`: an element or (after `[` only) `]` comes next.
    BeforeElement { first: bool },
    /// After an element: `,` or `]` comes next.
    AfterElement,
    /// After the closing `]`: only whitespace may follow.
    End,
}

/// What a decoder makes of the bytes from the start of an element to the end of what has
/// arrived.
pub enum Decoded<T> {
    /// An element, and how many bytes it took.
    Element(T, usize),
    /// The element is not complete yet.
    Incomplete,
}

/// Decodes one element from the start of `bytes`; `text` is the longest start of `bytes` that is
/// UTF-8 (all of them but for a character cut at a chunk's end or a bad byte).
pub trait Decode<T>: Fn(&[u8], &str) -> Result<Decoded<T>, String> {}

impl<T, F: Fn(&[u8], &str) -> Result<Decoded<T>, String>> Decode<T> for F {}

/// The least added at a time to an element cut at a chunk's end before decoding it again.
const MIN_PIECE: usize = 4096;

/// Reads the top-level elements of a JSON array given in chunks. It checks the array's own
/// punctuation; the decoder judges each element.
pub struct ArrayReader {
    state: State,
    /// Bytes not consumed yet: the start of the element under way.
    pending: Vec<u8>,
    /// Decode again only when this many bytes are pending: a big element is retried as it
    /// doubles, not at each chunk, so reading stays linear.
    retry_at: usize,
}

impl Default for ArrayReader {
    fn default() -> Self {
        ArrayReader::new()
    }
}

impl ArrayReader {
    pub fn new() -> ArrayReader {
        ArrayReader {
            state: State::Start,
            pending: Vec::new(),
            retry_at: 0,
        }
    }

    /// Feeds one chunk; every element it completes is decoded and pushed onto `out`. Elements
    /// that lie wholly in the chunk are decoded where they are; only an element cut at a
    /// chunk's end is copied, and only as far as it takes to complete it.
    pub fn feed<T>(
        &mut self,
        chunk: &[u8],
        out: &mut Vec<T>,
        decode: impl Decode<T>,
    ) -> Result<(), String> {
        let mut rest = chunk;
        // The element begun in an earlier chunk: add this chunk's bytes a piece at a time,
        // each piece as big as what is pending (so retries stay linear), until it completes.
        while !self.pending.is_empty() && !rest.is_empty() {
            let take = rest.len().min(self.pending.len().max(MIN_PIECE));
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() < self.retry_at {
                continue;
            }
            let pending = std::mem::take(&mut self.pending);
            let consumed = self.read(&pending, out, &decode, false);
            self.pending = pending;
            let consumed = consumed?;
            let left = self.pending.len() - consumed;
            let taken = chunk.len() - rest.len();
            if left <= taken {
                // What is left came from this chunk: read it from there.
                rest = &chunk[taken - left..];
                self.pending.clear();
            } else {
                self.pending.drain(..consumed);
            }
        }
        if self.pending.is_empty() && !rest.is_empty() {
            let consumed = self.read(rest, out, &decode, false)?;
            self.pending.extend_from_slice(&rest[consumed..]);
        }
        Ok(())
    }

    /// Ends the input: an error unless the array was complete and closed.
    pub fn finish<T>(&mut self, out: &mut Vec<T>, decode: impl Decode<T>) -> Result<(), String> {
        let pending = std::mem::take(&mut self.pending);
        self.read(&pending, out, &decode, true)?;
        if self.state == State::End {
            Ok(())
        } else {
            Err("the array ends early".to_string())
        }
    }

    /// Reads `bytes`, which start where the last read stopped; returns how many were consumed.
    fn read<T>(
        &mut self,
        bytes: &[u8],
        out: &mut Vec<T>,
        decode: &impl Decode<T>,
        last: bool,
    ) -> Result<usize, String> {
        let text = utf8_start(bytes);
        let mut pos = 0;
        loop {
            while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | b'\r') {
                pos += 1;
            }
            let Some(&b) = bytes.get(pos) else {
                return Ok(pos);
            };
            match self.state {
                State::Start if b == b'[' => self.state = State::BeforeElement { first: true },
                State::Start => return Err("expected a JSON array".to_string()),
                State::BeforeElement { first: true } if b == b']' => self.state = State::End,
                State::BeforeElement { .. } if b == b']' || b == b',' => {
                    return Err("expected an array element".to_string())
                }
                // An element starts after ASCII punctuation and ends where a JSON value ends, so
                // `pos` is a character boundary of `text` unless the bytes there are not UTF-8.
                State::BeforeElement { .. } => {
                    match decode(&bytes[pos..], text.get(pos..).unwrap_or("")) {
                        Ok(Decoded::Element(value, n)) => {
                            out.push(value);
                            self.state = State::AfterElement;
                            self.retry_at = 0;
                            pos += n;
                            continue;
                        }
                        // A value cut short can read as a bad one (`1.` is a bad number), so an
                        // error counts only once no more bytes can come.
                        Ok(Decoded::Incomplete) | Err(_) if !last => {
                            self.retry_at = 2 * (bytes.len() - pos);
                            return Ok(pos);
                        }
                        Ok(Decoded::Incomplete) => return Err("the array ends early".to_string()),
                        Err(e) => return Err(e),
                    }
                }
                State::AfterElement if b == b',' => {
                    self.state = State::BeforeElement { first: false }
                }
                State::AfterElement if b == b']' => self.state = State::End,
                State::AfterElement => return Err("expected ',' or ']' in the array".to_string()),
                State::End => return Err("trailing characters after the array".to_string()),
            }
            pos += 1;
        }
    }
}

/// The longest start of `bytes` that is UTF-8.
fn utf8_start(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes one JSON value, as text; checks that `text` is what it should be.
    fn decode(bytes: &[u8], text: &str) -> Result<Decoded<String>, String> {
        let valid = match std::str::from_utf8(bytes) {
            Ok(_) => bytes.len(),
            Err(e) => e.valid_up_to(),
        };
        assert_eq!(text.as_bytes(), &bytes[..valid]);
        let mut values =
            serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>();
        match values.next() {
            Some(Ok(v)) => Ok(Decoded::Element(v.to_string(), values.byte_offset())),
            Some(Err(e)) if e.is_eof() => Ok(Decoded::Incomplete),
            None => Ok(Decoded::Incomplete),
            Some(Err(e)) => Err(e.to_string()),
        }
    }

    /// Reads `text` fed in chunks of `size` bytes.
    fn split(text: &str, size: usize) -> Result<Vec<String>, String> {
        split_bytes(text.as_bytes(), size)
    }

    fn split_bytes(bytes: &[u8], size: usize) -> Result<Vec<String>, String> {
        let mut reader = ArrayReader::new();
        let mut out = Vec::new();
        for chunk in bytes.chunks(size) {
            reader.feed(chunk, &mut out, decode)?;
        }
        reader.finish(&mut out, decode)?;
        Ok(out)
    }

    #[test]
    fn elements_come_out_whole_whatever_the_chunk_size() {
        let text = r#" [ {"id":"/a","s":"x,]}\"["} , [1,[2]] ,"q\\",{"n":1.5e3} ] "#;
        for size in 1..=text.len() {
            assert_eq!(
                split(text, size).unwrap(),
                vec![
                    r#"{"id":"/a","s":"x,]}\"["}"#,
                    "[1,[2]]",
                    r#""q\\""#,
                    r#"{"n":1500.0}"#
                ],
                "chunk size {size}"
            );
        }
    }

    /// Big elements cut at every kind of place: in the middle, right after an element, with
    /// several elements in one chunk, and one element across many chunks.
    #[test]
    fn big_elements_across_chunks_come_out_whole() {
        let elements: Vec<String> = (0..40)
            .map(|i| format!(r#"{{"n":{i},"s":"{}"}}"#, "x,]".repeat(i * 397 % 6000)))
            .collect();
        let text = format!("[{}] ", elements.join(" ,\n"));
        for size in [1, 7, 1000, 4095, 4096, 4097, 9999, 30_000, 1 << 20] {
            let out = split(&text, size).unwrap();
            let want: Vec<String> = elements
                .iter()
                .map(|e| {
                    serde_json::from_str::<serde_json::Value>(e)
                        .unwrap()
                        .to_string()
                })
                .collect();
            assert_eq!(out, want, "chunk size {size}");
        }
    }

    #[test]
    fn empty_array_has_no_elements() {
        assert_eq!(split("[]", 1).unwrap(), Vec::<String>::new());
        assert_eq!(split(" [ ] \n", 2).unwrap(), Vec::<String>::new());
    }

    /// Characters of two, three and four bytes cut at every place, and the decoder handed the
    /// text it should have (see `decode`).
    #[test]
    fn characters_cut_between_chunks_come_out_whole() {
        let text = r#"["é日𝄞",{"ü":"日本語"},"ß"]"#;
        for size in 1..=text.len() {
            assert_eq!(
                split(text, size).unwrap(),
                vec![r#""é日𝄞""#, r#"{"ü":"日本語"}"#, r#""ß""#],
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        for bytes in [
            &b"[\"a\xff\"]"[..],
            b"[\"ok\",\"\xe6\x97\"]",
            b"[\"ok\"]\xff",
            b"[\xc3\xa9]",
        ] {
            for size in [1, 2, 3, 100] {
                assert!(
                    split_bytes(bytes, size).is_err(),
                    "{bytes:?} in chunks of {size}"
                );
            }
        }
    }

    #[test]
    fn broken_arrays_are_refused() {
        for text in [
            r#"{"a":1}"#,
            "[{},{}",
            r#"[{"a":"]"#,
            "[{},,{}]",
            "[{},]",
            "[{}] x",
            "[{} {}]",
            "[{]",
            "",
        ] {
            for size in [1, 3, 100] {
                assert!(split(text, size).is_err(), "{text:?} in chunks of {size}");
            }
        }
    }
}
