//! Per-request dataloaders. async-graphql's DataLoader caches by key alone, with no tenant
//! in it, so loaders are never shared between requests: each request gets an empty
//! registry, and a loader is made the first time a resolver of the request asks for it.
//!
//! Batching by timing (the loader waits a moment for more keys) splits a batch when the
//! machine is busy, so list resolvers also *prime* their loaders: knowing from the
//! selection which nested lists will be asked for, they load them for the whole page at
//! once, and the per-item resolvers are then served from the request's cache. Loaders
//! return an entry (maybe empty) for every key, so a miss never goes back to the database.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::context::caller_scope;
use crate::db::DbError;
use crate::tenancy::{Role, TenantScope};

/// The dataloaders of one request, by loader type.
#[derive(Default)]
pub struct Loaders(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Loaders {
    fn get<L: Send + Sync + 'static>(&self, make: impl FnOnce() -> L) -> Arc<DataLoader<L, HashMapCache>> {
        let mut map = self.0.lock().expect("loader registry lock");
        let entry = map.entry(TypeId::of::<L>()).or_insert_with(|| {
            Arc::new(DataLoader::with_cache(make(), tokio::spawn, HashMapCache::default()))
                as Arc<dyn Any + Send + Sync>
        });
        Arc::clone(entry).downcast::<DataLoader<L, HashMapCache>>().expect("registry keyed by type")
    }
}

/// The request's loader of type `L`, made from the request's tenant scope on first use.
/// The loader holds the scope (and through it the request's connection); the registry
/// lives in the request's data, so both go when the request ends.
pub fn loader<L: Send + Sync + 'static>(
    ctx: &Context<'_>,
    make: impl FnOnce(Arc<TenantScope>) -> L,
) -> async_graphql::Result<Arc<DataLoader<L, HashMapCache>>> {
    let scope = caller_scope(ctx, Role::Storefront)?;
    let loaders = ctx.data::<Loaders>()?;
    Ok(loaders.get(|| make(scope)))
}

/// Loads `keys` with the request's loader of type `L` right away, in one call, and feeds
/// the results into the loader's cache, where the per-item resolvers find them. Unlike
/// `load_many`, it does not wait for the loader's batching window.
pub async fn prime<K, L>(
    ctx: &Context<'_>,
    make: impl FnOnce(Arc<TenantScope>) -> L,
    keys: &[K],
) -> async_graphql::Result<HashMap<K, L::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    L: Loader<K, Error = Arc<crate::db::DbError>>,
{
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let loader = loader(ctx, make)?;
    let values = loader.loader().load(keys).await.map_err(|e| super::errors::internal_error(&e))?;
    loader.feed_many(values.clone()).await;
    Ok(values)
}

/// Whether the current connection field's nodes (under `edges.node` or `nodes`) select
/// the field at `path`: what a listing asks before priming a nested list for its page.
pub fn node_selected(ctx: &Context<'_>, path: &[&str]) -> bool {
    let ahead = ctx.look_ahead();
    let (mut edge, mut node) = (ahead.field("edges").field("node"), ahead.field("nodes"));
    for field in path {
        (edge, node) = (edge.field(field), node.field(field));
    }
    edge.exists() || node.exists()
}

/// Adds what every request carries to a GraphQL request: who is asking, and an empty
/// loader registry.
pub fn request_with(request: async_graphql::Request, caller: crate::tenancy::Caller) -> async_graphql::Request {
    request.data(caller).data(Loaders::default())
}

/// Rows that hang off a parent of kind `P` (a type names the kind: the parent's row type in
/// its own domain, `events::OrderFacts` for an order seen from another domain) and are read
/// for many parents in one statement: what [`Children`] loads.
pub trait ChildOf<P>: Clone + Send + Sync + 'static {
    /// The rows of these parents, grouped by parent id.
    fn load(
        conn: &mut AsyncPgConnection,
        parents: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send;
}

/// The `T` rows of each parent of kind `P`, by parent id: the one loader of per-parent
/// lists (an empty list for a parent without any, so a miss never goes back to the
/// database). Made with `loader(ctx, Children::<P, T>::new)`.
pub struct Children<P, T>(Arc<TenantScope>, PhantomData<fn() -> (P, T)>);

impl<P, T> Children<P, T> {
    /// A loader on the request's scope.
    pub fn new(scope: Arc<TenantScope>) -> Self {
        Self(scope, PhantomData)
    }
}

impl<P: 'static, T: ChildOf<P>> Loader<Uuid> for Children<P, T> {
    type Value = Vec<T>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<T>>, Self::Error> {
        let mut found = T::load(&mut *self.0.conn().await?, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k).unwrap_or_default())).collect())
    }
}

/// The `T` rows of one parent of kind `P`, through the request's [`Children`] loader.
pub async fn children_of<P: 'static, T: ChildOf<P>>(ctx: &Context<'_>, parent: Uuid) -> async_graphql::Result<Vec<T>> {
    let rows =
        loader(ctx, Children::<P, T>::new)?.load_one(parent).await.map_err(|e| super::errors::internal_error(&e))?;
    Ok(rows.unwrap_or_default())
}

/// Rows read by id for many ids in one statement: what [`ById`] loads.
pub trait Keyed: Clone + Send + Sync + 'static {
    /// The rows with these ids (a missing id has no entry).
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Self>>> + Send;
}

/// `T` rows by id, the one loader of single rows. Made with `loader(ctx, ById::<T>::new)`.
pub struct ById<T>(Arc<TenantScope>, PhantomData<fn() -> T>);

impl<T> ById<T> {
    /// A loader on the request's scope.
    pub fn new(scope: Arc<TenantScope>) -> Self {
        Self(scope, PhantomData)
    }
}

impl<T: Keyed> Loader<Uuid> for ById<T> {
    type Value = T;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, T>, Self::Error> {
        Ok(T::load(&mut *self.0.conn().await?, keys).await.map_err(DbError::from)?)
    }
}

/// Declares that `$row` rows hang off parents of kind `$parent` and are read for many
/// parents at once by `$load` (an async function of a connection and the parents' ids that
/// returns the rows grouped by parent, after any further arguments given):
/// `crate::child_of!(ImageRow: Product => data::images_of);`.
#[macro_export]
macro_rules! child_of {
    ($row:ty : $parent:ty => $load:path $(, $arg:expr)*) => {
        impl $crate::graphql::ChildOf<$parent> for $row {
            fn load(
                conn: &mut ::diesel_async::AsyncPgConnection,
                parents: &[::uuid::Uuid],
            ) -> impl ::std::future::Future<
                Output = ::diesel::QueryResult<::std::collections::HashMap<::uuid::Uuid, Vec<Self>>>,
            > + Send {
                $load(conn, parents $(, $arg)*)
            }
        }
    };
}

/// Declares that `$row` rows are read by id, many ids at once, by `$load` (an async
/// function of a connection and the ids that returns the rows by id):
/// `crate::keyed!(Category => categories::by_ids);`.
#[macro_export]
macro_rules! keyed {
    ($row:ty => $load:path) => {
        impl $crate::graphql::Keyed for $row {
            fn load(
                conn: &mut ::diesel_async::AsyncPgConnection,
                ids: &[::uuid::Uuid],
            ) -> impl ::std::future::Future<
                Output = ::diesel::QueryResult<::std::collections::HashMap<::uuid::Uuid, Self>>,
            > + Send {
                $load(conn, ids)
            }
        }
    };
}
