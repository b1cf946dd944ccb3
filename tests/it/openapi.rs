//! `/api/openapi.json` describes what the server does: every documented
//! operation exists and, called plainly, answers one of its documented
//! statuses, and needs credentials unless it says `security: []`.
//! (`tests/schemathesis.sh` checks much more, against the running server.)

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::Value;
use tower::ServiceExt;

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let app = TestApp::new();
    let token = app.user("alice");
    let thread = app.conversation(&token, "t").await;
    let link = app
        .post("/api/shares", &token, serde_json::json!({ "conversation_id": thread, "expires_in_seconds": 3600 }))
        .await;
    let share = link.json()["url"].as_str().unwrap().trim_start_matches("/s/").to_string();
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
            .replace("{filename}", "missing.txt")
            .replace("{token}", &share);
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
            // An event stream does not end: only its status is read.
            let (status, text) = if operation["responses"]["200"]["content"].get("text/event-stream").is_some() {
                (app.router.clone().oneshot(req.body(body).unwrap()).await.unwrap().status(), String::new())
            } else {
                let r = app.send(req.body(body).unwrap()).await;
                (r.status, r.text())
            };
            let documented: Vec<&String> = operation["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|s| *s == status.as_str()),
                "{method} {template} answered {status} ({text}), documented: {documented:?}"
            );
            let unauthenticated =
                app.send(Request::builder().method(method.clone()).uri(&uri).body(Body::empty()).unwrap()).await;
            // Public operations answer the same without credentials.
            let public = operation["security"].as_array().is_some_and(Vec::is_empty);
            let expected = if public { status.as_u16() } else { 401 };
            assert_eq!(unauthenticated.status, expected, "{method} {template} without credentials");
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}

/// Every `/api/...` answer is JSON `{"detail"}`, for paths and methods that
/// do not exist too; pages keep their HTML 404.
#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json() {
    let app = TestApp::new();
    let token = app.user("alice");
    for path in ["/api/nothing", "/api/conversations/x/y/z", "/api/", "/api"] {
        let r = app.get(path, &token).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.header("content-type"), "application/json", "{path}");
        assert_eq!(r.json()["detail"], format!("No API endpoint at {path}"));
    }
    let r = app.call(Method::PUT, "/api/conversations", Some(&token), None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), "POST,GET,HEAD");
    assert_eq!(r.json(), serde_json::json!({ "detail": "Method not allowed" }));
    let r = app.call(Method::POST, "/api/openapi.json", None, None).await;
    assert_eq!((r.status.as_u16(), r.json()["detail"].as_str()), (405, Some("Method not allowed")));
    let page = app.call(Method::GET, "/no-such-page", None, None).await;
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").starts_with("text/html"), "{}", page.header("content-type"));
}
