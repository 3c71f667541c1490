//! Registering a business, signing in and out, and refreshing tokens
//! (R1–R3, R6).

use agendo_core::account::{check_password, Account, Role, Session, Slug};
use agendo_core::business::{Activity, Business};
use agendo_core::contact::Email;
use agendo_core::ids::{AccountId, BusinessId, SessionId};
use agendo_core::money::Currency;
use agendo_core::time::parse_zone;
use agendo_core::{Error as CoreError, Lang};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{at, reused};
use crate::auth::{Caller, RefreshToken};
use crate::context::ClientAddr;
use crate::error::{Error, Problem};
use crate::extract::{Body, Idempotency, Json};
use crate::state::AppState;
use agendo_core::agenda::registered_as;
use agendo_core::agenda::throttle::{count_registration, SignInAttempt};

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
}

/// The cookie a browser keeps the refresh token in.
const COOKIE: &str = "agendo_refresh";

/// A new business and its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The business's name.
    #[schema(example = "Salão da Ana")]
    pub business_name: String,
    /// Its IANA time zone.
    #[schema(example = "America/Sao_Paulo")]
    pub timezone: String,
    /// Its ISO 4217 currency.
    #[schema(example = "BRL")]
    pub currency: String,
    /// The language its messages default to: `pt-BR` or `en`.
    #[schema(example = "pt-BR")]
    pub locale: String,
    /// Its public address for booking without signing in; made from the
    /// name when not given.
    #[serde(default)]
    #[schema(example = "salao-da-ana")]
    pub slug: Option<String>,
    /// The owner's name.
    #[schema(example = "Ana Souza")]
    pub name: String,
    /// The owner's e-mail, to sign in with.
    #[schema(example = "ana@example.com")]
    pub email: String,
    /// The owner's password: 10 to 128 characters, not a common one.
    #[schema(example = "cavalo-bateria-grampo")]
    pub password: String,
}

/// Signing in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// The e-mail.
    pub email: String,
    /// The password.
    pub password: String,
    /// The business's public address, when the e-mail has accounts in
    /// several businesses.
    #[serde(default)]
    pub business_slug: Option<String>,
}

/// A refresh token, for clients that do not keep it in the cookie.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token; the `agendo_refresh` cookie is used when absent.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// An account, as sent (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// The account's id.
    pub id: String,
    /// The business.
    pub business_id: String,
    /// The e-mail it signs in with.
    pub email: String,
    /// The person's name.
    pub name: String,
    /// `owner`, `receptionist` or `professional`.
    pub role: String,
    /// The professional whose agenda is the person's own.
    pub staff_id: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
    /// When its e-mail was verified (a link sent to it was followed).
    pub email_verified_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&Account> for AccountOut {
    fn from(account: &Account) -> AccountOut {
        AccountOut {
            id: account.id().to_string(),
            business_id: account.business().to_string(),
            email: account.email().to_string(),
            name: account.name().to_owned(),
            role: account.role().as_str().to_owned(),
            staff_id: account.professional().map(|p| p.to_string()),
            active: account.activity() == Activity::Active,
            email_verified_at: account.verified_at(),
        }
    }
}

/// A business, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessOut {
    /// The business's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its public address.
    pub slug: Option<String>,
    /// Its IANA time zone.
    pub timezone: String,
    /// Its currency.
    pub currency: String,
    /// Its default language.
    pub locale: String,
}

impl From<&Business> for BusinessOut {
    fn from(business: &Business) -> BusinessOut {
        BusinessOut {
            id: business.id().to_string(),
            name: business.name().to_owned(),
            slug: business.slug().map(|s| s.to_string()),
            timezone: business.zone().name().to_owned(),
            currency: business.currency().code().to_owned(),
            locale: business.locale().tag().to_owned(),
        }
    }
}

/// Tokens for a signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensOut {
    /// The access token: send it as `Authorization: Bearer {token}`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The refresh token, also set as an HttpOnly cookie for browsers:
    /// trade it at `/v1/auth/refresh` for new tokens; each is good once.
    pub refresh_token: String,
    /// Who signed in.
    pub account: AccountOut,
}

/// A registered business with its signed-in owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredOut {
    /// The business.
    pub business: BusinessOut,
    /// The owner's tokens and account.
    #[serde(flatten)]
    pub tokens: TokensOut,
}

