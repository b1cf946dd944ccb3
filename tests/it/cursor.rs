//! Walking the API's listings by cursor (`cursor`, `next_cursor`).

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashSet;

const ORDERS: [&str; 4] = ["newest", "oldest", "name", "size"];

/// Two conversations whose artifacts tie on every order's value: equal
/// names, equal sizes, several made by one tool result (one time).
async fn seeded() -> (TestApp, String, String, String) {
    let app = TestApp::new();
    let token = app.user("alice");
    let a = app.conversation(&token, "Alpha charts").await;
    let b = app.conversation(&token, "Beta").await;
    app.tool_result(&token, &a, &[("chart.png", b"png-1"), ("b.py", b"p(1)"), ("Chart.png", b"png-2")]).await;
    app.tool_result(&token, &b, &[("chart.png", b"png-3"), ("a.csv", b"1,2,3"), ("c.md", b"# abc")]).await;
    app.tool_result(&token, &a, &[("d.html", b"<p>1</p>"), ("e.png", b"png-4"), ("f.txt", b"12345")]).await;
    app.tool_result(&token, &b, &[("chart.svg", b"<svg/>"), ("g.py", b"p(2)")]).await;
    (app, token, a, b)
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// `base` (a listing with its query, without a page) page by page.
async fn page_walk(app: &TestApp, token: &str, base: &str) -> Vec<String> {
    let mut all = Vec::new();
    for page in 1.. {
        let r = app.get(&format!("{base}&size=2&page={page}"), token).await.json();
        all.extend(ids(&r));
        if r["next_cursor"].is_null() {
            assert!(ids(&app.get(&format!("{base}&size=2&page={}", page + 1), token).await.json()).is_empty());
            return all;
        }
    }
    unreachable!()
}

/// `base` from its first page by cursor, `size` at a time, the next
/// requests giving only the cursor; `between` runs after each page.
async fn cursor_walk(
    app: &TestApp,
    token: &str,
    base: &str,
    size: u32,
    mut between: impl AsyncFnMut(&Value),
) -> Vec<String> {
    let path = base.split('?').next().unwrap();
    let mut r = app.get(&format!("{base}&size={size}"), token).await.json();
    let mut all = Vec::new();
    loop {
        all.extend(ids(&r));
        between(&r).await;
        let Some(cursor) = r["next_cursor"].as_str() else { return all };
        assert_eq!(r["items"].as_array().unwrap().len(), size as usize, "only the last page is short");
        let next = app.get(&format!("{path}?cursor={cursor}&size={size}"), token).await;
        assert_eq!(next.status, StatusCode::OK, "{}", next.text());
        r = next.json();
    }
}

#[tokio::test]
async fn a_cursor_walk_is_the_page_walk_in_every_order_and_filter() {
    let (app, token, a, _) = seeded().await;
    for sort in ORDERS {
        for filter in ["", "&type=images", "&q=chart", "&type=images&q=CHART"] {
            for listing in ["/api/artifacts".to_string(), format!("/api/conversations/{a}/artifacts")] {
                let base = format!("{listing}?sort={sort}{filter}");
                let whole = ids(&app.get(&format!("{base}&size=100"), &token).await.json());
                assert_eq!(page_walk(&app, &token, &base).await, whole, "{base}");
                for size in [1, 2, 3] {
                    let walked = cursor_walk(&app, &token, &base, size, async |_| {}).await;
                    assert_eq!(walked, whole, "{base} by {size}");
                }
            }
        }
    }
    let whole = app.get("/api/artifacts?size=100", &token).await.json();
    assert_eq!((whole["total"].as_u64(), whole["next_cursor"].clone()), (Some(11), Value::Null), "one page: no cursor");
}

#[tokio::test]
async fn a_cursor_answer_keeps_its_filter_and_says_where_it_is() {
    let (app, token, _, _) = seeded().await;
    // Images whose name or conversation's title has "chart", by name.
    let first = app.get("/api/artifacts?type=images&q=chart&sort=name&size=2", &token).await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = app.get(&format!("/api/artifacts?cursor={cursor}&size=2"), &token).await.json();
    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_lowercase()).collect()
    };
    assert_eq!(names(&next), ["chart.png", "chart.svg"]);
    assert_eq!(
        (next["total"].as_u64(), next["counts"]["all"].as_u64(), next["page"].as_u64()),
        (Some(5), Some(8), Some(2))
    );
    // Repeating the cursor's own query is allowed.
    let same = app.get(&format!("/api/artifacts?cursor={cursor}&size=2&type=images&q=chart&sort=name"), &token).await;
    assert_eq!(same.json()["items"], next["items"]);
    let cursor = next["next_cursor"].as_str().unwrap();
    let last = app.get(&format!("/api/artifacts?cursor={cursor}&size=2"), &token).await.json();
    assert_eq!(
        (names(&last), last["page"].as_u64(), last["next_cursor"].clone()),
        (vec!["e.png".into()], Some(3), Value::Null)
    );
}

