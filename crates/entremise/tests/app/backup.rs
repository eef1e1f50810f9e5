//! `entremise backup` while the server runs and writes, then `entremise
//! restore` into a fresh data directory, and a server started on it that
//! serves everything: members, contacts, messages, posts, an image, search.

use crate::crash::{Rng, Stored, Workload, id_of, start_writers, stop_writers};
use crate::process::{Server, request, run_cli, run_cli_failing, send_raw};
use crate::support::{PASSWORD, multipart, multipart_type};
use entremise_media::samples;
use serde_json::{Value, json};
use std::net::SocketAddr;

async fn ok(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let r = request(addr, method, path, token, Some(&body))
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert!(
        (200..300).contains(&r.status),
        "{method} {path}: {} {}",
        r.status,
        r.body
    );
    r.body
}

async fn get(addr: SocketAddr, path: &str, token: &str) -> Value {
    let r = request(addr, "GET", path, Some(token), None)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.body
}

async fn sign_in(addr: SocketAddr, handle: &str) -> String {
    let body = json!({"email": format!("{handle}@example.org"), "password": PASSWORD});
    ok(addr, "POST", "/api/v1/sessions", None, body).await["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writing_restores_everything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]).await;
    let addr = server.addr;

    // A known corner: ada and bob are contacts, talk, post, one with a photo.
    for (handle, name) in [("ada", "Ada Lovelace"), ("bob", "Bob Marchand")] {
        let body = json!({"email": format!("{handle}@example.org"), "password": PASSWORD,
            "handle": handle, "name": name});
        ok(addr, "POST", "/api/v1/accounts", None, body).await;
    }
    let ada = sign_in(addr, "ada").await;
    let bob = sign_in(addr, "bob").await;
    let open = json!({"settings": {"contact_requests": "everyone"}});
    ok(addr, "PATCH", "/api/v1/profiles/bob", Some(&bob), open).await;
    let asked = ok(
        addr,
        "POST",
        "/api/v1/contact-requests",
        Some(&ada),
        json!({"to": "bob"}),
    )
    .await;
    let id = id_of(&asked["id"]).unwrap();
    let path = format!("/api/v1/contact-requests/{id}/accept");
    ok(addr, "POST", &path, Some(&bob), json!({})).await;
    let conversation = ok(
        addr,
        "POST",
        "/api/v1/conversations",
        Some(&ada),
        json!({"with": ["bob"]}),
    )
    .await;
    let conversation = id_of(&conversation["id"]).unwrap();
    let path = format!("/api/v1/conversations/{conversation}/messages");
    ok(
        addr,
        "POST",
        &path,
        Some(&ada),
        json!({"text": "Bonjour Bob"}),
    )
    .await;
    ok(
        addr,
        "POST",
        &path,
        Some(&bob),
        json!({"text": "Bonjour Ada"}),
    )
    .await;
    let photo = samples::jpeg(samples::gradient(64, 32));
    let body = multipart(&photo, "A gradient");
    let mut upload = format!(
        "POST /api/v1/media HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {ada}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
        multipart_type(),
        body.len()
    )
    .into_bytes();
    upload.extend_from_slice(&body);
    let uploaded = send_raw(addr, &upload).await.unwrap();
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let media = id_of(&uploaded.body["id"]).unwrap();
    let post = json!({"text": "Honfleur au matin", "audience": "public", "media": [media]});
    let post = id_of(&ok(addr, "POST", "/api/v1/posts", Some(&ada), post).await["id"]).unwrap();
    let served = get(addr, &format!("/api/v1/posts/{post}"), &ada).await;
    let image_url = served["images"][0]["url"].as_str().unwrap().to_owned();
    let image = request(addr, "GET", &image_url, Some(&ada), None)
        .await
        .unwrap();
    assert_eq!(image.status, 200);

    // The backup runs while writers keep going at full speed.
    let work = Workload::new(0);
    let mut rng = Rng::new(crate::crash::seed());
    let (stop, writers) = start_writers(&work, addr, &mut rng);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let acked_before = {
        let a = work.acked.lock().unwrap();
        let texts = |v: &[(String, String)]| v.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
        (
            a.accounts.clone(),
            texts(&a.messages),
            a.posts
                .iter()
                .map(|(_, _, t)| t.clone())
                .collect::<Vec<_>>(),
        )
    };
    let dest = dir.path().join("backup");
    let dest_arg = dest.to_str().unwrap().to_owned();
    let data_arg = data.to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        run_cli(&["backup", &dest_arg, "--data-dir", &data_arg])
    })
    .await
    .unwrap();
    stop_writers(stop, writers).await;
    assert!(out.contains("database: ") && out.contains("pages"), "{out}");
    assert!(out.contains("backup written to"), "{out}");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dest.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["database"]["integrity_check"], "ok");
    assert_eq!(manifest["media"]["images"], 1, "{manifest}");
    assert_eq!(manifest["media"]["missing"], json!([]), "{manifest}");
    assert!(
        manifest["media"]["files"].as_u64().unwrap() >= 1,
        "{manifest}"
    );
    assert!(!dest.join("search").exists());

    // A second backup into the same place is refused, naming it.
    let refused = run_cli_failing(&[
        "backup",
        dest.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(
        refused.contains("is not empty") && refused.contains(dest.to_str().unwrap()),
        "{refused}"
    );
    drop(server);

    // Restore refuses a data directory in use, then fills a fresh one.
    let refused = run_cli_failing(&[
        "restore",
        dest.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(refused.contains("is not empty"), "{refused}");
    let restored = dir.path().join("restored");
    let out = run_cli(&[
        "restore",
        dest.to_str().unwrap(),
        "--data-dir",
        restored.to_str().unwrap(),
    ]);
    assert!(out.contains("posts indexed for search"), "{out}");
    let backed_up = Stored::read(&dest);
    let server = Server::start(&restored, &[]).await;
    let addr = server.addr;

    // Everything in the backup is served from the restored directory.
    let now = Stored::read(&restored);
    assert_eq!(now.handles, backed_up.handles);
    assert_eq!(now.contacts, backed_up.contacts);
    assert_eq!(now.messages, backed_up.messages);
    assert_eq!(now.posts, backed_up.posts);
    let ada = sign_in(addr, "ada").await;
    let contacts = get(addr, "/api/v1/profiles/ada/contacts", &ada).await;
    assert_eq!(contacts["items"], json!(["bob"]));
    let connection = get(addr, "/api/v1/profiles/bob/connection", &ada).await;
    assert_eq!(connection["degree"], 1);
    let messages = get(
        addr,
        &format!("/api/v1/conversations/{conversation}/messages"),
        &ada,
    )
    .await;
    let texts: Vec<&str> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(
        texts.contains(&"Bonjour Bob") && texts.contains(&"Bonjour Ada"),
        "{messages}"
    );
    let served = get(addr, &format!("/api/v1/posts/{post}"), &ada).await;
    assert_eq!(served["text"], "Honfleur au matin");
    let again = request(addr, "GET", &image_url, Some(&ada), None)
        .await
        .unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(
        again.raw, image.raw,
        "the image served after the restore differs"
    );
    let bob = sign_in(addr, "bob").await;
    let found = get(addr, "/api/v1/search?q=lovelace", &bob).await;
    assert!(found.to_string().contains("\"ada\""), "{found}");
    // The writers' members made it too, as many as the snapshot held.
    let signed_up = backed_up
        .handles
        .iter()
        .filter(|h| h.starts_with('m'))
        .count();
    assert!(signed_up > 0, "no member signed up during the backup");
    // Every write acknowledged before the backup started is in it.
    let (accounts, messages, posts) = acked_before;
    for handle in &accounts {
        assert!(
            backed_up.handles.contains(handle),
            "account {handle} missing from the backup"
        );
    }
    for text in &messages {
        assert!(
            backed_up.messages.contains(text),
            "message {text:?} missing from the backup"
        );
    }
    for text in &posts {
        assert!(
            backed_up.posts.contains(text),
            "post {text:?} missing from the backup"
        );
    }
    let first = work.acked.lock().unwrap().members.first().cloned();
    let first = first.expect("a writer's member");
    if now.handles.contains(&first.handle) {
        let me = request(addr, "GET", "/api/v1/me", Some(&first.token), None)
            .await
            .unwrap();
        assert_eq!(me.status, 200, "a session in the backup no longer signs in");
    }
}
