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
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use super::context::caller_scope;
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

/// Adds what every request carries to a GraphQL request: who is asking, and an empty
/// loader registry.
pub fn request_with(request: async_graphql::Request, caller: crate::tenancy::Caller) -> async_graphql::Request {
    request.data(caller).data(Loaders::default())
}
