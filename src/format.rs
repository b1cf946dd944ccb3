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

/// `name` cut in the middle to at most `max` characters, the cut marked
/// with `…` and the extension kept whole: `quarterly-rep…final-v3.csv`.
/// Cuts fall between user-perceived characters only (see [`clusters`]), so
/// an emoji or a letter with its accents is kept or left out whole.
pub fn middle_cut(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let budget = max.saturating_sub(1);
    let extension =
        name.rsplit_once('.').filter(|(_, ext)| !ext.contains('/')).map_or(0, |(_, ext)| ext.chars().count() + 1);
    let tail_len = (budget / 2).max(extension).min(budget.saturating_sub(1));
    let parts = clusters(name);
    let fit = |limit: usize, iter: &mut dyn Iterator<Item = &&str>| {
        let (mut chars, mut bytes) = (0, 0);
        for part in iter {
            let n = part.chars().count();
            if chars + n > limit {
                break;
            }
            (chars, bytes) = (chars + n, bytes + part.len());
        }
        (chars, bytes)
    };
    let (tail_chars, tail_bytes) = fit(tail_len, &mut parts.iter().rev());
    let (_, head_bytes) = fit(budget - tail_chars, &mut parts.iter());
    format!("{}…{}", &name[..head_bytes], &name[name.len() - tail_bytes..])
}

/// `text` split where a cut may fall: never before a combining mark, a
/// variation selector, an emoji modifier or tag, or a zero-width joiner,
/// nor after a joiner, nor inside a flag's pair of regional indicators.
/// Close to Unicode's grapheme clusters without their tables (scripts whose
/// vowel signs are spacing marks, as in Devanagari, may still be cut there).
fn clusters(text: &str) -> Vec<&str> {
    let extends = |c: char| {
        matches!(u32::from(c),
            0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF..=0x05C7 | 0x0610..=0x061A
            | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF | 0x200C..=0x200D | 0x20D0..=0x20FF | 0x3099..=0x309A | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
    };
    let regional = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
    let mut parts: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let current = &text[start..at];
        let pair = regional(c) && current.chars().count() == 1 && current.chars().all(regional);
        let joined = extends(c) || previous == Some('\u{200D}') || pair;
        if at > 0 && !joined {
            parts.push(current);
            start = at;
        }
        previous = Some(c);
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
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

    /// Every cut is at most `max` characters and made of whole clusters
    /// of the name, from its start and its end.
    fn check_cut(name: &str, max: usize) -> String {
        let cut = middle_cut(name, max);
        assert!(cut.chars().count() <= max, "{cut:?} longer than {max}");
        let (head, tail) = cut.split_once('…').expect("cut");
        assert!(name.starts_with(head) && name.ends_with(tail), "{cut:?}");
        let bounds: Vec<usize> =
            clusters(name).iter().scan(0, |at, p| Some(std::mem::replace(at, *at + p.len()))).collect();
        assert!(bounds.contains(&head.len()), "{cut:?} cuts a cluster after its head");
        assert!(
            tail.is_empty() || bounds.contains(&(name.len() - tail.len())),
            "{cut:?} cuts a cluster before its tail"
        );
        cut
    }

    #[test]
    fn names_are_cut_in_the_middle() {
        assert_eq!(middle_cut("chart.png", 26), "chart.png");
        assert_eq!(middle_cut("exactly-ten", 11), "exactly-ten");
        assert_eq!(check_cut("quarterly-report-2026-final-v3.csv", 26), "quarterly-rep…final-v3.csv");
        // A long extension is kept whole; a dot in a folder is no extension.
        assert_eq!(check_cut("a-very-long-name-for-a-file.geojson", 16), "a-very-….geojson");
        assert_eq!(check_cut("release-1.2.0/notes-for-everyone", 16), "release-…veryone");
        // Characters, not bytes.
        assert_eq!(check_cut("四半期売上レポート最終版第三稿のまとめ資料.xlsx", 16), "四半期売上レポー…資料.xlsx");
        check_cut("تقرير-المبيعات-الفصلي-النهائي-للعام.pdf", 20);
    }

    #[test]
    fn cuts_keep_emoji_and_accents_whole() {
        let family = "👩\u{200D}👩\u{200D}👧\u{200D}👦";
        for max in 5..30 {
            let name = format!("ab{family}{family}cd{family}e\u{301}e\u{301}e\u{301}🇫🇷🇩🇪🇮🇹👍🏽x.txt");
            let cut = check_cut(&name, max);
            assert!(!cut.contains("\u{200D}…") && !cut.contains("…\u{200D}") && !cut.contains("…\u{301}"), "{cut:?}");
        }
        assert_eq!(clusters("e\u{301}🇫🇷🇩🇪👍🏽1\u{FE0F}\u{20E3}"), ["e\u{301}", "🇫🇷", "🇩🇪", "👍🏽", "1\u{FE0F}\u{20E3}"]);
        assert_eq!(clusters(family), [family]);
    }
}
