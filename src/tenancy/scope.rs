use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard, OnceCell};
use uuid::Uuid;

use super::model::{Role, Tenant};
use super::resolve::{TenancyError, role_error};
use super::slug::SlugError;
use crate::db::{DbError, Pool, TenantConn, TenantSchema, tenant_connection};

/// A request resolved to one tenant: the tenant, the caller's role and store, and the
/// request's one tenant connection. The connection is checked out (and its
/// `search_path` set) on first use and shared by every resolver and dataloader of the
/// request, so a request costs one tenant switch however many fields it asks for.
pub struct TenantScope {
    tenant: Tenant,
    schema: TenantSchema,
    role: Option<Role>,
    store: Option<String>,
    staff: Option<String>,
    customer_token: Option<String>,
    api_key: Option<Uuid>,
    signed_in: OnceCell<Result<Option<Uuid>, TenancyError>>,
    pool: Pool,
    conn: Mutex<Option<TenantConn>>,
}

impl TenantScope {
    /// A scope for `tenant`; no connection is taken yet.
    pub fn new(
        pool: Pool,
        tenant: Tenant,
        role: Option<Role>,
        store: Option<String>,
        staff: Option<String>,
        customer_token: Option<String>,
    ) -> Result<Self, SlugError> {
        let schema = tenant.schema()?;
        Ok(Self {
            tenant,
            schema,
            role,
            store,
            staff,
            customer_token,
            api_key: None,
            signed_in: OnceCell::new(),
            pool,
            conn: Mutex::new(None),
        })
    }

    /// The same scope, for a request that presented the API key `id`.
    pub fn with_api_key(mut self, id: Uuid) -> Self {
        self.api_key = Some(id);
        self
    }

    /// The API key the request presented, if any: what a client's idempotency keys
    /// are scoped to.
    pub fn api_key(&self) -> Option<Uuid> {
        self.api_key
    }

    /// The raw `X-Customer-Token` of a storefront request, not yet checked (see
    /// `customers::signed_in_customer`, which does).
    pub fn customer_token(&self) -> Option<&str> {
        self.customer_token.as_deref()
    }

    /// Where the request's signed-in customer is kept once the customer token has been
    /// checked, so a request checks it at most once.
    pub fn signed_in_cell(&self) -> &OnceCell<Result<Option<Uuid>, TenancyError>> {
        &self.signed_in
    }

    /// The staff member acting (from the admin key, or `X-Staff-Id` with an admin key).
    pub fn staff(&self) -> Option<&str> {
        self.staff.as_deref()
    }

    /// Who is acting, as recorded in histories and activity trails: `staff:<id>` when a
    /// staff member is known, else the role (`admin`, `storefront`, `anonymous`).
    pub fn actor(&self) -> String {
        match (&self.staff, self.role) {
            (Some(staff), _) => format!("staff:{staff}"),
            (None, Some(role)) => role.as_str().to_owned(),
            (None, None) => "anonymous".to_owned(),
        }
    }

    /// The tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// The caller's role: `None` when the request named a tenant without a token.
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// The store the request is in (`X-Store` or the store domain), if any.
    pub fn store(&self) -> Option<&str> {
        self.store.as_deref()
    }

    /// Refuses callers below `need` (admin includes storefront).
    pub fn require(&self, need: Role) -> Result<(), TenancyError> {
        match self.role {
            Some(have) if have >= need => Ok(()),
            have => Err(role_error(have, need)),
        }
    }

    /// The request's tenant connection, checked out on first use. Holders are served one
    /// at a time (a PostgreSQL connection runs one statement at a time anyway).
    pub async fn conn(&self) -> Result<MappedMutexGuard<'_, TenantConn>, DbError> {
        let mut guard = self.conn.lock().await;
        if guard.is_none() {
            *guard = Some(tenant_connection(&self.pool, &self.schema).await?);
        }
        Ok(MutexGuard::map(guard, |conn| conn.as_mut().expect("connection set above")))
    }

    /// Ends the request's database work once execution is over, before the response is
    /// sent: behind a transaction pooler this commits the request's one transaction (see
    /// [`TenantConn::finish`]). `Ok` means everything the request wrote is committed (or
    /// the request took no connection); an error means nothing it wrote is, and the
    /// response must be replaced by that error. The connection goes back to the pool
    /// either way; calling it again does nothing.
    pub async fn finish(&self) -> Result<(), DbError> {
        let mut guard = self.conn.lock().await;
        let result = match guard.as_mut() {
            Some(conn) => conn.finish().await,
            None => Ok(()),
        };
        *guard = None;
        result
    }
}