/// Starts a session for `account` and answers its tokens, with the
/// refresh cookie.
async fn sign_in(
    state: &AppState,
    account: &Account,
    lang: Lang,
) -> Result<(TokensOut, HeaderValue), Error> {
    let (session, refresh, lifetime) = start_session(state, account).await?;
    issue(state, account, lang, session, &refresh, lifetime)
}

/// Starts a session for `account`: its id, its first refresh token and
/// how long it lasts.
///
/// # Errors
/// [`Error::Core`] when the account cannot sign in.
pub(crate) async fn start_session(
    state: &AppState,
    account: &Account,
) -> Result<(SessionId, RefreshToken, TimeDelta), Error> {
    let now = state.now();
    let session_id = SessionId::random();
    let refresh = RefreshToken::new(account.business(), session_id);
    let lifetime = TimeDelta::from_std(state.config.session_ttl).unwrap_or(TimeDelta::days(30));
    let session = Session::new(
        session_id,
        account.business(),
        account.id(),
        refresh.hash()?,
        now,
        lifetime,
    );
    let ctx = agendo_core::agenda::Context::staff(account.business(), now);
    state.agenda.start_session(&ctx, &session).await?;
    Ok((session_id, refresh, lifetime))
}

fn issue(
    state: &AppState,
    account: &Account,
    lang: Lang,
    session: SessionId,
    refresh: &RefreshToken,
    lifetime: TimeDelta,
) -> Result<(TokensOut, HeaderValue), Error> {
    let caller = Caller::of(account, lang, session);
    let access_token = state.tokens.access_token(&caller, state.now())?;
    let cookie = cookie(&refresh.text(), lifetime.num_seconds())?;
    Ok((
        TokensOut {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.access_ttl().num_seconds(),
            refresh_token: refresh.text(),
            account: account.into(),
        },
        cookie,
    ))
}

/// The refresh cookie: HttpOnly so scripts cannot read it, Secure, and
/// SameSite=Strict so no other site's page can make the browser send it
/// (which, with the JSON content type the routes require, is the CSRF
/// protection of the cookie flow; R49).
fn cookie(value: &str, max_age: i64) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}"
    ))
    .map_err(|e| Error::Internal {
        detail: format!("cookie: {e}"),
    })
}

fn with_cookie(status: StatusCode, body: impl Serialize, cookie: HeaderValue) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

fn from_cookie(headers: &HeaderMap) -> Option<String> {
    crate::auth::cookie(headers, COOKIE)
}

/// Opens a business with its owner, and signs the owner in (R1).
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth",
    request_body = RegisterBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "The business was opened; the owner is signed in", body = RegisteredOut),
        (status = 409, description = "The public address is taken", body = Problem),
        (status = 422, description = "A field is invalid (the password is too weak, the zone unknown...)", body = Problem),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Idempotency(key): Idempotency,
    Json(body): Json<RegisterBody>,
) -> Result<Response, Error> {
    let (business, owner, lang) = open_business(&state, address, key, body).await?;
    let (tokens, cookie) = sign_in(&state, &owner, lang).await?;
    Ok(with_cookie(
        StatusCode::CREATED,
        RegisteredOut {
            business: (&business).into(),
            tokens,
        },
        cookie,
    ))
}

