//! Money: exact amounts in a currency (R34).
//!
//! An amount is a [`Decimal`], never a float, and always travels with its
//! ISO 4217 [`Currency`]. Amounts a person writes must fit the currency's
//! minor unit (R$ 10,005 is refused, not rounded); amounts the engine
//! computes (a percent fee, a discount) are rounded half-even to the minor
//! unit, the rule that does not drift over many sums. Adding or comparing
//! amounts of two currencies is an error: the engine never converts.
//!
//! This module knows nothing of bookings; [`crate::policy`] and
//! [`crate::payment`] use it.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Problem};
use crate::lang::Lang;

/// An ISO 4217 currency that has a minor unit: `BRL`, `USD`, `JPY`, `KWD`.
///
/// Currencies without a minor unit (gold, SDR, testing codes) and superseded
/// codes are refused: no business prices a haircut in troy ounces.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// The Brazilian real, Agendo's first currency.
    pub const BRL: Currency = Currency(iso_currency::Currency::BRL);

    /// Reads a currency code such as `BRL`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `currency` with
    /// [`Problem::UnknownCurrency`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::money::Currency;
    /// assert_eq!(Currency::parse("BRL")?.minor_digits(), 2);
    /// assert_eq!(Currency::parse("JPY")?.minor_digits(), 0);
    /// assert!(Currency::parse("brl").is_err());
    /// assert!(Currency::parse("XAU").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(code: &str) -> Result<Currency, Error> {
        let unknown = || {
            Error::invalid(
                "currency",
                Problem::UnknownCurrency {
                    code: crate::error::clip(code),
                },
            )
        };
        let currency = iso_currency::Currency::from_code(code).ok_or_else(unknown)?;
        if currency.exponent().is_none() || currency.is_superseded().is_some() {
            return Err(unknown());
        }
        Ok(Currency(currency))
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// How many decimal digits the minor unit has: 2 for BRL, 0 for JPY.
    pub fn minor_digits(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The largest amount the engine accepts, in whole units: far above any
/// price, and far below where decimal arithmetic could overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The most decimal digits an amount may have: what a [`Decimal`] holds.
pub const MAX_AMOUNT_DECIMALS: u32 = 28;

/// Reads amount text in its one written form: digits, with a point and
/// more digits for a fraction, and a leading minus for a negative amount:
/// `80.00`, `-5`, `0.5`. Anything else (`+5`, `.5`, `7.`, `1E+3`, `1,50`)
/// is refused rather than guessed at, so every adapter reads the same text
/// the same way. Nothing is rounded: a digit the amount cannot keep is an
/// error, never a quiet change, and an amount too large is named as
/// written.
///
/// # Errors
/// [`Error::Invalid`] for the field `amount`: [`Problem::BadAmount`] when
/// the text is not in that form, [`Problem::AmountTooLarge`] past
/// [`MAX_AMOUNT`] either way, [`Problem::AmountTooPrecise`] with more than
/// [`MAX_AMOUNT_DECIMALS`] decimal digits (trailing zeros aside).
///
/// # Example
/// ```
/// use agendo_core::money::read_amount;
/// use agendo_core::{Error, Problem};
/// use rust_decimal::Decimal;
///
/// assert_eq!(read_amount("80.50")?, Decimal::new(8050, 2));
/// assert!(read_amount("+5").is_err());
/// let Err(Error::Invalid { problem, .. }) = read_amount("10000000000000") else { panic!() };
/// assert!(matches!(problem, Problem::AmountTooLarge { .. }));
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn read_amount(text: &str) -> Result<Decimal, Error> {
    let text = text.trim();
    checked(Written::read(text), crate::error::clip(text))
}

/// Reads an amount given as a number, not text: a sign, its digits and a
/// power of ten (what Python's `Decimal.as_tuple()` gives), so a value
/// such as `Decimal("1E+999999999")` is judged without writing its digits
/// out. `shown` is how the caller's value reads, for the error.
///
/// # Errors
/// As [`read_amount`]; [`Problem::BadAmount`] when `digits` are not
/// decimal digits.
///
/// # Example
/// ```
/// use agendo_core::money::amount_from_parts;
/// use rust_decimal::Decimal;
/// assert_eq!(amount_from_parts(false, "45", 0, "45")?, Decimal::new(45, 0));
/// assert_eq!(amount_from_parts(true, "15", -1, "-1.5")?, Decimal::new(-15, 1));
/// assert!(amount_from_parts(false, "1", 999_999_999, "1E+999999999").is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn amount_from_parts(
    negative: bool,
    digits: &str,
    exponent: i64,
    shown: &str,
) -> Result<Decimal, Error> {
    checked(
        Written::of(negative, digits, "", exponent),
        crate::error::clip(shown),
    )
}

