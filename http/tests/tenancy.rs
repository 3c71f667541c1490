//! Every operation of `/openapi.json` that names a record, called with
//! another business's token on the first business's ids: "not found",
//! and nothing of the first business changes (R7, R8). The operations and
//! their parameters and bodies are read from the document, so a route
//! added later is walked too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{json, Map, Value};
use support::{monday_at, register, salon, Api, Db, Server};

on_both!(another_business_gets_not_found_on_every_operation_with_an_id);

/// The first business's records, by the kind a parameter names.
struct Records(BTreeMap<&'static str, String>);

impl Records {
    /// The id of the record a parameter or field names, if it names one.
    fn for_name(&self, name: &str) -> Option<String> {
        let kind = match name {
            "service_id" => "service",
            "staff_id" => "staff",
            "client_id" => "client",
            "booking_id" => "booking",
            "payment_id" => "payment",
            "block_id" => "block",
            "account_id" => "account",
            "resource_id" => "resource",
            "receivable_id" => "receivable",
            "delivery_id" => "delivery",
            _ => return None,
        };
        self.0.get(kind).cloned()
    }

    /// The id a path's `{id}` names: the kind is the segment before it.
    fn for_path(&self, path: &str, param: &str) -> Option<String> {
        if param != "id" {
            return self.for_name(param);
        }
        let before = path.split("/{id}").next()?.rsplit('/').next()?;
        let kind = match before {
            "services" => "service",
            "staff" => "staff",
            "clients" => "client",
            "bookings" => "booking",
            "payments" => "payment",
            "accounts" => "account",
            "resources" => "resource",
            "receivables" => "receivable",
            "messages" | "inbox" => "message",
            "webhooks" => "webhook",
            _ => return None,
        };
        self.0.get(kind).cloned()
    }
}

/// A value for a path parameter that names no record (a template's
/// topic, form and language), if it is one.
fn fixed(param: &str) -> Option<&'static str> {
    match param {
        "topic" => Some("booking_made"),
        "form" => Some("email"),
        "lang" => Some("pt-BR"),
        _ => None,
    }
}

/// A schema with its `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// A value for `schema`, the field `name`: the first business's id for a
/// field that names a record, else the schema's example, else a value
/// such a field takes, else a plain value of its type. Of an object, the
/// required fields and those that name a record. Notes in `named` whether
/// an id of the first business went in.
fn value_for(
    doc: &Value,
    schema: &Value,
    name: &str,
    records: &Records,
    named: &mut bool,
) -> Value {
    if let Some(id) = records.for_name(name) {
        *named = true;
        return json!(id);
    }
    let schema = resolve(doc, schema);
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    let start = monday_at(2, 15);
    let typical = match name {
        "email" => Some(json!("pessoa@example.com")),
        "password" => Some(json!("senha-bem-forte-123")),
        "role" => Some(json!("receptionist")),
        "start" => Some(json!(start.to_rfc3339())),
        "end" => Some(json!((start + Duration::hours(1)).to_rfc3339())),
        "amount" | "price" => Some(json!("10.00")),
        "method" => Some(json!("pix")),
        "phone" => Some(json!("(11) 98888-7777")),
        _ => None,
    };
    if let Some(value) = typical {
        return value;
    }
    match kind.as_str() {
        Some("object") => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut out = Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (field, property) in properties {
                    let names_a_record = records.for_name(field).is_some() || field == "services";
                    if required.contains(&field.as_str()) || names_a_record {
                        out.insert(
                            field.clone(),
                            value_for(doc, property, field, records, named),
                        );
                    }
                }
            }
            Value::Object(out)
        }
        Some("array") if name == "services" => {
            *named = true;
            json!([records.0["service"]])
        }
        Some("array") => json!([]),
        Some("integer") | Some("number") => json!(30),
        Some("boolean") => json!(false),
        Some("string") => json!("texto"),
        _ => Value::Null,
    }
}

/// Everything the first business holds, as its owner reads it.
async fn snapshot(owner: &Api, records: &Records) -> Vec<Value> {
    let mut reads = vec![
        "/v1/business".to_owned(),
        "/v1/services".to_owned(),
        "/v1/staff".to_owned(),
        "/v1/clients".to_owned(),
        "/v1/accounts".to_owned(),
        "/v1/bookings".to_owned(),
        format!("/v1/payments/{}", records.0["payment"]),
        "/v1/resources".to_owned(),
        "/v1/receivables".to_owned(),
        "/v1/commissions".to_owned(),
    ];
    let staff = &records.0["staff"];
    reads.push(format!("/v1/staff/{staff}/hours"));
    reads.push(format!("/v1/staff/{staff}/blocks"));
    let mut out = Vec::new();
    for path in reads {
        out.push(owner.get(&path).await.expect(200).body);
    }
    out
}