/// Opens a business with its owner (R1), as `/v1/auth/register` and the
/// registration page do: the fields read, the address's registrations
/// counted, and the owner sent a link to verify their e-mail. Under a key,
/// a retry that asks for exactly the same finds what the first opened.
///
/// # Errors
/// [`Error::Core`] for an invalid field, a slug taken or a key reused;
/// [`Error::TooManyRequests`] past the address's limit.
pub(crate) async fn open_business(
    state: &AppState,
    address: std::net::IpAddr,
    key: Option<agendo_core::store::IdempotencyKey>,
    body: RegisterBody,
) -> Result<(Business, Account, Lang), Error> {
    let zone = parse_zone(body.timezone.trim()).map_err(|e| at(e, "timezone"))?;
    let currency = Currency::parse(body.currency.trim()).map_err(|e| at(e, "currency"))?;
    let lang = Lang::parse(&body.locale)?;
    let email = Email::parse(&body.email).map_err(|e| at(e, "email"))?;
    check_password(&body.password, &email)?;
    let given = body
        .slug
        .as_deref()
        .map(|s| Slug::parse(s.trim()))
        .transpose()?;
    // Under a key, the business and owner ids are made from it, so a retry
    // finds what the first request opened.
    let keyed = |what: &str| {
        key.as_ref()
            .map(|k| state.tokens.keyed_id(&["register", what, k.as_str()]))
    };
    let business_id = keyed("business").map_or_else(BusinessId::random, BusinessId::from_uuid);
    let owner_id = keyed("owner").map_or_else(AccountId::random, AccountId::from_uuid);
    let business = Business::new(business_id, &body.business_name, zone, currency, lang)
        .map_err(|e| at(e, "business_name"))?;
    count_registration(
        &**state.agenda.store(),
        &address.to_string(),
        state.config.register_rate,
        state.now(),
    )
    .await?;
    if let Some(key) = key {
        let ctx = agendo_core::agenda::Context::staff(business_id, state.now());
        if let Ok(owner) = state.agenda.account(&ctx, owner_id).await {
            let asked = Registration {
                business: &business,
                slug: given.as_ref(),
                email: &email,
                name: &body.name,
                password: body.password,
            };
            return replay_register(state, owner, asked, key)
                .await
                .map(|(b, o)| (b, o, lang));
        }
    }
    let password = state.passwords.hash(&body.password).await?;
    let owner = Account::new(
        owner_id,
        business.id(),
        email,
        &body.name,
        Role::Owner,
        None,
        password,
    )?;
    let business = state
        .agenda
        .register(&business.with_slug(given), &owner)
        .await?;
    // The owner gets a link to verify the e-mail they signed up with; the
    // business is open whether or not the link could be made (another can
    // be asked for).
    if let Err(e) = super::recovery::issue(
        state,
        owner.email(),
        agendo_core::agenda::TokenPurpose::VerifyEmail,
        "verify-email",
    )
    .await
    {
        tracing::warn!(error = %e, "the verification link of a new owner was not made");
    }
    Ok((business, owner, lang))
}

/// What a registration asked for, to compare a retry with.
struct Registration<'a> {
    business: &'a Business,
    slug: Option<&'a Slug>,
    email: &'a Email,
    name: &'a str,
    password: String,
}

/// Answers a retried registration: the owner signs in again when the
/// retry asks for exactly what the first request did (business, zone,
/// currency, language, address, owner's name and e-mail, and a password
/// that matches); anything else is the key used for another request, and
/// refused without saying what the first one held.
async fn replay_register(
    state: &AppState,
    owner: Account,
    asked: Registration<'_>,
    key: agendo_core::store::IdempotencyKey,
) -> Result<(Business, Account), Error> {
    let mut work = state
        .agenda
        .store()
        .begin(owner.business(), agendo_core::store::Access::Read)
        .await?;
    let business = work.business().await?.ok_or_else(|| reused(&key))?;
    drop(work);
    let same = registered_as(
        &business,
        &owner,
        asked.business,
        asked.slug,
        asked.name,
        asked.email,
    ) && state
        .passwords
        .verify(&asked.password, Some(owner.password()))
        .await?;
    if !same {
        return Err(reused(&key));
    }
    Ok((business, owner))
}

/// Signs in with an e-mail and password (R1, R6). Five failures in 15
/// minutes for one e-mail, or from one address, and the next attempt is
/// answered 429 with `Retry-After`.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokensOut),
        (status = 401, description = "The e-mail or password is wrong", body = Problem),
        (status = 429, description = "Too many failed attempts", body = Problem),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Json(body): Json<LoginBody>,
) -> Result<Response, Error> {
    let (account, lang) = authenticate(&state, address, &body).await?;
    let (tokens, cookie) = sign_in(&state, &account, lang).await?;
    Ok(with_cookie(StatusCode::OK, tokens, cookie))
}

