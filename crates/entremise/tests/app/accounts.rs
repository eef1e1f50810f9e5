//! Sign-up, sign-in, sessions, throttling.

use crate::support::{PASSWORD, Req, Response, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_up_then_sign_in_and_out() {
    let app = TestApp::new().await;
    let r = app
        .post_json(None, "/api/v1/accounts", json!({"email": "Ada@Example.org", "password": PASSWORD, "handle": "Ada", "name": "Ada Lovelace", "locale": "fr"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    insta::assert_json_snapshot!(r.json(), {".account_id" => "[id]"}, @r#"
    {
      "account_id": "[id]",
      "approval": "approved",
      "handle": "ada"
    }
    "#);

    let token = app.sign_in("ada@example.org", PASSWORD).await;
    let me = app
        .send(Req::new(Method::GET, "/api/v1/me").bearer(&token))
        .await;
    assert_eq!(me.status, StatusCode::OK);
    insta::assert_json_snapshot!(me.json(), {".account_id" => "[id]"}, @r#"
    {
      "account_id": "[id]",
      "handle": "ada",
      "locale": "fr",
      "name": "Ada Lovelace",
      "pages": []
    }
    "#);

    let out = app
        .send(Req::new(Method::DELETE, "/api/v1/sessions/current").bearer(&token))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let again = app
        .send(Req::new(Method::GET, "/api/v1/me").bearer(&token))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&again), "unauthenticated");
}

#[tokio::test]
async fn duplicates_are_conflicts_and_write_nothing() {
    let app = TestApp::new().await;
    app.member("ada", "Ada").await;
    let dup_handle = app
        .post_json(None, "/api/v1/accounts", json!({"email": "other@example.org", "password": PASSWORD, "handle": "ADA", "name": "X"}))
        .await;
    assert_eq!(dup_handle.status, StatusCode::CONFLICT);
    assert_eq!(code(&dup_handle), "conflict");
    let dup_email = app
        .post_json(None, "/api/v1/accounts", json!({"email": "ADA@example.org", "password": PASSWORD, "handle": "ada2", "name": "X"}))
        .await;
    assert_eq!(dup_email.status, StatusCode::CONFLICT);
    // The refused sign-up left no profile behind.
    assert_eq!(
        app.get("/api/v1/profiles/ada2").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/profiles/other").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn invalid_sign_ups_name_every_field() {
    let app = TestApp::new().await;
    let r = app
        .post_json(None, "/api/v1/accounts", json!({"email": "not-an-email", "password": "password1234", "handle": "a b", "name": ""}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    insta::assert_json_snapshot!(r.json(), @r#"
    {
      "error": "invalid_input",
      "fields": [
        {
          "field": "email",
          "message": "This is not a valid e-mail address.",
          "reason": "invalid"
        },
        {
          "field": "handle",
          "message": "A handle uses only letters a-z, digits and _.",
          "reason": "invalid_characters"
        },
        {
          "field": "name",
          "message": "This field is required.",
          "reason": "required"
        },
        {
          "field": "password",
          "message": "This password is among the most common ones; choose another.",
          "reason": "too_common"
        }
      ],
      "message": "email: This is not a valid e-mail address.; handle: A handle uses only letters a-z, digits and _.; name: This field is required.; password: This password is among the most common ones; choose another."
    }
    "#);
    let short = app
        .post_json(
            None,
            "/api/v1/accounts",
            json!({"email": "a@example.org", "password": "short pw", "handle": "abc", "name": "A"}),
        )
        .await;
    assert_eq!(short.json()["fields"][0]["reason"], "too_short");
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let app = TestApp::new().await;
    let bad_json = app
        .send(Req::new(Method::POST, "/api/v1/accounts").raw("application/json", "{\"email\": "))
        .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&bad_json), "invalid_input");

    let unknown = app
        .post_json(None, "/api/v1/accounts", json!({"email": "a@example.org", "password": PASSWORD, "handle": "abc", "name": "A", "admin": true}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .contains("admin")
    );

    let missing = app
        .post_json(None, "/api/v1/accounts", json!({"email": "a@example.org"}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&missing), "invalid_input");

    let not_json = app
        .send(Req::new(Method::POST, "/api/v1/accounts").raw("text/plain", "hello"))
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = app
        .send(
            Req::new(Method::POST, "/api/v1/accounts")
                .raw("application/json", format!("{{\"email\":\"{huge}\"}}")),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&too_big), "payload_too_large");

    let unknown_path = app.get("/api/v1/nothing-here").await;
    assert_eq!(unknown_path.status, StatusCode::NOT_FOUND);
    assert_eq!(code(&unknown_path), "not_found");
}

/// A sign-in from `ip`.
async fn sign_in_from(app: &TestApp, ip: &str, email: &str, password: &str) -> Response {
    app.send(
        Req::new(Method::POST, "/api/v1/sessions")
            .client_ip(ip)
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_client_and_account() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    for _ in 0..3 {
        let r = sign_in_from(&app, "203.0.113.7", &ada.email, "wrong password!!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(code(&r), "invalid_credentials");
    }
    // Even the right password waits now, from that client.
    let r = sign_in_from(&app, "203.0.113.7", &ada.email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(&r), "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(retry, 2);

    // An unknown address answers like a wrong password.
    let unknown = sign_in_from(&app, "203.0.113.7", "nobody@example.org", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&unknown), "invalid_credentials");

    app.clock.advance(time::Duration::seconds(2));
    let r = sign_in_from(&app, "203.0.113.7", &ada.email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

/// A stranger who knows a member's e-mail cannot lock him out: failures
/// slow down the client that makes them, more at each one, while the
/// member signs in from his own address.
#[tokio::test]
async fn a_stranger_cannot_lock_a_member_out() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    let attacker = "203.0.113.7";
    let mut failures = 0;
    let mut waits = Vec::new();
    while failures < 10 {
        let r = sign_in_from(&app, attacker, &ada.email, "wrong password!!").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
            waits.push(retry);
            app.clock.advance(time::Duration::seconds(retry as i64));
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
            failures += 1;
        }
    }
    let r = sign_in_from(&app, attacker, &ada.email, "wrong password!!").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    waits.push(r.header("retry-after").unwrap().parse().unwrap());
    assert!(waits.len() >= 7, "{waits:?}");
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");

    let r = sign_in_from(&app, "198.51.100.4", &ada.email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// Guesses spread over many clients meet a ceiling per account.
#[tokio::test]
async fn guesses_from_many_clients_meet_a_ceiling_per_account() {
    let app = TestApp::with_limits(entremise_domain::service::DomainConfig {
        login_failures_per_account: 5,
        ..Default::default()
    })
    .await;
    let ada = app.member("ada", "Ada").await;
    for i in 0..5 {
        let r = sign_in_from(&app, &format!("203.0.113.{i}"), &ada.email, "wrong!!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&app, "203.0.113.99", &ada.email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(time::Duration::minutes(16));
    let r = sign_in_from(&app, "203.0.113.99", &ada.email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_member_lists_and_revokes_his_sessions() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let second = app.sign_in(&ada.email, crate::support::PASSWORD).await;
    let list = app.get_as(&ada, "/api/v1/sessions").await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let other_id = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bob cannot revoke Ada's session: it does not exist for him.
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/sessions/{other_id}")).bearer(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/sessions/{other_id}")).bearer(&ada.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let revoked = app
        .send(Req::new(Method::GET, "/api/v1/me").bearer(&second))
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_as(&ada, "/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    app.clock.advance(time::Duration::days(91));
    assert_eq!(
        app.get_as(&ada, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

fn sign_up_limit(per_hour: usize) -> entremise_domain::service::DomainConfig {
    entremise_domain::service::DomainConfig {
        signups_per_ip_per_hour: per_hour,
        ..Default::default()
    }
}

/// Every sign-up from a client counts against its hourly limit, whatever
/// the answer: a taken address cannot be probed past the limit.
#[tokio::test]
async fn every_sign_up_attempt_counts_against_the_limit() {
    let app = TestApp::with_limits(sign_up_limit(5)).await;
    app.member("ada", "Ada").await;
    let attempt = |email: &str, handle: &str| json!({"email": email, "password": PASSWORD, "handle": handle, "name": "X"});
    for i in 0..4 {
        let r = app
            .post_json(
                None,
                "/api/v1/accounts",
                attempt("ada@example.org", &format!("probe{i}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "attempt {}", i + 2);
    }
    // The sixth attempt of the hour waits, be the address taken or not.
    for body in [
        attempt("ada@example.org", "probe5"),
        attempt("fresh@example.org", "fresh"),
        attempt("other@example.org", "ada"),
    ] {
        let r = app.post_json(None, "/api/v1/accounts", body).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        assert_eq!(code(&r), "rate_limited");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 3600, "{retry}");
    }
    app.clock.advance(time::Duration::minutes(61));
    let r = app
        .post_json(
            None,
            "/api/v1/accounts",
            attempt("fresh@example.org", "fresh"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// Sign-ups sent all at once cannot pass the limit together: each attempt
/// is counted before its work begins.
#[tokio::test]
async fn a_burst_of_sign_ups_stays_within_the_limit() {
    let app = std::sync::Arc::new(TestApp::with_limits(sign_up_limit(3)).await);
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..8 {
        let app = app.clone();
        burst.spawn(async move {
            app.post_json(
                None,
                "/api/v1/accounts",
                json!({"email": format!("m{i}@example.org"), "password": PASSWORD, "handle": format!("m{i}"), "name": "M"}),
            )
            .await
            .status
        });
    }
    let statuses = burst.join_all().await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, limited), (3, 5), "{statuses:?}");
}

/// Wrong passwords sent all at once cannot pass the limit together: each
/// attempt is reserved before its password is checked.
#[tokio::test]
async fn a_burst_of_wrong_passwords_stays_within_the_limit() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let ada = app.member("ada", "Ada").await;
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let app = app.clone();
        let email = ada.email.clone();
        burst.spawn(async move {
            app.post_json(
                None,
                "/api/v1/sessions",
                json!({"email": email, "password": "wrong password!!"}),
            )
            .await
        });
    }
    let answers = burst.join_all().await;
    let checked = answers
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    assert!((1..=10).contains(&checked), "{checked} passwords checked");
    for r in answers
        .iter()
        .filter(|r| r.status != StatusCode::UNAUTHORIZED)
    {
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 0, "{retry}");
    }
}

/// The same from one client over many accounts: at most its limit of
/// passwords is checked.
#[tokio::test]
async fn a_burst_from_one_client_stays_within_its_limit() {
    let app = std::sync::Arc::new(
        TestApp::with_limits(entremise_domain::service::DomainConfig {
            login_failures_per_ip: 5,
            ..Default::default()
        })
        .await,
    );
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..15 {
        let app = app.clone();
        burst.spawn(async move {
            app.post_json(
                None,
                "/api/v1/sessions",
                json!({"email": format!("m{i}@example.org"), "password": "wrong password!!"}),
            )
            .await
            .status
        });
    }
    let statuses = burst.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, limited), (5, 10), "{statuses:?}");
}

/// Passwords are hashed a few at a time: past the bound, and after a short
/// wait, sign-ins and sign-ups are answered 503 with `Retry-After`, never
/// 500, and the rest of the server keeps answering.
#[tokio::test]
async fn password_hashing_is_bounded() {
    let app = std::sync::Arc::new(
        TestApp::with_limits(entremise_domain::service::DomainConfig {
            signups_per_ip_per_hour: 10_000,
            password_hashes_at_once: 1,
            password_hash_wait: time::Duration::ZERO,
            ..Default::default()
        })
        .await,
    );
    let ada = app.member("ada", "Ada").await;
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..12 {
        let signer = app.clone();
        let email = ada.email.clone();
        burst.spawn(async move {
            let app = signer;
            if i % 3 == 0 {
                app.post_json(
                    None,
                    "/api/v1/accounts",
                    json!({"email": format!("m{i}@example.org"), "password": PASSWORD, "handle": format!("m{i}"), "name": "M"}),
                )
                .await
            } else {
                // Each from its own client: several sign-ins of one
                // client on one account may not be in flight together.
                sign_in_from(&app, &format!("203.0.113.{i}"), &email, PASSWORD).await
            }
        });
        let app = app.clone();
        burst.spawn(async move { app.get("/api/v1/health").await });
    }
    let answers = burst.join_all().await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "no 503");
    for r in &busy {
        assert_eq!(code(r), "busy");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 0, "{retry}");
    }
    for r in &answers {
        assert!(
            [
                StatusCode::OK,
                StatusCode::CREATED,
                StatusCode::SERVICE_UNAVAILABLE
            ]
            .contains(&r.status),
            "{} {}",
            r.status,
            r.text()
        );
    }
    assert_eq!(app.get("/api/v1/health").await.status, StatusCode::OK);
    // Refused for load, not for a guess: the attempts were given back.
    app.sign_in(&ada.email, PASSWORD).await;
}

/// Sign-in failures from one address, whose limit is 3, through a proxy
/// at 10.0.0.2.
async fn failures_behind_a_proxy(app: &TestApp, forwarded_for: &str) -> StatusCode {
    let peer: std::net::SocketAddr = "10.0.0.2:50000".parse().unwrap();
    let r = app
        .send(
            Req::new(Method::POST, "/api/v1/sessions")
                .header("x-forwarded-for", forwarded_for)
                .connect_info(peer)
                .json(&json!({"email": "nobody@example.org", "password": "wrong password!!"})),
        )
        .await;
    r.status
}

fn per_ip_limit() -> entremise_domain::service::DomainConfig {
    entremise_domain::service::DomainConfig {
        login_failures_per_ip: 3,
        signups_per_ip_per_hour: 10_000,
        ..Default::default()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_throttled_apart() {
    let app = TestApp::build(
        per_ip_limit(),
        entremise_web::WebConfig {
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..Default::default()
        },
        axum::Router::new(),
    )
    .await;
    for _ in 0..3 {
        let status = failures_behind_a_proxy(&app, "203.0.113.5").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        failures_behind_a_proxy(&app, "203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not locked out…
    assert_eq!(
        failures_behind_a_proxy(&app, "198.51.100.7").await,
        StatusCode::UNAUTHORIZED
    );
    // …and the first cannot escape by writing another address first.
    assert_eq!(
        failures_behind_a_proxy(&app, "198.51.100.8, 203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn without_trust_the_forwarding_header_is_ignored() {
    let app = TestApp::build(
        per_ip_limit(),
        entremise_web::WebConfig::default(),
        axum::Router::new(),
    )
    .await;
    for i in 0..3 {
        let status = failures_behind_a_proxy(&app, &format!("203.0.113.{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        failures_behind_a_proxy(&app, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Every refused JSON body answers in the API's format, naming the field or
/// the position, never with the decoder's own words or Rust type names.
#[tokio::test]
async fn json_body_errors_name_the_field_not_the_decoder() {
    let app = TestApp::new().await;
    let post = |content_type: &'static str, body: &'static str| {
        Req::new(Method::POST, "/api/v1/accounts").raw(content_type, body)
    };
    let cases = [
        // (request, status, text the message must hold)
        (
            post("application/json", "not json"),
            StatusCode::BAD_REQUEST,
            "line 1",
        ),
        (
            post("application/json", "{\"email\": "),
            StatusCode::BAD_REQUEST,
            "line 1",
        ),
        (
            post("application/json", "[1, 2]"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "object",
        ),
        (
            post(
                "application/json",
                r#"{"email": 5, "password": "pw", "handle": "abc", "name": "A"}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            post(
                "application/json",
                r#"{"email": "a@example.org", "password": "a long passphrase", "handle": "abc", "name": "A", "admin": true}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin",
        ),
        (
            post("application/json", r#"{"email": "a@example.org"}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
        ),
        (
            post("text/plain", r#"{"email": "a@example.org"}"#),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        ),
    ];
    for (req, status, needle) in cases {
        let r = app.send(req).await;
        assert_eq!(r.status, status, "{}", r.text());
        let body = r.json();
        let message = body["message"].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "{message}");
        if status != StatusCode::UNSUPPORTED_MEDIA_TYPE {
            assert_eq!(body["error"], "invalid_input", "{message}");
        }
        let all = body.to_string();
        for leak in [
            "deserialize",
            "Deserialize",
            "serde",
            "invalid type:",
            "`",
            "Registration",
            "String",
            "struct",
            "u32",
        ] {
            assert!(!all.contains(leak), "{leak} in {all}");
        }
    }
}
