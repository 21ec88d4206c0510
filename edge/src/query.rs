//! Query strings: one place that reads them (percent-decoded, `+` as a space), for the router,
//! the dialect negotiation and the admin API alike.

/// The first value of `name` in a query string, percent-decoded.
pub fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}
