//! Timestamps: parsing every accepted input format (SPEC §2) into local wall-clock seconds, and formatting back.
//!
//! The canonical `YYYY-MM-DD HH:MM:SS` has a byte-level fast path (it is parsed once per message, 10M times at
//! scale); the other formats go through chrono. Values are validated: 2026-02-30 is rejected, not rolled over.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};

/// Local wall-clock time as seconds since 1970-01-01 00:00:00 of the configured zone (a naive timestamp).
pub type Ts = i64;

pub(crate) const SECS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as i64;
    }
    Some(v)
}

/// Builds a timestamp from parts, rejecting impossible dates and times.
pub(crate) fn from_parts(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<Ts> {
    if !(1900..=2999).contains(&y) || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..61).contains(&s) {
        return None;
    }
    Some(days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + s.min(59))
}

fn fast_canonical(b: &[u8]) -> Option<Ts> {
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    from_parts(
        digits(&b[0..4])?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    )
}

fn from_naive(n: NaiveDateTime) -> Option<Ts> {
    use chrono::Timelike;
    from_parts(n.year() as i64, n.month() as i64, n.day() as i64, n.hour() as i64, n.minute() as i64, n.second() as i64)
}

/// The other local formats, and whether they carry seconds.
const NAIVE_FORMATS: &[(&str, bool)] = &[
    ("%Y-%m-%d %H:%M:%S%.f", true),
    ("%Y-%m-%d %H:%M", false),
    ("%Y/%m/%d %H:%M:%S%.f", true),
    ("%Y/%m/%d %H:%M", false),
    ("%Y-%m-%dT%H:%M:%S%.f", true),
    ("%Y-%m-%dT%H:%M", false),
    // As Chinese exports and spreadsheets write dates: 2026年11月9日 23:56:36.
    ("%Y年%m月%d日 %H:%M:%S%.f", true),
    ("%Y年%m月%d日%H:%M:%S%.f", true),
    ("%Y年%m月%d日 %H:%M", false),
];

/// UTC, for checks that only ask whether a text is a time.
pub(crate) fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset")
}

/// Parses a timestamp in any accepted format. ISO 8601 with an offset (or `Z`) is converted to `tz`; every other
/// form is taken as local wall-clock time already.
pub(crate) fn parse_ts(s: &str, tz: FixedOffset) -> Option<Ts> {
    parse_ts_precision(s, tz).map(|(ts, _)| ts)
}

/// `parse_ts`, and whether the text had seconds (`2026-11-11 10:05` has not: a response measured from such times is
/// a multiple of 60 s, SPEC §7).
pub(crate) fn parse_ts_precision(s: &str, tz: FixedOffset) -> Option<(Ts, bool)> {
    let s = s.trim();
    if let Some(ts) = fast_canonical(s.as_bytes()) {
        return Some((ts, true));
    }
    if s.len() < 10 || s.len() > 40 {
        return None;
    }
    if s.contains('T') {
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return from_naive(dt.with_timezone(&tz).naive_local()).map(|ts| (ts, true));
        }
        // An offset without a colon (+0800) is common in exports too.
        if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
            return from_naive(dt.with_timezone(&tz).naive_local()).map(|ts| (ts, true));
        }
    }
    NAIVE_FORMATS
        .iter()
        .find_map(|(f, secs)| NaiveDateTime::parse_from_str(s, f).ok().map(|n| (n, *secs)))
        .and_then(|(n, secs)| from_naive(n).map(|ts| (ts, secs)))
}

/// The local day of a timestamp.
pub(crate) fn day_of(ts: Ts) -> NaiveDate {
    // 719_163 days from 0001-01-01 (CE day 1) to 1970-01-01.
    NaiveDate::from_num_days_from_ce_opt((ts.div_euclid(SECS_PER_DAY) + 719_163) as i32).expect("date in range")
}

/// Seconds of a local day's midnight.
pub(crate) fn day_start(d: NaiveDate) -> Ts {
    days_from_civil(d.year() as i64, d.month() as i64, d.day() as i64) * SECS_PER_DAY
}

/// ISO week label of a timestamp's day, e.g. `2026-W46` (tests; the tables use `week_label` of the day).
#[cfg(test)]
fn iso_week(ts: Ts) -> String {
    week_label(day_of(ts))
}

pub(crate) fn week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// `YYYY-MM-DD HH:MM:SS`.
pub fn format_ts(ts: Ts) -> String {
    let d = day_of(ts);
    let sod = ts.rem_euclid(SECS_PER_DAY);
    format!("{} {:02}:{:02}:{:02}", d.format("%Y-%m-%d"), sod / 3600, sod / 60 % 60, sod % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz8() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn every_listed_format_gives_the_same_instant() {
        let want = parse_ts("2026-11-11 09:05:07", tz8()).unwrap();
        for s in [
            "2026/11/11 09:05:07",
            "2026/11/11 9:05:07",
            "2026-11-11T09:05:07+08:00",
            "2026-11-11T01:05:07Z",
            "2026-11-11T09:05:07.250+08:00",
            "2026-11-11T02:05:07+01:00",
            "2026-11-11T09:05:07+0800",
            "2026-11-11T09:05:07",
            " 2026-11-11 09:05:07 ",
            "2026年11月11日 09:05:07",
            "2026年11月11日 9:05:07",
            "2026年11月11日09:05:07",
        ] {
            assert_eq!(parse_ts(s, tz8()), Some(want), "{s}");
        }
        assert_eq!(parse_ts("2026/11/11 09:05", tz8()), Some(want - 7));
        assert_eq!(parse_ts("2026年11月9日 09:05", tz8()), Some(want - 7 - 2 * SECS_PER_DAY));
        assert_eq!(format_ts(want), "2026-11-11 09:05:07");
    }

    #[test]
    fn malformed_and_impossible_are_rejected() {
        for s in [
            "",
            "yesterday",
            "2026-02-30 10:00:00",
            "2026-13-01 10:00:00",
            "2026-11-11 24:00:00",
            "11/11/2026",
            // A Unix time is a number a column may hold for other reasons: refused, not guessed (tests/corpus).
            "1794359107",
        ] {
            assert_eq!(parse_ts(s, tz8()), None, "{s}");
        }
    }

    #[test]
    fn days_and_weeks() {
        let ts = parse_ts("2026-11-11 23:59:59", tz8()).unwrap();
        assert_eq!(day_of(ts), NaiveDate::from_ymd_opt(2026, 11, 11).unwrap());
        assert_eq!(day_of(ts + 1), NaiveDate::from_ymd_opt(2026, 11, 12).unwrap());
        assert_eq!(iso_week(ts), "2026-W46");
        assert_eq!(week_label(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), "2026-W53");
        assert_eq!(day_start(day_of(ts)), ts - 86_399);
    }
}
