//! The customer listing: filters, three sort orders and keyset pagination. A cursor is
//! the row's sort key under the sort it was made for, so pages stay stable while
//! customers are added and a cursor of one sort is refused by another.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::Customer;
use crate::catalog::SortDirection;
use crate::db::Page;
use crate::db::schema::customers;
use crate::db::{Bind, Fragment};

/// What a customer listing sorts by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CustomerSortField {
    /// Creation time (the default).
    #[default]
    CreatedAt,
    /// Email address (anonymized customers, who have none, sort as an empty one).
    Email,
    /// Family name, then given name, case-insensitively.
    Name,
}

/// The sort of a listing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sort {
    /// By what.
    pub field: CustomerSortField,
    /// Which way.
    pub direction: SortDirection,
}

/// A page's cursor: the row's sort key under one sort, and its id (the tie-breaker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerCursor {
    /// Under CREATED_AT.
    CreatedAt(DateTime<Utc>, Uuid),
    /// Under EMAIL: the email, empty for anonymized customers.
    Email(String, Uuid),
    /// Under NAME: lower-cased family and given names.
    Name(String, String, Uuid),
}

impl CustomerCursor {
    /// The sort the cursor was made for.
    pub fn field(&self) -> CustomerSortField {
        match self {
            Self::CreatedAt(..) => CustomerSortField::CreatedAt,
            Self::Email(..) => CustomerSortField::Email,
            Self::Name(..) => CustomerSortField::Name,
        }
    }
}

impl crate::db::CursorKey for CustomerCursor {
    fn is_valid(&self) -> bool {
        match self {
            Self::CreatedAt(at, id) => (*at, *id).is_valid(),
            Self::Email(email, _) => email.is_valid(),
            Self::Name(last, first, _) => last.is_valid() && first.is_valid(),
        }
    }
}

/// Which customers a listing covers.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Case-insensitive text in the given name, family name, full name or email.
    pub search: Option<String>,
    /// Only the customer with this (lower-cased) email.
    pub email: Option<String>,
    /// Only customers who agreed (true) or did not agree (false) to marketing.
    pub marketing_consent: Option<bool>,
    /// Created at or after this.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before this.
    pub created_before: Option<DateTime<Utc>>,
    /// Anonymized customers too.
    pub include_anonymized: bool,
}

/// A row of the listing: the customer and its lower-cased family and given names (the
/// NAME sort key, as PostgreSQL lower-cases them).
pub type ListingRow = (Customer, String, String);

type Boxed = customers::BoxedQuery<'static, diesel::pg::Pg>;

fn filtered(filter: &CustomerFilter) -> Boxed {
    let mut query = customers::table.into_boxed();
    if !filter.include_anonymized {
        query = query.filter(customers::anonymized_at.is_null());
    }
    if let Some(email) = &filter.email {
        query = query.filter(customers::email.eq(email.clone()));
    }
    if let Some(consent) = filter.marketing_consent {
        query = query.filter(customers::marketing_consent.eq(consent));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(customers::created_at.ge(after));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(customers::created_at.lt(before));
    }
    if let Some(search) = &filter.search {
        let pattern = crate::db::contains_pattern(search);
        query = query.filter(
            customers::email
                .ilike(pattern.clone())
                .or(customers::first_name.ilike(pattern.clone()).nullable())
                .or(customers::last_name.ilike(pattern.clone()).nullable())
                .or(customers::first_name.concat(" ").concat(customers::last_name).ilike(pattern).nullable()),
        );
    }
    query
}

/// The SQL of the sort key's columns, without the id.
fn key_sql(field: CustomerSortField) -> &'static [&'static str] {
    match field {
        CustomerSortField::CreatedAt => &["customers.created_at"],
        CustomerSortField::Email => &["COALESCE(customers.email, '')"],
        CustomerSortField::Name => &["lower(customers.last_name)", "lower(customers.first_name)"],
    }
}

/// Rows whose key is beyond the cursor (`greater`: after it in ascending order).
fn bound(cursor: &CustomerCursor, greater: bool) -> Fragment<Bool> {
    let (binds, id) = match cursor {
        CustomerCursor::CreatedAt(at, id) => (vec![Bind::Timestamp(*at)], id),
        CustomerCursor::Email(email, id) => (vec![Bind::Text(email.clone())], id),
        CustomerCursor::Name(last, first, id) => (vec![Bind::Text(last.clone()), Bind::Text(first.clone())], id),
    };
    let mut fragment = Fragment::sql(&format!(
        "(({}, customers.id) {} (",
        key_sql(cursor.field()).join(", "),
        if greater { ">" } else { "<" }
    ));
    for bind in binds {
        fragment = fragment.bind(bind).push(", ");
    }
    fragment.bind(Bind::Uuid(*id)).push("))")
}

/// One page of customers, per [`Page`], in `sort` order. Cursors must belong to `sort`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CustomerFilter,
    sort: Sort,
    page: &Page<CustomerCursor>,
) -> QueryResult<Vec<ListingRow>> {
    let mut query = filtered(filter).select((
        Customer::as_select(),
        Fragment::<Text>::sql("lower(customers.last_name)"),
        Fragment::<Text>::sql("lower(customers.first_name)"),
    ));
    let descending = sort.direction == SortDirection::Desc;
    if let Some(after) = &page.after {
        query = query.filter(bound(after, !descending));
    }
    if let Some(before) = &page.before {
        query = query.filter(bound(before, descending));
    }
    let order = if descending != page.backward { "DESC" } else { "ASC" };
    let columns: Vec<String> =
        key_sql(sort.field).iter().chain(&["customers.id"]).map(|column| format!("{column} {order}")).collect();
    query = query.order(Fragment::<Text>::sql(&columns.join(", ")));
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many customers match.
pub async fn count(conn: &mut AsyncPgConnection, filter: &CustomerFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn).await
}

/// The cursor of a listing row under `field`.
pub fn cursor_of(row: &ListingRow, field: CustomerSortField) -> CustomerCursor {
    let (customer, last, first) = row;
    match field {
        CustomerSortField::CreatedAt => CustomerCursor::CreatedAt(customer.created_at, customer.id),
        CustomerSortField::Email => CustomerCursor::Email(customer.email.clone().unwrap_or_default(), customer.id),
        CustomerSortField::Name => CustomerCursor::Name(last.clone(), first.clone(), customer.id),
    }
}
