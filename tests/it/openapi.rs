//! `/api/openapi.json` describes what the server does: every documented
//! operation exists and, called plainly, answers one of its documented statuses.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::Value;

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let app = TestApp::new();
    let token = app.user("alice");
    let thread = app.conversation(&token, "t").await;
    let r = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(r.header("content-type"), "application/json");
    let doc: Value = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 13);
    let mut checked = 0;
    for (template, operations) in paths {
        let uri = template
            .replace("{id}", &thread)
            .replace("{thread_id}", &thread)
            .replace("{artifact_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{path}", "mnt/user-data/outputs/missing.txt")
            .replace("{filename}", "missing.txt");
        for (method, operation) in operations.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let mut req = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"));
            let body = if method == Method::POST {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from("{}")
            } else {
                Body::empty()
            };
            let r = app.send(req.body(body).unwrap()).await;
            let documented: Vec<&String> = operation["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|s| *s == r.status.as_str()),
                "{method} {template} answered {} ({}), documented: {documented:?}",
                r.status,
                r.text()
            );
            let unauthenticated =
                app.send(Request::builder().method(method.clone()).uri(&uri).body(Body::empty()).unwrap()).await;
            assert_eq!(unauthenticated.status, 401, "{method} {template} without credentials");
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}
