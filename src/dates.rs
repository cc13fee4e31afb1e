//! Expiry dates: parsing what users type, and calendar-month arithmetic like .NET `AddMonths`.
//!
//! [`parse_date`] accepts (after trimming, case-insensitively):
//! - ISO dates: `2027-05-28` (month and day may have one digit);
//! - ISO date-times: `2027-05-28T10:00`, `2027-05-28 10:00:00.123`; without an offset the date
//!   part is taken as written, with `Z` or an offset (`-05:00`, `+0200`, `+02`) the instant is
//!   converted to the local time zone first, as .NET `DateTime.Parse` does;
//! - the invariant-culture forms PowerShell's `[datetime]'…'` reads: `05/28/2027` and `5/28/2027`
//!   (month/day/year), `2027/05/28`, `28 May 2027`, `28-May-2027`, `May 28 2027`, `May 28, 2027`,
//!   with full or three-letter month names;
//! - any of them after a weekday name (`Friday, May 28, 2027`), which must match the date, as
//!   .NET requires;
//! - any of them followed by a time of day (`05/28/2027 14:30`, `05/28/2027 2:30 PM`), which is
//!   checked and then ignored unless it carries an offset.
//!
//! Years have four digits. Two-digit years (`1/2/27`), day-first numeric dates (`31/12/2027`), a
//! year and month without a day (`2027-06`), a month and day without a year (`6/1`) and a time
//! without a date (`12:00`) are refused rather than guessed. The module sends the text exactly as
//! typed (it guesses nothing), and every message quotes that text and names the parameter as the
//! cmdlet spells it: -ExpiresAt '6/1' is not a date I can read.

use crate::error::{Error, Result};
use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};

const EXPIRES_AT: &str = "expires_at";
const EXPIRE_IN_MONTHS: &str = "expire_in_months";

/// The latest year an expiry date may have, as in .NET `DateTime`.
const MAX_YEAR: i32 = 9999;

/// Today in the local time zone.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Parse an expiry date as users type it. Errors are invalid-argument on `expires_at`.
///
/// Date-times with an offset are converted to the local time zone before their date is taken.
pub fn parse_date(input: &str) -> Result<NaiveDate> {
    parse_date_as(input, EXPIRES_AT)
}

/// [`parse_date`] for the protocol parameter `param` (a list filter such as `created_after`):
/// errors name it and carry it.
pub fn parse_date_as(input: &str, param: &str) -> Result<NaiveDate> {
    parse_date_in(input, &chrono::Local, param)
}

/// [`parse_date_as`], converting date-times with an offset to the time zone `tz`.
fn parse_date_in<Tz: TimeZone>(input: &str, tz: &Tz, param: &str) -> Result<NaiveDate> {
    let text = input.trim();
    if text.is_empty() {
        return Err(
            Error::invalid(param, format!("{param} is empty.")).with_hint(
                "Give a date such as 2027-05-28 (YYYY-MM-DD), or leave -ExpiresAt out to use the \
             instance default.",
            ),
        );
    }
    let shown = shown(text);
    match parse_typed(text) {
        Ok(typed) => typed.date_in(tz).ok_or_else(|| {
            Error::invalid(
                param,
                format!("{param} '{shown}' is out of the range of dates."),
            )
            .with_hint("Use an ISO date such as 2027-05-28 (YYYY-MM-DD).")
        }),
        Err(Problem::Unreadable) => Err(Error::invalid(
            param,
            format!(
                "{param} '{shown}' is not a date I can read. Use an ISO date such as \
                 2027-05-28 (YYYY-MM-DD)."
            ),
        )
        .with_hint(
            "Accepted forms: 2027-05-28, 2027-05-28T10:00:00Z (converted to local time), \
             05/28/2027 (month/day/year), 2027/05/28, 28 May 2027, May 28, 2027.",
        )),
        Err(Problem::NoSuchDate(why)) => Err(Error::invalid(
            param,
            format!("{param} '{shown}' is not a valid date: {why}."),
        )
        .with_hint("Use a date that exists, such as 2027-05-28 (YYYY-MM-DD).")),
        Err(Problem::BadTime(why)) => Err(Error::invalid(
            param,
            format!("{param} '{shown}' has an invalid time of day: {why}."),
        )
        .with_hint("Only the date counts; give just the date, such as 2027-05-28.")),
        Err(Problem::WrongWeekday { written, date }) => Err(Error::invalid(
            param,
            format!(
                "{param} '{shown}' says {}, but {date} is a {}.",
                weekday_name(written),
                weekday_name(date.weekday())
            ),
        )
        .with_hint("Correct or drop the day name.")),
    }
}

