//! Resolving a request to its tenant, store and role. A request may name its
//! tenant by API token, by `X-Tenant`, or by the host of a registered store domain; every
//! name given must agree. Nothing a request sends reaches SQL as text: the slug is
//! validated first and every value is a bound parameter.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::control::ControlPlane;
use super::model::{Role, Tenant};
use super::scope::TenantScope;
use super::slug::Slug;
use crate::db::{DbError, Failure, Pool};

static STAFF_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,119}$").expect("valid regex"));
static STORE_CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9_-]{0,39}$").expect("valid regex"));
static HOSTNAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$").expect("valid regex")
});

/// What a request says about who it is, as raw header values.
#[derive(Debug, Default, Clone)]
pub struct Credentials {
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `X-Tenant` header.
    pub tenant: Option<String>,
    /// The `Host` header.
    pub host: Option<String>,
    /// The `X-Store` header.
    pub store: Option<String>,
    /// The `X-Staff-Id` header: the staff member acting through an admin key that
    /// belongs to no one in particular.
    pub staff: Option<String>,
    /// The `X-Customer-Token` header: a storefront acting for a signed-in customer. It is
    /// checked only when a resolver asks who the customer is
    /// (`customers::signed_in_customer`).
    pub customer_token: Option<String>,
}

/// The `extensions.code` of a refused request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenancyErrorCode {
    /// No such tenant, or a slug that cannot be one.
    TenantNotFound,
    /// The tenant exists but is suspended.
    TenantSuspended,
    /// No valid credentials for what was asked.
    Unauthenticated,
    /// Valid credentials that do not allow what was asked.
    Forbidden,
    /// The control plane could not be reached (or the connection was lost).
    Unavailable,
    /// A control-plane statement ran too long.
    Timeout,
    /// No control-plane connection came free in time.
    Busy,
}

impl TenancyErrorCode {
    /// Whether a client should simply try again (`extensions.retryable`).
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Unavailable | Self::Timeout | Self::Busy)
    }

    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenantNotFound => "TENANT_NOT_FOUND",
            Self::TenantSuspended => "TENANT_SUSPENDED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::Unavailable => "DATABASE_UNAVAILABLE",
            Self::Timeout => "TIMEOUT",
            Self::Busy => "BUSY",
        }
    }
}

/// A refusal: its code and a message for the caller.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TenancyError {
    /// What kind of refusal.
    pub code: TenancyErrorCode,
    /// What to tell the caller.
    pub message: String,
}

