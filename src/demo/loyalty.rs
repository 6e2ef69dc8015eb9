//! The demo loyalty program: a point per currency unit, a point worth a cent, and three
//! tiers. Set before the demo orders are paid, so the demo customers' orders accrue
//! points. Setting it again sets the same program, so a re-run changes nothing.

use serde_json::json;

use super::run;
use crate::graphql::AppSchema;
use crate::tenancy::Caller;

const PROGRAM_SET: &str = "mutation($input: LoyaltyProgramSetInput!) { loyaltyProgramSet(input: $input) {
    program { active } userErrors { field code message } } }";

/// Sets the demo program of a tenant.
pub async fn create(schema: &AppSchema, caller: &Caller) -> anyhow::Result<()> {
    let input = json!({
        "active": true, "pointsPerUnit": "1", "pointValue": "0.01", "accountsPerStore": false,
        "tiers": [
            { "name": "Bronze", "minLifetimePoints": 0 },
            { "name": "Silver", "minLifetimePoints": 250 },
            { "name": "Gold", "minLifetimePoints": 1000 },
        ],
    });
    run(schema, caller, PROGRAM_SET, input).await?;
    Ok(())
}
