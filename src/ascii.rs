//! Scanning text for the bytes nearly all of it is made of, a block at a time: front matters
//! and bodies are checked byte by byte for characters to decline or strip, and checked so
//! they take most of a loop's time.

/// How many bytes at the start of `bytes`, in whole blocks of 32, are all `allowed`. Each
/// block is checked without stopping early inside it, so the compiler checks it with vector
/// instructions; the caller checks the rest as it must. When `allowed` admits only ASCII, the
/// count ends on a character boundary of any UTF-8 text.
pub fn allowed_prefix(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> usize {
    32 * bytes
        .chunks_exact(32)
        .take_while(|block| block.iter().fold(true, |all, &b| all & allowed(b)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_whole_blocks_before_the_first_byte_not_allowed() {
        let digit = |b: u8| b.is_ascii_digit();
        assert_eq!(allowed_prefix(b"", digit), 0);
        assert_eq!(allowed_prefix(&[b'1'; 31], digit), 0, "no whole block");
        assert_eq!(allowed_prefix(&[b'1'; 100], digit), 96);
        for at in 0..100 {
            let mut bytes = vec![b'1'; 100];
            bytes[at] = b'x';
            assert_eq!(allowed_prefix(&bytes, digit), at / 32 * 32, "x at {at}");
        }
    }
}
