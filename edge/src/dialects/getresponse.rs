//! GetResponse API 1.5 `add_account` (seed 002): JSON-RPC 1.0 or 2.0, the API key as the first
//! parameter, HTTP 200 always. The texts are the seed's, verbatim.

use super::{Failure, Outcome, VendorRequest};
use crate::account::{sign_up, Lookup, NewCredential, Signup};
use crate::auth::Presented;
use crate::hashing::hash_secret;
use crate::operator::{CredentialKind, Permission};
use crate::reply::Reply;
use crate::hashing::HashError;
use crate::secrets::random_token;
use crate::store::Store;
use crate::dialects::values::Optin;
use enlist_shared::values::text::Text;
use enlist_shared::{Code, Composition, Field, Language, Locale, Policy, Presence, SignupForm};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const OWNER_MISSING: &str = "Owner privilege missing";
pub const EMAIL_INVALID: &str = "Invalid email syntax";
pub const EMAIL_TAKEN: &str = "Email already taken";
pub const PASSWORD_WEAK: &str = "Password too weak";
pub const COUNTRY_INVALID: &str = "Invalid country";
pub const API_KEY_FAILED: &str = "API key verification failed";
pub const IP_NOT_ALLOWED: &str = "API client IP not allowed";
pub const INVALID_PARAMS: &str = "Invalid params";
/// Not in the seed; an API-wide error like "API key verification failed", so also code -1.
pub const TOO_MANY: &str = "Too many requests";
pub const CAMPAIGN_CLOSED: &str = "Campaign closed";

/// What a JSON-RPC answer echoes from its request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Envelope {
    /// `"2.0"` when the request said so; JSON-RPC 1.0 otherwise.
    pub version_2: bool,
    pub id: Value,
    /// Why the call itself could not run, when it could not.
    pub rpc_error: Option<RpcError>,
}

/// A decoded `add_account` call.
#[derive(Clone, Debug, PartialEq)]
pub struct AddAccount {
    pub api_key: String,
    pub form: SignupForm,
    /// The account's default campaign and the free-text phone, already checked.
    pub extra_profile: BTreeMap<String, String>,
}

/// Why a call is not an `add_account` we can run, as JSON-RPC errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcError {
    Parse,
    InvalidRequest,
    MethodNotFound,
    /// `params` is not `[API_KEY, {...}]`.
    InvalidParams,
}

/// The campaign's policy as GetResponse asks: its mandatory fields, and its password rule.
pub fn policy(campaign: &Policy) -> Policy {
    let mut policy = campaign.clone();
    for field in [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Password,
        Field::Country,
        Field::CountryName,
        Field::City,
        Field::Address,
        Field::PostalCode,
    ] {
        policy.fields.insert(field, Presence::Required);
    }
    // The seed lists `state` as optional, in the United States too.
    policy.fields.insert(Field::State, Presence::Hidden);
    policy.password.composition = Composition::LowerUpperDigitOrSpecial;
    policy
}

/// Reads the envelope first (so errors can echo its id), then the call.
pub fn decode(body: &[u8]) -> (Envelope, Result<AddAccount, RpcError>) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return (Envelope::default(), Err(RpcError::Parse)) };
    let Some(call) = value.as_object() else { return (Envelope::default(), Err(RpcError::InvalidRequest)) };
    let envelope = Envelope {
        version_2: call.get("jsonrpc").and_then(Value::as_str) == Some("2.0"),
        id: call.get("id").cloned().unwrap_or(Value::Null),
        rpc_error: None,
    };
    let result = match call.get("method").and_then(Value::as_str) {
        None => Err(RpcError::InvalidRequest),
        Some("add_account") => add_account(call.get("params")),
        Some(_) => Err(RpcError::MethodNotFound),
    };
    (envelope, result)
}

fn add_account(params: Option<&Value>) -> Result<AddAccount, RpcError> {
    let params = params.and_then(Value::as_array).ok_or(RpcError::InvalidParams)?;
    let (Some(Value::String(api_key)), Some(Value::Object(fields)), 2) = (params.first(), params.get(1), params.len())
    else {
        return Err(RpcError::InvalidParams);
    };
    let mut form = SignupForm::new();
    let mut extra_profile = BTreeMap::new();
    for (key, value) in fields {
        let field = match key.as_str() {
            "password" => Field::Password,
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "email" => Field::Email,
            "company_name" => Field::Organization,
            "country_code" => Field::Country,
            "country" => Field::CountryName,
            "city" => Field::City,
            "state" => Field::State,
            "street" => Field::Address,
            "zip_code" => Field::PostalCode,
            "phone" => {
                // "At least one character. No format is forced": free text, not E.164.
                let text = value.as_str().ok_or(RpcError::InvalidParams)?;
                let phone = Text::parse(text, 50).map_err(|_| RpcError::InvalidParams)?;
                extra_profile.insert("phone".to_owned(), phone.to_string());
                continue;
            }
            "campaign" => {
                let campaign = value.as_object().ok_or(RpcError::InvalidParams)?;
                extra_profile.insert("getresponse_campaign".to_owned(), default_campaign(campaign)?);
                continue;
            }
            _ => return Err(RpcError::InvalidParams),
        };
        form.set(field, value.as_str().ok_or(RpcError::InvalidParams)?);
    }
    if !extra_profile.contains_key("phone") || !extra_profile.contains_key("getresponse_campaign") {
        return Err(RpcError::InvalidParams);
    }
    Ok(AddAccount { api_key: api_key.clone(), form, extra_profile })
}

