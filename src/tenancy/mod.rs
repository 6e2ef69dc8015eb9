//! Who is asking: the control plane (tenants, API keys, store domains), the resolution of
//! a request to its tenant, store and role, and tenant provisioning.

mod control;
mod finish;
mod lookup_cache;
mod model;
mod provision;
mod query;
mod resolve;
mod scope;
mod slug;
mod token;

pub use control::{ApiKeyInfo, ControlPlane, DOMAIN_TAKEN_CONSTRAINT, set_store_domain};
pub use finish::FinishScope;
pub use model::{Role, Tenant, TenantStatus};
pub use provision::{ProvisionError, create_tenant, create_tenant_on, drop_tenant};
pub use query::TenantQuery;
pub use resolve::{Caller, Credentials, TenancyError, TenancyErrorCode, resolve};
pub use scope::TenantScope;
pub use slug::{Slug, SlugError};
pub use token::{ApiToken, hash_token, mint_secret};
