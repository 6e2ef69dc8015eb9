//! The customer listing: filters, three sort orders and keyset pagination. A cursor is
//! the row's sort key under the sort it was made for, so pages stay stable while
//! customers are added and a cursor of one sort is refused by another.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use super::model::Customer;
use crate::catalog::SortDirection;
use crate::db::schema::customers;
use crate::db::{Cursor, Fragment, Keyset, Listing, Page, SortType, key_text};

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

impl CustomerSortField {
    /// The SQL of the sort key's columns (without the id), and the sort's tag in cursors.
    fn sql(self) -> (&'static [&'static str], &'static str) {
        match self {
            Self::CreatedAt => (&["customers.created_at"], "CREATED_AT"),
            Self::Email => (&["COALESCE(customers.email, '')"], "EMAIL"),
            Self::Name => (&["lower(customers.last_name)", "lower(customers.first_name)"], "NAME"),
        }
    }
}

/// A page of the customer listing: which customers, sorted how.
#[derive(Debug, Clone, Default)]
pub struct CustomerListing {
    /// Which customers.
    pub filter: CustomerFilter,
    /// Sorted how.
    pub sort: Sort,
}

impl Listing for CustomerListing {
    type Row = ListingRow;

    fn keyset(&self) -> Keyset {
        let (columns, tag) = self.sort.field.sql();
        let kind = if self.sort.field == CustomerSortField::CreatedAt { SortType::Timestamptz } else { SortType::Text };
        columns
            .iter()
            .fold(Keyset::new(tag, "customers.id"), |keyset, column| keyset.key(Fragment::sql(column), kind))
            .descending(self.sort.direction == SortDirection::Desc)
    }

    async fn page(&self, conn: &mut AsyncPgConnection, page: &Page) -> QueryResult<Vec<ListingRow>> {
        let query = filtered(&self.filter).select((
            Customer::as_select(),
            Fragment::<Text>::sql("lower(customers.last_name)"),
            Fragment::<Text>::sql("lower(customers.first_name)"),
        ));
        self.keyset().seek(query, page).load(conn).await
    }

    async fn count(&self, conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        filtered(&self.filter).count().get_result(conn).await
    }

    fn cursor(&self, (customer, last, first): &ListingRow) -> Cursor {
        let values = match self.sort.field {
            CustomerSortField::CreatedAt => vec![key_text(&customer.created_at)],
            CustomerSortField::Email => vec![customer.email.clone().unwrap_or_default()],
            CustomerSortField::Name => vec![last.clone(), first.clone()],
        };
        self.keyset().cursor(values, customer.id)
    }
}
