//! `PhoneNumber`: a mobile number as the technician typed it, parsed once into E.164.

use phonenumber::metadata::DATABASE;

/// A phone number in E.164 form (`+491711234567`), checked against
/// libphonenumber's metadata for its country.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    international: String,
}

/// Why a typed phone number was not accepted. Each `Display` is a sentence
/// for the technician who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Please enter a phone number.")]
    Empty,
    #[error("A phone number cannot contain letters.")]
    Letters,
    #[error("A phone number cannot contain \"{0}\"; use digits, spaces and + - ( ) . / only.")]
    InvalidCharacter(char),
    #[error("\"{0}\" is not a country Tether knows; use a two-letter code such as DE or US.")]
    UnknownCountry(String),
    #[error("The number starts with a country code that does not exist.")]
    UnknownCountryCode,
    #[error("The number is too short.")]
    TooShort,
    #[error("The number is too long: a phone number has at most 15 digits.")]
    TooLong,
    #[error("{0} is not a valid phone number. Please check the digits.")]
    Invalid(String),
}

/// The most digits an E.164 number has, country code included.
const E164_MAX_DIGITS: usize = 15;

impl PhoneNumber {
    /// Reads a number as people type it: `+49 171 1234567`,
    /// `0049 171 1234567`, `0171 1234567` (with `default_country` `DE`),
    /// `+49 (0)171 1234567`, `(201) 555-0123` (with `US`), with spaces,
    /// dashes, dots, slashes and parentheses. Numbers without a country
    /// code are read as numbers of `default_country` (ISO 3166 alpha-2, any
    /// case), whose trunk prefix (`0` in Germany) is dropped; numbers that
    /// start with that country's international prefix (`00`, `011`, …) are
    /// read as international.
    pub fn parse(input: &str, default_country: &str) -> Result<PhoneNumber, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::new();
        let mut plus = false;
        for c in input.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                '-' | '(' | ')' | '.' | '/' => {}
                c if c.is_whitespace() => {}
                c if c.is_alphabetic() => return Err(PhoneError::Letters),
                c => return Err(PhoneError::InvalidCharacter(c)),
            }
        }
        if digits.len() < 3 {
            return Err(PhoneError::TooShort);
        }
        // Room for an international prefix ("011") before 15 digits; more
        // cannot be a number, and would overflow the parser's integer.
        if digits.len() > E164_MAX_DIGITS + 3 {
            return Err(PhoneError::TooLong);
        }

        let country_code = default_country.trim().to_ascii_uppercase();
        let unknown = || PhoneError::UnknownCountry(default_country.trim().to_owned());
        let country_meta = DATABASE.by_id(country_code.as_str()).ok_or_else(unknown)?;
        let country: phonenumber::country::Id = country_code.parse().map_err(|_| unknown())?;

        // An international prefix becomes "+", as libphonenumber does it.
        if !plus
            && let Some(prefix) = country_meta.international_prefix()
            && let Some(found) = prefix.find(&digits)
            && found.start() == 0
            && found.end() > 0
        {
            digits.drain(..found.end());
            plus = true;
        }
        // International numbers are parsed without the default country: the
        // crate would otherwise strip *that* country's trunk prefix from
        // them (with US, "+49 171 …" loses its 1; with DE, "+39 06 …" its 0).
        let parsed = if plus {
            phonenumber::parse(None, format!("+{digits}"))
        } else {
            phonenumber::parse(Some(country), &digits)
        };
        let number = parsed.map_err(|e| match e {
            phonenumber::ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode,
            phonenumber::ParseError::TooLong | phonenumber::ParseError::MalformedInteger(_) => {
                PhoneError::TooLong
            }
            phonenumber::ParseError::NoNumber
            | phonenumber::ParseError::TooShortAfterIdd
            | phonenumber::ParseError::TooShortNsn => PhoneError::TooShort,
        })?;
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        if e164.len() - 1 > E164_MAX_DIGITS {
            return Err(PhoneError::TooLong);
        }
        if !phonenumber::is_valid(&number) {
            return Err(length_problem(&number).unwrap_or(PhoneError::Invalid(e164)));
        }
        let international = number
            .format()
            .mode(phonenumber::Mode::International)
            .to_string();
        Ok(PhoneNumber {
            e164,
            international,
        })
    }

    /// E.164: `+491711234567`, what gateways expect.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// Grouped for people: `+49 171 1234567`, e.g. for the confirmation
    /// that shows where the invitation went.
    pub fn international(&self) -> &str {
        &self.international
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Too short or too long for every kind of number of its country, if so.
fn length_problem(number: &phonenumber::PhoneNumber) -> Option<PhoneError> {
    let meta = number.metadata(&DATABASE)?;
    let descriptors = meta.descriptors();
    let lengths: Vec<u16> = [
        Some(descriptors.general()),
        descriptors.mobile(),
        descriptors.fixed_line(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|d| d.possible_length().iter().copied())
    .collect();
    let length = u16::try_from(number.national().to_string().len()).ok()?;
    if length < *lengths.iter().min()? {
        Some(PhoneError::TooShort)
    } else if length > *lengths.iter().max()? {
        Some(PhoneError::TooLong)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(input: &str, country: &str) -> String {
        match PhoneNumber::parse(input, country) {
            Ok(number) => number.as_str().to_owned(),
            Err(e) => panic!("{input} ({country}): {e}"),
        }
    }

    #[test]
    fn german_numbers_as_people_type_them() {
        for input in [
            "+49 171 1234567",
            "0049 171 1234567",
            "0171 1234567",
            "0171-1234567",
            "0171/1234567",
            "(0171) 123 45 67",
            "0171.123.4567",
            "+49 (0)171 1234567",
            "  +491711234567 ",
        ] {
            assert_eq!(e164(input, "DE"), "+491711234567", "{input}");
        }
        assert_eq!(e164("0171 1234567", "de"), "+491711234567");
        let number = PhoneNumber::parse("0171 1234567", "DE").expect("valid");
        assert_eq!(number.international(), "+49 171 1234567");
        assert_eq!(number.to_string(), "+491711234567");
    }

    #[test]
    fn other_countries_drop_their_own_trunk_prefix() {
        let cases = [
            ("0664 1234567", "AT", "+436641234567"),
            ("079 123 45 67", "CH", "+41791234567"),
            ("(201) 555-0123", "US", "+12015550123"),
            ("1 201 555 0123", "US", "+12015550123"),
            ("(416) 555-0123", "CA", "+14165550123"),
            ("07911 123456", "GB", "+447911123456"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("333 123 4567", "IT", "+393331234567"),
            ("612 345 678", "ES", "+34612345678"),
            ("06 12345678", "NL", "+31612345678"),
            ("0470 12 34 56", "BE", "+32470123456"),
            ("512 345 678", "PL", "+48512345678"),
            ("070-123 45 67", "SE", "+46701234567"),
        ];
        for (input, country, expected) in cases {
            assert_eq!(e164(input, country), expected, "{input} ({country})");
        }
    }

    #[test]
    fn international_numbers_ignore_the_default_country() {
        assert_eq!(e164("+43 664 1234567", "DE"), "+436641234567");
        assert_eq!(e164("0043 664 1234567", "DE"), "+436641234567");
        assert_eq!(e164("+1 (201) 555-0123", "DE"), "+12015550123");
        assert_eq!(e164("011 49 171 1234567", "US"), "+491711234567");
        // The crate alone gets these two wrong (see `parse`).
        assert_eq!(e164("+49 171 1234567", "US"), "+491711234567");
        assert_eq!(e164("+39 06 1234 5678", "DE"), "+390612345678");
        assert_eq!(e164("0039 06 1234 5678", "DE"), "+390612345678");
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        let parse = |input: &str| PhoneNumber::parse(input, "DE");
        assert_eq!(parse(""), Err(PhoneError::Empty));
        assert_eq!(parse("   "), Err(PhoneError::Empty));
        assert_eq!(parse("+1 800 FLOWERS"), Err(PhoneError::Letters));
        assert_eq!(parse("0171 12345e7"), Err(PhoneError::Letters));
        assert_eq!(
            parse("0171;1234567"),
            Err(PhoneError::InvalidCharacter(';'))
        );
        assert_eq!(
            parse("0171 1234+567"),
            Err(PhoneError::InvalidCharacter('+'))
        );
        assert_eq!(parse("12"), Err(PhoneError::TooShort));
        assert_eq!(
            parse("0171 12"),
            Err(PhoneError::Invalid("+4917112".into()))
        );
        assert_eq!(parse("+49"), Err(PhoneError::TooShort));
        assert_eq!(parse("0171 1234567890123"), Err(PhoneError::TooLong));
        assert_eq!(parse("+49 171 123456789012345"), Err(PhoneError::TooLong));
        assert_eq!(parse("1234567890123456789012"), Err(PhoneError::TooLong));
        assert_eq!(parse("+999 1234567"), Err(PhoneError::UnknownCountryCode));
        assert_eq!(
            PhoneNumber::parse("0171 1234567", "XX"),
            Err(PhoneError::UnknownCountry("XX".into()))
        );
        assert_eq!(
            PhoneNumber::parse("0171 1234567", "Germany"),
            Err(PhoneError::UnknownCountry("Germany".into()))
        );
    }

    #[test]
    fn errors_are_sentences() {
        assert_eq!(
            PhoneError::TooLong.to_string(),
            "The number is too long: a phone number has at most 15 digits."
        );
        assert_eq!(
            PhoneError::UnknownCountry("XX".into()).to_string(),
            "\"XX\" is not a country Tether knows; use a two-letter code such as DE or US."
        );
    }
}
