//! Dates given on the command line (`spec/cli.md` §1.4) and dates shown
//! in records. No time zone database is used: naive dates are taken as UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_of(name: &str) -> Option<u32> {
    let n = name.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == n).map(|i| i as u32 + 1)
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH:MM[:SS[.fff]]` → seconds of the day.
fn time_of_day(s: &str) -> Option<i64> {
    let mut parts = s.split(':');
    let h: i64 = num(parts.next()?)?;
    let m: i64 = num(parts.next()?)?;
    let sec: i64 = match parts.next() {
        Some(p) => num(p.split('.').next().unwrap_or(p))?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// `YYYY-MM-DD` → day count.
fn ymd(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let y: i64 = num(parts.next()?)?;
    let m: u32 = num(parts.next()?)?;
    let d: u32 = num(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// A time-zone suffix: `Z`, `GMT`, `UTC`, `±HH:MM`, `±HHMM` → offset seconds.
fn split_zone(s: &str) -> (&str, i64) {
    for z in ["Z", "GMT", "UTC"] {
        if let Some(rest) = s.strip_suffix(z) {
            return (rest.trim_end(), 0);
        }
    }
    for len in [6usize, 5] {
        if s.len() > len {
            let (head, tail) = s.split_at(s.len() - len);
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => continue,
            };
            let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() == 4 && (len == 5 || tail.as_bytes()[3] == b':') {
                if let (Some(h), Some(m)) = (num::<i64>(&digits[..2]), num::<i64>(&digits[2..])) {
                    // a date's own dashes are not a zone: the head must hold a time
                    if head.contains(':') {
                        return (head.trim_end(), sign * (h * 3600 + m * 60));
                    }
                }
            }
        }
    }
    (s, 0)
}

/// Parses a date as kamaki accepts it: Unix seconds, `2015-03-01`,
/// `2015-03-01 12:00:00` or ISO 8601 (`2015-03-01T12:00:00+02:00`),
/// `12:00:00 2015-03-01`, `Sun Mar 01 12:00:00 2015` or an HTTP date.
/// Returns Unix seconds.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_date(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "Invalid date `{text}` (use e.g. 2015-03-01, \"2015-03-01 12:00:00\", \
             2015-03-01T12:00:00+02:00 or Unix seconds)"
        )
    };
    if let Some(n) = num::<i64>(t) {
        return Ok(n);
    }
    let (body, offset) = split_zone(t);
    let words: Vec<&str> = body
        .split(|c: char| c.is_whitespace() || c == 'T' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let secs = match words.as_slice() {
        [d] => ymd(d).map(|d| d * 86_400),
        [a, b] => match (ymd(a), ymd(b)) {
            (Some(d), None) => Some(d * 86_400 + time_of_day(b).ok_or_else(bad)?),
            (None, Some(d)) => Some(d * 86_400 + time_of_day(a).ok_or_else(bad)?),
            _ => None,
        },
        // Sun Mar 01 12:00:00 2015
        [_, mon, day, tm, year] if month_of(mon).is_some() => {
            let m = month_of(mon).ok_or_else(bad)?;
            Some(
                days_from_civil(num(year).ok_or_else(bad)?, m, num(day).ok_or_else(bad)?) * 86_400
                    + time_of_day(tm).ok_or_else(bad)?,
            )
        }
        // Sun, 01 Mar 2015 12:00:00 (GMT stripped)
        [_, day, mon, year, tm] if month_of(mon).is_some() => {
            let m = month_of(mon).ok_or_else(bad)?;
            Some(
                days_from_civil(num(year).ok_or_else(bad)?, m, num(day).ok_or_else(bad)?) * 86_400
                    + time_of_day(tm).ok_or_else(bad)?,
            )
        }
        _ => None,
    };
    secs.map(|s| s - offset).ok_or_else(bad)
}

/// Parses a date (as [`parse_date`]) into an HTTP date for conditional
/// headers (`If-Modified-Since`).
///
/// # Errors
/// As [`parse_date`].
pub fn http_date(text: &str) -> Result<String, String> {
    let secs = parse_date(text)?;
    let t = if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH
    };
    Ok(kamaki_openstack::storage::http_date(t))
}

/// `dd-mm-YYYY HH:MM:SS` (UTC) of Unix seconds (kamaki's version dates).
pub fn format_dmy(secs: f64) -> String {
    let s = secs.floor() as i64;
    let (y, m, d) = civil_from_days(s.div_euclid(86_400));
    let tod = s.rem_euclid(86_400);
    format!(
        "{d:02}-{m:02}-{y:04} {:02}:{:02}:{:02}",
        tod / 3600,
        (tod / 60) % 60,
        tod % 60
    )
}

/// ISO 8601 in UTC (`2015-03-01T12:00:00Z`) of Unix seconds.
pub fn iso(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        tod / 3600,
        (tod / 60) % 60,
        tod % 60
    )
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-1000, 0, 1, 59, 365, 16_495, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2015, 3, 1), 16_495);
    }

    #[test]
    fn accepted_forms() {
        let noon = 16_495 * 86_400 + 12 * 3600;
        assert_eq!(parse_date("2015-03-01").unwrap(), 16_495 * 86_400);
        assert_eq!(parse_date("2015-03-01 12:00:00").unwrap(), noon);
        assert_eq!(parse_date("2015-03-01T12:00:00Z").unwrap(), noon);
        assert_eq!(parse_date("2015-03-01T14:00:00+02:00").unwrap(), noon);
        assert_eq!(parse_date("2015-03-01T14:00:00.123+0200").unwrap(), noon);
        assert_eq!(parse_date("12:00:00 2015-03-01").unwrap(), noon);
        assert_eq!(parse_date("Sun Mar 01 12:00:00 2015").unwrap(), noon);
        assert_eq!(parse_date("Sun, 01 Mar 2015 12:00:00 GMT").unwrap(), noon);
        assert_eq!(parse_date("1425211200").unwrap(), noon);
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2015-13-01").is_err());
    }

    #[test]
    fn shown_dates() {
        assert_eq!(format_dmy(1_425_211_200.75), "01-03-2015 12:00:00");
        assert_eq!(iso(1_425_211_200), "2015-03-01T12:00:00Z");
        assert_eq!(
            http_date("2015-03-01 12:00:00").unwrap(),
            "Sun, 01 Mar 2015 12:00:00 GMT"
        );
    }
}
