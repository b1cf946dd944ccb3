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

/// `5 minutes ago`, `yesterday`, `3 days ago`; past a month, the date.
/// `now` comes from the server with the data, so the server's render and
/// the browser's hydration print the same words.
pub fn relative_time(rfc3339: &str, now: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;
    let (Ok(then), Ok(now)) = (OffsetDateTime::parse(rfc3339, &Rfc3339), OffsetDateTime::parse(now, &Rfc3339)) else {
        return short_time(rfc3339);
    };
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    let ago = now - then;
    match (ago.whole_minutes(), ago.whole_hours(), ago.whole_days()) {
        (m, _, _) if m < 1 => "just now".into(),
        (m, _, _) if m < 60 => plural(m, "minute"),
        (_, h, _) if h < 24 => plural(h, "hour"),
        (_, _, 1) => "yesterday".into(),
        (_, _, d) if d < 31 => plural(d, "day"),
        _ => rfc3339.get(..10).unwrap_or(rfc3339).to_string(),
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

    #[test]
    fn relative_times() {
        let now = "2026-11-22T16:20:00Z";
        for (then, words) in [
            ("2026-11-22T16:19:31.5Z", "just now"),
            ("2026-11-22T16:30:00Z", "just now"),
            ("2026-11-22T16:19:00Z", "1 minute ago"),
            ("2026-11-22T15:25:00Z", "55 minutes ago"),
            ("2026-11-22T15:20:00Z", "1 hour ago"),
            ("2026-11-21T17:00:00Z", "23 hours ago"),
            ("2026-11-21T16:20:00Z", "yesterday"),
            ("2026-11-12T10:00:00Z", "10 days ago"),
            ("2026-09-01T10:00:00Z", "2026-09-01"),
            ("bad", "bad"),
        ] {
            assert_eq!(relative_time(then, now), words, "{then}");
        }
    }
}
