//! Admin mutations on attribute sets (product templates).

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data::{self, SET_CODE_TAKEN};
use super::loaders::MembersBySet;
use super::model::{AttributeSet, NewMember, SetMember};
use super::validate;
use crate::graphql::{MutationError, UserErrorCode, UserErrors, caller_scope, loader};
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// Most attributes one set holds.
const MAX_MEMBERS: usize = 200;

/// One attribute of a set.
#[derive(InputObject)]
pub struct AttributeSetMemberInput {
    /// The attribute's code.
    code: String,
    /// Whether products of the set must have a value for it.
    #[graphql(default)]
    required: bool,
}

/// A new attribute set.
#[derive(InputObject)]
pub struct AttributeSetCreateInput {
    /// Business key, unique in the tenant: a lowercase letter, then up to 39 of `a-z 0-9 _`.
    code: String,
    /// Display name.
    name: String,
    /// Its attributes, in order.
    #[graphql(default)]
    attributes: Vec<AttributeSetMemberInput>,
}

/// Changes to an attribute set; fields left out stay as they are.
#[derive(InputObject)]
pub struct AttributeSetUpdateInput {
    /// The set to change.
    id: ID,
    /// New code.
    code: Option<String>,
    /// New display name.
    name: Option<String>,
    /// Its attributes, in order, replacing the ones it has.
    attributes: Option<Vec<AttributeSetMemberInput>>,
}

crate::payload!(
    /// The result of an attribute set mutation.
    AttributeSetPayload {
        /// The set as it is now; null when the mutation was refused.
        attribute_set: AttributeSet,
    }
);

/// A set as written, with its members (fed to the request's members loader).
type Written = (AttributeSet, Vec<SetMember>);

async fn payload(
    ctx: &Context<'_>,
    result: Result<Written, MutationError>,
) -> async_graphql::Result<AttributeSetPayload> {
    let result = match result {
        Ok((set, members)) => {
            loader(ctx, MembersBySet::new)?.feed_one(set.id, members).await;
            Ok(set)
        }
        Err(e) => Err(e),
    };
    AttributeSetPayload::from_outcome(result)
}

/// What a set's unique constraint means to the client.
const CONFLICTS: &[Violation] =
    &[Violation::new(SET_CODE_TAKEN, "code", UserErrorCode::Duplicate, "another attribute set has this code")];

/// Checks the member list at `input.attributes` (codes present, none twice).
fn member_codes(errors: &mut UserErrors, input: &[AttributeSetMemberInput]) -> Vec<(String, bool)> {
    if input.len() > MAX_MEMBERS {
        errors.add("attributes", UserErrorCode::Invalid, format!("a set has at most {MAX_MEMBERS} attributes"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    input
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let code = member.code.trim().to_owned();
            let path = ["attributes", &i.to_string(), "code"];
            if code.is_empty() {
                errors.add_at(&path, UserErrorCode::Required, "code is required");
            } else if !seen.insert(code.clone()) {
                errors.add_at(&path, UserErrorCode::Duplicate, format!("attribute '{code}' is listed twice"));
            }
            (code, member.required)
        })
        .collect()
}

/// Resolves member codes to attributes; unknown codes are NOT_FOUND at their item.
async fn resolve_members(
    conn: &mut AsyncPgConnection,
    members: &[(String, bool)],
) -> Result<Vec<NewMember>, MutationError> {
    let codes: Vec<String> = members.iter().map(|(code, _)| code.clone()).collect();
    let found = data::definitions_by_code(conn, &codes).await?;
    let mut errors = UserErrors::default();
    let resolved = members
        .iter()
        .enumerate()
        .filter_map(|(i, (code, required))| match found.get(code) {
            Some(definition) => Some(NewMember { attribute_id: definition.id, required: *required }),
            None => {
                errors.add_at(
                    &["attributes", &i.to_string(), "code"],
                    UserErrorCode::NotFound,
                    format!("there is no attribute '{code}'"),
                );
                None
            }
        })
        .collect();
    if errors.is_empty() { Ok(resolved) } else { Err(errors.into()) }
}

async fn members(conn: &mut AsyncPgConnection, set: Uuid) -> Result<Vec<SetMember>, MutationError> {
    Ok(data::members_of(conn, &[set]).await?.remove(&set).unwrap_or_default())
}

/// Attribute set mutations (admin only).
#[derive(Default)]
pub struct AttributeSetMutation;

#[Object]
impl AttributeSetMutation {
    /// Creates an attribute set with its ordered attributes, all or nothing.
    async fn attribute_set_create(
        &self,
        ctx: &Context<'_>,
        input: AttributeSetCreateInput,
    ) -> async_graphql::Result<AttributeSetPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let code = validate::code(&mut errors, &["code"], &input.code);
        let name = validate::required_text(&mut errors, &["name"], &input.name, 200);
        let listed = member_codes(&mut errors, &input.attributes);
        if !errors.is_empty() {
            return payload(ctx, Err(errors.into())).await;
        }
        let result = crate::in_transaction!(scope, async |conn| {
            let resolved = resolve_members(conn, &listed).await?;
            let set = data::insert_set(conn, &code, &name, &resolved).await.map_err(refused(CONFLICTS))?;
            let members = members(conn, set.id).await?;
            Ok((set, members))
        });
        payload(ctx, result).await
    }

    /// Changes an attribute set's code or name, and replaces its attributes when given.
    async fn attribute_set_update(
        &self,
        ctx: &Context<'_>,
        input: AttributeSetUpdateInput,
    ) -> async_graphql::Result<AttributeSetPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let code = input.code.as_deref().map(|c| validate::code(&mut errors, &["code"], c));
        let name = input.name.as_deref().map(|n| validate::required_text(&mut errors, &["name"], n, 200));
        let listed = input.attributes.as_deref().map(|m| member_codes(&mut errors, m));
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return payload(ctx, Err(errors.into())).await;
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let set = data::update_set(conn, id, code.as_deref(), name.as_deref())
                .await
                .map_err(refused(CONFLICTS))?
                .ok_or_else(|| {
                MutationError::user("id", UserErrorCode::NotFound, "no attribute set has this id")
            })?;
            if let Some(listed) = &listed {
                let resolved = resolve_members(conn, listed).await?;
                data::replace_members(conn, id, &resolved).await?;
            }
            let members = members(conn, id).await?;
            Ok((set, members))
        });
        payload(ctx, result).await
    }
}
