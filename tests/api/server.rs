//! The real binary on a real socket: `qmap serve --addr 127.0.0.1:0` prints its URL, answers
//! HTTP/1.1 written by hand, finishes a request in flight on SIGTERM, exits 0, and an
//! acknowledged write is there after a restart.

use crate::common::lines_of;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the tests wait for anything (a line from the server, an answer, an exit) before
/// they call it hung. Only a hang guard: everything here takes well under a second when idle.
const HANG_GUARD: Duration = Duration::from_secs(120);

struct Server {
    child: Child,
    addr: String,
    token: String,
    /// The server's log (stderr), line by line.
    log: Receiver<String>,
}

/// The next line of `lines` that contains `needle` (skipping others).
fn line_with(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => panic!("the server ended without {needle:?}"),
            Err(RecvTimeoutError::Timeout) => {
                panic!("no {needle:?} from the server in {HANG_GUARD:?}")
            }
        }
    }
}

/// An admin token for the store in `dir`, made by `qmap token create`.
fn admin_token(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(["token", "create", "--role", "admin", "--data"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

impl Server {
    /// Starts `qmap serve` on a free port and waits for the line with its URL.
    fn start(dir: &Path, demo: bool, token: &str) -> Server {
        Server::start_with(dir, demo, token, &[])
    }

    /// [`Server::start`] with more options of `qmap serve`.
    fn start_with(dir: &Path, demo: bool, token: &str, options: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qmap"));
        command
            .arg("serve")
            .arg("--data")
            .arg(dir)
            .args(["--addr", "127.0.0.1:0"])
            .args(options)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if demo {
            command.arg("--demo");
        }
        let mut child = command.spawn().unwrap();
        let log = lines_of(child.stderr.take().unwrap());
        let line = line_with(&lines_of(child.stdout.take().unwrap()), "http://");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
            "{addr}"
        );
        Server {
            child,
            addr,
            token: token.to_string(),
            log,
        }
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = self.connect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Authorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            self.token,
            body.len()
        )
        .unwrap();
        read_response(&mut stream)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
        stream
    }

    /// A connection whose client end is bound to `source` (any of 127.0.0.0/8 is this host),
    /// so that the server sees another client address.
    fn connect_from(&self, source: &str) -> TcpStream {
        let server: SocketAddr = self.addr.parse().unwrap();
        let source: IpAddr = source.parse().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        let stream = runtime.block_on(async {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(SocketAddr::new(source, 0)).unwrap();
            socket.connect(server).await.unwrap().into_std().unwrap()
        });
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
        stream
    }

    /// A GET from the client address `source` with `token` (none: no `Authorization` header).
    fn get_from(&self, source: &str, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut stream = self.connect_from(source);
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{auth}\r\n",
            self.addr
        )
        .unwrap();
        read_response(&mut stream)
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit (failing after [`HANG_GUARD`]).
    fn wait(mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("the server did not stop within {HANG_GUARD:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Reads the head of an interim response up to its blank line; returns its status line.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed after {head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    head.lines().next().unwrap().to_string()
}

/// Reads a whole HTTP/1.1 response (the server closes the connection): status and JSON body.
fn read_response(stream: &mut TcpStream) -> (u16, Value) {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let lower = head.to_ascii_lowercase();
    if lower.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    let value = if body.is_empty() {
        Value::Null
    } else if lower.contains("content-type: application/json") {
        serde_json::from_slice(&body).unwrap()
    } else {
        Value::String(String::from_utf8_lossy(&body).into_owned())
    };
    (status, value)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

#[test]
fn the_binary_serves_real_http_and_stops_cleanly_on_sigterm_keeping_acknowledged_writes() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start(dir.path(), true, &token);

    let (status, health) = server.request("GET", "/healthz", None);
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    let (status, chains) = server.request("GET", "/api/v1/chains", None);
    assert_eq!(status, 200);
    assert_eq!(chains.as_array().unwrap().len(), 3);
    let (status, map) = server.request("GET", "/api/v1/chains/pb-power-battery/map?limit=10", None);
    assert_eq!((status, map["firms_shown"].clone()), (200, json!(10)));
    let (status, error) = server.request("GET", "/api/v1/chains/nope", None);
    assert_eq!((status, error["code"].clone()), (404, json!("not_found")));
    let (status, docs) = server.request("GET", "/docs/", None);
    assert_eq!(status, 200);
    assert!(docs.as_str().unwrap().contains("swagger-ui"));

    let problem = json!({"id": "pb-p-sigterm", "org": "pb-ly-cell", "chain": "pb-power-battery",
                         "title": "停机前写入的问题", "category": "other", "severity": 2,
                         "status": "open", "needs": ["testing:battery-safety"]});
    let (status, written) = server.request("POST", "/api/v1/problems", Some(&problem));
    assert_eq!(status, 201, "{written}");
    let revision = written["revision"].as_u64().unwrap();

    // A request in flight when SIGTERM arrives: the server has read its headers and waits for
    // its body (it asked for it with `100 Continue`), of which half is sent.
    let body = json!({"failures": ["all_foreign"]}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut in_flight = server.connect();
    write!(
        in_flight,
        "POST /api/v1/scenarios HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\nExpect: 100-continue\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        server.token,
        body.len()
    )
    .unwrap();
    in_flight.flush().unwrap();
    assert_eq!(read_head(&mut in_flight), "HTTP/1.1 100 Continue");
    in_flight.write_all(first.as_bytes()).unwrap();
    in_flight.flush().unwrap();
    server.terminate();
    // The rest of the body only once the server has taken the signal in.
    line_with(&server.log, "shutting down");
    in_flight.write_all(rest.as_bytes()).unwrap();
    let (status, report) = read_response(&mut in_flight);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["chains"].as_array().unwrap().len(), 3);

    let exit = server.wait();
    assert!(exit.success(), "exit status {exit:?}");

    // After a restart on the same store, the acknowledged write is there.
    let server = Server::start(dir.path(), false, &token);
    let (status, health) = server.request("GET", "/healthz", None);
    assert_eq!(status, 200);
    assert_eq!(health["revision"], revision);
    let (status, read) = server.request("GET", "/api/v1/problems/pb-p-sigterm", None);
    assert_eq!(status, 200);
    assert_eq!(read, problem);
    server.terminate();
    assert!(server.wait().success());
}

/// A bad token that has the shape of a real one.
const FORGED: &str =
    "qmap_000000000000_0000000000000000000000000000000000000000000000000000000000000000";

/// `limit` forged tokens from 127.0.0.2 are each a 401; then that address is locked out (429),
/// whatever it presents next, the valid `token` included.
fn guess_until_locked_out(server: &Server, limit: usize, token: &str) {
    for _ in 0..limit {
        let (status, body) = server.get_from("127.0.0.2", "/api/v1/chains", Some(FORGED));
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = server.get_from("127.0.0.2", "/api/v1/chains", Some(token));
    assert_eq!(
        (status, body["code"].clone()),
        (429, json!("too_many_attempts"))
    );
}

#[test]
fn failed_logins_lock_out_only_the_address_that_made_them() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start(dir.path(), false, &token);
    guess_until_locked_out(&server, 10, &token);
    // Everyone else is not.
    let (status, body) = server.get_from("127.0.0.1", "/api/v1/chains", Some(&token));
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.get_from("127.0.0.3", "/api/v1/chains", Some(&token));
    assert_eq!(status, 200, "{body}");
}

/// `--failed-logins-per-minute` sets the limit: with 3, the fourth request of a guessing address
/// is refused (with the default of 10 it would be served).
#[test]
fn the_failed_login_limit_is_set_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start_with(
        dir.path(),
        false,
        &token,
        &["--failed-logins-per-minute", "3"],
    );
    guess_until_locked_out(&server, 3, &token);
    let (status, body) = server.get_from("127.0.0.1", "/api/v1/chains", Some(&token));
    assert_eq!(status, 200, "{body}");
}

/// Reads until the server closes the connection (a read timeout of [`HANG_GUARD`] guards against
/// a hang) and returns what came.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        // A close with unread data in the server's buffer may arrive as a reset.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => got,
        Err(e) => panic!(
            "the server kept the connection open ({e}); read so far: {:?}",
            String::from_utf8_lossy(&got)
        ),
    }
}

