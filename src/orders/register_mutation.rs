//! `posRegisterCreate`: adds a till at a location.

use async_graphql::{Context, ID, InputObject, Object};

use super::model::RegisterRow;
use super::register_data::{self, REGISTER_CODE_CONSTRAINT};
use crate::graphql::{GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// A new POS register.
#[derive(InputObject)]
pub struct PosRegisterCreateInput {
    /// Business key, unique in the tenant.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The location it sells from, by id…
    pub location_id: Option<ID>,
    /// …or by code.
    pub location_code: Option<String>,
}

crate::payload!(
    /// The result of `posRegisterCreate`.
    PosRegisterPayload {
        /// The register; null when refused.
        register: RegisterRow,
    }
);

/// What a register's unique code means to the client.
const CONFLICTS: &[Violation] =
    &[Violation::new(REGISTER_CODE_CONSTRAINT, "code", UserErrorCode::Duplicate, "another register has this code")];

/// POS register mutations (admin only).
#[derive(Default)]
pub struct PosRegisterMutation;

#[Object]
impl PosRegisterMutation {
    /// Adds a register at an active location; POS orders rung up there take stock from it.
    async fn pos_register_create(
        &self,
        ctx: &Context<'_>,
        input: PosRegisterCreateInput,
    ) -> async_graphql::Result<PosRegisterPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let code = validate::code(&mut errors, &input.code);
        let name = validate::name(&mut errors, &input.name);
        let location_id = input.location_id.as_ref().and_then(|id| errors.id_at(&["locationId"], id));
        if input.location_id.is_some() == input.location_code.is_some() {
            errors.add("locationId", UserErrorCode::Required, "give exactly one of locationId or locationCode");
        }
        let result = if errors.is_empty() {
            let mut conn = scope.conn().await.gql()?;
            match crate::inventory::find_location(&mut conn, location_id, input.location_code.as_deref().map(str::trim))
                .await
            {
                Ok(Some(location)) if location.active => {
                    register_data::insert(&mut conn, location.id, &code, &name).await.map_err(refused(CONFLICTS))
                }
                Ok(_) => Err(MutationError::user("locationId", UserErrorCode::NotFound, "no such active location")),
                Err(e) => Err(MutationError::Db(e.into())),
            }
        } else {
            Err(errors.into())
        };
        PosRegisterPayload::from_outcome(result)
    }
}
