use crate::export::Export;
use serde::{Deserialize, Serialize};

/// An HTTP answer built by a codec, independent of the Worker runtime so codecs test natively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// Extra headers (`Allow`, `Access-Control-*`, `WWW-Authenticate`...).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Why a 5xx happened, for the Worker's log only: never serialised, never sent.
    #[serde(skip)]
    pub log: Option<String>,
    /// A CSV export whose rows follow `body` (the header), streamed page by page by the
    /// Worker (`admin::next_chunk`).
    #[serde(skip)]
    pub export: Option<Box<Export>>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: String) -> Self {
        Self { status, content_type: content_type.to_owned(), body, headers: Vec::new(), log: None, export: None }
    }

    pub fn with_log(mut self, why: impl Into<String>) -> Self {
        self.log = Some(why.into());
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