/// `date` plus `months` calendar months, clamped to the end of the month (Jan 31 + 1 = Feb 28/29).
///
/// Errors (invalid-argument on `expire_in_months`) when the result would be after year 9999.
pub fn add_months(date: NaiveDate, months: u32) -> Result<NaiveDate> {
    // chrono clamps to the month's last day exactly as .NET AddMonths does.
    date.checked_add_months(chrono::Months::new(months))
        .filter(|d| d.year() <= MAX_YEAR)
        .ok_or_else(|| {
            Error::invalid(
                EXPIRE_IN_MONTHS,
                format!(
                    "expire_in_months {months} is too many: {date} plus {months} months is after \
                     year {MAX_YEAR}."
                ),
            )
            .with_hint(
                "Use a smaller number of months, or leave it out to use the instance default.",
            )
        })
}

/// The expiry date to send, from the two mutually exclusive options. `None`: the instance default.
///
/// Refuses both options together, zero months, a blank or unreadable date, and a date that is not
/// after `today`. Maximum lifetimes are left to the server.
pub fn resolve_expiry(
    expires_at: Option<&str>,
    expire_in_months: Option<u32>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let date = match (expires_at, expire_in_months) {
        (Some(at), Some(months)) => {
            return Err(Error::invalid(
                EXPIRES_AT,
                format!(
                    "Give either -ExpiresAt or -ExpireInMonths, not both (got ExpiresAt '{}' and \
                     ExpireInMonths {months}).",
                    shown(at.trim())
                ),
            )
            .with_hint("Pass only one of -ExpiresAt and -ExpireInMonths."));
        }
        (None, None) => return Ok(None),
        (None, Some(0)) => {
            return Err(Error::invalid(
                EXPIRE_IN_MONTHS,
                "expire_in_months is 0; it must be at least 1.",
            )
            .with_hint(
                "Give 1 or more months, or leave -ExpireInMonths out to use the instance default.",
            ));
        }
        (None, Some(months)) => add_months(today, months)?,
        (Some(at), None) => parse_date(at)?,
    };
    if date <= today {
        let written = expires_at.map(str::trim).unwrap_or_default();
        let what = if written.is_empty() || written == date.to_string() {
            format!("expires_at {date}")
        } else {
            format!("expires_at '{}' ({date})", shown(written))
        };
        let when = if date == today {
            format!("is today ({today})")
        } else {
            format!("is in the past (today is {today})")
        };
        let tomorrow = today.succ_opt().unwrap_or(today);
        return Err(Error::invalid(
            EXPIRES_AT,
            format!("{what} {when}; a token must expire after today."),
        )
        .with_hint(format!("Pick a date after today, such as {tomorrow}.")));
    }
    Ok(Some(date))
}

/// The input as quoted in messages: at most 80 characters.
fn shown(text: &str) -> String {
    crate::text::truncate(text, 80)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(year) => 29,
        _ => 28,
    }
}

fn is_leap_year(year: i32) -> bool {
    NaiveDate::from_ymd_opt(year, 1, 1).is_some_and(|d| d.leap_year())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "Monday"),
    (Weekday::Tue, "Tuesday"),
    (Weekday::Wed, "Wednesday"),
    (Weekday::Thu, "Thursday"),
    (Weekday::Fri, "Friday"),
    (Weekday::Sat, "Saturday"),
    (Weekday::Sun, "Sunday"),
];

fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _)| *d == day)
        .map_or("?", |(_, name)| name)
}

/// A full name or its three-letter abbreviation, case-insensitively.
fn name_matches(word: &str, name: &str) -> bool {
    word.eq_ignore_ascii_case(name)
        || (word.len() == 3 && name.get(..3).is_some_and(|a| a.eq_ignore_ascii_case(word)))
}

fn month_number(word: &str) -> Option<u32> {
    if word.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|name| name_matches(word, name))
        .map(|i| i as u32 + 1)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(_, name)| name_matches(word, name))
        .map(|(day, _)| *day)
}

/// Why a text is not a date.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    /// Not one of the accepted forms.
    Unreadable,
    /// The form is right but the calendar has no such day (the reason, for the message).
    NoSuchDate(String),
    /// The form is right but the time of day is impossible.
    BadTime(String),
    /// The weekday name does not match the date.
    WrongWeekday { written: Weekday, date: NaiveDate },
}