fn checked(written: Option<Written>, value: String) -> Result<Decimal, Error> {
    let problem = match written.map(|written| written.to_decimal()) {
        Some(Ok(amount)) => return Ok(amount),
        None => Problem::BadAmount { value },
        Some(Err(Limit::TooLarge)) => Problem::AmountTooLarge {
            value,
            max: MAX_AMOUNT,
        },
        Some(Err(Limit::TooPrecise)) => Problem::AmountTooPrecise {
            value,
            max: MAX_AMOUNT_DECIMALS,
        },
    };
    Err(Error::invalid("amount", problem))
}

/// A decimal number as written: `significant` × 10^`power`, with no zero
/// at either end of `significant` (empty for zero).
struct Written {
    negative: bool,
    significant: String,
    power: i64,
}

/// Which bound an amount as written is past.
enum Limit {
    TooLarge,
    TooPrecise,
}

impl Written {
    /// `[-]digits[.digits]`; `None` for anything else.
    fn read(text: &str) -> Option<Written> {
        let negative = text.starts_with('-');
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((_, "")) => return None,
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        if whole.is_empty() {
            return None;
        }
        Written::of(negative, whole, fraction, 0)
    }

    /// The number `whole.fraction` × 10^`exponent`; `None` unless both
    /// parts are decimal digits, with at least one.
    fn of(negative: bool, whole: &str, fraction: &str, exponent: i64) -> Option<Written> {
        let digits = [whole, fraction].concat();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let significant = digits.trim_start_matches('0').trim_end_matches('0');
        let trailing_zeros = digits.trim_start_matches('0').len() - significant.len();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Some(Written {
            negative,
            significant: significant.to_owned(),
            power: exponent
                .saturating_add(count(trailing_zeros))
                .saturating_sub(count(fraction.len())),
        })
    }

    /// The exact `Decimal`, or the bound it is past.
    fn to_decimal(&self) -> Result<Decimal, Limit> {
        if self.significant.is_empty() {
            return Ok(Decimal::ZERO);
        }
        let whole_digits = i64::try_from(self.significant.len())
            .unwrap_or(i64::MAX)
            .saturating_add(self.power);
        // MAX_AMOUNT is 10^12: 14 or more whole digits are past it.
        if whole_digits > 13 {
            return Err(Limit::TooLarge);
        }
        let scale = u32::try_from(self.power.saturating_neg().max(0))
            .ok()
            .filter(|scale| *scale <= MAX_AMOUNT_DECIMALS)
            .ok_or(Limit::TooPrecise)?;
        // Up to 13 whole and 28 decimal digits: past an i128 (38 digits)
        // only where a Decimal's 96 bits are past too.
        let mut units: i128 = self.significant.parse().map_err(|_| Limit::TooPrecise)?;
        // power <= 12 here, since whole_digits <= 13.
        units *= 10_i128.pow(u32::try_from(self.power.max(0)).unwrap_or(0));
        if self.negative {
            units = -units;
        }
        let amount =
            Decimal::try_from_i128_with_scale(units, scale).map_err(|_| Limit::TooPrecise)?;
        if amount.abs() > Decimal::from(MAX_AMOUNT) {
            return Err(Limit::TooLarge);
        }
        Ok(amount)
    }
}

