//! How the generic loaders read the customers domain's rows (one statement for the
//! addresses or notes of every customer a request touches, and for the customers and notes
//! of a page of orders), and the loader of activity pages.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{Activity, AddressRow, Customer, NoteRow};
use super::{address_data, data, trail_data};
use crate::db::{ChildPageKey, DbError};
use crate::events::OrderFacts;
use crate::graphql::{ChildOf, Keyed};
use crate::tenancy::TenantScope;

impl Keyed for Customer {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Self>>> + Send {
        data::by_ids(conn, ids)
    }
}

impl ChildOf<Customer> for AddressRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        address_data::of_customers(conn, ids)
    }
}

impl ChildOf<Customer> for NoteRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        trail_data::notes_of(conn, ids, false)
    }
}

impl ChildOf<OrderFacts> for NoteRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        trail_data::notes_of(conn, ids, true)
    }
}

/// Pages of activity, newest first, by customer and page bounds.
pub struct ActivityPages(pub Arc<TenantScope>);

impl Loader<ChildPageKey> for ActivityPages {
    type Value = Vec<Activity>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[ChildPageKey]) -> Result<HashMap<ChildPageKey, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(trail_data::activity_pages(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
