//! Sizes given on the command line (`--max-response 512MiB`) or in the config file
//! (`max_response = "1GiB"`), and sizes shown in messages. No I/O here.

/// The smallest response limit podctl accepts: below it not even an error message fits.
pub const MIN_RESPONSE: u64 = 64 * 1024;
/// The largest: podctl holds a response in memory, so beyond this it cannot promise to cope.
pub const MAX_RESPONSE: u64 = 16 * 1024 * 1024 * 1024;

/// Parses a response size limit: `512MiB`, `1 GiB`, `300MB` or a bare number of bytes, between
/// [`MIN_RESPONSE`] and [`MAX_RESPONSE`].
pub fn parse_response_limit(s: &str) -> Result<u64, String> {
    let bytes = s
        .trim()
        .parse::<bytesize::ByteSize>()
        .map_err(|_| format!("{s:?} is not a size (expected e.g. 512MiB, 1GiB or 300MB)"))?
        .as_u64();
    if !(MIN_RESPONSE..=MAX_RESPONSE).contains(&bytes) {
        return Err(format!(
            "{s:?} is out of range: a response limit is between {} and {}",
            show(MIN_RESPONSE),
            show(MAX_RESPONSE)
        ));
    }
    Ok(bytes)
}

/// "256 MiB", "1 MiB", "10 KiB", "12 bytes": exact, in the largest unit that divides.
pub fn show(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit && bytes % unit == 0)
        .map_or_else(
            || format!("{bytes} bytes"),
            |(unit, name)| format!("{} {name}", bytes / unit),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_in_binary_and_decimal_units() {
        assert_eq!(parse_response_limit("512MiB"), Ok(512 << 20));
        assert_eq!(parse_response_limit("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_response_limit("300MB"), Ok(300_000_000));
        assert_eq!(parse_response_limit("1048576"), Ok(1 << 20));
    }

    #[test]
    fn limits_out_of_range_or_malformed_are_refused() {
        for bad in [
            "",
            "lots",
            "-1MiB",
            "1KiB",
            "17GiB",
            "99999999999999999999999",
        ] {
            assert!(parse_response_limit(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes_show_exactly() {
        assert_eq!(show(256 << 20), "256 MiB");
        assert_eq!(show(1 << 20), "1 MiB");
        assert_eq!(show(2 << 30), "2 GiB");
        assert_eq!(show(10 * 1024), "10 KiB");
        assert_eq!(show(1000), "1000 bytes");
    }
}
