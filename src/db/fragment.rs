//! SQL fragments with bound parameters that domains can build and hand to each other.
//!
//! Some predicates cannot be said in diesel's DSL (correlated subqueries, row comparisons,
//! recursive trees), and some belong to another domain (the catalog filters products by
//! attributes and sorts them by price, which the attribute and pricing domains know how to
//! say). A [`Fragment`] is such a piece of SQL with its values kept as bound parameters,
//! never pasted into the text, so it is safe with any input and the statement it ends up
//! in stays a cacheable prepared statement (the text does not change with the values).
//! A `Fragment<Untyped>` is a whole statement (or a subquery of one) whose rows are read
//! by column name, like `sql_query`'s, so a statement that embeds fragments of several
//! domains can be run as it is.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{self, SqlType};
use diesel::{QueryResult, expression::is_aggregate};
use uuid::Uuid;

/// A value bound into a [`Fragment`].
#[derive(Debug, Clone)]
pub enum Bind {
    /// `uuid`
    Uuid(Uuid),
    /// `uuid`, possibly NULL
    OptUuid(Option<Uuid>),
    /// `uuid[]`
    Uuids(Vec<Uuid>),
    /// `text`
    Text(String),
    /// `text`, possibly NULL
    OptText(Option<String>),
    /// `text[]`
    Texts(Vec<String>),
    /// `integer`
    Int(i32),
    /// `numeric`
    Numeric(BigDecimal),
    /// `numeric[]`
    Numerics(Vec<BigDecimal>),
    /// `boolean[]`
    Bools(Vec<bool>),
    /// `date[]`
    Dates(Vec<NaiveDate>),
    /// `timestamptz`
    Timestamp(DateTime<Utc>),
}

#[derive(Debug, Clone)]
enum Part {
    Sql(String),
    Bind(Bind),
}

/// A piece of SQL of type `ST` (a boolean predicate by default) with bound values.
#[derive(Debug, Clone)]
pub struct Fragment<ST = sql_types::Bool> {
    parts: Vec<Part>,
    _type: std::marker::PhantomData<ST>,
}

impl<ST> Default for Fragment<ST> {
    fn default() -> Self {
        Self { parts: Vec::new(), _type: std::marker::PhantomData }
    }
}

impl<ST> Fragment<ST> {
    /// A fragment of literal SQL. Only ever pass text written in the code here.
    pub fn sql(text: &str) -> Self {
        Self::default().push(text)
    }

    /// Appends literal SQL.
    pub fn push(mut self, text: &str) -> Self {
        self.parts.push(Part::Sql(text.to_owned()));
        self
    }

    /// Appends a bound value (`$n` in the statement).
    pub fn bind(mut self, value: Bind) -> Self {
        self.parts.push(Part::Bind(value));
        self
    }

    /// Appends another fragment, whatever its type.
    pub fn append<T>(mut self, other: Fragment<T>) -> Self {
        self.parts.extend(other.parts);
        self
    }

    /// The same SQL, seen as another type (for wrapping it in a larger expression).
    pub fn retype<T>(self) -> Fragment<T> {
        Fragment { parts: self.parts, _type: std::marker::PhantomData }
    }
}

impl<ST: SqlType + diesel::expression::TypedExpressionType> Expression for Fragment<ST> {
    type SqlType = ST;
}

impl<ST> QueryId for Fragment<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Fragment<sql_types::Untyped> {
    type SqlType = sql_types::Untyped;
}

impl<ST> ValidGrouping<()> for Fragment<ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST, QS> AppearsOnTable<QS> for Fragment<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for Fragment<ST> where Self: Expression {}

impl<ST> QueryFragment<Pg> for Fragment<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for part in &self.parts {
            match part {
                Part::Sql(text) => out.push_sql(text),
                Part::Bind(bind) => match bind {
                    Bind::Uuid(v) => out.push_bind_param::<sql_types::Uuid, _>(v)?,
                    Bind::OptUuid(v) => out.push_bind_param::<sql_types::Nullable<sql_types::Uuid>, _>(v)?,
                    Bind::Uuids(v) => out.push_bind_param::<sql_types::Array<sql_types::Uuid>, _>(v)?,
                    Bind::Text(v) => out.push_bind_param::<sql_types::Text, _>(v)?,
                    Bind::OptText(v) => out.push_bind_param::<sql_types::Nullable<sql_types::Text>, _>(v)?,
                    Bind::Texts(v) => out.push_bind_param::<sql_types::Array<sql_types::Text>, _>(v)?,
                    Bind::Int(v) => out.push_bind_param::<sql_types::Integer, _>(v)?,
                    Bind::Numeric(v) => out.push_bind_param::<sql_types::Numeric, _>(v)?,
                    Bind::Numerics(v) => out.push_bind_param::<sql_types::Array<sql_types::Numeric>, _>(v)?,
                    Bind::Bools(v) => out.push_bind_param::<sql_types::Array<sql_types::Bool>, _>(v)?,
                    Bind::Dates(v) => out.push_bind_param::<sql_types::Array<sql_types::Date>, _>(v)?,
                    Bind::Timestamp(v) => out.push_bind_param::<sql_types::Timestamptz, _>(v)?,
                },
            }
        }
        Ok(())
    }
}
