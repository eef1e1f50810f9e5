//! The OpenAPI document states what the server answers. A cheap guard
//! between runs of the contract fuzzer (`scripts/reliability/contract.sh`):
//! every error an operation lists has the error body (or extends it), and probes of every
//! operation through the router (anonymous, with a token that is not valid,
//! signed in with a body that is not JSON or not sent as JSON, with a
//! `limit` out of range, with a segment that does not decode) get a status
//! the document lists for that operation, and errors as `{error, message}`.

use crate::support::{Req, TestApp};
use axum::http::Method;
use serde_json::Value;

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            out.push((method, path.clone(), op.clone()));
        }
    }
    assert!(out.len() > 60, "only {} operations documented", out.len());
    out
}

/// The path with its parameters filled with values that name nothing.
fn fill(path: &str) -> String {
    path.replace("{handle}", "nobody_here")
        .replace("{member_handle}", "nobody_else")
        .replace("{code}", "NOCODE")
        .replace("{kind}", "like")
        .replace("{id}", "987654321")
}

fn has_body(op: &Value) -> bool {
    op.get("requestBody").is_some()
}

fn has_query(op: &Value, name: &str) -> bool {
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "query"))
}

/// Whether a schema reference names the error body, or a schema made of
/// it and more (`allOf`: the health check's 503 adds its checks).
fn is_error_body(doc: &Value, reference: &Value) -> bool {
    const ERROR_BODY: &str = "#/components/schemas/ErrorBody";
    let Some(reference) = reference.as_str() else {
        return false;
    };
    if reference == ERROR_BODY {
        return true;
    }
    let Some(name) = reference.strip_prefix("#/components/schemas/") else {
        return false;
    };
    doc["components"]["schemas"][name]["allOf"]
        .as_array()
        .is_some_and(|parts| parts.iter().any(|p| p["$ref"] == ERROR_BODY))
}

#[tokio::test]
async fn every_error_an_operation_lists_has_the_error_body() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let error_body = &doc["components"]["schemas"]["ErrorBody"];
    let mut required: Vec<&str> = error_body["required"]
        .as_array()
        .expect("ErrorBody.required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["error", "message"], "{error_body}");
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.contains_key("503"),
            "{method} {path}: the request time limit's 503 is not listed"
        );
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert!(
                is_error_body(&doc, schema),
                "{method} {path} {status}: not the error body: {response}"
            );
        }
        if has_body(&op) {
            for status in ["400", "408", "413", "415", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: takes a body but does not list {status}"
                );
            }
        }
        if op.get("security").is_some() {
            assert!(
                responses.contains_key("401"),
                "{method} {path}: requires sign-in but does not list 401"
            );
        }
        if has_query(&op, "limit") {
            let limit = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "limit")
                .unwrap();
            assert_eq!(limit["schema"]["minimum"], 1, "{method} {path}: {limit}");
            assert_eq!(limit["schema"]["maximum"], 100, "{method} {path}: {limit}");
            assert!(responses.contains_key("400"), "{method} {path}: no 400");
        }
    }
}

/// One probe: the status must be one the operation lists, and an error
/// must be `{error, message}` as JSON.
async fn probe(app: &TestApp, doc_op: &Value, what: &str, method: &Method, path: &str, req: Req) {
    let r = app.send(req).await;
    let status = r.status.as_u16().to_string();
    assert!(
        doc_op["responses"].get(&status).is_some(),
        "{method} {path} ({what}): answered {status}, which the document does not list: {}",
        r.text()
    );
    if r.status.is_client_error() || r.status.is_server_error() {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
            panic!(
                "{method} {path} ({what}): {status} is not JSON ({e}): {}",
                r.text()
            )
        });
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{method} {path} ({what}): {status} is not {{error, message}}: {body}"
        );
    }
}

