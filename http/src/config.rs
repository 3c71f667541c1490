//! The host's settings, read once from environment variables at start-up.
//! Every variable has a documented default (`README.md`, "Configuration"),
//! so `agendo` with none set serves on loopback over a SQLite file in the
//! working directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;

/// Where the records are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A Postgres server, by URL.
    Postgres(String),
}

/// Development (the default) or production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Secrets may be generated and kept beside the database.
    Development,
    /// Every secret must be given; nothing is generated.
    Production,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// For people at a terminal.
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

/// The host's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (`AGENDO_BIND`, default `127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// The database (`DATABASE_URL`, a `postgres://` or `sqlite:` URL;
    /// default the file `agendo.db` in the working directory).
    pub database: Database,
    /// The token secret (`AGENDO_SECRET`, at least 32 bytes). `None` means
    /// generate one and keep it beside the SQLite file (development only).
    pub secret: Option<String>,
    /// `AGENDO_ENV`: `development` (default) or `production`.
    pub mode: Mode,
    /// How durable a SQLite commit is (`AGENDO_SQLITE_SYNCHRONOUS`: `full`,
    /// the default, or `normal`, which a power cut may take the last
    /// commits back from; see [`agendo_sqlite::Durability`]).
    pub sqlite_durability: agendo_sqlite::Durability,
    /// Origins allowed to call the API from a browser
    /// (`AGENDO_CORS_ORIGINS`, comma-separated; default none).
    pub cors_origins: Vec<String>,
    /// `AGENDO_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// The largest request body, in bytes (`AGENDO_BODY_LIMIT`, default 65536).
    pub body_limit: usize,
    /// How long an access token lasts (`AGENDO_ACCESS_TTL_SECONDS`, default 900).
    pub access_ttl: Duration,
    /// How long a sign-in lasts (`AGENDO_SESSION_DAYS`, default 30).
    pub session_ttl: Duration,
    /// Whether to take the client's address from `X-Forwarded-For`
    /// (`AGENDO_TRUST_PROXY=true`, only behind a proxy that sets it).
    pub trust_proxy: bool,
    /// Requests a minute one address may make to the public booking routes
    /// (`AGENDO_PUBLIC_RATE`, default 120).
    pub public_rate: u32,
    /// Database connections (`AGENDO_DB_CONNECTIONS`, default 16).
    pub connections: u32,
    /// Businesses one address may register an hour
    /// (`AGENDO_REGISTER_RATE`, default 10).
    pub register_rate: usize,
    /// The longest `GET /v1/events` holds an empty answer
    /// (`AGENDO_EVENTS_WAIT_SECONDS`, default 25, at most 60): under the
    /// idle time-out of the proxies in front.
    pub events_wait: Duration,
    /// Client connections held at once (`AGENDO_MAX_CONNECTIONS`, default
    /// 4096, lowered to what the process may open); one more waits in the
    /// kernel's backlog until one closes.
    pub max_connections: usize,
    /// How long a client may take to send a request's head, or to start
    /// the next request on a kept-alive connection
    /// (`AGENDO_HEADER_TIMEOUT_SECONDS`, default 10).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body, and a handler
    /// to answer (`AGENDO_REQUEST_TIMEOUT_SECONDS`, default 30).
    pub request_timeout: Duration,
    /// The SMTP server e-mail goes through (`AGENDO_SMTP_URL`:
    /// `smtps://user:password@host:465` for TLS, `smtp://…:587?tls=required`
    /// for STARTTLS, `smtp://host:25` for neither). None by default: e-mail
    /// is then recorded by the development channel, not sent.
    pub smtp: Option<SmtpUrl>,
    /// A PEM file of certificates to trust for the SMTP server besides the
    /// public roots (`AGENDO_SMTP_CA_FILE`: a private relay's own CA).
    pub smtp_ca: Option<PathBuf>,
    /// Who e-mail is from (`AGENDO_MAIL_FROM`, default
    /// `Agendo <agendo@localhost>`).
    pub mail_from: String,
    /// The address people reach this server at, for links in messages
    /// (`AGENDO_PUBLIC_URL`, default `http://` and `AGENDO_BIND`).
    pub public_url: String,
    /// Whether `agendo serve` also runs the worker that sends messages
    /// (`AGENDO_RUN_WORKER`, default true; `agendo worker` runs it alone).
    pub run_worker: bool,
    /// How many messages a worker sends at once (`AGENDO_WORKER_LANES`,
    /// default 4).
    pub worker_lanes: usize,
    /// How long one try of a message may take
    /// (`AGENDO_SEND_TIMEOUT_SECONDS`, default 20).
    pub send_timeout: Duration,
    /// The keys channel credentials are sealed with, newest first
    /// (`AGENDO_CHANNEL_KEYS`; derived from the token secret when unset).
    pub channel_keys: Option<ChannelKeys>,
    /// The WhatsApp Business Cloud API (`AGENDO_WHATSAPP_API_URL`, default
    /// `https://graph.facebook.com/v23.0`).
    pub whatsapp_api: String,
    /// Twilio's API, for SMS (`AGENDO_TWILIO_API_URL`, default
    /// `https://api.twilio.com`).
    pub twilio_api: String,
    /// Whether webhook endpoints may be on loopback, private or link-local
    /// addresses (`AGENDO_WEBHOOKS_ALLOW_INTERNAL`, default false: only for
    /// tests and closed networks).
    pub webhooks_allow_internal: bool,
}

