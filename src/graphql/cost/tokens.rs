//! Counting a document's lexical tokens before parsing it, so a document made of millions
//! of tiny tokens is refused for the price of one pass over its bytes.

/// The number of GraphQL tokens (punctuators, names, numbers, strings) in `document`,
/// counting no further than `stop` (the caller's limit plus one is enough to refuse).
pub fn count_tokens(document: &str, stop: usize) -> usize {
    let bytes = document.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() && count < stop {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            // A byte-order mark is ignored like white space.
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
                count += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                count += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                count += 1;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                count += 1;
            }
            _ => {
                // Punctuators, and any other byte (which the parser will refuse).
                i += 1;
                count += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::count_tokens;

    #[test]
    fn counts_graphql_tokens() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(count_tokens("query Q($x: Int = 1) { a(b: $x) @skip(if: true) }", 100), 26);
        assert_eq!(count_tokens("{ a(s: \"x y \\\" z\") } # comment { { {", 100), 8);
        assert_eq!(count_tokens("{ ...F } fragment F on Q { b(n: -1.5e3) }", 100), 16);
        assert_eq!(count_tokens("\"\"\"block { } \"\"\" { a }", 100), 4);
        assert_eq!(count_tokens(&"{ a }".repeat(1000), 10), 10);
    }
}
