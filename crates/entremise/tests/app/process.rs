//! The real binary as a separate process on a loopback port, and a small
//! HTTP/1.1 client to talk to it: for the tests that kill the server, fill
//! its disk, or back it up while it runs.

use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The binary built alongside these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_entremise");

/// How long a start (loading the store, rebuilding the index) may take.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// Runs `entremise ARGS` to the end and returns its output; panics, with
/// that output, if it fails.
pub fn run_cli(args: &[&str]) -> String {
    let out = Command::new(BINARY)
        .args(args)
        .env("ENTREMISE_LOG", "warn")
        .output()
        .expect("running the entremise binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "entremise {args:?} failed:\n{text}");
    text
}

/// Runs `entremise ARGS` expecting it to fail; returns its output.
pub fn run_cli_failing(args: &[&str]) -> String {
    let out = Command::new(BINARY)
        .args(args)
        .env("ENTREMISE_LOG", "warn")
        .output()
        .expect("running the entremise binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "entremise {args:?} succeeded:\n{text}"
    );
    text
}

/// One `entremise serve` process.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    log: PathBuf,
    env: Vec<(String, String)>,
}

/// A port nobody listens on now (the kernel's choice, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding a loopback port")
        .port()
}

impl Server {
    /// Starts the server on `data_dir` and waits until it answers. Rate
    /// limits are scaled up and loopback is a trusted proxy, so that a test
    /// may sign up many members from "different" addresses.
    pub async fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let log = std::env::temp_dir().join(format!(
            "entremise-test-server-{}-{}.log",
            std::process::id(),
            free_port()
        ));
        Self::start_logging_to(data_dir, env, log).await
    }

    /// [`Server::start`] with the server's output going to `log`.
    pub async fn start_logging_to(data_dir: &Path, env: &[(&str, &str)], log: PathBuf) -> Server {
        let mut server = Server {
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_path_buf(),
            log,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        server.restart().await;
        server
    }

    /// Starts the process again (after [`Server::kill`]) on a new port.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        let port = free_port();
        self.addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("opening the server log");
        let child = Command::new(BINARY)
            .args(["serve", "--data-dir"])
            .arg(&self.data_dir)
            .args(["--listen", &self.addr.to_string()])
            .env("ENTREMISE_LOG", "warn")
            .env("ENTREMISE_RATE_LIMIT_SCALE", "1000")
            .env("ENTREMISE_TRUSTED_PROXIES", "127.0.0.1/32")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("starting entremise serve");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if let Ok(r) = request(self.addr, "GET", "/api/v1/health", None, None).await
                && r.status == 200
            {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                panic!(
                    "the server exited at start ({status}):\n{}",
                    self.log_tail()
                );
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the server did not answer within {START_TIMEOUT:?}:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: no chance to flush or finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL to the server");
            child.wait().expect("reaping the server");
        }
    }

    /// Whether the process has exited by itself.
    pub fn exited(&mut self) -> bool {
        self.child
            .as_mut()
            .is_none_or(|c| c.try_wait().ok().flatten().is_some())
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The whole log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// An answer: status and JSON body (`Null` when empty or not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub raw: Vec<u8>,
}

/// How long one request may take before it counts as unanswered.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// One request on its own connection (`Connection: close`). An error is a
/// request without an answer: refused, cut by a kill, or too slow.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<Answer> {
    request_with(addr, method, path, token, body, &[]).await
}

/// [`request`] with extra headers.
pub async fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    send_raw(addr, head.as_bytes()).await
}

/// Sends bytes as they are, reads the answer to the end of the connection.
pub async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Answer> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(bytes).await?;
        let mut out = Vec::new();
        stream.read_to_end(&mut out).await?;
        Ok::<_, std::io::Error>(out)
    };
    let out = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))??;
    parse_answer(&out)
}

fn parse_answer(out: &[u8]) -> std::io::Result<Answer> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("an answer cut before the end of its headers"))?;
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut raw = out[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        raw = dechunk(&raw).ok_or_else(|| bad("an answer cut inside its chunks"))?;
    } else if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        && raw.len() < len
    {
        return Err(bad("an answer cut before the end of its body"));
    }
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Ok(Answer { status, body, raw })
}

fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}