/// The active account an e-mail and password name (in the business of
/// `business_slug` when given) and its business's language, counting a
/// failure against the e-mail and the address, as `/v1/auth/login` and
/// the sign-in page do.
///
/// # Errors
/// [`Error::BadCredentials`]; [`Error::TooManyRequests`] after five
/// failures in 15 minutes.
pub(crate) async fn authenticate(
    state: &AppState,
    address: std::net::IpAddr,
    body: &LoginBody,
) -> Result<(Account, Lang), Error> {
    let now = state.now();
    let store = state.agenda.store().clone();
    // A malformed e-mail is a failed sign-in like any other: it says
    // nothing about which addresses have accounts.
    let email = Email::parse(&body.email).ok();
    let attempt = SignInAttempt::begin(&*store, &address.to_string(), email.as_ref(), now).await?;
    let mut candidates = Vec::new();
    if let Some(email) = &email {
        let wanted = match body.business_slug.as_deref().map(|s| Slug::parse(s.trim())) {
            Some(Ok(slug)) => Some(store.business_by_slug(&slug).await?),
            Some(Err(_)) => Some(None),
            None => None,
        };
        for login in store.logins(email).await? {
            if wanted.is_some_and(|w| w != Some(login.business)) {
                continue;
            }
            let ctx = agendo_core::agenda::Context::staff(login.business, now);
            let account = state.agenda.account(&ctx, login.account).await?;
            if account.activity() == Activity::Active {
                candidates.push(account);
            }
        }
    }
    let signed = match judge(state, &body.password, candidates).await {
        Ok(signed) => signed,
        Err(error) => {
            attempt.abandon(&*store).await?;
            return Err(error);
        }
    };
    let Some(account) = signed else {
        return Err(Error::BadCredentials);
    };
    attempt.succeeded(&*store).await?;
    let lang = business_lang(state, account.business()).await?;
    Ok((account, lang))
}

/// The account among `candidates` whose password is `password`; with
/// none, the decoy is checked so the answer takes as long.
async fn judge(
    state: &AppState,
    password: &str,
    candidates: Vec<Account>,
) -> Result<Option<Account>, Error> {
    if candidates.is_empty() {
        state.passwords.verify(password, None).await?;
    }
    for account in candidates {
        if state
            .passwords
            .verify(password, Some(account.password()))
            .await?
        {
            return Ok(Some(account));
        }
    }
    Ok(None)
}

async fn business_lang(state: &AppState, business: BusinessId) -> Result<Lang, Error> {
    let mut work = state
        .agenda
        .store()
        .begin(business, agendo_core::store::Access::Read)
        .await?;
    Ok(work
        .business()
        .await?
        .map(|b| b.locale())
        .unwrap_or_default())
}

fn ended() -> Error {
    CoreError::SessionEnded {
        session: SessionId::from_uuid(uuid::Uuid::nil()),
        why: agendo_core::account::Redemption::Revoked,
    }
    .into()
}

/// Trades a refresh token for new tokens (R2). Each refresh token is good
/// once: presenting one again ends its session, and every token of it.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth",
    request_body(content = RefreshBody, description = "The token; or send none and the cookie is used"),
    responses(
        (status = 200, description = "New tokens", body = TokensOut),
        (status = 401, description = "The token is unknown, expired, ended or was used before", body = Problem),
    ))]
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, Error> {
    let body: RefreshBody = if body.is_empty() {
        RefreshBody::default()
    } else {
        crate::extract::parse(&body)?
    };
    let text = body
        .refresh_token
        .or_else(|| from_cookie(&headers))
        .ok_or_else(ended)?;
    let token = RefreshToken::parse(&text).ok_or_else(ended)?;
    let next = RefreshToken::new(token.business, token.session);
    let ctx = agendo_core::agenda::Context::staff(token.business, state.now());
    let (session, account) = state
        .agenda
        .refresh_session(&ctx, token.session, &token.hash()?, next.hash()?)
        .await?;
    let lang = business_lang(&state, account.business()).await?;
    let left = session.expires() - state.now();
    let (tokens, cookie) = issue(&state, &account, lang, session.id(), &next, left)?;
    Ok(with_cookie(StatusCode::OK, tokens, cookie))
}

/// Signs out: ends the refresh token's session, so none of its tokens
/// refreshes again. Access tokens already issued last until they expire
/// (minutes).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth",
    request_body(content = RefreshBody, description = "The token; or send none and the cookie is used"),
    responses((status = 204, description = "Signed out (also when the token was unknown)")))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, Error> {
    let body: RefreshBody = if body.is_empty() {
        RefreshBody::default()
    } else {
        crate::extract::parse(&body)?
    };
    if let Some(token) = body
        .refresh_token
        .or_else(|| from_cookie(&headers))
        .and_then(|t| RefreshToken::parse(&t))
    {
        let ctx = agendo_core::agenda::Context::staff(token.business, state.now());
        state.agenda.end_session(&ctx, token.session).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie("", 0)?);
    Ok(response)
}
