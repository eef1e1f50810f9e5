//! What `synchronous=FULL` costs against `NORMAL` on acknowledged writes:
//! posts published through the API of the real binary, on a data directory
//! on the same disk as the tests' temporary files, the two settings
//! alternating within one run. A measurement, not a check: run it with
//! `cargo nextest run -p entremise --run-ignored only durability_cost
//! --no-capture` (`ENTREMISE_DURABILITY_ROUNDS`, 3 by default).

use crate::process::{Server, request};
use crate::support::PASSWORD;
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Posts written one after another per round (latency).
const SEQUENTIAL: usize = 300;
/// Concurrent writers and how long they write per round (throughput).
const CLIENTS: usize = 8;
const BURST: Duration = Duration::from_secs(3);

async fn member(addr: SocketAddr, handle: &str) -> String {
    let body = json!({"email": format!("{handle}@example.org"), "password": PASSWORD,
        "handle": handle, "name": handle});
    let r = request(addr, "POST", "/api/v1/accounts", None, Some(&body))
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    let body = json!({"email": format!("{handle}@example.org"), "password": PASSWORD});
    let r = request(addr, "POST", "/api/v1/sessions", None, Some(&body))
        .await
        .unwrap();
    r.body["token"].as_str().unwrap().to_owned()
}

async fn post(addr: SocketAddr, token: &str, n: usize) -> Duration {
    let started = Instant::now();
    let body = json!({"text": format!("post {n}"), "audience": "public"});
    let r = request(addr, "POST", "/api/v1/posts", Some(token), Some(&body))
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    started.elapsed()
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[derive(Default)]
struct Figures {
    p50_ms: Vec<f64>,
    p99_ms: Vec<f64>,
    per_sec: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement: run on its own"]
async fn durability_cost() {
    let rounds: usize = std::env::var("ENTREMISE_DURABILITY_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let mut figures = [Figures::default(), Figures::default()];
    let modes = ["full", "normal"];
    for round in 0..rounds {
        for (m, mode) in modes.iter().enumerate() {
            // Fresh data directory on the ordinary disk (not a tmpfs).
            let dir = tempfile::tempdir().unwrap();
            let server = Server::start(
                &dir.path().join("data"),
                &[("ENTREMISE_SQLITE_SYNCHRONOUS", mode)],
            )
            .await;
            let addr = server.addr;
            let tokens: Vec<String> = {
                let mut t = Vec::new();
                for i in 0..CLIENTS {
                    t.push(member(addr, &format!("w{i}")).await);
                }
                t
            };
            let mut latencies = Vec::with_capacity(SEQUENTIAL);
            for n in 0..SEQUENTIAL {
                latencies.push(post(addr, &tokens[0], n).await);
            }
            latencies.sort();
            let started = Instant::now();
            let tasks: Vec<_> = tokens
                .iter()
                .cloned()
                .map(|token| {
                    tokio::spawn(async move {
                        let mut n = 0;
                        while started.elapsed() < BURST {
                            post(addr, &token, n).await;
                            n += 1;
                        }
                        n
                    })
                })
                .collect();
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            let per_sec = total as f64 / started.elapsed().as_secs_f64();
            let (p50, p99) = (quantile(&latencies, 0.5), quantile(&latencies, 0.99));
            eprintln!(
                "round {round} {mode:>6}: one writer p50 {p50:.2} ms p99 {p99:.2} ms; {CLIENTS} writers {per_sec:.0} posts/s"
            );
            figures[m].p50_ms.push(p50);
            figures[m].p99_ms.push(p99);
            figures[m].per_sec.push(per_sec);
        }
    }
    for (m, mode) in modes.iter().enumerate() {
        let f = &figures[m];
        eprintln!(
            "{mode:>6}, medians of {rounds} rounds: one writer p50 {:.2} ms, p99 {:.2} ms; {CLIENTS} writers {:.0} posts/s",
            median(&f.p50_ms),
            median(&f.p99_ms),
            median(&f.per_sec)
        );
    }
}
