/// An HTTP answer built by a codec, independent of the Worker runtime so codecs test natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}
