//! Display helpers shared by the server render and the browser, so both
//! produce the same text and hydration matches.

/// `12.4 KB`: decimal units, one decimal below 100.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value < 100.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `2026-11-22 16:20 UTC` from an RFC 3339 UTC timestamp.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(12_400), "12.4 KB");
        assert_eq!(human_size(250_000), "250 KB");
        assert_eq!(human_size(104_857_600), "105 MB");
    }

    #[test]
    fn times() {
        assert_eq!(short_time("2026-11-22T16:20:17.123Z"), "2026-11-22 16:20 UTC");
        assert_eq!(short_time("bad"), "bad");
    }
}