/// What the text says: a calendar date, maybe with a time and an offset.
#[derive(Debug)]
struct Typed {
    date: NaiveDate,
    time: NaiveTime,
    offset: Option<FixedOffset>,
}

impl Typed {
    /// The date the text means in `tz`: as written, or, with an offset, of the instant in `tz`.
    fn date_in<Tz: TimeZone>(&self, tz: &Tz) -> Option<NaiveDate> {
        match self.offset {
            None => Some(self.date),
            Some(offset) => {
                let local = NaiveDateTime::new(self.date, self.time);
                let instant = offset.from_local_datetime(&local).single()?;
                Some(instant.with_timezone(tz).date_naive())
            }
        }
    }
}

/// A cursor over the ASCII text of a date.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Consume `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consume blanks; whether there were any.
    fn blanks(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Consume a run of digits: its value and length.
    fn number(&mut self) -> Option<(u32, usize)> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.text[start..self.pos];
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        Some((digits.parse().ok()?, digits.len()))
    }

    /// Consume a number of `min..=max` digits.
    fn number_of(&mut self, min: usize, max: usize) -> Option<u32> {
        let (value, len) = self.number()?;
        (min..=max).contains(&len).then_some(value)
    }

    /// Consume a run of ASCII letters.
    fn word(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }

    /// Look at the next word without consuming it.
    fn peek_word(&self) -> Option<&'a str> {
        let mut probe = Cursor {
            text: self.text,
            pos: self.pos,
        };
        probe.word()
    }
}

/// Read `text` (trimmed, not empty) as one of the accepted forms.
fn parse_typed(text: &str) -> Result<Typed, Problem> {
    if !text.is_ascii() {
        return Err(Problem::Unreadable);
    }
    let mut cur = Cursor { text, pos: 0 };

    // An optional leading weekday name, then a comma and/or blanks.
    let mut written_weekday = None;
    if let Some(word) = cur.peek_word()
        && let Some(day) = weekday_of(word)
    {
        cur.word();
        let comma = cur.eat(b',');
        if !cur.blanks() && !comma {
            return Err(Problem::Unreadable);
        }
        written_weekday = Some(day);
    }

    let (year, month, day, iso) = parse_date_part(&mut cur)?;
    let date = calendar_date(year, month, day)?;
    if let Some(written) = written_weekday
        && written != date.weekday()
    {
        return Err(Problem::WrongWeekday { written, date });
    }

    let mut typed = Typed {
        date,
        time: NaiveTime::MIN,
        offset: None,
    };
    if cur.at_end() {
        return Ok(typed);
    }
    // A time of day: after `T` (ISO dates only) or blanks.
    let t_separator = iso && (cur.eat(b'T') || cur.eat(b't'));
    if !t_separator && !cur.blanks() {
        return Err(Problem::Unreadable);
    }
    typed.time = parse_time(&mut cur)?;
    cur.blanks();
    if !cur.at_end() {
        typed.offset = Some(parse_offset(&mut cur)?);
    }
    if !cur.at_end() {
        return Err(Problem::Unreadable);
    }
    Ok(typed)
}

/// The date itself: year, month, day, and whether it was ISO (`YYYY-MM-DD`).
fn parse_date_part(cur: &mut Cursor<'_>) -> Result<(u32, u32, u32, bool), Problem> {
    if let Some(word) = cur.word() {
        // `May 28 2027`, `May 28, 2027`.
        let month = month_number(word).ok_or(Problem::Unreadable)?;
        if !cur.blanks() {
            return Err(Problem::Unreadable);
        }
        let day = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
        let comma = cur.eat(b',');
        if !cur.blanks() && !comma {
            return Err(Problem::Unreadable);
        }
        let year = cur.number_of(4, 4).ok_or(Problem::Unreadable)?;
        return Ok((year, month, day, false));
    }

    let (first, first_len) = cur.number().ok_or(Problem::Unreadable)?;
    if first_len == 4 && cur.eat(b'-') {
        // ISO `2027-05-28`.
        let month = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
        if !cur.eat(b'-') {
            return Err(Problem::Unreadable);
        }
        let day = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
        return Ok((first, month, day, true));
    }
    if cur.eat(b'/') {
        let second = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
        if !cur.eat(b'/') {
            return Err(Problem::Unreadable);
        }
        if first_len == 4 {
            // `2027/05/28`.
            let day = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
            return Ok((first, second, day, false));
        }
        // `05/28/2027`: month first, as the invariant culture reads it. A first number over 12
        // means a day-first date (`31/12/2027`), a form we refuse rather than guess.
        if first_len > 2 || first > 12 {
            return Err(Problem::Unreadable);
        }
        let year = cur.number_of(4, 4).ok_or(Problem::Unreadable)?;
        return Ok((year, first, second, false));
    }
    if first_len <= 2 {
        // `28 May 2027`, `28-May-2027`.
        let dashed = cur.eat(b'-');
        if !dashed && !cur.blanks() {
            return Err(Problem::Unreadable);
        }
        let month = cur
            .word()
            .and_then(month_number)
            .ok_or(Problem::Unreadable)?;
        let separated = if dashed {
            cur.eat(b'-')
        } else {
            let comma = cur.eat(b',');
            cur.blanks() || comma
        };
        if !separated {
            return Err(Problem::Unreadable);
        }
        let year = cur.number_of(4, 4).ok_or(Problem::Unreadable)?;
        return Ok((year, month, first, false));
    }
    Err(Problem::Unreadable)
}

