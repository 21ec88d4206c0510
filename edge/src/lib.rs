//! enlist's edge. The signup use case, the admin API and the dialect codecs are plain Rust
//! over the [`store::Store`] trait (tested natively against [`memory::MemoryStore`]); the
//! Worker glue below is routing and bindings only, compiled for wasm32.

pub mod account;
pub mod admin;
pub mod auth;
pub mod campaign;
pub mod dialects;
pub mod hashing;
pub mod limits;
pub mod memory;
pub mod native;
pub mod operator;
pub mod reply;
pub mod routes;
pub mod secrets;
pub mod store;

#[cfg(target_arch = "wasm32")]
mod d1;

#[cfg(target_arch = "wasm32")]
mod glue {
    use crate::dialects::{self, Dialect, Failure, Outcome, VendorRequest};
    use crate::limits::{self, Bucket, Limits};
    use crate::routes::Route;
    use crate::{admin, d1::EdgeStore, native, reply::Reply};
    use worker::{console_error, event, Context, Env, Headers, Request, Response, Result};

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let route = Route::resolve(req.method().as_ref(), &req.path());
        // Plain HTTP is refused, in the route's dialect, unless REQUIRE_TLS is "false" (local dev).
        let require_tls = env.var("REQUIRE_TLS").map(|v| v.to_string() != "false").unwrap_or(true);
        if require_tls && req.url()?.scheme() == "http" && route.needs_tls() {
            let failure = Outcome::Failed(Failure::request(enlist_shared::Code::TlsRequired));
            let dialect = route.dialect().unwrap_or(Dialect::Native);
            return into_response(dialects::encode_in(Ok(dialect), failure, &dialects::Echo::default()));
        }
        let reply = match route {
            Route::Health => Reply::new(200, "text/plain", "ok".into()),
            Route::NotFound => native::not_found(),
            Route::MethodNotAllowed { allow } => native::method_not_allowed(allow),
            Route::CreateAccount => {
                let h = req.headers().clone();
                let header = |name: &str| h.get(name).ok().flatten();
                let client_ip = client_ip(&h);
                let (content_type, accept_language, key, origin, idem) = (
                    header("content-type"),
                    header("accept-language"),
                    header("x-publishable-key"),
                    header("origin"),
                    header("idempotency-key"),
                );
                match native::check_length(header("content-length").as_deref()) {
                    Err(reply) => reply,
                    Ok(()) => {
                        let body = req.bytes().await?;
                        let meta = native::RequestMeta {
                            content_type: content_type.as_deref(),
                            accept_language: accept_language.as_deref(),
                            publishable_key: key.as_deref(),
                            origin: origin.as_deref(),
                            idempotency_key: idem.as_deref(),
                            client_ip,
                        };
                        native::create_account(&store(&env)?, meta, &body, now_ms()).await
                    }
                }
            }
            Route::Policy => {
                let url = req.url()?;
                let campaign = url.query_pairs().find(|(k, _)| k == "campaign").map(|(_, v)| v.into_owned());
                let h = req.headers();
                let (key, origin) = (h.get("x-publishable-key")?, h.get("origin")?);
                let meta = native::RequestMeta {
                    publishable_key: key.as_deref(),
                    origin: origin.as_deref(),
                    ..Default::default()
                };
                native::policy(&store(&env)?, campaign.as_deref(), meta).await
            }
            Route::Preflight => native::preflight(&store(&env)?, req.headers().get("origin")?.as_deref()).await,
            Route::PokenToken => {
                let (_, body, headers) = vendor_parts(&mut req, Dialect::Poken).await?;
                let store = store(&env)?;
                let limited = match client_ip(&headers) {
                    Some(ip) => limits::admit(&store, Bucket::Address(ip), now_ms()).await.is_err(),
                    None => false,
                };
                match body {
                    _ if limited => Reply::new(
                        429,
                        "application/json",
                        r#"{"error":"invalid_request","error_description":"Too many requests"}"#.into(),
                    ),
                    None => Reply::new(413, "application/json", r#"{"error":"invalid_request"}"#.into()),
                    Some(body) => dialects::poken::exchange_code(&store, &body, now_ms()).await,
                }
            }
            Route::EngagementCreateUser
            | Route::GetResponse
            | Route::MoveDigital
            | Route::PokenCreate
            | Route::PokenProfile => {
                let route_dialect = match route {
                    Route::GetResponse => Dialect::GetResponse,
                    Route::MoveDigital => Dialect::MoveDigital,
                    Route::PokenCreate | Route::PokenProfile => Dialect::Poken,
                    _ => Dialect::Engagement,
                };
                let (answer_in, body, headers) = vendor_parts(&mut req, route_dialect).await?;
                let header = |name: &str| headers.get(name).ok().flatten();
                let (content_type, authorization) = (header("content-type"), header("authorization"));
                let client_ip = client_ip(&headers);
                let store = store(&env)?;
                let limited = match client_ip {
                    Some(ip) => limits::admit(&store, Bucket::Address(ip), now_ms()).await.err(),
                    None => None,
                };
                let mut echo = dialects::Echo::default();
                let outcome = match body {
                    _ if limited.is_some() => {
                        // A JSON-RPC caller still gets its call's id and version back.
                        if let (Dialect::GetResponse, Some(body)) = (route_dialect, &body) {
                            echo.envelope = dialects::getresponse::decode(body).0;
                        }
                        Outcome::Failed(Failure::request(enlist_shared::Code::RateLimited))
                    }
                    None => Outcome::Failed(Failure::request(enlist_shared::Code::RequestMalformed)),
                    Some(body) => {
                        let request = VendorRequest {
                            content_type: content_type.as_deref(),
                            authorization: authorization.as_deref(),
                            client_ip,
                            body: &body,
                        };
                        match route_dialect {
                            Dialect::GetResponse => {
                                let (envelope, outcome) = dialects::getresponse::call(&store, &request, now_ms()).await;
                                echo.envelope = envelope;
                                outcome
                            }
                            Dialect::Poken => {
                                let (poken, outcome) = match route {
                                    Route::PokenCreate => {
                                        dialects::poken::create_account(&store, &request, now_ms()).await
                                    }
                                    _ => dialects::poken::update_profile(&store, &request, now_ms()).await,
                                };
                                echo.poken = poken;
                                outcome
                            }
                            Dialect::MoveDigital => {
                                let secret = env.secret("OUTBOX_SECRET").map(|s| s.to_string()).ok();
                                dialects::movedigital::create_account(&store, &request, secret.as_deref(), now_ms())
                                    .await
                            }
                            _ => dialects::engagement::create_user(&store, &request, now_ms()).await,
                        }
                    }
                };
                dialects::encode_in(answer_in, outcome, &echo)
            }
            Route::Admin => {
                let (method, path) = (req.method().as_ref().to_owned(), req.path());
                let query = req.url()?.query().map(str::to_owned);
                let authorization = req.headers().get("authorization")?;
                let declared =
                    req.headers().get("content-length")?.and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
                // Over the bound by its own account: refused before it is read.
                let too_large = declared > admin::MAX_BODY_BYTES;
                let body = if too_large { Vec::new() } else { req.bytes().await? };
                let admin_token = env.secret("ADMIN_TOKEN").map(|s| s.to_string()).unwrap_or_default();
                let request = admin::AdminRequest {
                    method: &method,
                    path: &path,
                    query: query.as_deref(),
                    authorization: authorization.as_deref(),
                    body: &body,
                    body_too_large: too_large,
                    admin_token: &admin_token,
                };
                admin::handle(&store(&env)?, request, now_ms()).await
            }
        };
        into_response(reply)
    }

