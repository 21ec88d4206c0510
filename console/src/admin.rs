//! The admin API as the console calls it: same origin, `Authorization: Bearer <token>`. The
//! token lives in this tab's session storage only (never a cookie, never a URL).

use gloo_net::http::{Request, RequestBuilder};
use serde_json::Value;
use wasm_bindgen::JsCast;

const KEY: &str = "enlist-admin-token";

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn stored_token() -> Option<String> {
    session()?.get_item(KEY).ok().flatten().filter(|t| !t.is_empty())
}

pub fn keep_token(token: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(KEY, token);
    }
}

pub fn forget_token() {
    if let Some(storage) = session() {
        let _ = storage.remove_item(KEY);
    }
}

/// An answer: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// What went wrong, in words: the problem document's detail, else the status.
    pub fn why(&self) -> String {
        match self.json()["detail"].as_str() {
            Some(detail) => format!("{} ({})", detail, self.status),
            None => format!("The Worker answered {}.", self.status),
        }
    }
}

fn builder(token: &str, method: &str, path: &str) -> RequestBuilder {
    let request = match method {
        "POST" => Request::post(path),
        "PATCH" => Request::patch(path),
        "DELETE" => Request::delete(path),
        _ => Request::get(path),
    };
    request.header("authorization", &format!("Bearer {token}"))
}

/// Calls the admin API; `Err` when no answer came.
pub async fn call(token: &str, method: &str, path: &str, body: Option<Value>) -> Result<Answer, String> {
    let request = match body {
        Some(body) => builder(token, method, path).header("content-type", "application/json").body(body.to_string()),
        None => builder(token, method, path).build(),
    };
    let response =
        request.map_err(|e| e.to_string())?.send().await.map_err(|_| "The Worker could not be reached.".to_owned())?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    Ok(Answer { status, body })
}

/// Downloads a campaign's CSV export: fetched with the token, handed to the browser as a file.
pub async fn download_csv(token: &str, campaign: &str) -> Result<(), String> {
    let path = format!("/admin/campaigns/{campaign}/accounts.csv");
    let answer = call(token, "GET", &path, None).await?;
    if answer.status != 200 {
        return Err(answer.why());
    }
    let parts = js_sys::Array::of1(&answer.body.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| "no Blob")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "no object URL")?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| "no link")?.unchecked_into();
    link.set_href(&url);
    link.set_download(&format!("{campaign}.csv"));
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