/// Check the calendar: month 1-12, a day the month has, year 1-9999.
fn calendar_date(year: u32, month: u32, day: u32) -> Result<NaiveDate, Problem> {
    if !(1..=MAX_YEAR as u32).contains(&year) {
        return Err(Problem::NoSuchDate(format!(
            "year {year:04} is out of range (1 to {MAX_YEAR})"
        )));
    }
    if !(1..=12).contains(&month) {
        return Err(Problem::NoSuchDate(format!(
            "there is no month {month} (months run from 1 to 12)"
        )));
    }
    let year = year as i32;
    let last = days_in_month(year, month);
    let name = MONTHS[month as usize - 1];
    if day == 0 || day > last {
        return Err(Problem::NoSuchDate(format!(
            "{name} {year} has {last} days, so there is no day {day}"
        )));
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| Problem::NoSuchDate(format!("{name} {day}, {year} does not exist")))
}

/// `H:MM`, `H:MM:SS`, `H:MM:SS.fff`, optionally followed by `AM`/`PM`.
fn parse_time(cur: &mut Cursor<'_>) -> Result<NaiveTime, Problem> {
    let hour = cur.number_of(1, 2).ok_or(Problem::Unreadable)?;
    if !cur.eat(b':') {
        return Err(Problem::Unreadable);
    }
    let minute = cur.number_of(2, 2).ok_or(Problem::Unreadable)?;
    let mut second = 0;
    let mut nano = 0;
    if cur.eat(b':') {
        second = cur.number_of(2, 2).ok_or(Problem::Unreadable)?;
        if cur.eat(b'.') || cur.eat(b',') {
            let (fraction, digits) = cur.number().ok_or(Problem::Unreadable)?;
            // At most 9 digits (see `Cursor::number`): scale to nanoseconds.
            nano = fraction * 10u32.pow(9 - digits as u32);
        }
    }
    // `2:30 PM`, `2:30PM`.
    let mut probe = Cursor {
        text: cur.text,
        pos: cur.pos,
    };
    probe.blanks();
    let meridiem = match probe.word() {
        Some(w) if w.eq_ignore_ascii_case("am") => Some(false),
        Some(w) if w.eq_ignore_ascii_case("pm") => Some(true),
        _ => None,
    };
    let hour = match meridiem {
        Some(pm) => {
            cur.pos = probe.pos;
            if hour > 12 {
                return Err(Problem::BadTime(format!(
                    "hour {hour} is out of range with AM/PM (1 to 12)"
                )));
            }
            hour % 12 + if pm { 12 } else { 0 }
        }
        None => hour,
    };
    if hour > 23 {
        return Err(Problem::BadTime(format!(
            "hour {hour} is out of range (0 to 23)"
        )));
    }
    if minute > 59 {
        return Err(Problem::BadTime(format!(
            "minute {minute} is out of range (0 to 59)"
        )));
    }
    if second > 59 {
        return Err(Problem::BadTime(format!(
            "second {second} is out of range (0 to 59)"
        )));
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nano)
        .ok_or_else(|| Problem::BadTime("no such time".to_string()))
}