    /// Largest body a vendor route reads.
    const MAX_VENDOR_BODY: usize = 64 * 1024;

    /// The answer's dialect, the body (`None` when over the bound) and the headers.
    async fn vendor_parts(
        req: &mut Request,
        route: Dialect,
    ) -> Result<(std::result::Result<Dialect, Dialect>, Option<Vec<u8>>, Headers)> {
        let headers = req.headers().clone();
        let query = req.url()?.query().map(str::to_owned);
        let answer_in = Dialect::negotiate(route, headers.get("x-signup-dialect")?.as_deref(), query.as_deref());
        let declared = headers.get("content-length")?.and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
        if declared > MAX_VENDOR_BODY {
            return Ok((answer_in, None, headers));
        }
        let body = req.bytes().await?;
        Ok((answer_in, (body.len() <= MAX_VENDOR_BODY).then_some(body), headers))
    }

    fn store(env: &Env) -> Result<EdgeStore> {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let limits = Limits::from_vars(
            var("RATE_LIMIT_PER_MINUTE").as_deref(),
            var("CAMPAIGN_RATE_LIMIT_PER_MINUTE").as_deref(),
        );
        Ok(EdgeStore::new(env.d1("DB")?, env.kv("KV")?, limits))
    }

    /// The client's address as Cloudflare (or wrangler dev) reports it.
    fn client_ip(headers: &Headers) -> Option<std::net::IpAddr> {
        headers.get("cf-connecting-ip").ok().flatten().and_then(|ip| ip.trim().parse().ok())
    }

    fn now_ms() -> i64 {
        worker::Date::now().as_millis() as i64
    }

    fn into_response(reply: Reply) -> Result<Response> {
        if let Some(why) = &reply.log {
            console_error!("{} answered with status {}: {why}", reply.content_type, reply.status);
        }
        let headers = Headers::new();
        headers.set("content-type", &reply.content_type)?;
        if reply.status == 429 {
            headers.set("retry-after", &limits::retry_after_s(now_ms()).to_string())?;
        }
        for (name, value) in &reply.headers {
            headers.set(name, value)?;
        }
        Ok(Response::from_bytes(reply.body.into_bytes())?.with_status(reply.status).with_headers(headers))
    }
}