/// Artifacts added and deleted between pages: every artifact that was there
/// throughout is walked once, in its order, whichever was the last one seen.
#[tokio::test]
async fn a_cursor_walk_holds_while_artifacts_come_and_go() {
    for sort in ORDERS {
        let (app, token, a, _) = seeded().await;
        let base = format!("/api/artifacts?sort={sort}");
        let before = ids(&app.get(&format!("{base}&size=100"), &token).await.json());
        let (mut deleted, mut added) = (HashSet::new(), 0);
        let walked = cursor_walk(&app, &token, &base, 3, async |page: &Value| {
            // Newer, larger and earlier by name than anything: before the cursor
            // in newest, name and size order, after it in oldest.
            added += 1;
            let name = format!("0-new-{added}.txt");
            app.tool_result(&token, &a, &[(name.as_str(), "x".repeat(100).as_bytes())]).await;
            // The page's last item, and one not reached yet.
            let items = page["items"].as_array().unwrap();
            let later = before.iter().rev().find(|id| !deleted.contains(*id) && !ids(page).contains(*id));
            for item in items.last().into_iter().map(|i| i["id"].as_str().unwrap().to_string()).chain(later.cloned()) {
                let conversation = app.get("/api/artifacts?size=100", &token).await.json()["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["id"] == item.as_str())
                    .map(|i| i["conversation_id"].as_str().unwrap().to_string());
                let Some(conversation) = conversation else { continue };
                let r = app
                    .call(
                        Method::DELETE,
                        &format!("/api/conversations/{conversation}/artifacts/{item}"),
                        Some(&token),
                        None,
                    )
                    .await;
                assert_eq!(r.status, StatusCode::NO_CONTENT);
                deleted.insert(item);
            }
        })
        .await;
        let unique: HashSet<&String> = walked.iter().collect();
        assert_eq!(unique.len(), walked.len(), "{sort}: none twice");
        let throughout: Vec<&String> = before.iter().filter(|id| !deleted.contains(*id)).collect();
        let seen: Vec<&String> = walked.iter().filter(|id| before.contains(*id)).collect();
        assert!(!deleted.is_empty() && added > 2, "{sort}");
        for id in &throughout {
            assert!(seen.contains(id), "{sort}: {id} was there throughout");
        }
        let order: Vec<&String> = before.iter().filter(|id| seen.contains(id)).collect();
        assert_eq!(seen, order, "{sort}: in order");
        if sort == "oldest" {
            assert_eq!(walked.len() - seen.len(), added - 1, "the ones added behind the cursor follow");
        } else {
            assert_eq!(seen.len(), walked.len(), "{sort}: the ones added before the cursor are not walked");
        }
    }
}

#[tokio::test]
async fn a_cursor_of_another_query_or_not_made_here_is_refused() {
    let (app, token, a, b) = seeded().await;
    let cursor_of = async |url: &str| app.get(url, &token).await.json()["next_cursor"].as_str().unwrap().to_string();
    let by_name = cursor_of("/api/artifacts?sort=name&type=images&size=1").await;
    let in_a = cursor_of(&format!("/api/conversations/{a}/artifacts?size=1")).await;
    let mut changed = by_name.clone().into_bytes();
    changed.push(b'A');
    for (url, needle) in [
        (format!("/api/artifacts?cursor={by_name}&page=2"), "Give page or cursor, not both".to_string()),
        (format!("/api/artifacts?page=1&cursor={by_name}"), "Give page or cursor, not both".into()),
        (
            format!("/api/artifacts?cursor={by_name}&sort=size"),
            "This cursor continues a listing with sort=name, not sort=size: leave sort out or give the same".into(),
        ),
        (format!("/api/artifacts?cursor={by_name}&type=all"), "with type=images, not type=all".into()),
        (format!("/api/artifacts?cursor={by_name}&q=chart"), "with q=, not q=chart".into()),
        (
            format!("/api/conversations/{b}/artifacts?cursor={in_a}"),
            format!("This cursor continues the listing of conversation {a}'s artifacts, not of conversation {b}'s"),
        ),
        (
            format!("/api/artifacts?cursor={in_a}"),
            format!("of conversation {a}'s artifacts, not of all your artifacts"),
        ),
        (
            format!("/api/conversations/{a}/artifacts?cursor={by_name}"),
            "of all your artifacts, not of conversation".into(),
        ),
        ("/api/artifacts?cursor=".into(), "Invalid cursor: give a listing's next_cursor as it was answered".into()),
        ("/api/artifacts?cursor=abc%21".into(), "Invalid cursor".into()),
        ("/api/artifacts?cursor=AQID".into(), "Invalid cursor".into()),
        (format!("/api/artifacts?cursor={}", String::from_utf8(changed).unwrap()), "Invalid cursor".into()),
        (format!("/api/artifacts?cursor={}", &by_name[..by_name.len() - 2]), "Invalid cursor".into()),
        (format!("/api/artifacts?cursor=AQ{}", &by_name[2..]), "Invalid cursor".into()),
    ] {
        let r = app.get(&url, &token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.text());
        let detail = r.json()["detail"].as_str().unwrap().to_string();
        assert!(detail.contains(&needle), "{url}: {detail}");
    }
    // Someone else's conversation is missing before its cursor is read.
    let bob = app.user("bob");
    assert_eq!(
        app.get(&format!("/api/conversations/{a}/artifacts?cursor={in_a}"), &bob).await.status,
        StatusCode::NOT_FOUND
    );
    // A cursor is a place, not a person's: on bob's own listing it is just a place.
    let r = app.get(&format!("/api/artifacts?cursor={by_name}"), &bob).await;
    assert_eq!((r.status, r.json()["items"].clone()), (StatusCode::OK, serde_json::json!([])));
}