impl TenancyError {
    /// A refusal with this code and message.
    pub fn new(code: TenancyErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<DbError> for TenancyError {
    fn from(e: DbError) -> Self {
        tracing::warn!(error = %crate::graphql::log_excerpt(&e.to_string()), "control-plane lookup failed");
        match e.failure() {
            Failure::Timeout => Self::new(TenancyErrorCode::Timeout, "the tenant directory took too long, try again"),
            Failure::Busy => Self::new(TenancyErrorCode::Busy, "the tenant directory is busy, try again shortly"),
            Failure::Unavailable | Failure::Other => {
                Self::new(TenancyErrorCode::Unavailable, "the tenant directory is unavailable, try again")
            }
        }
    }
}

/// Who a request is, once resolved.
#[derive(Clone)]
pub enum Caller {
    /// Named no tenant. Only tenant-free fields (introspection) can be answered.
    Anonymous,
    /// Resolved to a tenant (with a role if it carried a valid token).
    Tenant(Arc<TenantScope>),
    /// Refused; every tenant field answers with this error, and no tenant query runs.
    Rejected(TenancyError),
}

impl Caller {
    /// The tenant's slug, for logs.
    pub fn tenant_slug(&self) -> Option<&str> {
        match self {
            Caller::Tenant(scope) => Some(&scope.tenant().slug),
            _ => None,
        }
    }
}

/// Resolves `credentials` to a [`Caller`].
pub async fn resolve(control: &ControlPlane, pool: &Pool, credentials: &Credentials) -> Caller {
    match resolve_inner(control, pool, credentials).await {
        Ok(caller) => caller,
        Err(error) => Caller::Rejected(error),
    }
}

fn bearer_token(header: &str) -> Result<&str, TenancyError> {
    let (scheme, token) = header.trim().split_once(' ').unwrap_or((header, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(TenancyError::new(
            TenancyErrorCode::Unauthenticated,
            "the Authorization header must be 'Bearer <token>'",
        ));
    }
    Ok(token)
}

/// The host part of a `Host` header, lowercased, if it could be a registered store domain
/// (a dotted DNS name; IP addresses and `localhost` never are).
fn store_domain_of(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_owned(),
        _ => host,
    };
    let name = name.trim_end_matches('.');
    let is_ip = name.parse::<std::net::IpAddr>().is_ok();
    (!is_ip && HOSTNAME.is_match(name)).then(|| name.to_owned())
}

async fn resolve_inner(control: &ControlPlane, pool: &Pool, credentials: &Credentials) -> Result<Caller, TenancyError> {
    // Validate everything the request sent before any lookup.
    let slug = match credentials.tenant.as_deref() {
        Some(value) => Some(
            Slug::parse(value.trim())
                .map_err(|e| TenancyError::new(TenancyErrorCode::TenantNotFound, e.to_string()))?,
        ),
        None => None,
    };
    let token = credentials.authorization.as_deref().map(bearer_token).transpose()?;
    let header_store = match credentials.store.as_deref().map(str::trim) {
        Some(code) if STORE_CODE.is_match(code) => Some(code.to_owned()),
        Some(code) => {
            let shown: String = code.chars().take(48).collect();
            return Err(TenancyError::new(
                TenancyErrorCode::Forbidden,
                format!("X-Store \"{}\" is not a valid store code", shown.escape_debug()),
            ));
        }
        None => None,
    };

    let header_staff = match credentials.staff.as_deref().map(str::trim) {
        Some(id) if STAFF_ID.is_match(id) => Some(id.to_owned()),
        Some(_) => {
            return Err(TenancyError::new(
                TenancyErrorCode::Forbidden,
                "X-Staff-Id must be 1 to 120 of letters, digits and _ . @ -",
            ));
        }
        None => None,
    };

    let mut named: Vec<(&'static str, Tenant)> = Vec::new();
    let mut role = None;
    let mut key_staff = None;
    let mut key_id = None;
    if let Some(token) = token {
        match control.key_by_token(token).await? {
            Some((key, _)) if key.revoked_at.is_some() => {
                return Err(TenancyError::new(TenancyErrorCode::Unauthenticated, "this API token has been revoked"));
            }
            Some((key, tenant)) => {
                role = Some(key.role);
                key_staff = key.staff_id;
                key_id = Some(key.id);
                named.push(("the API token", tenant));
            }
            None => {
                return Err(TenancyError::new(TenancyErrorCode::Unauthenticated, "unknown API token"));
            }
        }
    }
    if let Some(slug) = &slug {
        match control.tenant_by_slug(slug).await? {
            Some(tenant) => named.push(("X-Tenant", tenant)),
            None => {
                return Err(TenancyError::new(TenancyErrorCode::TenantNotFound, format!("no tenant '{slug}'")));
            }
        }
    }
    let mut domain_store = None;
    if let Some(domain) = credentials.host.as_deref().and_then(store_domain_of) {
        if let Some((tenant, store_code)) = control.tenant_by_domain(&domain).await? {
            named.push(("the store domain", tenant));
            domain_store = Some(store_code);
        }
    }

    let Some((_, tenant)) = named.first() else {
        return Ok(Caller::Anonymous);
    };
    if let Some((source, _)) = named.iter().find(|(_, other)| other.id != tenant.id) {
        return Err(TenancyError::new(
            TenancyErrorCode::Forbidden,
            format!("{} and {source} name different tenants", named[0].0),
        ));
    }
    if !tenant.is_active() {
        return Err(TenancyError::new(
            TenancyErrorCode::TenantSuspended,
            format!("tenant '{}' is suspended", tenant.slug),
        ));
    }
    let store = match (domain_store, header_store) {
        (Some(a), Some(b)) if a != b => {
            return Err(TenancyError::new(
                TenancyErrorCode::Forbidden,
                "X-Store and the store domain name different stores",
            ));
        }
        (a, b) => a.or(b),
    };
    let staff = match (key_staff, header_staff) {
        (Some(a), Some(b)) if a != b => {
            return Err(TenancyError::new(
                TenancyErrorCode::Forbidden,
                "this API key belongs to another staff member than X-Staff-Id names",
            ));
        }
        (_, Some(_)) if role != Some(Role::Admin) => {
            return Err(TenancyError::new(TenancyErrorCode::Forbidden, "X-Staff-Id needs an admin token"));
        }
        (a, b) => a.or(b),
    };
    let customer_token = credentials.customer_token.as_deref().map(|t| t.trim().to_owned());
    if customer_token.is_some() && role == Some(Role::Admin) {
        return Err(TenancyError::new(
            TenancyErrorCode::Forbidden,
            "X-Customer-Token is for storefront tokens: an admin token acts for any customer",
        ));
    }
    let mut scope = TenantScope::new(pool.clone(), tenant.clone(), role, store, staff, customer_token)
        .map_err(|e| TenancyError::new(TenancyErrorCode::TenantNotFound, e.to_string()))?;
    if let Some(id) = key_id {
        scope = scope.with_api_key(id);
    }
    Ok(Caller::Tenant(Arc::new(scope)))
}

/// The role a resolved caller needs for an operation.
pub(crate) fn role_error(have: Option<Role>, need: Role) -> TenancyError {
    match have {
        None => TenancyError::new(TenancyErrorCode::Unauthenticated, "this operation needs an API token"),
        Some(_) => TenancyError::new(
            TenancyErrorCode::Forbidden,
            format!("this operation needs a{} {} token", if need == Role::Admin { "n" } else { "" }, need.as_str()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_domains_are_dns_names_only() {
        assert_eq!(store_domain_of("Shop.Example.com:8080").as_deref(), Some("shop.example.com"));
        assert_eq!(store_domain_of("shop.example.com.").as_deref(), Some("shop.example.com"));
        assert_eq!(store_domain_of("127.0.0.1:8080"), None);
        assert_eq!(store_domain_of("localhost:8080"), None);
        assert_eq!(store_domain_of("[::1]:8080"), None);
        assert_eq!(store_domain_of("a';drop.com"), None);
    }

    #[test]
    fn bearer_tokens_are_parsed_strictly() {
        assert_eq!(bearer_token("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_token("bearer  abc ").unwrap(), "abc");
        assert!(bearer_token("Basic abc").is_err());
        assert!(bearer_token("Bearer").is_err());
        assert!(bearer_token("abc").is_err());
    }
}
