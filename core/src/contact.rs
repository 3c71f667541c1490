//! Contact data people type: e-mail addresses, phone numbers and Brazilian
//! tax ids (R24).
//!
//! Each is parsed once, at the edge, into a type that can only hold a valid
//! value, in one canonical form: a phone is kept in E.164 (`+5511912345678`)
//! however it was typed, so two spellings of one number match the same
//! client. This module checks shape and check digits; it cannot know whether
//! a mailbox or a line exists.

use std::fmt;

use crate::error::{clip, Error, Problem};

/// An e-mail address of a plausible shape: `local@domain.tld`, at most 254
/// characters, the domain kept in lowercase.
///
/// # Example
/// ```
/// use agendo_core::contact::Email;
/// assert_eq!(Email::parse(" Ana@Example.COM ")?.as_str(), "Ana@example.com");
/// assert!(Email::parse("ana@localhost").is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(Box<str>);

impl Email {
    /// Reads an address, trimming spaces around it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `email` with [`Problem::BadEmail`].
    pub fn parse(text: &str) -> Result<Email, Error> {
        let text = text.trim();
        let bad = || Error::invalid("email", Problem::BadEmail { value: clip(text) });
        let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_whitespace()))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = text.len() <= 254
            && labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.len() >= 2);
        if !(local_ok && domain_ok) {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase()).into()))
    }

    /// Reads an optional value: absent or blank is none, anything else
    /// must read as [`Email::parse`] reads it. The one rule of every adapter
    /// for a contact field a person may leave empty.
    ///
    /// # Errors
    /// As [`Email::parse`].
    pub fn read_optional(text: Option<&str>) -> Result<Option<Email>, Error> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Email::parse(text).map(Some),
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A phone number in E.164 form.
///
/// A number without `+` is read as Brazilian: an area code (DDD) that
/// exists, then a mobile number of nine digits starting with 9 or a landline
/// of eight digits starting with 2 to 5; a leading trunk `0` is dropped.
/// `+55` numbers are held to the same rules. Other countries' numbers are
/// accepted in E.164 shape (`+` then 8 to 15 digits), since clients travel.
///
/// # Example
/// ```
/// use agendo_core::contact::Phone;
/// assert_eq!(Phone::parse("(11) 91234-5678")?.as_str(), "+5511912345678");
/// assert_eq!(Phone::parse("+55 21 3456-7890")?.as_str(), "+552134567890");
/// assert!(Phone::parse("(20) 91234-5678").is_err()); // no such area code
/// assert_eq!(Phone::parse("+351 912 345 678")?.as_str(), "+351912345678");
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(Box<str>);

impl Phone {
    /// Reads a number, ignoring spaces, dots, hyphens and parentheses.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `phone` with [`Problem::BadPhone`].
    pub fn parse(text: &str) -> Result<Phone, Error> {
        let bad = || Error::invalid("phone", Problem::BadPhone { value: clip(text) });
        let trimmed = text.trim();
        let (international, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(bad()),
            }
        }
        let national = if international {
            match digits.strip_prefix("55") {
                Some(national) => national.to_owned(),
                None => {
                    let e164 = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
                    return if e164 {
                        Ok(Phone(format!("+{digits}").into()))
                    } else {
                        Err(bad())
                    };
                }
            }
        } else {
            digits.strip_prefix('0').unwrap_or(&digits).to_owned()
        };
        if !is_brazilian(&national) {
            return Err(bad());
        }
        Ok(Phone(format!("+55{national}").into()))
    }

    /// Reads an optional value: absent or blank is none, anything else
    /// must read as [`Phone::parse`] reads it. The one rule of every adapter
    /// for a contact field a person may leave empty.
    ///
    /// # Errors
    /// As [`Phone::parse`].
    pub fn read_optional(text: Option<&str>) -> Result<Option<Phone>, Error> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Phone::parse(text).map(Some),
        }
    }

    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `national` (area code and number, digits only) is a Brazilian
/// number: a DDD in use (Anatel's list) and a mobile or landline number.
fn is_brazilian(national: &str) -> bool {
    const AREA_CODES: [u8; 67] = [
        11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42,
        43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74,
        75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    ];
    let bytes = national.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) || bytes.len() < 2 {
        return false;
    }
    let area = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
    let number = &bytes[2..];
    AREA_CODES.contains(&area)
        && match number.len() {
            9 => number[0] == b'9',
            8 => (b'2'..=b'5').contains(&number[0]),
            _ => false,
        }
}

impl serde::Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A Brazilian tax id: a person's CPF or a company's CNPJ, with its check
/// digits verified.
///
/// CNPJs may be alphanumeric, as the Receita Federal issues them from July
/// 2026 (IN RFB 2.229/2024): the first twelve characters are digits or
/// capital letters, each worth its ASCII code minus 48 in the same
/// modulus-11 check that numeric CNPJs always had.
///
/// # Example
/// ```
/// use agendo_core::contact::TaxId;
/// assert_eq!(TaxId::parse("529.982.247-25")?.to_string(), "529.982.247-25");
/// assert!(matches!(TaxId::parse("11.222.333/0001-81")?, TaxId::Cnpj(_)));
/// assert!(TaxId::parse("12.ABC.345/01DE-35").is_ok());
/// assert!(TaxId::parse("529.982.247-26").is_err()); // wrong check digit
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaxId {
    /// A person's CPF, eleven digits.
    Cpf(Box<str>),
    /// A company's CNPJ, fourteen characters.
    Cnpj(Box<str>),
}

