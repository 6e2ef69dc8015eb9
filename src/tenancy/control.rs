//! Reads and writes of the control plane. Every statement names `control.*` tables, so a
//! pooled connection's leftover `search_path` cannot change what they touch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::lookup_cache::{Lookup, LookupCache, Remembered, spawn_listener};
use super::model::{Role, Tenant, TenantStatus};
use super::slug::Slug;
use super::token::{ApiToken, hash_token};
use crate::db::schema::control::{api_keys, store_domains, tenants};
use crate::db::{ControlPool, ControlWork, DbError};

/// An API key as listed to an operator: never the token, only its prefix.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ApiKeyInfo {
    /// Key id (used to revoke it).
    pub id: Uuid,
    /// What it may do.
    pub role: Role,
    /// The token's first characters.
    pub token_prefix: String,
    /// A free-form label.
    pub label: String,
    /// When it was minted.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The staff member an admin key belongs to: what is done with it is recorded as
    /// theirs.
    pub staff_id: Option<String>,
}

/// Access to the control plane through the control pool.
#[derive(Clone)]
pub struct ControlPlane {
    pool: ControlPool,
    cache: Arc<LookupCache>,
}

impl ControlPlane {
    /// The control plane reached through `pool`, with no cache: every lookup reads the
    /// database (the command line, which makes one lookup and exits).
    pub fn new(pool: ControlPool) -> Self {
        Self { pool, cache: Arc::default() }
    }

    /// The control plane as a server uses it: the lookups every request makes are kept
    /// in memory, and forgotten whenever the control plane changes (a listener on its own
    /// connection to `listen_url` hears of every change; see `lookup_cache`). Returns once
    /// the listener listens, or after a few seconds without (the cache then stays unused
    /// until it does). Without a URL to listen on (behind a transaction pooler with no
    /// direct URL) lookups are kept for a short time only, and a warning says so.
    pub async fn cached(pool: ControlPool, listen_url: Option<&str>) -> Self {
        let Some(url) = listen_url else {
            tracing::warn!(
                ttl = ?super::lookup_cache::UNHEARD_TTL,
                "no direct database URL to listen for control-plane changes on (a transaction pooler \
                 cannot LISTEN): revoked keys and suspended tenants take effect only after this long; \
                 set --direct-database-url to have them take effect at once"
            );
            return Self { pool, cache: Arc::new(LookupCache::unheard()) };
        };
        let cache = Arc::new(LookupCache::default());
        spawn_listener(&cache, url.to_owned());
        cache.wait_live(std::time::Duration::from_secs(5)).await;
        Self { pool, cache }
    }

    /// Forgets every cached lookup, after a change this process made to the control
    /// plane (other servers hear of it by notification).
    pub fn forget_lookups(&self) {
        self.cache.invalidate();
    }

    /// The answer to `lookup`: the remembered one, else `read` on a control connection
    /// (remembered if it names a tenant, and if the control plane did not change meanwhile).
    async fn remembered<T: Remembered + Send>(
        &self,
        lookup: Lookup,
        read: impl ControlWork<Option<T>>,
    ) -> Result<Option<T>, DbError> {
        if let Some(found) = self.cache.get(&lookup).and_then(T::from_answer) {
            return Ok(Some(found));
        }
        let generation = self.cache.generation();
        let found = self.pool.run(read).await?;
        if let Some(found) = &found {
            self.cache.put(lookup, found.clone().into_answer(), generation);
        }
        Ok(found)
    }

    /// The tenant with this slug.
    pub async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, DbError> {
        let slug = slug.as_str().to_owned();
        self.remembered(Lookup::Slug(slug.clone()), |conn| {
            let slug = slug.clone();
            Box::pin(async move {
                tenants::table.filter(tenants::slug.eq(slug)).select(Tenant::as_select()).first(conn).await.optional()
            })
        })
        .await
    }

    /// The key a token belongs to (revoked or not) and its tenant.
    pub async fn key_by_token(&self, token: &str) -> Result<Option<(ApiKeyInfo, Tenant)>, DbError> {
        let hash = hash_token(token);
        self.remembered(Lookup::Token(hash.clone()), |conn| {
            let wanted = hash.clone();
            Box::pin(async move {
                api_keys::table
                    .inner_join(tenants::table)
                    .filter(api_keys::token_hash.eq(wanted))
                    .select((ApiKeyInfo::as_select(), Tenant::as_select()))
                    .first(conn)
                    .await
                    .optional()
            })
        })
        .await
    }

    /// The tenant and store a registered store domain points at.
    pub async fn tenant_by_domain(&self, domain: &str) -> Result<Option<(Tenant, String)>, DbError> {
        let domain = domain.to_owned();
        self.remembered(Lookup::Domain(domain.clone()), |conn| {
            let domain = domain.clone();
            Box::pin(async move {
                store_domains::table
                    .inner_join(tenants::table)
                    .filter(store_domains::domain.eq(domain))
                    .select((Tenant::as_select(), store_domains::store_code))
                    .first(conn)
                    .await
                    .optional()
            })
        })
        .await
    }

    /// Every tenant, by slug.
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, DbError> {
        self.pool.run(|conn| Box::pin(tenants::table.select(Tenant::as_select()).order(tenants::slug).load(conn))).await
    }

