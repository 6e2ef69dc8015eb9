//! How the generic loaders read the customers domain's rows (one statement for the
//! addresses or notes of every customer a request touches, and for the customers and notes
//! of a page of orders), and the loader of activity pages.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::model::{Activity, AddressRow, Customer, NoteRow};
use super::{address_data, data, trail_data};
use crate::db::{ChildPageKey, DbError};
use crate::events::OrderFacts;
use crate::tenancy::TenantScope;

crate::keyed!(Customer => data::by_ids);

crate::child_of!(AddressRow: Customer => address_data::of_customers);

crate::child_of!(NoteRow: Customer => trail_data::notes_of, false);

crate::child_of!(NoteRow: OrderFacts => trail_data::notes_of, true);

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