/// The new account's default campaign: name, confirmation subject and body mandatory,
/// language and optin checked; stored as normalised JSON.
fn default_campaign(campaign: &Map<String, Value>) -> Result<String, RpcError> {
    let text = |key: &str, required: bool| -> Result<Option<String>, RpcError> {
        match campaign.get(key) {
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(s)) => {
                Text::parse(s, 200).map(|t| Some(t.to_string())).map_err(|_| RpcError::InvalidParams)
            }
            _ => Err(RpcError::InvalidParams),
        }
    };
    if campaign.keys().any(|k| {
        !["name", "description", "confirmation_subject", "confirmation_body", "language_code", "optin"]
            .contains(&k.as_str())
    }) {
        return Err(RpcError::InvalidParams);
    }
    let language = text("language_code", false)?
        .map(|l| Language::parse(&l).map(|l| l.to_string()))
        .transpose()
        .map_err(|_| RpcError::InvalidParams)?;
    let optin = text("optin", false)?
        .map(|o| Optin::parse(&o).map(|o| o.as_str().to_owned()))
        .transpose()
        .map_err(|_| RpcError::InvalidParams)?;
    let stored = json!({
        "name": text("name", true)?,
        "description": text("description", false)?,
        "confirmation_subject": text("confirmation_subject", true)?,
        "confirmation_body": text("confirmation_body", true)?,
        "language_code": language,
        "optin": optin.unwrap_or_else(|| "single".to_owned()),
    });
    Ok(stored.to_string())
}

/// `POST /getresponse`: runs the call; the envelope comes back for the answer.
pub async fn call<S: Store>(store: &S, request: &VendorRequest<'_>, now_ms: i64) -> (Envelope, Outcome) {
    let (mut envelope, decoded) = decode(request.body);
    let call = match decoded {
        Ok(call) => call,
        Err(error) => {
            envelope.rpc_error = Some(error);
            return (envelope, Outcome::Failed(Failure::request(Code::RequestMalformed)));
        }
    };
    let admitted = super::admit(
        store,
        Some(Presented::ApiKey(&call.api_key)),
        request.client_ip,
        Permission::AccountsCreate,
        now_ms,
    )
    .await;
    let (operator, mut campaign) = match admitted {
        Ok(admitted) => admitted,
        Err(failure) => return (envelope, Outcome::Failed(failure)),
    };
    if !operator.may(Permission::Owner) {
        return (envelope, Outcome::Failed(Failure::request(Code::AuthForbidden)));
    }
    campaign.policy = policy(&campaign.policy);
    let mut signup = Signup::new(&campaign, call.form, crate::names::Dialect::GetResponse);
    signup.controller_id = Some(operator.id);
    // The account's default campaign (as stored): its language is the account's, and its
    // `optin: "double"` asks for the address to be verified.
    let default_campaign: Value =
        call.extra_profile.get("getresponse_campaign").and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default();
    signup.verify = default_campaign["optin"] == "double";
    signup.locale = default_campaign["language_code"].as_str().and_then(Locale::from_tag).or_else(|| request.locale());
    signup.extra_profile = call.extra_profile;
    // "Every account added through API has its own API KEY generated by default." The seed's
    // answer has no field for it, so it is stored hashed and its plaintext is not kept.
    match own_api_key() {
        Ok(key) => signup.credentials.push(key),
        Err(why) => return (envelope, Outcome::Failed(Failure::internal(why.to_string()))),
    }
    (envelope, sign_up(store, signup, now_ms).await.into())
}

fn own_api_key() -> Result<NewCredential, HashError> {
    let secret = random_token(32)?;
    Ok(NewCredential {
        kind: CredentialKind::ApiKey,
        lookup: Lookup::Value(random_token(12)?),
        secret_hash: hash_secret(&secret)?,
        expires_at_ms: None,
    })
}