/// An exact amount of one currency.
///
/// # Example
/// ```
/// use agendo_core::money::{Currency, Money, Percent};
/// use rust_decimal::Decimal;
///
/// let price = Money::parse("80.00", Currency::BRL)?;
/// let fee = price.percent(Percent::parse("12.5")?);
/// assert_eq!(fee.to_string(), "10.00 BRL");
/// assert_eq!(price.checked_sub(fee)?.amount(), Decimal::new(7000, 2));
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// `amount` of `currency`, exactly as given.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `amount` with
    /// [`Problem::TooManyDecimals`] when it has more decimal digits than the
    /// currency's minor unit, or [`Problem::AboveMaximum`] past
    /// [`MAX_AMOUNT`] either way.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, Error> {
        let digits = currency.minor_digits();
        let normalized = amount.normalize();
        if normalized.scale() > digits {
            return Err(Error::invalid(
                "amount",
                Problem::TooManyDecimals {
                    value: amount.to_string(),
                    currency: currency.code(),
                    digits,
                },
            ));
        }
        if normalized.abs() > Decimal::from(MAX_AMOUNT) {
            return Err(Error::invalid(
                "amount",
                Problem::AmountTooLarge {
                    value: normalized.to_string(),
                    max: MAX_AMOUNT,
                },
            ));
        }
        Ok(Money::rounded(amount, currency))
    }

    /// Reads a decimal amount written with a point (`"80.00"`, `"-5"`).
    ///
    /// # Errors
    /// As [`read_amount`], then as [`Money::new`].
    pub fn parse(text: &str, currency: Currency) -> Result<Money, Error> {
        Money::new(read_amount(text)?, currency)
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::rounded(Decimal::ZERO, currency)
    }

    /// `amount` rounded half-even to the currency's minor unit and written
    /// with exactly that many decimal digits (`10.5` BRL is `10.50`).
    pub(crate) fn rounded(amount: Decimal, currency: Currency) -> Money {
        let digits = currency.minor_digits();
        let mut amount =
            amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointNearestEven);
        amount.rescale(digits);
        Money { amount, currency }
    }

    /// The amount, with as many decimal digits as the minor unit.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the currencies differ.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        Ok(Money::rounded(self.amount + other.amount, self.currency))
    }

    /// `self − other`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the currencies differ.
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        Ok(Money::rounded(self.amount - other.amount, self.currency))
    }

    /// Orders two amounts of one currency.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the currencies differ.
    pub fn checked_cmp(&self, other: &Money) -> Result<Ordering, Error> {
        self.same_currency(*other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The smaller of two amounts of one currency.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the currencies differ.
    pub fn checked_min(self, other: Money) -> Result<Money, Error> {
        Ok(match self.checked_cmp(&other)? {
            Ordering::Greater => other,
            _ => self,
        })
    }

    /// `percent` of this amount, rounded half-even to the minor unit.
    pub fn percent(&self, percent: Percent) -> Money {
        Money::rounded(
            self.amount * percent.value() / Decimal::ONE_HUNDRED,
            self.currency,
        )
    }

    /// Adds up `amounts`, all of `currency`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when one of them is in another currency.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, Error> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(&self, other: Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }
}

impl Money {
    /// The amount as people write it in `lang`: `R$ 1.234,50` in pt-BR,
    /// `R$1,234.50` in English; the symbol of the common currencies (R$,
    /// US$ or $, €, £), else the code.
    ///
    /// ```
    /// use agendo_core::money::{Currency, Money};
    /// use agendo_core::Lang;
    /// let price = Money::parse("1234.5", Currency::BRL)?;
    /// assert_eq!(price.shown(Lang::PtBr), "R$ 1.234,50");
    /// assert_eq!(price.shown(Lang::En), "R$1,234.50");
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn shown(&self, lang: Lang) -> String {
        let digits = self.currency.minor_digits();
        let text = self.amount.abs().round_dp(digits).to_string();
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole.to_owned(), fraction.to_owned()),
            None => (text.clone(), String::new()),
        };
        let fraction = format!("{fraction:0<width$}", width = digits as usize);
        let (group, point) = lang.pick((',', '.'), ('.', ','));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        let number = if fraction.is_empty() {
            grouped
        } else {
            format!("{grouped}{point}{fraction}")
        };
        let sign = if self.amount.is_sign_negative() && !self.amount.is_zero() {
            "-"
        } else {
            ""
        };
        let symbol = match (self.currency.code(), lang) {
            ("BRL", _) => Some("R$"),
            ("USD", Lang::En) => Some("$"),
            ("USD", Lang::PtBr) => Some("US$"),
            ("EUR", _) => Some("€"),
            ("GBP", _) => Some("£"),
            _ => None,
        };
        match (symbol, lang) {
            (Some(symbol), Lang::En) => format!("{sign}{symbol}{number}"),
            (Some(symbol), Lang::PtBr) => format!("{sign}{symbol} {number}"),
            (None, _) => format!("{sign}{} {number}", self.currency.code()),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A percentage from 0 to 100, with up to four decimal digits (`12.5`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(Decimal);

impl Percent {
    /// Nothing.
    pub const ZERO: Percent = Percent(Decimal::ZERO);
    /// Everything.
    pub const ALL: Percent = Percent(Decimal::ONE_HUNDRED);

    /// `value` percent.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `percent` with
    /// [`Problem::PercentOutOfRange`] outside 0 to 100 or with more than four
    /// decimal digits.
    pub fn new(value: Decimal) -> Result<Percent, Error> {
        let value = value.normalize();
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED || value.scale() > 4 {
            return Err(Error::invalid(
                "percent",
                Problem::PercentOutOfRange {
                    value: value.to_string(),
                },
            ));
        }
        Ok(Percent(value))
    }

    /// Reads a percentage written with a point: `"12.5"`.
    ///
    /// # Errors
    /// As [`Percent::new`], or [`Problem::PercentOutOfRange`] when the text is
    /// not a number.
    pub fn parse(text: &str) -> Result<Percent, Error> {
        // The one written form of a number, as for amounts: `12.5`, not
        // `+12.5` or `1.25E+1`.
        let value = Written::read(text.trim())
            .and_then(|written| written.to_decimal().ok())
            .ok_or_else(|| {
                Error::invalid(
                    "percent",
                    Problem::PercentOutOfRange {
                        value: crate::error::clip(text),
                    },
                )
            })?;
        Percent::new(value)
    }

    /// The percentage, 0 to 100.
    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A share of a price: a fixed amount or a percent of it. Discounts,
/// deposits and commissions are all shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Share {
    /// A fixed amount.
    Fixed(Money),
    /// A percent of the price, rounded half-even to the minor unit.
    Percent(Percent),
}

impl Share {
    /// The share of `price`: the fixed amount (at most the price) or the
    /// percent of it.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when a fixed amount is in another
    /// currency than the price.
    ///
    /// # Example
    /// ```
    /// use agendo_core::money::{Currency, Money, Percent, Share};
    /// let price = Money::parse("50.00", Currency::BRL)?;
    /// assert_eq!(Share::Percent(Percent::parse("10")?).of(price)?.to_string(), "5.00 BRL");
    /// let more = Share::Fixed(Money::parse("80", Currency::BRL)?);
    /// assert_eq!(more.of(price)?, price);
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn of(&self, price: Money) -> Result<Money, Error> {
        match self {
            Share::Fixed(amount) => amount.checked_min(price),
            Share::Percent(percent) => Ok(price.percent(*percent)),
        }
    }
}

/// A price after its discount (R34).
///
/// # Errors
/// - [`Error::Invalid`] for the field `discount` with
///   [`Problem::DiscountExceedsPrice`] when a fixed discount is more than the
///   price: a mistake to refuse, not a free service to give;
/// - [`Error::CurrencyMismatch`] when the discount is in another currency.
///
/// # Example
/// ```
/// use agendo_core::money::{final_price, Currency, Money, Percent, Share};
/// let price = Money::parse("45.00", Currency::BRL)?;
/// let fixed = Share::Fixed(Money::parse("5", Currency::BRL)?);
/// assert_eq!(final_price(price, Some(fixed))?.to_string(), "40.00 BRL");
/// // 45.00 × 15% = 6.75; half-even rounding is exact here.
/// let percent = Share::Percent(Percent::parse("15")?);
/// assert_eq!(final_price(price, Some(percent))?.to_string(), "38.25 BRL");
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn final_price(price: Money, discount: Option<Share>) -> Result<Money, Error> {
    let Some(discount) = discount else {
        return Ok(price);
    };
    if let Share::Fixed(amount) = discount {
        if amount.checked_cmp(&price)? == Ordering::Greater {
            return Err(Error::invalid(
                "discount",
                Problem::DiscountExceedsPrice {
                    discount: amount,
                    price,
                },
            ));
        }
        if amount.is_negative() {
            return Err(Error::invalid(
                "discount",
                Problem::Negative {
                    value: amount.amount().trunc().try_into().unwrap_or(i64::MIN),
                },
            ));
        }
    }
    price.checked_sub(discount.of(price)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brl(text: &str) -> Money {
        Money::parse(text, Currency::BRL).unwrap()
    }

    #[test]
    fn amounts_are_written_with_the_minor_unit() {
        assert_eq!(brl("10.5").to_string(), "10.50 BRL");
        assert_eq!(brl("7").amount(), Decimal::new(700, 2));
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1500", yen).unwrap().to_string(), "1500 JPY");
    }

    #[test]
    fn more_decimals_than_the_minor_unit_are_refused_not_rounded() {
        let err = Money::parse("10.005", Currency::BRL).unwrap_err();
        assert_eq!(err.field(), Some("amount"));
        assert!(err.to_string().contains("2 decimal"), "{err}");
        // Trailing zeros are not extra precision.
        assert_eq!(brl("10.500").to_string(), "10.50 BRL");
    }

    fn problem(text: &str) -> Problem {
        match read_amount(text) {
            Err(Error::Invalid { problem, .. }) => problem,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn amounts_are_read_exactly_in_their_one_written_form() {
        let cases = [
            ("80.00", Decimal::new(80, 0)),
            (" -5.5 ", Decimal::new(-55, 1)),
            ("0.000", Decimal::ZERO),
            ("-0", Decimal::ZERO),
            ("1000000000000", Decimal::from(MAX_AMOUNT)),
            ("-1000000000000.00", -Decimal::from(MAX_AMOUNT)),
            ("0.0000000000000000000000000001", Decimal::new(1, 28)),
        ];
        for (text, want) in cases {
            assert_eq!(read_amount(text).unwrap(), want, "{text}");
        }
        // Other ways of writing a number are refused, not guessed at.
        for text in ["+5", "+1.25", ".5", "7.", "1.5E+2", "25e-2", "- 5", "5-"] {
            assert!(matches!(problem(text), Problem::BadAmount { .. }), "{text}");
        }
    }

    #[test]
    fn amounts_from_parts_are_judged_without_writing_them_out() {
        assert_eq!(
            amount_from_parts(false, "45", 0, "4.5E+1").unwrap(),
            Decimal::new(45, 0)
        );
        let err = amount_from_parts(false, "1", i64::MAX, "1E+huge").unwrap_err();
        assert!(err.to_string().contains("1E+huge"), "{err}");
        assert!(amount_from_parts(false, "1", i64::MIN, "1E-huge").is_err());
        assert!(amount_from_parts(false, "x", 0, "NaN").is_err());
    }

    #[test]
    fn amounts_too_large_are_named_as_written_not_clamped() {
        for text in [
            "1000000000000.01",
            "100000000000000000000",
            "-10000000000000000000000000000000000000000",
            "79228162514264337593543950336",
        ] {
            assert_eq!(
                problem(text),
                Problem::AmountTooLarge {
                    value: text.to_owned(),
                    max: MAX_AMOUNT
                }
            );
        }
        // Money::new names the amount too, not a clamped i64.
        let err = Money::new(Decimal::from(10_i64.pow(15)), Currency::BRL).unwrap_err();
        assert!(err.to_string().contains("1000000000000000"), "{err}");
    }

    #[test]
    fn digits_an_amount_cannot_keep_are_refused_not_rounded() {
        // Decimal's own parser would quietly make these 0 and 1.
        for text in [
            "0.00000000000000000000000000001",
            "0.0000000000000000000000000000000000000001",
        ] {
            assert!(
                matches!(problem(text), Problem::AmountTooPrecise { max: 28, .. }),
                "{text}"
            );
        }
        assert!(matches!(
            problem("1.00000000000000000000000000001"),
            Problem::AmountTooPrecise { .. }
        ));
        // Trailing zeros are not precision.
        assert_eq!(
            read_amount("5.000000000000000000000000000000000000000").unwrap(),
            Decimal::new(5, 0)
        );
    }

    #[test]
    fn text_that_is_not_a_number_is_a_bad_amount() {
        for text in [
            "", ".", "abc", "1_000", "--5", "1e", "e5", "NaN", "Infinity", "1.2.3", "1,50",
        ] {
            assert!(
                matches!(problem(text), Problem::BadAmount { .. }),
                "{text:?}: {:?}",
                problem(text)
            );
        }
    }

    #[test]
    fn percent_rounds_half_even() {
        // 0.125 → 0.12 and 0.135 → 0.14: the midpoint goes to the even digit.
        assert_eq!(
            brl("1.25").percent(Percent::parse("10").unwrap()),
            brl("0.12")
        );
        assert_eq!(
            brl("1.35").percent(Percent::parse("10").unwrap()),
            brl("0.14")
        );
    }

    #[test]
    fn arithmetic_across_currencies_is_an_error() {
        let usd = Money::parse("1", Currency::parse("USD").unwrap()).unwrap();
        let err = brl("1").checked_add(usd).unwrap_err();
        assert_eq!(err.code(), "currency_mismatch");
        assert!(Money::sum(Currency::BRL, [brl("1"), usd]).is_err());
    }

    #[test]
    fn a_fixed_discount_above_the_price_is_refused() {
        let err = final_price(brl("10"), Some(Share::Fixed(brl("12")))).unwrap_err();
        assert_eq!(err.field(), Some("discount"));
    }

    #[test]
    fn percent_outside_zero_to_hundred_is_refused() {
        assert!(Percent::parse("100.5").is_err());
        assert!(Percent::parse("-1").is_err());
        assert!(Percent::parse("abc").is_err());
        assert_eq!(
            Percent::parse("33.3333").unwrap().value(),
            Decimal::new(333_333, 4)
        );
    }

    #[test]
    fn bad_amount_text_names_the_field() {
        let err = Money::parse("12,50", Currency::BRL).unwrap_err();
        assert_eq!(err.field(), Some("amount"));
    }
}