/// The channel keys: never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelKeys(String);

impl ChannelKeys {
    /// The keys, comma separated.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ChannelKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelKeys(…)")
    }
}

/// An SMTP URL, which may hold a password: never shown whole.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    /// The URL.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split("://").next().unwrap_or("smtp");
        write!(f, "{scheme}://…")
    }
}

impl Config {
    /// Reads the settings from the process environment.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable and what is wrong with it.
    pub fn from_env() -> Result<Config, Error> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the settings from `var` (the environment, or a test's map).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable and what is wrong with it.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let bad = |name: &'static str, problem: String| Error::Config { var: name, problem };
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let bind = match var("AGENDO_BIND") {
            Some(text) => text.parse().map_err(|_| {
                bad(
                    "AGENDO_BIND",
                    format!("{text:?} is not an address and port such as 127.0.0.1:8080"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let database = match var("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url)
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                Database::Sqlite(PathBuf::from(path))
            }
            Some(url) => {
                return Err(bad(
                    "DATABASE_URL",
                    format!(
                        "{:?} is neither a postgres:// nor a sqlite: URL",
                        clip(&url)
                    ),
                ))
            }
            None => Database::Sqlite(PathBuf::from("agendo.db")),
        };
        let sqlite_durability = match var("AGENDO_SQLITE_SYNCHRONOUS").as_deref() {
            None | Some("full") => agendo_sqlite::Durability::Full,
            Some("normal") => agendo_sqlite::Durability::Normal,
            Some(other) => {
                return Err(bad(
                    "AGENDO_SQLITE_SYNCHRONOUS",
                    format!("{:?} is not full or normal", clip(other)),
                ))
            }
        };
        let mode = match var("AGENDO_ENV").as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(bad(
                    "AGENDO_ENV",
                    format!("{other:?} is not development or production"),
                ))
            }
        };
        let secret = var("AGENDO_SECRET");
        if let Some(secret) = &secret {
            if secret.len() < 32 {
                return Err(bad(
                    "AGENDO_SECRET",
                    "must be at least 32 bytes long".to_owned(),
                ));
            }
        } else if mode == Mode::Production {
            return Err(bad(
                "AGENDO_SECRET",
                "is required in production (at least 32 random bytes)".to_owned(),
            ));
        }
        let log_format = match var("AGENDO_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(bad(
                    "AGENDO_LOG_FORMAT",
                    format!("{other:?} is not text or json"),
                ))
            }
        };
        let number = |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, Error> {
            match var(name) {
                None => Ok(default),
                Some(text) => match text.trim().parse::<u64>() {
                    Ok(n) if (min..=max).contains(&n) => Ok(n),
                    _ => Err(bad(
                        name,
                        format!("{text:?} is not a whole number from {min} to {max}"),
                    )),
                },
            }
        };
        let flag = |name: &'static str| -> Result<bool, Error> {
            match var(name).as_deref() {
                None | Some("false") | Some("0") => Ok(false),
                Some("true") | Some("1") => Ok(true),
                Some(other) => Err(bad(name, format!("{other:?} is not true or false"))),
            }
        };
        let cors_origins = var("AGENDO_CORS_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let smtp = match var("AGENDO_SMTP_URL") {
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                Some(SmtpUrl(url))
            }
            Some(_) => {
                return Err(bad(
                    "AGENDO_SMTP_URL",
                    "must start with smtp:// or smtps://".to_owned(),
                ))
            }
            None => None,
        };
        let mail_from =
            var("AGENDO_MAIL_FROM").unwrap_or_else(|| "Agendo <agendo@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                "AGENDO_MAIL_FROM",
                format!(
                    "{:?} is not an address such as Salão <agenda@example.com>",
                    clip(&mail_from)
                ),
            ));
        }
        let public_url = var("AGENDO_PUBLIC_URL")
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(bad(
                "AGENDO_PUBLIC_URL",
                format!(
                    "{:?} is not an http:// or https:// address",
                    clip(&public_url)
                ),
            ));
        }
        let run_worker = match var("AGENDO_RUN_WORKER").as_deref() {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => {
                return Err(bad(
                    "AGENDO_RUN_WORKER",
                    format!("{other:?} is not true or false"),
                ))
            }
        };
        let api = |name: &'static str, default: &str| -> Result<String, Error> {
            let url = var(name).map_or_else(
                || default.to_owned(),
                |u| u.trim().trim_end_matches('/').to_owned(),
            );
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(url)
            } else {
                Err(bad(
                    name,
                    format!("{:?} is not an http:// or https:// address", clip(&url)),
                ))
            }
        };
        Ok(Config {
            smtp_ca: var("AGENDO_SMTP_CA_FILE").map(PathBuf::from),
            channel_keys: var("AGENDO_CHANNEL_KEYS").map(ChannelKeys),
            webhooks_allow_internal: flag("AGENDO_WEBHOOKS_ALLOW_INTERNAL")?,
            whatsapp_api: api(
                "AGENDO_WHATSAPP_API_URL",
                "https://graph.facebook.com/v23.0",
            )?,
            twilio_api: api("AGENDO_TWILIO_API_URL", "https://api.twilio.com")?,
            smtp,
            mail_from,
            public_url,
            run_worker,
            worker_lanes: usize::try_from(number("AGENDO_WORKER_LANES", 4, 1, 64)?).unwrap_or(4),
            send_timeout: Duration::from_secs(number("AGENDO_SEND_TIMEOUT_SECONDS", 20, 1, 60)?),
            bind,
            database,
            secret,
            mode,
            sqlite_durability,
            cors_origins,
            log_format,
            body_limit: usize::try_from(number("AGENDO_BODY_LIMIT", 65_536, 1_024, 16 << 20)?)
                .unwrap_or(65_536),
            access_ttl: Duration::from_secs(number("AGENDO_ACCESS_TTL_SECONDS", 900, 30, 86_400)?),
            session_ttl: Duration::from_secs(number("AGENDO_SESSION_DAYS", 30, 1, 365)? * 86_400),
            trust_proxy: flag("AGENDO_TRUST_PROXY")?,
            public_rate: u32::try_from(number("AGENDO_PUBLIC_RATE", 120, 1, 1_000_000)?)
                .unwrap_or(120),
            connections: u32::try_from(number("AGENDO_DB_CONNECTIONS", 16, 1, 1_000)?)
                .unwrap_or(16),
            register_rate: usize::try_from(number("AGENDO_REGISTER_RATE", 10, 1, 1_000_000)?)
                .unwrap_or(10),
            events_wait: Duration::from_secs(number("AGENDO_EVENTS_WAIT_SECONDS", 25, 0, 60)?),
            max_connections: usize::try_from(number("AGENDO_MAX_CONNECTIONS", 4_096, 1, 1 << 20)?)
                .unwrap_or(4_096),
            header_timeout: Duration::from_secs(number(
                "AGENDO_HEADER_TIMEOUT_SECONDS",
                10,
                1,
                3_600,
            )?),
            request_timeout: Duration::from_secs(number(
                "AGENDO_REQUEST_TIMEOUT_SECONDS",
                30,
                1,
                3_600,
            )?),
        })
    }

    /// Where a generated secret is kept: beside the SQLite file.
    pub fn secret_file(&self) -> Option<PathBuf> {
        match &self.database {
            Database::Sqlite(path) => {
                let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
                let name = format!(
                    "{}.secret",
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "agendo.db".to_owned())
                );
                Some(dir.unwrap_or(Path::new(".")).join(name))
            }
            Database::Postgres(_) => None,
        }
    }
}

