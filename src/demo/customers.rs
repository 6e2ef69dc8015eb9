//! Demo customers: six per tenant, with saved addresses, a login reported by the identity
//! system and a customer-service note, all made through the API. A customer whose email
//! exists already (the demo ran before) is left as it is.

use serde_json::{Value, json};

use super::run;
use crate::graphql::AppSchema;
use crate::tenancy::Caller;

/// The staff member the demo's notes are written by (sent as `X-Staff-Id`).
pub const DEMO_STAFF: &str = "demo.support";

const CUSTOMER_CREATE: &str = "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } userErrors { field code message } } }";
const ADDRESS_CREATE: &str = "mutation($input: CustomerAddressCreateInput!) { customerAddressCreate(input: $input) { userErrors { field code message } } }";
const ACTIVITY_RECORD: &str = "mutation($input: CustomerActivityRecordInput!) { customerActivityRecord(input: $input) { userErrors { field code message } } }";
const NOTE_CREATE: &str = "mutation($input: CustomerNoteCreateInput!) { customerNoteCreate(input: $input) { userErrors { field code message } } }";

/// One demo customer: profile, addresses (the first becomes both defaults) and, maybe, a
/// note.
struct Person {
    profile: Value,
    addresses: Vec<Value>,
    note: Option<&'static str>,
}

fn address(first: &str, last: &str, line1: &str, city: &str, postal: &str, country: &str) -> Value {
    json!({ "firstName": first, "lastName": last, "line1": line1, "city": city, "postalCode": postal, "country": country })
}

fn people(slug: &str) -> Vec<Person> {
    let person = |email: &str, first: &str, last: &str, locale: &str, consent: bool| {
        json!({ "email": email, "firstName": first, "lastName": last, "locale": locale, "marketingConsent": consent,
                "authSubject": format!("demo|{email}") })
    };
    match slug {
        "demo_apparel" => vec![
            Person {
                profile: person("emma.schulz@example.com", "Emma", "Schulz", "de-DE", true),
                addresses: vec![
                    address("Emma", "Schulz", "Kastanienallee 12", "Berlin", "10435", "DE"),
                    address("Emma", "Schulz", "Rosenthaler Str. 40", "Berlin", "10178", "DE"),
                ],
                note: Some("Prefers delivery after 6 pm; ring twice."),
            },
            Person {
                profile: person("lukas.weber@example.com", "Lukas", "Weber", "de-DE", false),
                addresses: vec![address("Lukas", "Weber", "Sendlinger Str. 7", "München", "80331", "DE")],
                note: None,
            },
            Person {
                profile: person("olivia.brown@example.com", "Olivia", "Brown", "en-US", true),
                addresses: vec![address("Olivia", "Brown", "350 5th Ave", "New York", "10118", "US")],
                note: Some("Asked about the linen shirt in XXL; notify when restocked."),
            },
            Person {
                profile: person("james.miller@example.com", "James", "Miller", "en-US", false),
                addresses: vec![address("James", "Miller", "1 Market St", "San Francisco", "94105", "US")],
                note: None,
            },
            Person {
                profile: person("sophia.garcia@example.com", "Sophia", "Garcia", "en-US", true),
                addresses: vec![
                    address("Sophia", "Garcia", "233 S Wacker Dr", "Chicago", "60606", "US"),
                    address("Sophia", "Garcia", "100 Congress Ave", "Austin", "78701", "US"),
                ],
                note: None,
            },
            Person {
                profile: person("mia.hoffmann@example.com", "Mia", "Hoffmann", "de-DE", false),
                addresses: vec![address("Mia", "Hoffmann", "Jungfernstieg 1", "Hamburg", "20354", "DE")],
                note: Some("Returned a wool coat: sleeves too long. Suggested size S."),
            },
        ],
        _ => vec![
            Person {
                profile: person("oliver.smith@example.com", "Oliver", "Smith", "en-GB", true),
                addresses: vec![address("Oliver", "Smith", "221B Baker Street", "London", "NW1 6XE", "GB")],
                note: Some("Laptop arrived with a dented corner; replacement sent."),
            },
            Person {
                profile: person("amelia.jones@example.com", "Amelia", "Jones", "en-GB", false),
                addresses: vec![
                    address("Amelia", "Jones", "10 Deansgate", "Manchester", "M3 2BW", "GB"),
                    address("Amelia", "Jones", "5 Queen Street", "Edinburgh", "EH2 1JE", "GB"),
                ],
                note: None,
            },
            Person {
                profile: person("harry.taylor@example.com", "Harry", "Taylor", "en-GB", true),
                addresses: vec![address("Harry", "Taylor", "1 Broad Street", "Bristol", "BS1 2EJ", "GB")],
                note: None,
            },
            Person {
                profile: person("haruto.sato@example.com", "Haruto", "Sato", "ja-JP", false),
                addresses: vec![address("Haruto", "Sato", "1-1 Marunouchi", "Tokyo", "100-0005", "JP")],
                note: Some("Wants the Echo Buds in white when they come to the JP store."),
            },
            Person {
                profile: person("yui.suzuki@example.com", "Yui", "Suzuki", "ja-JP", true),
                addresses: vec![address("Yui", "Suzuki", "2-4 Umeda", "Osaka", "530-0001", "JP")],
                note: None,
            },
            Person {
                profile: person("isla.wilson@example.com", "Isla", "Wilson", "en-GB", false),
                addresses: vec![address("Isla", "Wilson", "3 Castle Street", "Cardiff", "CF10 1BS", "GB")],
                note: None,
            },
        ],
    }
}

/// Creates the demo customers of tenant `slug`: profiles, addresses and a LOGIN through
/// `admin`, notes through `staff` (an admin caller with a staff member).
pub async fn create(schema: &AppSchema, admin: &Caller, staff: &Caller, slug: &str) -> anyhow::Result<()> {
    for person in people(slug) {
        let Some(created) = run(schema, admin, CUSTOMER_CREATE, person.profile).await? else {
            continue;
        };
        let id = created["customer"]["id"].clone();
        for address in person.addresses {
            run(schema, admin, ADDRESS_CREATE, json!({ "customerId": id, "address": address })).await?;
        }
        let login = json!({ "customerId": id, "kind": "LOGIN", "detail": "demo sign-in from the storefront" });
        run(schema, admin, ACTIVITY_RECORD, login).await?;
        if let Some(body) = person.note {
            run(schema, staff, NOTE_CREATE, json!({ "customerId": id, "body": body })).await?;
        }
    }
    Ok(())
}
