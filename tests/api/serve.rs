//! `storegraph serve` as a newcomer runs it: no DATABASE_URL, its own PostgreSQL cluster,
//! demo data, GraphiQL; stopped with SIGTERM, started again with its data kept.

use std::process::Command;

use serde_json::{Value, json};

use crate::fixtures::server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_its_own_postgres_with_demo_data_and_stops_cleanly() {
    let data_dir = std::env::temp_dir().join(format!("storegraph-test-serve-{}", uuid::Uuid::new_v4()));
    let http = reqwest::Client::new();

    let mut server = start(&data_dir, true);
    wait_ready(&http, &mut server).await;
    let (admin, storefront) = demo_tokens(&server);

    let body = stores(&http, &server.base, &storefront).await;
    assert_eq!(body["data"]["tenant"]["slug"], "demo_apparel", "{body}");
    assert_eq!(body["data"]["stores"]["edges"].as_array().unwrap().len(), 2, "{body}");
    // The demo catalog: 7 active apparel products (one is a draft), 4 sizes per colour.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&storefront)
        .json(&json!({ "query": "{ products(first: 50) { totalCount edges { node { slug variants { sku price { amount } } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["products"]["totalCount"], 7, "{body}");
    let shirt = &body["data"]["products"]["edges"][0]["node"];
    assert_eq!(shirt["slug"], "linen-shirt");
    assert_eq!(shirt["variants"].as_array().unwrap().len(), 12);
    assert_eq!(shirt["variants"][0]["price"]["amount"], "39.90");
    assert_eq!(shirt["variants"][3]["price"]["amount"], "44.90");
    // The two stores differ: the German store's own name and price, the US store without
    // the wool coat, and the running winter sale on the sweater.
    let store_page = "query($store: String) { products(first: 50, store: $store) { totalCount edges { node { slug name price { amount currency } } } } }";
    let mut by_store = Vec::new();
    for store in ["de", "us"] {
        let body: Value = http
            .post(format!("{}/graphql", server.base))
            .bearer_auth(&storefront)
            .json(&json!({ "query": store_page, "variables": { "store": store } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        by_store.push(body);
    }
    let de = &by_store[0]["data"]["products"];
    assert_eq!(
        de["edges"][0]["node"],
        json!({ "slug": "linen-shirt", "name": "Leinenhemd", "price": { "amount": "37.90", "currency": "EUR" } }),
        "{de}"
    );
    assert_eq!(by_store[1]["data"]["products"]["totalCount"], 6, "{}", by_store[1]);
    let sweater = by_store[1]["data"]["products"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["slug"] == "merino-sweater")
        .cloned()
        .unwrap();
    assert_eq!(sweater["node"]["price"], json!({ "amount": "69.00", "currency": "USD" }));
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&storefront)
        .json(&json!({ "query": "{ products(filter: { attributes: [{ code: \"material\", values: [\"cotton\"] }, { code: \"fit\", values: [\"slim\"] }] }) { edges { node { slug } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["products"]["edges"],
        json!([{ "node": { "slug": "oxford-shirt" } }, { "node": { "slug": "chino-trousers" } }]),
        "{body}"
    );
    // …placed in the demo category tree.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&storefront)
        .json(
            &json!({ "query": "{ categories { slug products { totalCount } children { slug children { slug } } } }" }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clothing = &body["data"]["categories"][0];
    assert_eq!(clothing["slug"], "clothing", "{body}");
    assert_eq!(clothing["products"]["totalCount"], 7, "every active product is under clothing: {body}");
    let children: Vec<&str> =
        clothing["children"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(children, ["bottoms", "outerwear", "tops"]);
    assert_eq!(clothing["children"][2]["children"], json!([{ "slug": "knitwear" }, { "slug": "shirts" }]));

    // Demo customers, with addresses, a login and notes by the demo's staff member.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ customers(first: 20) { totalCount edges { node { email defaultShippingAddress { address { city } } notes { staffId } activity(first: 5) { edges { node { kind } } } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["customers"]["totalCount"], 6, "{body}");
    let emma = &body["data"]["customers"]["edges"][0]["node"];
    assert_eq!(emma["email"], "emma.schulz@example.com");
    assert_eq!(emma["defaultShippingAddress"]["address"]["city"], "Berlin");
    assert_eq!(emma["notes"], json!([{ "staffId": "demo.support" }]));
    let kinds: Vec<&str> =
        emma["activity"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["ORDER_PAID", "ORDER_PLACED", "NOTE_ADDED", "LOGIN", "SIGNUP"],
        "her demo order was placed and paid"
    );

    // The demo loyalty program: Emma's paid order earned her points.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ loyaltyProgram { active tiers { name } } customer(email: \"emma.schulz@example.com\") { loyaltyAccounts { balance lifetimePoints tier { name } transactions { edges { node { kind } } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["loyaltyProgram"]["tiers"].as_array().map(Vec::len), Some(3), "{body}");
    let accounts = body["data"]["customer"]["loyaltyAccounts"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(accounts.len(), 1, "{body}");
    assert!(accounts[0]["balance"].as_i64().unwrap() > 0, "{body}");
    assert_eq!(accounts[0]["balance"], accounts[0]["lifetimePoints"], "{body}");
    assert_eq!(accounts[0]["transactions"]["edges"][0]["node"]["kind"], "ACCRUAL", "{body}");

    // A history of orders in every state, by customers and guests, and a marketplace import.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ orders(first: 50) { totalCount edges { node { status channel customer { email } items { sku } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let edges = body["data"]["orders"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
    let mut statuses: Vec<&str> = edges.iter().map(|e| e["node"]["status"].as_str().unwrap()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(statuses, ["CANCELLED", "COMPLETED", "FULFILLED", "PAID", "PARTIALLY_REFUNDED", "PENDING"], "{body}");
    assert_eq!(body["data"]["orders"]["totalCount"], 14, "{body}");
    assert!(edges.iter().any(|e| e["node"]["channel"] == "EXTERNAL"));
    assert!(
        edges.iter().any(|e| e["node"]["customer"].is_object())
            && edges.iter().any(|e| e["node"]["customer"].is_null())
    );

    // A running campaign whose coupons the demo orders used.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ promotionCampaigns(first: 5) { edges { node { name status figures { redemptions } coupons { totalCount } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let campaign = &body["data"]["promotionCampaigns"]["edges"][0]["node"];
    assert_eq!(
        (campaign["status"].as_str(), campaign["coupons"]["totalCount"].as_i64()),
        (Some("ACTIVE"), Some(3)),
        "{body}"
    );
    assert_eq!(campaign["figures"]["redemptions"], 3, "{body}");

    // Royalty rules were in place before the demo orders were paid, so the paid orders
    // carry allocations, and the partially refunded one reversed its share.
    let body: Value = http
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ royaltyRules { totalCount } royaltyTotals { beneficiary currency sales { amount } reversals { amount } allocationCount } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["royaltyRules"]["totalCount"], 3, "{body}");
    let totals = body["data"]["royaltyTotals"].as_array().unwrap_or_else(|| panic!("{body}"));
    let studio: Vec<&str> = totals
        .iter()
        .filter(|t| t["beneficiary"] == "Northwind Design Studio" && t["allocationCount"].as_i64() > Some(0))
        .map(|t| t["currency"].as_str().unwrap())
        .collect();
    assert_eq!(studio, ["EUR", "USD"], "the category rule earns in both stores' currencies: {body}");
    assert!(totals.iter().any(|t| t["reversals"]["amount"].as_str().unwrap().starts_with('-')), "{body}");

    // GraphiQL comes with the demo tenant's token filled in.
    let page = http.get(format!("{}/graphiql", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("Bearer {admin}")));

    // The CLI finds the running cluster in the same data folder.
    let list = Command::new(env!("CARGO_BIN_EXE_storegraph"))
        .args(["tenant", "list", "--data-dir"])
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("demo_electronics"), "{list:?}");

    stop(server);
    assert!(!postgres_running_in(&data_dir), "PostgreSQL outlived serve");

    // Started again, without --demo: the data and the tokens are still there.
    let mut server = start(&data_dir, false);
    wait_ready(&http, &mut server).await;
    let body = stores(&http, &server.base, &admin).await;
    assert_eq!(body["data"]["stores"]["edges"].as_array().unwrap().len(), 2, "{body}");
    stop(server);
    assert!(!postgres_running_in(&data_dir));
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[test]
fn a_data_folder_postgres_cannot_reach_still_gets_a_cluster() {
    use std::os::unix::fs::PermissionsExt;
    use storegraph::db::embedded::{ClusterOptions, EmbeddedPostgres, cluster_dir};

    if !nix::unistd::Uid::effective().is_root() {
        return; // only root hands the cluster to another user
    }
    // Like a checkout under /root: a folder only its owner may enter.
    let private = std::env::temp_dir().join(format!("storegraph-test-private-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let data_dir = private.join("data");

    let elsewhere = cluster_dir(&data_dir).unwrap();
    assert_ne!(elsewhere, data_dir);
    assert_eq!(cluster_dir(&data_dir).unwrap(), elsewhere, "the same folder every time");
    let cluster = EmbeddedPostgres::start(&ClusterOptions::throwaway(data_dir.clone())).unwrap();
    assert_eq!(storegraph::db::embedded::running_port(&data_dir), Some(cluster.port()));
    cluster.stop();
    std::fs::remove_dir_all(&elsewhere).unwrap();
    let _ = std::fs::remove_dir(elsewhere.parent().unwrap()); // only if nothing else lives there
    std::fs::remove_dir_all(&private).unwrap();
}