    /// Mints a key for a tenant. The returned token is the only copy there will ever be.
    pub async fn create_key(
        &self,
        tenant: &Tenant,
        role: Role,
        label: &str,
        staff_id: Option<&str>,
    ) -> Result<(ApiKeyInfo, ApiToken), DbError> {
        let token = ApiToken::generate();
        let (hash, prefix) = (hash_token(&token.secret), token.prefix());
        let (tenant_id, label, staff_id) = (tenant.id, label.to_owned(), staff_id.map(str::to_owned));
        let info = self
            .pool
            .run(|conn| {
                let (hash, prefix, label, staff_id) = (hash.clone(), prefix.clone(), label.clone(), staff_id.clone());
                Box::pin(async move {
                    diesel::insert_into(api_keys::table)
                        .values((
                            api_keys::tenant_id.eq(tenant_id),
                            api_keys::role.eq(role),
                            api_keys::token_hash.eq(hash),
                            api_keys::token_prefix.eq(prefix),
                            api_keys::label.eq(label),
                            api_keys::staff_id.eq(staff_id),
                        ))
                        .returning(ApiKeyInfo::as_returning())
                        .get_result(conn)
                        .await
                })
            })
            .await?;
        Ok((info, token))
    }

    /// A tenant's keys, newest first.
    pub async fn list_keys(&self, tenant: &Tenant) -> Result<Vec<ApiKeyInfo>, DbError> {
        let tenant_id = tenant.id;
        self.pool
            .run(|conn| {
                Box::pin(async move {
                    api_keys::table
                        .filter(api_keys::tenant_id.eq(tenant_id))
                        .select(ApiKeyInfo::as_select())
                        .order(api_keys::created_at.desc())
                        .load(conn)
                        .await
                })
            })
            .await
    }

    /// Revokes keys of a tenant: the one with `id`, or (with `label`) every live key with
    /// that label. Returns how many were revoked.
    pub async fn revoke_keys(&self, tenant: &Tenant, id: Option<Uuid>, label: Option<&str>) -> Result<usize, DbError> {
        let (tenant_id, label) = (tenant.id, label.map(str::to_owned));
        let revoked = self
            .pool
            .run(|conn| {
                let label = label.clone();
                Box::pin(async move {
                    let mut query = diesel::update(api_keys::table)
                        .filter(api_keys::tenant_id.eq(tenant_id))
                        .filter(api_keys::revoked_at.is_null())
                        .into_boxed();
                    if let Some(id) = id {
                        query = query.filter(api_keys::id.eq(id));
                    }
                    if let Some(label) = label {
                        query = query.filter(api_keys::label.eq(label));
                    }
                    query.set(api_keys::revoked_at.eq(diesel::dsl::now)).execute(conn).await
                })
            })
            .await?;
        // Other servers hear of it from the control plane's trigger; this one forgets now.
        self.forget_lookups();
        Ok(revoked)
    }

    /// Sets a tenant's own query-cost budget (`None` for the server's default). Returns
    /// whether the tenant exists.
    pub async fn set_budget(
        &self,
        slug: &Slug,
        budget: Option<i64>,
        restore_rate: Option<i64>,
    ) -> Result<bool, DbError> {
        let change = TenantChange { status: None, query_budget: Some(budget), query_restore_rate: Some(restore_rate) };
        self.update_tenant(slug, change).await
    }

    /// Suspends or re-activates a tenant. Returns whether the tenant exists.
    pub async fn set_status(&self, slug: &Slug, status: TenantStatus) -> Result<bool, DbError> {
        let change = TenantChange { status: Some(status), query_budget: None, query_restore_rate: None };
        self.update_tenant(slug, change).await
    }

    /// Applies `change` to the tenant named `slug` and forgets the remembered lookups
    /// (other servers hear of it from the control plane's trigger). Returns whether the
    /// tenant exists.
    async fn update_tenant(&self, slug: &Slug, change: TenantChange) -> Result<bool, DbError> {
        let slug_text = slug.as_str().to_owned();
        let changed = self
            .pool
            .run(|conn| {
                let (slug, change) = (slug_text.clone(), change.clone());
                Box::pin(async move {
                    diesel::update(tenants::table.filter(tenants::slug.eq(slug))).set(change).execute(conn).await
                })
            })
            .await?;
        self.forget_lookups();
        Ok(changed == 1)
    }
}

/// The settings of a tenant an operator changes; a `None` field is left as it is.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = tenants)]
struct TenantChange {
    status: Option<TenantStatus>,
    query_budget: Option<Option<i64>>,
    query_restore_rate: Option<Option<i64>>,
}

/// Points `domain` (or, with `None`, no domain) at a tenant's store, replacing what the
/// store had. It runs on the caller's connection so that it commits or rolls back with
/// the store change itself. A domain already taken, by any tenant, fails with a unique
/// violation on `store_domains_pkey`.
pub async fn set_store_domain(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    store_code: &str,
    domain: Option<&str>,
) -> Result<(), DbError> {
    diesel::delete(
        store_domains::table
            .filter(store_domains::tenant_id.eq(tenant_id))
            .filter(store_domains::store_code.eq(store_code)),
    )
    .execute(conn)
    .await?;
    if let Some(domain) = domain {
        diesel::insert_into(store_domains::table)
            .values((
                store_domains::domain.eq(domain),
                store_domains::tenant_id.eq(tenant_id),
                store_domains::store_code.eq(store_code),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The constraint a taken domain violates.
pub const DOMAIN_TAKEN_CONSTRAINT: &str = "store_domains_pkey";
