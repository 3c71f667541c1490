//! Requests the server makes to others: the WhatsApp and SMS providers,
//! the businesses' webhook receivers. HTTP/1.1 over rustls (ring, the
//! Mozilla roots; plain HTTP where the address says so, as the loopback
//! fakes of the tests do), no redirects followed, at most
//! [`ANSWER_LIMIT`] bytes of an answer read, and the whole exchange within
//! `AGENDO_SEND_TIMEOUT_SECONDS`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use hyper::header::HeaderName;
use serde_json::Value;

use crate::error::Error;

/// The most of an answer read.
pub const ANSWER_LIMIT: usize = 65_536;

type Https = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<bytes::Bytes>,
>;

/// The client.
pub struct Outbound {
    http: Https,
    timeout: Duration,
}

/// An answer: its status, the wait it asked for (`Retry-After` in
/// seconds), its JSON body (null when it sent none, or too much) and how
/// long the exchange took.
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The wait asked for.
    pub wait: Option<TimeDelta>,
    /// The JSON body.
    pub body: Value,
    /// Milliseconds from sending to the end of the answer.
    pub millis: u32,
}

impl Outbound {
    /// A client whose exchanges last at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Internal`] when TLS cannot be set up.
    pub fn new(timeout: Duration) -> Result<Outbound, Error> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Internal {
                detail: format!("TLS: {e}"),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        Ok(Outbound { http, timeout })
    }

    /// How long an exchange may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// POSTs `body` with `headers` to `url`. Why it failed, when the
    /// other side could not be reached or did not answer in time.
    ///
    /// # Errors
    /// The reason, to keep on the message or delivery.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(HeaderName, String)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let mut request = hyper::Request::post(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .map_err(|e| format!("the request cannot be made: {e}"))?;
        let started = Instant::now();
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| format!("could not be reached: {e}"))?;
            let status = response.status().as_u16();
            let wait = response
                .headers()
                .get(hyper::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .map(TimeDelta::seconds);
            let limited = http_body_util::Limited::new(response.into_body(), ANSWER_LIMIT);
            let body = http_body_util::BodyExt::collect(limited)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice(&b.to_bytes()).ok())
                .unwrap_or(Value::Null);
            Ok::<_, String>((status, wait, body))
        };
        let (status, wait, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| format!("did not answer within {} s", self.timeout.as_secs()))??;
        Ok(Answer {
            status,
            wait,
            body,
            millis: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        })
    }
}
