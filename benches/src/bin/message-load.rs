//! Load and fault harness for the worker: messages and webhook deliveries
//! through real parts, with several workers on one Postgres.
//!
//! ```text
//! cargo run --release -p agendo-benches --bin message-load -- --database-url URL \
//!     --python PATH [--server target/release/agendo] [--messages 1000] [--workers 4]
//!     [--kill] [--latency 100]
//! ```
//!
//! It starts aiosmtpd (`http/tests/smtp/server.py`, with `--python`, which
//! must have aiosmtpd), a webhook receiver of its own on loopback, and the
//! server (`agendo serve` without its worker) over `--database-url`. Through
//! the API it opens a salon, `--messages` clients with an e-mail and a
//! webhook endpoint for `booking_created`, then books once for each client
//! while no worker runs: `--messages` e-mails and as many deliveries fall
//! due at once. Then it starts `--workers` processes of `agendo worker`
//! and prints how long until every e-mail and delivery arrived, and the
//! rates. With `--kill`, a random worker is killed with SIGKILL every half
//! second and started again, and it prints the kills and the copies that
//! arrived more than once (by `Message-ID` and `Agendo-Delivery`): a copy
//! is allowed only for a kill that fell between sending and recording, so
//! there may be at most as many as kills. With `--latency N` it then books
//! N more, one at a time, and prints p50 and p99 from the booking's answer
//! to its e-mail arriving.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USAGE: &str = "usage: message-load --database-url URL --python PATH [--server PATH] \
    [--messages N (1000)] [--workers N (4)] [--kill] [--latency N (0)]";

struct Options {
    server: String,
    database_url: String,
    python: String,
    messages: usize,
    workers: usize,
    kill: bool,
    latency: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        server: "target/release/agendo".to_owned(),
        database_url: String::new(),
        python: String::new(),
        messages: 1000,
        workers: 4,
        kill: false,
        latency: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| USAGE.to_owned());
        match flag.as_str() {
            "--server" => options.server = value()?,
            "--database-url" => options.database_url = value()?,
            "--python" => options.python = value()?,
            "--messages" => options.messages = value()?.parse().map_err(|_| USAGE.to_owned())?,
            "--workers" => options.workers = value()?.parse().map_err(|_| USAGE.to_owned())?,
            "--latency" => options.latency = value()?.parse().map_err(|_| USAGE.to_owned())?,
            "--kill" => options.kill = true,
            _ => return Err(USAGE.to_owned()),
        }
    }
    if options.database_url.is_empty() || options.python.is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(options)
}

/// A child process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// aiosmtpd writing to `log`; its port.
fn smtp(python: &str, log: &std::path::Path) -> Result<(Process, u16), String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../http/tests/smtp/server.py");
    let mut child = Command::new(python)
        .arg(script)
        .arg(log)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start aiosmtpd with {python}: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
    }
    let port = line
        .trim()
        .strip_prefix("ready ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("aiosmtpd said {line:?}"))?;
    Ok((Process(child), port))
}

/// The e-mails aiosmtpd accepted for the load's clients: (address,
/// Message-ID) each.
fn mails(log: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|m| {
            let to = m["to"][0].as_str()?.to_owned();
            to.starts_with("load-")
                .then(|| (to, m["message_id"].as_str().unwrap_or_default().to_owned()))
        })
        .collect()
}

/// A webhook receiver: answers 204 to every POST and keeps each
/// `Agendo-Delivery`.
async fn receiver(seen: Arc<Mutex<Vec<String>>>) -> Result<u16, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buffer).into_owned();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let head = text[..end].to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    if let Some(id) = head
                        .lines()
                        .find_map(|l| l.strip_prefix("agendo-delivery:"))
                    {
                        if let Ok(mut seen) = seen.lock() {
                            seen.push(id.trim().to_owned());
                        }
                    }
                    let _ = socket
                        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    buffer.drain(..end + 4 + length);
                }
            });
        }
    });
    Ok(port)
}