#[test]
fn slow_and_idle_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start_with(dir.path(), false, &token, &["--header-timeout-secs", "1"]);

    // Half a request line, and then nothing.
    let mut slow = server.connect();
    slow.write_all(b"GET /api/v1/cha").unwrap();
    // A connection that sends nothing at all.
    let mut silent = server.connect();
    // A keep-alive connection, idle after its first answer.
    let mut idle = server.connect();
    write!(
        idle,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();

    read_until_closed(&mut slow);
    read_until_closed(&mut silent);
    let answer = String::from_utf8(read_until_closed(&mut idle)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn a_body_announced_over_the_limit_is_refused_before_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start_with(dir.path(), false, &token, &["--body-limit-mib", "1"]);
    let mut stream = server.connect();
    write!(
        stream,
        "POST /api/v1/import HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n",
        server.addr
    )
    .unwrap();
    stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let (status, body) = read_response(&mut stream);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "payload_too_large");
}

#[test]
fn a_body_that_stops_arriving_fails_after_the_body_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start_with(dir.path(), false, &token, &["--body-timeout-secs", "1"]);
    let mut stream = server.connect();
    write!(
        stream,
        "POST /api/v1/import?dry_run=true HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"version\"",
        server.addr
    )
    .unwrap();
    let answer = String::from_utf8(read_until_closed(&mut stream)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let dir = tempfile::tempdir().unwrap();
    let token = admin_token(dir.path());
    let server = Server::start_with(
        dir.path(),
        false,
        &token,
        &["--max-connections", "1", "--header-timeout-secs", "60"],
    );
    let holder = server.connect();
    let mut waiting = server.connect();
    write!(
        waiting,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    // While the one slot is taken, the second connection is not served...
    waiting
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = waiting.read(&mut byte);
    assert!(
        early.as_ref().is_err_and(|e| matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
        "served past the cap: {early:?}"
    );
    // ...and once the slot is free, it is.
    drop(holder);
    let answer = String::from_utf8(read_until_closed(&mut waiting)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// `qmap token ARGS --data DIR`.
fn qmap_token(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qmap"))
        .arg("token")
        .args(args)
        .arg("--data")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn tokens_made_and_revoked_beside_a_running_server_count_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh store without any token: every request is refused.
    let mut server = Server::start(dir.path(), false, "none");
    let (status, _) = server.get_from("127.0.0.1", "/api/v1/me", None);
    assert_eq!(status, 401);

    let made = qmap_token(dir.path(), &["create", "--role", "admin"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let secret = String::from_utf8(made.stdout).unwrap().trim().to_string();
    let id = secret.split('_').nth(1).unwrap().to_string();
    let (status, me) = server.get_from("127.0.0.1", "/api/v1/me", Some(&secret));
    assert_eq!((status, me["role"].clone()), (200, json!("admin")));

    let list = qmap_token(dir.path(), &["list"]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains(&id) && list.contains("active"), "{list}");

    // A scoped token cannot be checked against a store the server holds: a clear refusal.
    let scoped = qmap_token(
        dir.path(),
        &["create", "--role", "enterprise", "--org", "f1"],
    );
    assert!(!scoped.status.success());
    let stderr = String::from_utf8(scoped.stderr).unwrap();
    assert!(
        stderr.contains("in use") && stderr.contains("POST /api/v1/tokens"),
        "{stderr}"
    );

    // The token API of the running server makes one too.
    server.token = secret.clone();
    let (status, made) =
        server.request("POST", "/api/v1/tokens", Some(&json!({"role": "planner"})));
    assert_eq!(status, 201, "{made}");
    let planner = made["secret"].as_str().unwrap().to_string();
    let (status, me) = server.get_from("127.0.0.1", "/api/v1/me", Some(&planner));
    assert_eq!((status, me["role"].clone()), (200, json!("planner")));

    let revoked = qmap_token(dir.path(), &["revoke", &id]);
    assert!(revoked.status.success());
    let (status, _) = server.get_from("127.0.0.1", "/api/v1/me", Some(&secret));
    assert_eq!(status, 401);

    server.terminate();
    assert!(server.wait().success());
    // The command line's changes reached the audit log through the running server.
    let audit = Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(["audit", "--json", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&audit.stdout).unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        format!("token create {id} (admin)"),
        format!("token revoke {id}"),
    ] {
        assert!(actions.contains(&expected.as_str()), "{actions:?}");
    }
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("POST /api/v1/tokens (created ")),
        "{actions:?}"
    );
}
