//! [`ArraySplitter`]: cuts a JSON array arriving in chunks into its elements, each handed on as
//! soon as its last byte is in, so that decoding overlaps the download and only one element is
//! held at a time.

/// Where the splitter is in the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening `[`.
    Start,
    /// After `[` or `,`: an element or (after `[` only) `]` comes next.
    BeforeElement { first: bool },
    /// Inside an element.
    Element,
    /// After an element: `,` or `]` comes next.
    AfterElement,
    /// After the closing `]`: only whitespace may follow.
    End,
}

/// Splits the top-level elements out of a JSON array given in chunks. It checks the array's
/// own punctuation and balances brackets and strings; each element's content is for the
/// caller's decoder to judge.
pub struct ArraySplitter {
    state: State,
    /// The bytes of the element under way.
    element: Vec<u8>,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Default for ArraySplitter {
    fn default() -> Self {
        ArraySplitter::new()
    }
}

impl ArraySplitter {
    pub fn new() -> ArraySplitter {
        ArraySplitter {
            state: State::Start,
            element: Vec::new(),
            depth: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// Feeds one chunk; `each` receives every element completed by it, in order. Stops at the
    /// first error, from the array's structure or from `each`.
    pub fn feed<E>(
        &mut self,
        chunk: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
        malformed: impl Fn(&'static str) -> E,
    ) -> Result<(), E> {
        let mut start = 0;
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            match self.state {
                State::Element => {
                    let end = self.scan(&chunk[i..]);
                    match end {
                        Some(n) => {
                            // The element ends before byte i + n (a `,` or `]` at depth 0).
                            self.element.extend_from_slice(&chunk[start..i + n]);
                            let text = trim_end(&self.element);
                            each(text)?;
                            self.element.clear();
                            self.state = State::AfterElement;
                            i += n;
                            continue;
                        }
                        None => {
                            self.element.extend_from_slice(&chunk[start..]);
                            return Ok(());
                        }
                    }
                }
                _ if b.is_ascii_whitespace() => {}
                State::Start if b == b'[' => self.state = State::BeforeElement { first: true },
                State::Start => return Err(malformed("expected a JSON array")),
                State::BeforeElement { first: true } if b == b']' => self.state = State::End,
                State::BeforeElement { .. } if b == b']' || b == b',' => {
                    return Err(malformed("expected an array element"))
                }
                State::BeforeElement { .. } => {
                    self.state = State::Element;
                    start = i;
                    continue;
                }
                State::AfterElement if b == b',' => {
                    self.state = State::BeforeElement { first: false }
                }
                State::AfterElement if b == b']' => self.state = State::End,
                State::AfterElement => return Err(malformed("expected ',' or ']' in the array")),
                State::End => return Err(malformed("trailing characters after the array")),
            }
            i += 1;
        }
        Ok(())
    }

    /// Ends the input: an error unless the array was closed.
    pub fn finish<E>(&self, malformed: impl Fn(&'static str) -> E) -> Result<(), E> {
        if self.state == State::End {
            Ok(())
        } else {
            Err(malformed("the array ends early"))
        }
    }

    /// Scans element bytes; returns the offset of the `,` or `]` that ends the element at
    /// depth 0, if it is in `bytes`.
    fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        for (n, &b) in bytes.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                b',' | b']' if self.depth == 0 => return Some(n),
                _ => {}
            }
        }
        None
    }
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` fed in chunks of `size` bytes.
    fn split(text: &str, size: usize) -> Result<Vec<String>, String> {
        let mut s = ArraySplitter::new();
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(size) {
            s.feed(
                chunk,
                |e| {
                    out.push(String::from_utf8_lossy(e).into_owned());
                    Ok::<(), String>(())
                },
                str::to_string,
            )?;
        }
        s.finish(str::to_string)?;
        Ok(out)
    }

    #[test]
    fn elements_come_out_whole_whatever_the_chunk_size() {
        let text = r#" [ {"id":"/a","s":"x,]}\"["} , [1,[2]] ,"q\\",3 ] "#;
        for size in 1..=text.len() {
            assert_eq!(
                split(text, size).unwrap(),
                vec![r#"{"id":"/a","s":"x,]}\"["}"#, "[1,[2]]", r#""q\\""#, "3"],
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn empty_array_has_no_elements() {
        assert_eq!(split("[]", 1).unwrap(), Vec::<String>::new());
        assert_eq!(split(" [ ] \n", 2).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn broken_arrays_are_refused() {
        assert!(split(r#"{"a":1}"#, 3).is_err());
        assert!(split("[1,2", 3).is_err());
        assert!(split(r#"[{"a":"]"#, 3).is_err());
        assert!(split("[1,,2]", 3).is_err());
        assert!(split("[1,]", 3).is_err());
        assert!(split("[1] x", 3).is_err());
        assert!(split("", 3).is_err());
    }
}