/// Writes any outcome as a JSON-RPC answer (HTTP 200 always).
pub fn encode(outcome: &Outcome, envelope: &Envelope) -> Reply {
    let (result, error) = match outcome {
        Outcome::Created(created) => (json!({"ACCOUNT_ID": created.id.as_str(), "added": 1}), Value::Null),
        Outcome::Updated { id, .. } => (json!({"ACCOUNT_ID": id, "updated": 1}), Value::Null),
        Outcome::Failed(failure) => (Value::Null, error_of(failure, envelope.rpc_error)),
    };
    let mut answer = Map::new();
    if envelope.version_2 {
        answer.insert("jsonrpc".into(), "2.0".into());
        if error.is_null() {
            answer.insert("result".into(), result);
        } else {
            answer.insert("error".into(), error);
        }
    } else {
        answer.insert("result".into(), result);
        answer.insert("error".into(), error);
    }
    answer.insert("id".into(), envelope.id.clone());
    outcome.logged(Reply::new(200, "application/json", Value::Object(answer).to_string()))
}

fn error_of(failure: &Failure, rpc_error: Option<RpcError>) -> Value {
    let (code, message) = match (rpc_error, failure.first().code) {
        (Some(RpcError::Parse), _) => (-32700, "Parse error"),
        (Some(RpcError::InvalidRequest), _) => (-32600, "Invalid Request"),
        (Some(RpcError::MethodNotFound), _) => (-32601, "Method not found"),
        (Some(RpcError::InvalidParams), _) => (-32602, INVALID_PARAMS),
        (None, Code::Internal) => (-32603, "Internal error"),
        (None, Code::RequestMalformed | Code::NotFound | Code::MethodNotAllowed) => (-32600, "Invalid Request"),
        (None, Code::AuthRequired | Code::AuthInvalid) => (-1, API_KEY_FAILED),
        (None, Code::AuthForbidden | Code::IdentityInvalid | Code::IdentityLocked) => (-1, OWNER_MISSING),
        (None, Code::AddressForbidden) => (-1, IP_NOT_ALLOWED),
        (None, Code::RateLimited) => (-1, TOO_MANY),
        (None, Code::CampaignClosed) => (-1, CAMPAIGN_CLOSED),
        (None, Code::EmailTaken) => (-1, EMAIL_TAKEN),
        _ => return method_error(failure),
    };
    json!({"code": code, "message": message})
}

/// Rule problems: the first of the seed's method errors that applies, by field order.
fn method_error(failure: &Failure) -> Value {
    let message = failure
        .problems
        .iter()
        .find_map(|p| match p.field {
            Field::Email => Some(EMAIL_INVALID),
            Field::Password => Some(PASSWORD_WEAK),
            Field::Country | Field::CountryName => Some(COUNTRY_INVALID),
            _ => None,
        })
        .unwrap_or(INVALID_PARAMS);
    let code = if message == INVALID_PARAMS { -32602 } else { -1 };
    json!({"code": code, "message": message})
}

/// The GetResponse dialect (JSON-RPC: every answer echoes its call's id and version).
pub struct GetResponse;

impl super::Wire for GetResponse {
    fn encode(
        outcome: &Outcome,
        echo: &super::Echo,
        _locale: enlist_shared::Locale,
        _policy: &enlist_shared::Policy,
    ) -> Reply {
        encode(outcome, &echo.envelope)
    }

    fn echo_of(body: &[u8]) -> super::Echo {
        super::Echo { envelope: decode(body).0, ..Default::default() }
    }
}

impl super::UseCases for GetResponse {
    type Operation = ();
    const ROUTES: &'static [(&'static str, &'static str, ())] = &[("POST", "/getresponse", ())];

