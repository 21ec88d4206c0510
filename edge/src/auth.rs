//! Who is calling a vendor dialect: the credential each dialect presents, checked against its
//! stored hash, resolved to an operator, and the operator's address allowlist.

use crate::hashing::verify as verify_secret;
use crate::operator::{split_token, CredentialKind, Operator};
use crate::store::Store;
use std::net::IpAddr;

/// A credential as a request presents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    /// Engagement: `Authorization: Basic base64(user:password)`.
    Basic { user: &'a str, password: &'a str },
    /// GetResponse: `params[0]`.
    ApiKey(&'a str),
    /// MoveDigital: `userid`, `sessionid`, `session` form fields.
    MoveDigital { userid: &'a str, sessionid: &'a str, session: &'a str },
    /// Poken: `Authorization: Bearer pt_...`.
    Bearer(&'a str),
}

/// Why a caller is not an operator we serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// Nothing usable was presented.
    Missing,
    /// Presented, but unknown, wrong or expired.
    Invalid,
    /// A valid operator calling from an address outside its allowlist.
    AddressNotAllowed,
    /// The store failed (for the log).
    Unavailable(String),
}

/// Checks a presented credential and returns its operator.
pub async fn operator<S: Store>(
    store: &S,
    presented: Presented<'_>,
    client_ip: Option<IpAddr>,
    now_ms: i64,
) -> Result<Operator, AuthError> {
    let (kind, lookup, secret) = match presented {
        Presented::Basic { user, password } => (CredentialKind::Basic, user.to_owned(), password),
        Presented::ApiKey(key) => {
            let (lookup, secret) = split_token(key, "gr_", '_').ok_or(AuthError::Invalid)?;
            (CredentialKind::ApiKey, lookup.to_owned(), secret)
        }
        Presented::MoveDigital { userid, sessionid, session } => {
            if userid.is_empty() || sessionid.is_empty() || session.is_empty() {
                return Err(AuthError::Missing);
            }
            (CredentialKind::MoveDigital, format!("{userid}:{sessionid}"), session)
        }
        Presented::Bearer(token) => {
            let (lookup, secret) = split_token(token, "pt_", '.').ok_or(AuthError::Invalid)?;
            (CredentialKind::Bearer, lookup.to_owned(), secret)
        }
    };
    if lookup.is_empty() || secret.is_empty() {
        return Err(AuthError::Missing);
    }
    let stored =
        store.credential(kind, &lookup).await.map_err(|e| AuthError::Unavailable(e.0))?.ok_or(AuthError::Invalid)?;
    let fresh = stored.expires_at_ms.is_none_or(|expiry| now_ms < expiry);
    if !fresh || !verify_secret(secret, &stored.secret_hash) {
        return Err(AuthError::Invalid);
    }
    let operator =
        store.operator(&stored.owner_id).await.map_err(|e| AuthError::Unavailable(e.0))?.ok_or(AuthError::Invalid)?;
    if !operator.allows_ip(client_ip) {
        return Err(AuthError::AddressNotAllowed);
    }
    Ok(operator)
}

/// The credentials of an `Authorization` value in `scheme`, whose name is case-insensitive
/// (RFC 9110 §11.1): `bearer x`, `Bearer x` and `BEARER x` all give `x`.
pub fn credentials_of<'a>(header: &'a str, scheme: &str) -> Option<&'a str> {
    let (name, credentials) = header.trim().split_once([' ', '\t'])?;
    name.eq_ignore_ascii_case(scheme).then(|| credentials.trim()).filter(|c| !c.is_empty())
}

/// `Basic dXNlcjpwYXNz` → (`user`, `pass`).
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let decoded = decode_base64(credentials_of(header, "Basic")?)?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use crate::operator::OperatorRequest;
    use crate::store::Directory;
    use pollster::block_on;

    fn operator_with(ips: &[&str]) -> (MemoryStore, crate::operator::IssuedCredentials) {
        let store = MemoryStore::new();
        let request = OperatorRequest {
            name: "Box office".into(),
            permissions: vec![],
            campaigns: vec![],
            allowed_ips: ips.iter().map(|s| (*s).to_owned()).collect(),
        };
        let op = Operator::from_request(request, 4242, |_| true).unwrap();
        let (issued, stored) = op.issue_credentials().unwrap();
        block_on(store.insert_operator(&op, &stored, 0)).unwrap();
        (store, issued)
    }

    #[test]
    fn each_dialects_credential_resolves_to_the_operator() {
        let (store, issued) = operator_with(&[]);
        let md = &issued.movedigital;
        for presented in [
            Presented::Basic { user: &issued.basic.user, password: &issued.basic.password },
            Presented::ApiKey(&issued.api_key),
            Presented::MoveDigital { userid: &md.userid, sessionid: &md.sessionid, session: &md.session },
            Presented::Bearer(&issued.bearer),
        ] {
            assert_eq!(block_on(operator(&store, presented, None, 0)).unwrap().number, 4242, "{presented:?}");
        }
    }

    #[test]
    fn wrong_missing_and_foreign_callers() {
        let (store, issued) = operator_with(&["192.0.2.7"]);
        let wrong = Presented::Basic { user: &issued.basic.user, password: "nope" };
        assert_eq!(block_on(operator(&store, wrong, None, 0)), Err(AuthError::Invalid));
        assert_eq!(
            block_on(operator(&store, Presented::ApiKey("gr_unknown_secret"), None, 0)),
            Err(AuthError::Invalid)
        );
        assert_eq!(block_on(operator(&store, Presented::ApiKey("not-a-key"), None, 0)), Err(AuthError::Invalid));
        let blank = Presented::MoveDigital { userid: "", sessionid: "", session: "" };
        assert_eq!(block_on(operator(&store, blank, None, 0)), Err(AuthError::Missing));
        let right = Presented::ApiKey(&issued.api_key);
        assert_eq!(
            block_on(operator(&store, right, Some("198.51.100.1".parse().unwrap()), 0)),
            Err(AuthError::AddressNotAllowed)
        );
        assert!(block_on(operator(&store, right, Some("192.0.2.7".parse().unwrap()), 0)).is_ok());
    }

    #[test]
    fn basic_headers() {
        assert_eq!(parse_basic("Basic dXNlcjpwYTpzcw=="), Some(("user".into(), "pa:ss".into())));
        assert_eq!(parse_basic("Bearer x"), None);
        assert_eq!(parse_basic("BASIC dXNlcjpwYTpzcw=="), Some(("user".into(), "pa:ss".into())));
        assert_eq!(parse_basic("basic\tdXNlcjpwYTpzcw=="), Some(("user".into(), "pa:ss".into())));
        assert_eq!(credentials_of("bearer  pt_x.y ", "Bearer"), Some("pt_x.y"));
        assert_eq!(credentials_of("BeArEr pt_x.y", "Bearer"), Some("pt_x.y"));
        assert_eq!(credentials_of("Bearer", "Bearer"), None);
        assert_eq!(credentials_of("Bearer ", "Bearer"), None);
        assert_eq!(credentials_of("Bearerx y", "Bearer"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }
}