#[tokio::test]
async fn probes_of_every_operation_get_answers_the_document_lists() {
    let app = TestApp::new().await;
    let (ada, _bob, _carol) = app.cast().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut probed = 0;
    for (method, path, op) in operations(&doc) {
        let uri = fill(&path);
        // Signing out would end the token the other probes use.
        let token = if path == "/api/v1/sessions/current" {
            app.sign_in(&ada.email, crate::support::PASSWORD).await
        } else {
            ada.token.clone()
        };
        let json_body = |req: Req| {
            if has_body(&op) {
                req.json(&serde_json::json!({}))
            } else {
                req
            }
        };
        let probes = [
            ("anonymous", json_body(Req::new(method.clone(), &uri))),
            (
                "a token that is not valid",
                json_body(Req::new(method.clone(), &uri).bearer("not-a-token")),
            ),
            (
                "signed in, a body that is not JSON",
                Req::new(method.clone(), &uri)
                    .bearer(&token)
                    .raw("application/json", "{\"text\": "),
            ),
            (
                "signed in, a body sent as text",
                Req::new(method.clone(), &uri)
                    .bearer(&token)
                    .raw("text/plain", "hello"),
            ),
        ];
        for (what, req) in probes {
            probe(&app, &op, what, &method, &path, req).await;
            probed += 1;
        }
        if has_query(&op, "limit") {
            for limit in ["0", "101", "ten"] {
                let sep = if uri.contains('?') { '&' } else { '?' };
                let req =
                    Req::new(method.clone(), &format!("{uri}{sep}limit={limit}")).bearer(&token);
                probe(&app, &op, "a limit out of range", &method, &path, req).await;
                probed += 1;
            }
        }
        if path.contains('{') {
            // A segment that does not decode to UTF-8 text.
            let bad = path
                .replace("{handle}", "%FF%FE")
                .replace("{member_handle}", "%FF")
                .replace("{code}", "%FF")
                .replace("{kind}", "%FF")
                .replace("{id}", "%FF");
            let req = json_body(Req::new(method.clone(), &bad).bearer(&token));
            probe(
                &app,
                &op,
                "a segment that does not decode",
                &method,
                &path,
                req,
            )
            .await;
            probed += 1;
        }
    }
    assert!(probed > 300, "only {probed} probes");
}

/// A repeated query parameter is refused in the API's words, not the
/// decoder's; an upload's parts are those the document names; a method a
/// path does not take is a JSON 405 with `Allow`.
#[tokio::test]
async fn rejections_of_the_router_are_answered_in_the_api_format() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/search?q=a&q=b").await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert_eq!(r.json()["error"], "invalid_input");
    assert!(!r.text().contains("deserialize"), "{}", r.text());
    // An upload is `file` and `alt`, once each, as the document states it.
    let ada = app.member("ada", "Ada Lovelace").await;
    let boundary = "contract-boundary";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    for (body, field) in [
        (
            format!(
                "{}{}{}--{boundary}--\r\n",
                part("file", "x"),
                part("alt", "a"),
                part("alt", "b")
            ),
            "alt",
        ),
        (
            format!(
                "{}{}--{boundary}--\r\n",
                part("file", "x"),
                part("extra", "y")
            ),
            "extra",
        ),
    ] {
        let r = app
            .send(
                Req::new(Method::POST, "/api/v1/media")
                    .bearer(&ada.token)
                    .raw(&format!("multipart/form-data; boundary={boundary}"), body),
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.text());
        assert_eq!(r.json()["fields"][0]["field"], field, "{}", r.text());
    }
    let r = app
        .send(
            Req::new(Method::POST, "/api/v1/media")
                .bearer(&ada.token)
                .raw("text/plain", "x"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 415, "{}", r.text());
    assert_eq!(r.json()["error"], "unsupported_media_type");
    let r = app.send(Req::new(Method::PUT, "/api/v1/me")).await;
    assert_eq!(r.status.as_u16(), 405, "{}", r.text());
    assert_eq!(r.json()["error"], "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET,HEAD"));
}
