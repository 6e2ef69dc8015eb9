//! Money and decimals. Amounts are `BigDecimal` from the database to the wire, and leave
//! as strings, so no client reads them as binary floats.

use std::str::FromStr;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};
use bigdecimal::BigDecimal;

use crate::money::minor_units;

/// A decimal number, serialized as a string such as `"19.99"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub BigDecimal);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        let text = match &value {
            Value::String(text) => text.trim().to_owned(),
            // Integers are exact; a JSON float may already have lost digits, but its
            // shortest decimal form is what the client wrote.
            Value::Number(number) => number.to_string(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        if text.len() > 40 || text.contains(['e', 'E']) {
            return Err(InputValueError::custom(format!("\"{text}\" is not a plain decimal number")));
        }
        BigDecimal::from_str(&text)
            .map(Decimal)
            .map_err(|_| InputValueError::custom(format!("\"{text}\" is not a decimal number")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_plain_string())
    }
}

/// An amount in a currency.
#[derive(Debug, Clone, SimpleObject)]
pub struct Money {
    /// The amount, with at least the currency's minor-unit digits (`"20.00"`, `"1500"` for JPY).
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// `amount` in `currency`, formatted for display without losing any digit.
    pub fn new(amount: &BigDecimal, currency: &str) -> Self {
        let minor = minor_units(currency);
        let normalized = amount.normalized();
        let (_, scale) = normalized.as_bigint_and_exponent();
        let shown = if scale < minor { normalized.with_scale(minor) } else { normalized };
        Self { amount: Decimal(shown), currency: currency.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_shows_minor_units_and_never_drops_digits() {
        let m = |a: &str, c: &str| Money::new(&BigDecimal::from_str(a).unwrap(), c).amount.0.to_plain_string();
        assert_eq!(m("19.9900", "EUR"), "19.99");
        assert_eq!(m("20.0000", "USD"), "20.00");
        assert_eq!(m("1500.0000", "JPY"), "1500");
        assert_eq!(m("0.1234", "EUR"), "0.1234");
        assert_eq!(m("7", "BHD"), "7.000");
    }
}