async fn another_business_gets_not_found_on_every_operation_with_an_id(db: Db) {
    // Webhooks to loopback (a closed port: deliveries fail and wait).
    let server = Server::start_with(db, &[("AGENDO_WEBHOOKS_ALLOW_INTERNAL", "true")]).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let owner = &shop.owner;
    let webhook = owner
        .post(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "events": ["booking_created"]}),
        )
        .await
        .expect(201)
        .text("id");
    let client = owner
        .post(
            "/v1/clients",
            json!({"name": "Maria", "phone": "(11) 98888-7777"}),
        )
        .await
        .expect(201)
        .text("id");
    let start = monday_at(0, 13);
    let booking = owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": staff, "client_id": client,
                "start": start.to_rfc3339()}),
        )
        .await
        .expect(201)
        .text("id");
    let payment = owner
        .post(
            "/v1/payments",
            json!({"client_id": client, "booking_id": booking, "method": "pix",
                "amount": "40.00", "state": "pending"}),
        )
        .await
        .expect(201)
        .body["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let block = owner
        .post(
            &format!("/v1/staff/{staff}/blocks"),
            json!({"start": (start + Duration::days(1)).to_rfc3339(),
                "end": (start + Duration::days(1) + Duration::hours(1)).to_rfc3339(),
                "reason": "dentista"}),
        )
        .await
        .expect(201)
        .text("id");
    let account = owner
        .post(
            "/v1/accounts",
            json!({"name": "Rita", "email": "rita@salao.com.br",
                "password": "agenda-cheia-hoje", "role": "receptionist"}),
        )
        .await
        .expect(201)
        .text("id");
    let resource = owner
        .post("/v1/resources", json!({"name": "Sala 1", "kind": "sala"}))
        .await
        .expect(201)
        .text("id");
    let receivable = owner
        .post(
            "/v1/receivables",
            json!({"client_id": client, "amount": "150.00", "due": "2026-03-10"}),
        )
        .await
        .expect(201)
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The worker in the server gathers the booking's line in Bia's inbox.
    let message = support::inbox_line(owner).await;
    let mut delivery = None;
    for _ in 0..200 {
        let log = owner
            .get(&format!("/v1/webhooks/{webhook}/deliveries"))
            .await
            .expect(200);
        if let Some(id) = log.body[0]["id"].as_str() {
            delivery = Some(id.to_owned());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let delivery = delivery.expect("the booking's webhook delivery");
    let records = Records(BTreeMap::from([
        ("message", message),
        ("webhook", webhook),
        ("delivery", delivery),
        ("resource", resource),
        ("receivable", receivable),
        ("service", service),
        ("staff", staff),
        ("client", client),
        ("booking", booking),
        ("payment", payment),
        ("block", block),
        ("account", account),
    ]));
    let before = snapshot(owner, &records).await;

    let other = register(&server, "Barbearia do Zé", "ze@barbearia.com.br").await;
    let doc = server
        .anonymous()
        .get("/openapi.json")
        .await
        .expect(200)
        .body;
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/")
            || path.starts_with("/v1/public")
            || path.starts_with("/v1/manage")
            || path.starts_with("/v1/feeds")
        {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let mut named = false;
            let mut concrete = path.clone();
            let mut query = Vec::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                match parameter["in"].as_str().unwrap() {
                    "path" if fixed(name).is_some() => {
                        let value = fixed(name).unwrap_or_default();
                        concrete = concrete.replace(&format!("{{{name}}}"), value);
                    }
                    "path" => {
                        let id = records
                            .for_path(path, name)
                            .unwrap_or_else(|| panic!("{method} {path}: what is {{{name}}}?"));
                        concrete = concrete.replace(&format!("{{{name}}}"), &id);
                        named = true;
                    }
                    // The first page: a cursor is the list's own.
                    "query" if name == "cursor" => {}
                    "query" => {
                        let value = match parameter.get("example") {
                            Some(example) if records.for_name(name).is_none() => example.clone(),
                            _ => value_for(&doc, &parameter["schema"], name, &records, &mut named),
                        };
                        let text = match value {
                            Value::String(text) => text,
                            Value::Null => continue,
                            other => other.to_string(),
                        };
                        query.push(format!("{name}={text}"));
                    }
                    _ => {}
                }
            }
            let body = match operation["requestBody"]["content"]["application/json"]["schema"] {
                Value::Null => None,
                ref schema => Some(value_for(&doc, schema, "body", &records, &mut named)),
            };
            if !named {
                continue;
            }
            walked += 1;
            if !query.is_empty() {
                concrete = format!("{concrete}?{}", query.join("&"));
            }
            let answer = other
                .owner
                .raw(
                    method.to_uppercase().parse().unwrap(),
                    &concrete,
                    "application/json",
                    body.as_ref()
                        .map_or_else(Vec::new, |b| b.to_string().into_bytes()),
                )
                .await;
            assert_eq!(
                answer.status.as_u16(),
                404,
                "{method} {path} with {body:?}: {}",
                answer.body
            );
            assert_eq!(answer.body["code"], "not_found", "{method} {path}");
        }
    }
    assert!(walked >= 25, "only {walked} operations name a record");
    assert_eq!(snapshot(owner, &records).await, before);
    server.stop().await;
}
