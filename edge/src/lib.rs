//! enlist's edge. The signup use case, the admin API and the dialect codecs are plain Rust
//! over the storage traits of [`store`] (tested natively against the in-memory store of the
//! `memory` feature), answered by [`handler::handle`]; the Worker glue below only turns a
//! `worker::Request` into a plain request and the reply into a `Response`, compiled for wasm32.

pub mod account;
pub mod admin;
pub mod auth;
pub mod campaign;
pub mod dialects;
pub mod export;
pub mod handler;
pub mod hashing;
pub mod limits;
pub mod mail;
#[cfg(any(test, feature = "memory"))]
pub mod memory;
pub mod names;
pub mod native;
pub mod operator;
pub mod outbox;
pub mod query;
pub mod reply;
pub mod routes;
pub mod secrets;
pub mod store;
pub mod verify;
pub mod webhook;

#[cfg(target_arch = "wasm32")]
mod d1;

#[cfg(target_arch = "wasm32")]
mod glue {
    //! The Worker adapter: a `worker::Request` becomes a [`handler::Request`], the native
    //! [`handler::handle`] answers it, its [`Reply`] becomes a `Response`.
    use crate::handler::{self, body_bound, Config};
    use crate::mail::Mail;
    use crate::outbox::{Courier, Delivery, Disposition, Job};
    use crate::routes::Route;
    use crate::{d1::EdgeStore, reply::Reply};
    use worker::{console_error, event, Context, Env, Headers, Request, Response, Result};

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let url = req.url()?;
        let method = req.method().as_ref().to_owned();
        let headers: Vec<(String, String)> = req.headers().entries().collect();
        let route = Route::resolve(&method, url.path());
        let declared = req.headers().get("content-length")?.and_then(|v| v.trim().parse::<usize>().ok());
        // A body declared over the route's bound is refused without being kept: it is drained
        // chunk by chunk (a runtime that answers before the body is consumed resets the
        // connection locally, and the client may lose the answer).
        let body = match declared {
            Some(length) if length > body_bound(route) => {
                drain(&mut req).await;
                None
            }
            _ => Some(req.bytes().await?),
        };
        let request = handler::Request {
            method,
            https: url.scheme() == "https",
            path: url.path().to_owned(),
            query: url.query().map(str::to_owned),
            client_ip: client_ip(&req),
            headers,
            body,
        };
        let config = Config {
            require_tls: env.var("REQUIRE_TLS").map(|v| v.to_string() != "false").unwrap_or(true),
            admin_token: env.secret("ADMIN_TOKEN").map(|s| s.to_string()).unwrap_or_default(),
            outbox_secret: env.secret("OUTBOX_SECRET").map(|s| s.to_string()).ok(),
        };
        let store = EdgeStore::from_env(&env)?;
        let mut reply = handler::handle(&store, &request, &config, now_ms()).await;
        let Some(export) = reply.export.take() else { return into_response(reply) };
        // A CSV export: the header, then one chunk per page of accounts as the client reads.
        let rows = futures_util::stream::unfold(Some((export, store)), |state| async move {
            let (mut export, store) = state?;
            match crate::admin::next_chunk(&mut export, &store).await {
                Ok(Some(rows)) => Some((Ok(rows.into_bytes()), Some((export, store)))),
                Ok(None) => None,
                Err(e) => Some((Err(worker::Error::RustError(format!("the export stopped: {}", e.0))), None)),
            }
        });
        let header = std::mem::take(&mut reply.body).into_bytes();
        let body = futures_util::StreamExt::chain(futures_util::stream::once(async { Ok(header) }), rows);
        Ok(Response::from_stream(body)?.with_status(reply.status).with_headers(headers_of(&reply)?))
    }

    async fn drain(req: &mut Request) {
        use futures_util::StreamExt;
        if let Ok(mut chunks) = req.stream() {
            while let Some(Ok(_)) = chunks.next().await {}
        }
    }

    /// The client's address as Cloudflare (or wrangler dev) reports it.
    fn client_ip(req: &Request) -> Option<std::net::IpAddr> {
        req.headers().get("cf-connecting-ip").ok().flatten().and_then(|ip| ip.trim().parse().ok())
    }

    fn now_ms() -> i64 {
        worker::Date::now().as_millis() as i64
    }

    /// The outbox's consumer, for both queues: `enlist-outbox` delivers, its dead-letter queue
    /// (`enlist-outbox-dlq`) parks what the first gave up on (see [`crate::outbox`]).
    #[event(queue)]
    async fn queue(batch: worker::MessageBatch<Job>, env: Env, _ctx: Context) -> Result<()> {
        use worker::MessageExt;
        let store = EdgeStore::from_env(&env)?;
        let dead_letters = batch.queue().ends_with("-dlq");
        let var = |name: &str| env.var(name).map(|v| v.to_string()).unwrap_or_default();
        let (outbox_secret, mail_from, public_url, faults) = (
            env.secret("OUTBOX_SECRET").map(|s| s.to_string()).ok(),
            var("MAIL_FROM"),
            var("PUBLIC_URL"),
            var("MAIL_FAULTS"),
        );
        let delivery = Delivery {
            sender: crate::mail::Sender {
                outbox_secret: outbox_secret.as_deref(),
                mail_from: &mail_from,
                public_url: &public_url,
            },
            retry_base_s: var("OUTBOX_RETRY_SECONDS").parse().unwrap_or(10),
            faults: &faults,
        };
        let courier = Bindings { email: env.send_email("EMAIL").ok() };
        for message in batch.iter() {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    console_error!("an outbox message that is not a job: {e}");
                    continue;
                }
            };
            let job = message.body();
            let disposition = if dead_letters {
                crate::outbox::bury(&store, job, now_ms()).await
            } else {
                crate::outbox::deliver(&store, &courier, job, &delivery, now_ms()).await
            };
            match disposition {
                Disposition::Ack => message.ack(),
                Disposition::Retry(delay) => {
                    console_error!("outbox row {}#{}: to be retried in {delay} s", job.db, job.id);
                    message
                        .retry_with_options(&worker::QueueRetryOptionsBuilder::new().with_delay_seconds(delay).build())
                }
            }
        }
        Ok(())
    }

    /// The outbox's relay (cron trigger, every minute): queues rows whose message was lost
    /// and rows due within the queue's longest delay.
    #[event(scheduled)]
    async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
        let relayed = match EdgeStore::from_env(&env) {
            Ok(store) => crate::outbox::relay(&store, now_ms()).await.map_err(|e| e.0),
            Err(e) => Err(e.to_string()),
        };
        if let Err(why) = relayed {
            console_error!("the outbox relay failed (the next minute's run tries again): {why}");
        }
    }

    /// What the consumer sends with: the e-mail binding, and `fetch` for webhooks.
    struct Bindings {
        email: Option<worker::SendEmail>,
    }

    impl Courier for Bindings {
        async fn send_mail(&self, mail: &Mail) -> std::result::Result<(), String> {
            let email = self.email.as_ref().ok_or("no EMAIL (send_email) binding")?;
            let js = |e: worker::js_sys::Error| String::from(e.message());
            let message =
                worker::EmailMessage::new(crate::mail::address_of(&mail.from), &mail.to, &mail.raw()).map_err(js)?;
            email.send(&message).await.map(|_| ()).map_err(js)
        }

        async fn post(&self, url: &str, headers: &[(String, String)], body: &str) -> std::result::Result<u16, String> {
            let fields = Headers::new();
            for (name, value) in headers {
                fields.set(name, value).map_err(|e| e.to_string())?;
            }
            let mut init = worker::RequestInit::new();
            init.with_method(worker::Method::Post).with_headers(fields).with_body(Some(body.into()));
            let request = Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
            let answer = worker::Fetch::Request(request).send().await.map_err(|e| format!("no answer: {e}"))?;
            Ok(answer.status_code())
        }
    }

    fn into_response(reply: Reply) -> Result<Response> {
        if let Some(why) = &reply.log {
            console_error!("{} answered with status {}: {why}", reply.content_type, reply.status);
        }
        let headers = headers_of(&reply)?;
        Ok(Response::from_bytes(reply.body.into_bytes())?.with_status(reply.status).with_headers(headers))
    }

    fn headers_of(reply: &Reply) -> Result<Headers> {
        let headers = Headers::new();
        headers.set("content-type", &reply.content_type)?;
        for (name, value) in &reply.headers {
            headers.set(name, value)?;
        }
        Ok(headers)
    }
}