impl TaxId {
    /// Reads a CPF or a CNPJ, with or without its punctuation.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `tax_id` with [`Problem::BadTaxId`]
    /// when the length, the characters or a check digit are wrong.
    pub fn parse(text: &str) -> Result<TaxId, Error> {
        let bad = || Error::invalid("tax_id", Problem::BadTaxId { value: clip(text) });
        let mut chars = String::with_capacity(14);
        for c in text.trim().chars() {
            match c {
                '.' | '-' | '/' | ' ' => {}
                c if c.is_ascii_alphanumeric() => chars.push(c.to_ascii_uppercase()),
                _ => return Err(bad()),
            }
        }
        let values: Vec<u32> = chars
            .bytes()
            .map(|b| u32::from(b) - u32::from(b'0'))
            .collect();
        let all_same = values.windows(2).all(|w| w[0] == w[1]);
        match values.len() {
            11 if values.iter().all(|v| *v <= 9) && !all_same => {
                let first = cpf_digit(&values[..9]);
                let second = cpf_digit(&values[..10]);
                if values[9] == first && values[10] == second {
                    Ok(TaxId::Cpf(chars.into()))
                } else {
                    Err(bad())
                }
            }
            14 if values[12..].iter().all(|v| *v <= 9) && !all_same => {
                let first = cnpj_digit(&values[..12]);
                let second = cnpj_digit(&values[..13]);
                if values[12] == first && values[13] == second {
                    Ok(TaxId::Cnpj(chars.into()))
                } else {
                    Err(bad())
                }
            }
            _ => Err(bad()),
        }
    }

    /// Reads an optional value: absent or blank is none, anything else
    /// must read as [`TaxId::parse`] reads it. The one rule of every adapter
    /// for a contact field a person may leave empty.
    ///
    /// # Errors
    /// As [`TaxId::parse`].
    pub fn read_optional(text: Option<&str>) -> Result<Option<TaxId>, Error> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => TaxId::parse(text).map(Some),
        }
    }

    /// The characters alone, without punctuation.
    pub fn as_str(&self) -> &str {
        match self {
            TaxId::Cpf(text) | TaxId::Cnpj(text) => text,
        }
    }
}

/// A CPF check digit over `values`: weights count down to 2 from
/// `values.len() + 1`.
fn cpf_digit(values: &[u32]) -> u32 {
    let top = values.len() as u32 + 1;
    let sum: u32 = values.iter().zip((2..=top).rev()).map(|(v, w)| v * w).sum();
    let rest = sum % 11;
    if rest < 2 {
        0
    } else {
        11 - rest
    }
}

/// A CNPJ check digit over `values`: weights 2 to 9 repeating from the
/// right.
fn cnpj_digit(values: &[u32]) -> u32 {
    let sum: u32 = values
        .iter()
        .rev()
        .zip((2..=9).cycle())
        .map(|(v, w)| v * w)
        .sum();
    let rest = sum % 11;
    if rest < 2 {
        0
    } else {
        11 - rest
    }
}

impl serde::Serialize for TaxId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        match self {
            TaxId::Cpf(_) => write!(f, "{}.{}.{}-{}", &s[..3], &s[3..6], &s[6..9], &s[9..]),
            TaxId::Cnpj(_) => write!(
                f,
                "{}.{}.{}/{}-{}",
                &s[..2],
                &s[2..5],
                &s[5..8],
                &s[8..12],
                &s[12..]
            ),
        }
    }
}

impl fmt::Debug for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_needs_a_local_part_and_a_dotted_domain() {
        for bad in [
            "",
            "ana",
            "@x.com",
            "ana@",
            "ana@x",
            "a b@x.com",
            "ana@x..com",
            "ana@-x.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad}");
        }
        assert!(Email::parse("ana.silva+salao@exemplo.com.br").is_ok());
    }

    #[test]
    fn brazilian_phones_are_kept_in_e164() {
        for (typed, e164) in [
            ("11 91234-5678", "+5511912345678"),
            ("011912345678", "+5511912345678"),
            ("+55 (11) 91234.5678", "+5511912345678"),
            ("(51) 3222-1234", "+555132221234"),
        ] {
            assert_eq!(Phone::parse(typed).unwrap().as_str(), e164, "{typed}");
        }
    }

    #[test]
    fn brazilian_phone_rules_refuse_wrong_shapes() {
        for bad in [
            "11 81234-5678", // nine digits not starting with 9
            "11 1234-5678",  // landline starting with 1
            "10 91234-5678", // no DDD 10
            "1191234567",    // too short for a mobile
            "+55 11 9123",
            "+0 123",
            "11 91234-5678 ramal 2",
        ] {
            assert_eq!(
                Phone::parse(bad).unwrap_err().field(),
                Some("phone"),
                "{bad}"
            );
        }
    }

    #[test]
    fn cpf_check_digits() {
        assert!(TaxId::parse("52998224725").is_ok());
        assert!(TaxId::parse("111.444.777-35").is_ok());
        assert!(TaxId::parse("111.444.777-36").is_err());
        assert!(
            TaxId::parse("111.111.111-11").is_err(),
            "repeated digits pass the sum but are not issued"
        );
    }

    #[test]
    fn cnpj_check_digits_numeric_and_alphanumeric() {
        assert!(TaxId::parse("11.222.333/0001-81").is_ok());
        assert!(TaxId::parse("11.222.333/0001-82").is_err());
        // The Receita Federal's worked example of an alphanumeric CNPJ.
        let cnpj = TaxId::parse("12abc34501de35").unwrap();
        assert_eq!(cnpj.to_string(), "12.ABC.345/01DE-35");
        assert!(TaxId::parse("12.ABC.345/01DE-36").is_err());
        assert!(
            TaxId::parse("12.ABC.345/01DE-3X").is_err(),
            "check digits are digits"
        );
    }
}