fn environment(options: &Options, smtp: u16, port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("AGENDO_BIND", format!("127.0.0.1:{port}")),
        ("DATABASE_URL", options.database_url.clone()),
        (
            "AGENDO_SECRET",
            "message-load-secret-of-at-least-32-bytes".into(),
        ),
        ("AGENDO_LOG", "warn".into()),
        ("AGENDO_SMTP_URL", format!("smtp://127.0.0.1:{smtp}")),
        ("AGENDO_WEBHOOKS_ALLOW_INTERNAL", "true".into()),
        ("AGENDO_REGISTER_RATE", "1000".into()),
        ("AGENDO_DB_CONNECTIONS", "8".into()),
    ]
}

fn start(
    options: &Options,
    env: &[(&'static str, String)],
    command: &str,
) -> Result<Process, String> {
    let mut process = Command::new(&options.server);
    process.arg(command).stdout(Stdio::null());
    for (name, value) in env {
        process.env(name, value);
    }
    if command == "serve" {
        process.env("AGENDO_RUN_WORKER", "false");
    }
    process
        .spawn()
        .map(Process)
        .map_err(|e| format!("cannot start {}: {e}", options.server))
}

async fn call(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("{status}: {body}"))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn run(options: Options) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("agendo-message-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let log = dir.join("mail.jsonl");
    let (_smtp, smtp_port) = smtp(&options.python, &log)?;
    let deliveries = Arc::new(Mutex::new(Vec::new()));
    let hook_port = receiver(Arc::clone(&deliveries)).await?;
    let port = free_port()?;
    let env = environment(&options, smtp_port, port);
    let _server = start(&options, &env, "serve")?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The salon, its clients and the endpoint.
    let registered = call(
        &http,
        format!("{base}/v1/auth/register"),
        None,
        json!({
        "business_name": format!("Salão de Carga {}", std::process::id()),
        "timezone": "America/Sao_Paulo", "currency": "BRL", "locale": "pt-BR",
        "name": "Dona", "email": format!("dona-{}@carga.example", std::process::id()),
        "password": "cavalo-bateria-grampo"}),
    )
    .await?;
    let token = registered["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token = token.as_str();
    let service = call(
        &http,
        format!("{base}/v1/services"),
        Some(token),
        json!({"name": "Corte", "duration_minutes": 30, "price": "80.00"}),
    )
    .await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let day = json!([["00:00", "24:00"]]);
    let staff = call(&http, format!("{base}/v1/staff"), Some(token), json!({"name": "Bia",
        "services": [service],
        "hours": {"weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}}}))
        .await?["id"].as_str().unwrap_or_default().to_owned();
    call(
        &http,
        format!("{base}/v1/webhooks"),
        Some(token),
        json!({
        "url": format!("http://127.0.0.1:{hook_port}/hook"), "events": ["booking_created"]}),
    )
    .await?;
    let mut clients = Vec::with_capacity(options.messages);
    for i in 0..options.messages {
        let client = call(
            &http,
            format!("{base}/v1/clients"),
            Some(token),
            json!({"name": format!("Cliente {i}"), "email": format!("load-{i}@carga.example")}),
        )
        .await?["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        clients.push(client);
    }
    let first = (chrono::Utc::now() + chrono::TimeDelta::days(2)).date_naive();
    let start_of = |i: usize| {
        let slot = i % 48;
        (first + chrono::TimeDelta::days((i / 48) as i64))
            .and_hms_opt((slot / 2) as u32, (slot % 2 * 30) as u32, 0)
            .map(|t| t.and_utc().to_rfc3339())
            .unwrap_or_default()
    };
    for (i, client) in clients.iter().enumerate() {
        call(
            &http,
            format!("{base}/v1/bookings"),
            Some(token),
            json!({
            "service_id": service, "staff_id": staff, "client_id": client, "start": start_of(i)}),
        )
        .await?;
    }
    println!("{} bookings made with no worker running", clients.len());

    // The workers.
    let began = Instant::now();
    let mut workers: Vec<Process> = (0..options.workers)
        .map(|_| start(&options, &env, "worker"))
        .collect::<Result<_, _>>()?;
    let mut kills = 0usize;
    let mut rng = rand::rng();
    let (mut mails_done, mut hooks_done) = (None, None);
    while mails_done.is_none() || hooks_done.is_none() {
        if began.elapsed() > Duration::from_secs(600) {
            return Err("not everything arrived in 10 minutes".into());
        }
        if options.kill {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let victim = rng.random_range(0..workers.len());
            // SIGKILL: the worker gets no chance to finish anything.
            let _ = workers[victim].0.kill();
            let _ = workers[victim].0.wait();
            kills += 1;
            workers[victim] = start(&options, &env, "worker")?;
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let unique_mails: std::collections::HashSet<String> =
            mails(&log).into_iter().map(|(to, _)| to).collect();
        if mails_done.is_none() && unique_mails.len() >= options.messages {
            mails_done = Some(began.elapsed());
        }
        let unique_hooks: std::collections::HashSet<String> = deliveries
            .lock()
            .map(|d| d.iter().cloned().collect())
            .unwrap_or_default();
        if hooks_done.is_none() && unique_hooks.len() >= options.messages {
            hooks_done = Some(began.elapsed());
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (mails_done, hooks_done) = (
        mails_done.unwrap_or_default(),
        hooks_done.unwrap_or_default(),
    );
    let all_mails = mails(&log);
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (_, id) in &all_mails {
        *by_id.entry(id.clone()).or_default() += 1;
    }
    let mail_copies: usize = by_id.values().map(|n| n - 1).sum();
    let all_hooks = deliveries.lock().map(|d| d.clone()).unwrap_or_default();
    let mut hook_ids: HashMap<String, usize> = HashMap::new();
    for id in &all_hooks {
        *hook_ids.entry(id.clone()).or_default() += 1;
    }
    let hook_copies: usize = hook_ids.values().map(|n| n - 1).sum();
    println!(
        "{} workers{}: {} e-mails in {:.2} s ({:.0}/s), {} webhook deliveries in {:.2} s ({:.0}/s)",
        options.workers,
        if options.kill {
            format!(", {kills} SIGKILLs")
        } else {
            String::new()
        },
        by_id.len(),
        mails_done.as_secs_f64(),
        options.messages as f64 / mails_done.as_secs_f64(),
        hook_ids.len(),
        hooks_done.as_secs_f64(),
        options.messages as f64 / hooks_done.as_secs_f64(),
    );
    println!(
        "lost: {} e-mails, {} deliveries; sent twice: {} e-mails (same Message-ID), {} deliveries (same Agendo-Delivery); kills: {kills}",
        options.messages.saturating_sub(by_id.len()),
        options.messages.saturating_sub(hook_ids.len()),
        mail_copies,
        hook_copies,
    );
    let lost = options.messages.saturating_sub(by_id.len())
        + options.messages.saturating_sub(hook_ids.len());
    if lost > 0
        || (!options.kill && mail_copies + hook_copies > 0)
        || mail_copies > kills
        || hook_copies > kills
    {
        return Err("messages were lost or copied more often than workers were killed".into());
    }

    // Latency: from a booking's answer to its e-mail.
    if options.latency > 0 {
        if options.kill {
            workers.clear();
            workers.push(start(&options, &env, "worker")?);
        }
        let mut waits = Vec::with_capacity(options.latency);
        for i in 0..options.latency {
            let to = format!("load-{}@carga.example", i % clients.len());
            let before = mails(&log).iter().filter(|(t, _)| *t == to).count();
            call(
                &http,
                format!("{base}/v1/bookings"),
                Some(token),
                json!({
                "service_id": service, "staff_id": staff, "client_id": clients[i % clients.len()],
                "start": start_of(options.messages + i)}),
            )
            .await?;
            let booked = Instant::now();
            loop {
                if mails(&log).iter().filter(|(t, _)| *t == to).count() > before {
                    waits.push(booked.elapsed());
                    break;
                }
                if booked.elapsed() > Duration::from_secs(30) {
                    return Err(format!("the e-mail to {to} did not arrive in 30 s"));
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        waits.sort();
        println!(
            "commit to e-mail ({} bookings, one at a time): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            waits.len(),
            percentile(&waits, 0.5).as_secs_f64() * 1000.0,
            percentile(&waits, 0.99).as_secs_f64() * 1000.0,
            waits.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        );
    }
    drop(workers);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() {
    let outcome = options().and_then(|options| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(run(options))
    });
    if let Err(e) = outcome {
        eprintln!("message-load: {e}");
        std::process::exit(1);
    }
}
