//! `BigInt`: a 64-bit integer. GraphQL's `Int` is 32-bit, and async-graphql would print an
//! `i64` beyond it as an out-of-range `Int`; points, balances and counts can pass 2^31,
//! so they are this scalar instead.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A signed 64-bit integer, written as a JSON number (clients in JavaScript should read
/// values beyond 2^53 with a big-integer parser); read from a number or a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BigInt(pub i64);

/// A signed 64-bit integer, written as a JSON number; also accepted as a decimal string.
#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        let parsed = match &value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        parsed.map(BigInt).ok_or_else(|| InputValueError::custom("not a 64-bit integer"))
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl From<i64> for BigInt {
    fn from(value: i64) -> Self {
        Self(value)
    }
}
