//! enlist's edge. The signup use case, the hashing and the dialect codecs are plain Rust over
//! the [`store::Store`] trait (tested natively against [`memory::MemoryStore`]); the Worker
//! glue below is routing and bindings only, compiled for wasm32.

pub mod account;
pub mod hashing;
pub mod memory;
pub mod native;
pub mod reply;
pub mod routes;
pub mod store;

#[cfg(target_arch = "wasm32")]
mod d1;

#[cfg(target_arch = "wasm32")]
mod glue {
    use crate::routes::Route;
    use crate::{d1::D1Store, native, reply::Reply};
    use worker::{event, Context, Env, Headers, Request, Response, Result};

    #[event(fetch)]
    async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
        match Route::resolve(req.method().as_ref(), &req.path()) {
            Route::CreateAccount => create_account(req, env).await,
            Route::Health => Response::ok("ok"),
            Route::MethodNotAllowed { allow } => {
                let response = into_response(native::method_not_allowed())?;
                response.headers().set("allow", allow)?;
                Ok(response)
            }
            Route::NotFound => into_response(native::not_found()),
        }
    }

    async fn create_account(mut req: Request, env: Env) -> Result<Response> {
        let content_type = req.headers().get("content-type")?;
        let accept_language = req.headers().get("accept-language")?;
        let declared_len = req.headers().get("content-length")?;
        let reply = match native::check_length(declared_len.as_deref()) {
            Err(reply) => reply,
            Ok(()) => {
                let body = req.bytes().await?;
                let store = D1Store::new(env.d1("DB")?);
                let now_ms = worker::Date::now().as_millis() as i64;
                let meta = native::RequestMeta {
                    content_type: content_type.as_deref(),
                    accept_language: accept_language.as_deref(),
                };
                native::create_account(&store, meta, &body, now_ms).await
            }
        };
        into_response(reply)
    }

    fn into_response(reply: Reply) -> Result<Response> {
        let headers = Headers::new();
        headers.set("content-type", reply.content_type)?;
        Ok(Response::from_bytes(reply.body.into_bytes())?.with_status(reply.status).with_headers(headers))
    }
}