/// `Z`, or `+HH:MM`, `-HHMM`, `+HH`.
fn parse_offset(cur: &mut Cursor<'_>) -> Result<FixedOffset, Problem> {
    if cur.eat(b'Z') || cur.eat(b'z') {
        return Ok(FixedOffset::east_opt(0).expect("zero offset"));
    }
    let sign: i32 = if cur.eat(b'+') {
        1
    } else if cur.eat(b'-') {
        -1
    } else {
        return Err(Problem::Unreadable);
    };
    let (value, len) = cur.number().ok_or(Problem::Unreadable)?;
    let (hours, minutes) = match len {
        2 if cur.eat(b':') => (value, cur.number_of(2, 2).ok_or(Problem::Unreadable)?),
        2 => (value, 0),
        4 => (value / 100, value % 100),
        _ => return Err(Problem::Unreadable),
    };
    if hours > 14 || minutes > 59 {
        return Err(Problem::BadTime(format!(
            "offset {hours:02}:{minutes:02} is out of range (at most 14:00)"
        )));
    }
    let seconds = (hours * 3600 + minutes * 60) as i32;
    FixedOffset::east_opt(sign * seconds)
        .ok_or_else(|| Problem::BadTime("the offset is out of range".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use chrono::{DateTime, Local};

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn offset(hours: i32) -> FixedOffset {
        FixedOffset::east_opt(hours * 3600).unwrap()
    }

    /// The error `input` gives, checked to be invalid-argument on `expires_at`.
    fn rejected(input: &str) -> Error {
        let err = parse_date(input).expect_err(input);
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{input}");
        assert_eq!(err.parameter.as_deref(), Some("expires_at"), "{input}");
        assert!(err.hint.is_some(), "{input}");
        err
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_date("2027-05-28").unwrap(), ymd(2027, 5, 28));
        assert_eq!(parse_date("  2027-05-28\t").unwrap(), ymd(2027, 5, 28));
        assert_eq!(parse_date("2027-5-8").unwrap(), ymd(2027, 5, 8));
        assert_eq!(parse_date("2028-02-29").unwrap(), ymd(2028, 2, 29));
        assert_eq!(parse_date("2000-02-29").unwrap(), ymd(2000, 2, 29));
    }

    #[test]
    fn iso_date_times_without_offset_keep_their_date() {
        for input in [
            "2027-05-28T10:00:00",
            "2027-05-28T23:59:59",
            "2027-05-28T00:00",
            "2027-05-28t10:00",
            "2027-05-28T10:00:00.5",
            "2027-05-28T10:00:00.123456789",
            "2027-05-28T10:00:00,250",
            "2027-05-28 10:00",
            "2027-05-28 10:00:00",
            "2027-05-28  23:30:15.999",
            "2027-05-28 2:30 PM",
        ] {
            assert_eq!(parse_date(input).unwrap(), ymd(2027, 5, 28), "{input}");
        }
    }

    #[test]
    fn offsets_are_converted_to_the_given_zone() {
        let plus9 = offset(9);
        let minus5 = offset(-5);
        let utc = offset(0);
        // 23:30 at -05:00 is 04:30Z on the 29th.
        let late = "2027-05-28T23:30:00-05:00";
        assert_eq!(
            parse_date_in(late, &minus5, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 28)
        );
        assert_eq!(
            parse_date_in(late, &utc, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 29)
        );
        assert_eq!(
            parse_date_in(late, &plus9, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 29)
        );
        // 01:00Z is still the 27th west of UTC-1.
        let early = "2027-05-28T01:00:00Z";
        assert_eq!(
            parse_date_in(early, &utc, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 28)
        );
        assert_eq!(
            parse_date_in(early, &minus5, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 27)
        );
        // Other offset spellings.
        for input in [
            "2027-05-28T23:30:00+09:00",
            "2027-05-28T23:30:00+0900",
            "2027-05-28T23:30:00+09",
            "2027-05-28 23:30 +09:00",
            "2027-05-28T23:30:00.000+09:00",
        ] {
            assert_eq!(
                parse_date_in(input, &plus9, EXPIRES_AT).unwrap(),
                ymd(2027, 5, 28),
                "{input}"
            );
            assert_eq!(
                parse_date_in(input, &utc, EXPIRES_AT).unwrap(),
                ymd(2027, 5, 28),
                "{input}"
            );
            assert_eq!(
                parse_date_in(input, &minus5, EXPIRES_AT).unwrap(),
                ymd(2027, 5, 28),
                "{input}"
            );
        }
        assert_eq!(
            parse_date_in("2027-05-28T00:30:00+09:00", &utc, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 27)
        );
        assert_eq!(
            parse_date_in("2027-05-28T10:00:00z", &utc, EXPIRES_AT).unwrap(),
            ymd(2027, 5, 28)
        );
    }

    #[test]
    fn offsets_use_the_local_zone_whatever_it_is() {
        for input in [
            "2027-05-28T23:30:00-05:00",
            "2027-05-28T10:00:00Z",
            "2027-05-28T00:15:00+14:00",
            "2027-01-01T00:00:00Z",
        ] {
            let expected = DateTime::parse_from_rfc3339(input)
                .unwrap()
                .with_timezone(&Local)
                .date_naive();
            assert_eq!(parse_date(input).unwrap(), expected, "{input}");
        }
        // Noon UTC has the same date everywhere from UTC-11 to UTC+11.
        let noon = "2027-05-28T12:00:00Z";
        let instant = DateTime::parse_from_rfc3339(noon)
            .unwrap()
            .with_timezone(&Local);
        let local_offset = instant.offset().local_minus_utc();
        if local_offset.abs() < 12 * 3600 {
            assert_eq!(parse_date(noon).unwrap(), ymd(2027, 5, 28));
        }
        for hours in -11..=11 {
            assert_eq!(
                parse_date_in(noon, &offset(hours), EXPIRES_AT).unwrap(),
                ymd(2027, 5, 28)
            );
        }
    }

    #[test]
    fn invariant_culture_forms() {
        for input in [
            "05/28/2027",
            "5/28/2027",
            "2027/05/28",
            "2027/5/28",
            "28 May 2027",
            "28 may 2027",
            "28 MAY 2027",
            "May 28 2027",
            "May 28, 2027",
            "May 28,2027",
            "28-May-2027",
            "28-may-2027",
            "28 May, 2027",
            "Friday, May 28, 2027",
            "friday, may 28, 2027",
            "Fri, 28 May 2027",
            "Friday May 28 2027",
            "FRI 05/28/2027",
            "Friday, 2027-05-28",
            "05/28/2027 14:30",
            "05/28/2027 2:30 PM",
            "05/28/2027 2:30PM",
            "05/28/2027 2:30:15 am",
            "05/28/2027 12:00 AM",
            "28 May 2027 23:59:59",
            "May 28, 2027 10:00",
            "Friday, May 28, 2027 10:00:00 AM",
        ] {
            assert_eq!(parse_date(input).unwrap(), ymd(2027, 5, 28), "{input}");
        }
    }

    #[test]
    fn month_names_full_and_abbreviated() {
        let names = [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May", "May"),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ];
        for (i, (full, short)) in names.iter().enumerate() {
            let expected = ymd(2027, i as u32 + 1, 3);
            assert_eq!(parse_date(&format!("3 {full} 2027")).unwrap(), expected);
            assert_eq!(parse_date(&format!("{short} 3, 2027")).unwrap(), expected);
            assert_eq!(
                parse_date(&format!("03-{}-2027", short.to_uppercase())).unwrap(),
                expected
            );
        }
        assert_eq!(parse_date("3 Sept 2027").unwrap(), ymd(2027, 9, 3));
    }

    #[test]
    fn unreadable_text_is_refused_with_the_iso_advice() {
        for input in [
            "31/12/2027",
            "13/01/2027",
            "28.05.2027",
            "05-28-2027",
            "5/28/27",
            "27-05-28",
            "20270528",
            "tomorrow",
            "2027-05",
            "2027-05-28T",
            "2027-05-28T10",
            "2027-05-28 10:0",
            "2027-05-28X10:00",
            "2027-05-28 foo",
            "2027-05-28T10:00:00Q",
            "2027-05-28T10:00:00+5",
            "05/28/2027T10:00",
            "Friday",
            "Friday2027-05-28",
            "May 2027",
            "Mayo 28 2027",
            "28 Mai 2027",
            "28 May 27",
            "28—May—2027",
            "2027-05-28 10:00 PM PM",
            "２０２７-05-28",
        ] {
            let err = rejected(input);
            assert_eq!(
                err.message,
                format!(
                    "-ExpiresAt '{input}' is not a date I can read. Use an ISO date such as \
                     2027-05-28 (YYYY-MM-DD)."
                ),
                "{input}"
            );
        }
    }

    #[test]
    fn partial_dates_and_two_digit_years_are_refused_quoting_the_text_typed() {
        for input in ["2027-06", "1/2/27", "6/1", "12:00", "05/28/27", "2027"] {
            let err = rejected(input);
            assert!(
                err.message
                    .starts_with(&format!("-ExpiresAt '{input}' is not a date I can read.")),
                "{input}: {}",
                err.message
            );
        }
    }

    #[test]
    fn impossible_calendar_dates_say_so() {
        let err = rejected("2027-02-30");
        assert_eq!(
            err.message,
            "-ExpiresAt '2027-02-30' is not a valid date: February 2027 has 28 days, so there is \
             no day 30."
        );
        assert!(
            rejected("2027-02-29")
                .message
                .contains("February 2027 has 28 days")
        );
        assert!(
            rejected("1900-02-29")
                .message
                .contains("February 1900 has 28 days")
        );
        assert!(
            rejected("2027-04-31")
                .message
                .contains("April 2027 has 30 days")
        );
        assert!(
            rejected("2027-13-01")
                .message
                .contains("there is no month 13")
        );
        assert!(
            rejected("2027-00-10")
                .message
                .contains("there is no month 0")
        );
        assert!(rejected("2027-05-00").message.contains("no day 0"));
        assert!(rejected("02/30/2027").message.contains("no day 30"));
        assert!(rejected("30 February 2027").message.contains("no day 30"));
        assert!(
            rejected("0000-01-01")
                .message
                .contains("year 0000 is out of range")
        );
        for input in ["2027-02-30", "2027/13/01", "31 Apr 2027"] {
            assert!(
                rejected(input).message.contains("is not a valid date"),
                "{input}"
            );
        }
    }

    #[test]
    fn impossible_times_say_so() {
        for (input, why) in [
            ("2027-05-28T24:00", "hour 24 is out of range"),
            ("2027-05-28T10:60", "minute 60 is out of range"),
            ("2027-05-28T10:00:61", "second 61 is out of range"),
            ("05/28/2027 13:00 PM", "hour 13 is out of range with AM/PM"),
            ("2027-05-28T10:00+15:00", "offset 15:00 is out of range"),
        ] {
            let err = rejected(input);
            assert!(
                err.message.contains("has an invalid time of day"),
                "{input}"
            );
            assert!(err.message.contains(why), "{input}: {}", err.message);
        }
    }

    #[test]
    fn a_weekday_must_match_the_date() {
        let err = rejected("Thursday, May 28, 2027");
        assert_eq!(
            err.message,
            "-ExpiresAt 'Thursday, May 28, 2027' says Thursday, but 2027-05-28 is a Friday."
        );
        assert!(rejected("Mon 2027-05-28").message.contains("says Monday"));
    }

    #[test]
    fn blank_and_long_inputs() {
        for input in ["", "   ", "\t\n"] {
            assert_eq!(rejected(input).message, "-ExpiresAt is empty.");
        }
        let long = "x".repeat(500);
        let err = rejected(&long);
        assert!(err.message.len() < 200);
        assert!(err.message.contains('…'));
    }

    #[test]
    fn add_months_clamps_to_the_end_of_the_month() {
        let cases = [
            (ymd(2027, 1, 31), 1, ymd(2027, 2, 28)),
            (ymd(2028, 1, 31), 1, ymd(2028, 2, 29)),
            (ymd(2027, 3, 31), 1, ymd(2027, 4, 30)),
            (ymd(2027, 8, 31), 6, ymd(2028, 2, 29)),
            (ymd(2026, 8, 31), 6, ymd(2027, 2, 28)),
            (ymd(2099, 8, 31), 6, ymd(2100, 2, 28)),
            (ymd(1999, 8, 31), 6, ymd(2000, 2, 29)),
            (ymd(2028, 2, 29), 12, ymd(2029, 2, 28)),
            (ymd(2028, 2, 29), 48, ymd(2032, 2, 29)),
            (ymd(2027, 5, 28), 0, ymd(2027, 5, 28)),
            (ymd(2027, 5, 28), 1, ymd(2027, 6, 28)),
            (ymd(2027, 11, 30), 2, ymd(2028, 1, 30)),
            (ymd(2027, 12, 31), 1, ymd(2028, 1, 31)),
            (ymd(2027, 12, 15), 12, ymd(2028, 12, 15)),
            (ymd(2027, 1, 15), 120, ymd(2037, 1, 15)),
            (ymd(9999, 11, 30), 1, ymd(9999, 12, 30)),
        ];
        for (date, months, expected) in cases {
            assert_eq!(
                add_months(date, months).unwrap(),
                expected,
                "{date} + {months}"
            );
        }
    }

    #[test]
    fn add_months_past_year_9999_is_an_error_not_a_panic() {
        for (date, months) in [
            (ymd(9999, 12, 31), 1),
            (ymd(2027, 5, 28), 96_000),
            (ymd(2027, 5, 28), u32::MAX),
            (NaiveDate::MAX, u32::MAX),
        ] {
            let err = add_months(date, months).expect_err("too far");
            assert_eq!(err.kind, ErrorKind::InvalidArgument);
            assert_eq!(err.parameter.as_deref(), Some("expire_in_months"));
            assert!(err.message.contains(&months.to_string()), "{}", err.message);
            assert!(err.message.contains("after year 9999"), "{}", err.message);
        }
    }

    #[test]
    fn resolve_expiry_neither_means_the_instance_default() {
        assert_eq!(resolve_expiry(None, None, ymd(2027, 5, 28)).unwrap(), None);
    }

    #[test]
    fn resolve_expiry_from_a_date_or_months() {
        let today = ymd(2027, 1, 31);
        assert_eq!(
            resolve_expiry(Some("2027-02-01"), None, today).unwrap(),
            Some(ymd(2027, 2, 1))
        );
        assert_eq!(
            resolve_expiry(Some(" May 28, 2027 "), None, today).unwrap(),
            Some(ymd(2027, 5, 28))
        );
        assert_eq!(
            resolve_expiry(None, Some(1), today).unwrap(),
            Some(ymd(2027, 2, 28))
        );
        assert_eq!(
            resolve_expiry(None, Some(13), today).unwrap(),
            Some(ymd(2028, 2, 29))
        );
    }

    #[test]
    fn resolve_expiry_refuses_both() {
        let err = resolve_expiry(Some("2027-01-01"), Some(6), ymd(2026, 5, 1)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.parameter.as_deref(), Some("expires_at"));
        assert_eq!(
            err.message,
            "Give either -ExpiresAt or -ExpireInMonths, not both (got ExpiresAt '2027-01-01' and \
             ExpireInMonths 6)."
        );
        assert!(err.hint.clone().unwrap().contains("only one"));
        // Even when one of them is invalid on its own.
        let err = resolve_expiry(Some(""), Some(0), ymd(2026, 5, 1)).unwrap_err();
        assert!(err.message.contains("not both"));
    }

    #[test]
    fn resolve_expiry_refuses_zero_months() {
        let err = resolve_expiry(None, Some(0), ymd(2026, 5, 1)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.parameter.as_deref(), Some("expire_in_months"));
        assert!(err.message.contains("at least 1"), "{}", err.message);
        assert!(err.hint.clone().unwrap().contains("instance default"));
    }

    #[test]
    fn resolve_expiry_refuses_today_and_the_past() {
        let today = ymd(2027, 5, 28);
        let err = resolve_expiry(Some("2027-05-28"), None, today).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.parameter.as_deref(), Some("expires_at"));
        assert_eq!(
            err.message,
            "-ExpiresAt 2027-05-28 is today (2027-05-28); a token must expire after today."
        );
        assert_eq!(
            err.hint.as_deref(),
            Some("Pick a date after today, such as 2027-05-29.")
        );

        let err = resolve_expiry(Some("05/27/2027"), None, today).unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("expires_at"));
        assert_eq!(
            err.message,
            "-ExpiresAt '05/27/2027' (2027-05-27) is in the past (today is 2027-05-28); a token \
             must expire after today."
        );
        let err = resolve_expiry(Some("1999-12-31"), None, today).unwrap_err();
        assert!(err.message.contains("is in the past"));
    }

    #[test]
    fn resolve_expiry_passes_parse_errors_through() {
        let today = ymd(2027, 5, 28);
        let err = resolve_expiry(Some("  "), None, today).unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("expires_at"));
        assert_eq!(err.message, "-ExpiresAt is empty.");
        let err = resolve_expiry(Some("31/12/2027"), None, today).unwrap_err();
        assert_eq!(
            err.message,
            "-ExpiresAt '31/12/2027' is not a date I can read. Use an ISO date such as 2027-05-28 \
             (YYYY-MM-DD)."
        );
        let err = resolve_expiry(None, Some(u32::MAX), today).unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("expire_in_months"));
    }

    #[test]
    fn today_is_the_local_date() {
        let before = Local::now().date_naive();
        let t = today();
        let after = Local::now().date_naive();
        assert!(before <= t && t <= after);
    }
}