/// At most 40 characters of `text`, so a URL with a password is not
/// echoed whole.
fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Config, Error> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_is_loopback_over_a_sqlite_file() {
        let config = read(&[]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("agendo.db"))
        );
        assert_eq!(
            config.secret_file(),
            Some(PathBuf::from("./agendo.db.secret"))
        );
        assert_eq!(config.mode, Mode::Development);
    }

    #[test]
    fn production_without_a_secret_is_refused_naming_the_variable() {
        let err = read(&[("AGENDO_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("AGENDO_SECRET"), "{err}");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = read(&[("AGENDO_BIND", "everywhere")]).unwrap_err();
        assert!(err.to_string().starts_with("AGENDO_BIND"), "{err}");
        let err = read(&[("AGENDO_ACCESS_TTL_SECONDS", "5")]).unwrap_err();
        assert!(
            err.to_string().contains("AGENDO_ACCESS_TTL_SECONDS"),
            "{err}"
        );
    }

    #[test]
    fn sqlite_durability_is_full_unless_normal_is_asked_for() {
        use agendo_sqlite::Durability;
        assert_eq!(read(&[]).unwrap().sqlite_durability, Durability::Full);
        let normal = read(&[("AGENDO_SQLITE_SYNCHRONOUS", "normal")]).unwrap();
        assert_eq!(normal.sqlite_durability, Durability::Normal);
        let err = read(&[("AGENDO_SQLITE_SYNCHRONOUS", "off")]).unwrap_err();
        assert!(
            err.to_string().starts_with("AGENDO_SQLITE_SYNCHRONOUS"),
            "{err}"
        );
    }

    #[test]
    fn database_urls_pick_the_store() {
        let pg = read(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
        assert_eq!(pg.database, Database::Postgres("postgres://u@h/db".into()));
        let lite = read(&[("DATABASE_URL", "sqlite:/tmp/x.db")]).unwrap();
        assert_eq!(lite.database, Database::Sqlite(PathBuf::from("/tmp/x.db")));
        assert!(read(&[("DATABASE_URL", "mysql://x")]).is_err());
    }
}
