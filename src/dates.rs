//! Expiry dates: parsing what users type, and calendar-month arithmetic like .NET `AddMonths`.
//!
//! STUB: to be implemented (see the contract in the doc comments).

use crate::error::Result;
use chrono::NaiveDate;

/// Today in the local time zone.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Parse an expiry date as users type it. Errors are invalid-argument on `expires_at`.
pub fn parse_date(_input: &str) -> Result<NaiveDate> {
    todo!()
}

/// `date` plus `months` calendar months, clamped to the end of the month (Jan 31 + 1 = Feb 28/29).
pub fn add_months(_date: NaiveDate, _months: u32) -> Result<NaiveDate> {
    todo!()
}

/// The expiry date to send, from the two mutually exclusive options. `None`: the instance default.
pub fn resolve_expiry(
    _expires_at: Option<&str>,
    _expire_in_months: Option<u32>,
    _today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    todo!()
}