    async fn run<S: Store>(
        (): (),
        store: &S,
        request: &VendorRequest<'_>,
        _context: &super::Context<'_>,
        now_ms: i64,
    ) -> (super::Echo, Outcome) {
        let (envelope, outcome) = call(store, request, now_ms).await;
        (super::Echo { envelope, ..Default::default() }, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountId, Created};

    /// The seed's example request (its `params`), wrapped in a JSON-RPC 2.0 call.
    const SEED_SAMPLE: &str = r#"{"jsonrpc":"2.0","method":"add_account","id":7,"params":[
        "API_KEY",
        {
            "password": "12#$qwER",
            "first_name": "John",
            "last_name": "Doe",
            "email": "john.doe@example.mail",
            "company_name": "Implix",
            "phone": "+48111111111",
            "country_code": "PL",
            "country": "Poland",
            "city": "Gdau0144sk",
            "state": "pomorskie",
            "street": "u017babianska",
            "zip_code": "24-213",
            "campaign": {
                "name": "trains",
                "description": "Fani pociu0105gu00f3w.",
                "confirmation_subject": "CONFIRMATION_SUBJECT_ID",
                "confirmation_body": "CONFIRMATION_BODY_ID",
                "language_code": "PL",
                "optin": "single"
            }
        }
    ]}"#;

    fn failed(field: Field, code: Code) -> Outcome {
        Outcome::Failed(Failure::of(&[(field, code)]))
    }

    fn answer(outcome: &Outcome, version_2: bool) -> Value {
        answer_rpc(outcome, version_2, None)
    }

    fn answer_rpc(outcome: &Outcome, version_2: bool, rpc_error: Option<RpcError>) -> Value {
        serde_json::from_str(&encode(outcome, &Envelope { version_2, id: json!(7), rpc_error }).body).unwrap()
    }

    fn malformed() -> Outcome {
        Outcome::Failed(Failure::request(Code::RequestMalformed))
    }

    #[test]
    fn the_seed_sample_decodes_and_satisfies_the_dialect_policy() {
        let (envelope, call) = decode(SEED_SAMPLE.as_bytes());
        assert_eq!(envelope, Envelope { version_2: true, id: json!(7), rpc_error: None });
        let call = call.unwrap();
        assert_eq!(call.api_key, "API_KEY");
        assert_eq!(call.form.get(Field::Country), "PL");
        assert_eq!(call.extra_profile["phone"], "+48111111111");
        let campaign: Value = serde_json::from_str(&call.extra_profile["getresponse_campaign"]).unwrap();
        assert_eq!(campaign["language_code"], "pl");
        assert!(enlist_shared::validate(&call.form, &policy(&Policy::default())).is_ok());
    }

    #[test]
    fn the_seed_sample_response_shape() {
        let created = Outcome::Created(Created {
            id: AccountId::from_stored("abc123".into()),
            number: 1,
            alias: None,
            email: None,
        });
        assert_eq!(
            answer(&created, true),
            json!({"jsonrpc": "2.0", "result": {"ACCOUNT_ID": "abc123", "added": 1}, "id": 7})
        );
        assert_eq!(
            answer(&created, false),
            json!({"result": {"ACCOUNT_ID": "abc123", "added": 1}, "error": null, "id": 7})
        );
        assert_eq!(encode(&created, &Envelope::default()).status, 200);
    }

    #[test]
    fn every_method_and_api_wide_error_text() {
        for (outcome, code, message) in [
            (failed(Field::Request, Code::AuthForbidden), -1, OWNER_MISSING),
            (failed(Field::Email, Code::EmailInvalid), -1, EMAIL_INVALID),
            (failed(Field::Email, Code::EmailTaken), -1, EMAIL_TAKEN),
            (failed(Field::Password, Code::PasswordTooWeak), -1, PASSWORD_WEAK),
            (failed(Field::Password, Code::PasswordTooShort), -1, PASSWORD_WEAK),
            (failed(Field::CountryName, Code::CountryMismatch), -1, COUNTRY_INVALID),
            (failed(Field::Country, Code::CountryInvalid), -1, COUNTRY_INVALID),
            (failed(Field::Request, Code::AuthInvalid), -1, API_KEY_FAILED),
            (failed(Field::Request, Code::AddressForbidden), -1, IP_NOT_ALLOWED),
            (failed(Field::Request, Code::RateLimited), -1, TOO_MANY),
            (failed(Field::City, Code::Required), -32602, INVALID_PARAMS),
        ] {
            let error = &answer(&outcome, false)["error"];
            assert_eq!(error, &json!({"code": code, "message": message}), "{message}");
        }
        assert_eq!(OWNER_MISSING, "Owner privilege missing");
        assert_eq!(IP_NOT_ALLOWED, "API client IP not allowed");
    }

    #[test]
    fn bad_calls_are_json_rpc_errors() {
        for (body, expected) in [
            ("{", RpcError::Parse),
            ("[]", RpcError::InvalidRequest),
            (r#"{"method":"get_campaigns","params":[]}"#, RpcError::MethodNotFound),
            (r#"{"method":"add_account","params":{"api_key":"x"}}"#, RpcError::InvalidParams),
            (r#"{"method":"add_account","params":["KEY", "not a hash"]}"#, RpcError::InvalidParams),
            (
                r#"{"method":"add_account","params":["KEY", {"email": 5, "phone": "1", "campaign": {}}]}"#,
                RpcError::InvalidParams,
            ),
            (r#"{"method":"add_account","params":["KEY", {"nickname": "x"}]}"#, RpcError::InvalidParams),
        ] {
            assert_eq!(decode(body.as_bytes()).1.unwrap_err(), expected, "{body}");
        }
        for (rpc, code, message) in [
            (RpcError::Parse, -32700, "Parse error"),
            (RpcError::InvalidRequest, -32600, "Invalid Request"),
            (RpcError::MethodNotFound, -32601, "Method not found"),
            (RpcError::InvalidParams, -32602, INVALID_PARAMS),
        ] {
            assert_eq!(answer_rpc(&malformed(), true, Some(rpc))["error"], json!({"code": code, "message": message}));
        }
    }
}
