//! Engagement Services "Create Users" (seed 004): JSON in, HTTP Basic, `{"id", "message"}`
//! out. The texts are the seed's, verbatim.

use super::{Failure, Outcome, VendorRequest};
use crate::account::{sign_up, PasswordSource, Signup};
use crate::operator::Permission;
use crate::reply::Reply;
use crate::store::Store;
use enlist_shared::{Code, Field, Policy, Presence, ReconciliationKey, SignupForm};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const CREATED: &str = "Details added successfully";
pub const MOBILE_REQUIRED: &str =
    "Attribute \u{2018}phonenumber\u{2019} is a mandatory field. Please provide a valid value for the same";
pub const MOBILE_INVALID: &str = "Mobile number should have country code followed by ten digit number";
pub const MOBILE_TAKEN: &str = "User already exists with this mobile number";
pub const INVALID: &str = "The request contains invalid attributes";
pub const EMAIL_TAKEN: &str = "User already exists with this Email";
pub const UNAUTHORIZED: &str = "Unauthorized request";
pub const SERVER_FAILURE: &str = "Server failure to process request";
/// Not in the seed (it has no rate limit); worded like its other messages.
pub const TOO_MANY: &str = "Too many requests, please retry later";
pub const CAMPAIGN_CLOSED: &str = "Registration for this campaign is closed";

/// A decoded "Create Users" request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateUser {
    pub form: SignupForm,
    /// `smsSubscription`, `voiceSubscription`, `emailSubscription`, `lastActiveDate`.
    pub extra_profile: BTreeMap<String, String>,
}

/// The campaign's policy as this dialect asks: names, country and e-mail required (e-mail
/// only when it is the reconciliation key), the state shown (so required in the United
/// States: "If the selected country is USA, the state option is mandatory"), no password.
pub fn policy(campaign: &Policy) -> Policy {
    let mut policy = campaign.clone();
    for field in [Field::FirstName, Field::LastName, Field::CountryName] {
        policy.fields.insert(field, Presence::Required);
    }
    if policy.presence(Field::State) == Presence::Hidden {
        policy.fields.insert(Field::State, Presence::Optional);
    }
    let email =
        if policy.reconciliation_key == ReconciliationKey::Email { Presence::Required } else { Presence::Optional };
    policy.fields.insert(Field::Email, email);
    policy.fields.insert(Field::Password, Presence::Hidden);
    policy
}

/// Reads the JSON body. Unknown attributes are refused ("invalid attributes"), as are values
/// of the wrong JSON type.
pub fn decode(body: &[u8]) -> Result<CreateUser, Failure> {
    let invalid = || Failure::of(&[(Field::Request, Code::RequestMalformed)]);
    let object: Map<String, Value> = serde_json::from_slice(body).map_err(|_| invalid())?;
    let mut form = SignupForm::new();
    let mut extra_profile = BTreeMap::new();
    for (key, value) in &object {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => return Err(invalid()),
        };
        match key.as_str() {
            "firstName" => form.set(Field::FirstName, text),
            "lastName" => form.set(Field::LastName, text),
            "state" => form.set(Field::State, text),
            "country" => form.set(Field::CountryName, text),
            "email" => form.set(Field::Email, text),
            // "country code followed by ten digit number", written without `+`.
            "mobileNumber" => {
                let digits = text.trim();
                let e164 =
                    if digits.is_empty() || digits.starts_with('+') { digits.to_owned() } else { format!("+{digits}") };
                form.set(Field::Phone, e164);
            }
            "smsSubscription" | "voiceSubscription" | "emailSubscription" => {
                let flag = crate::dialects::values::parse_flag(
                    &text,
                    crate::dialects::values::Spelling::TrueFalse,
                )
                .map_err(|_| invalid())?;
                extra_profile.insert(key.clone(), flag.to_string());
            }
            "lastActiveDate" => {
                if !text.trim().is_empty() {
                    let date = crate::dialects::values::parse_date(&text)
                        .map_err(|code| Failure::of(&[(Field::Request, code)]))?;
                    extra_profile.insert(key.clone(), date);
                }
            }
            _ => return Err(invalid()),
        }
    }
    Ok(CreateUser { form, extra_profile })
}

/// `POST /engagement/users`.
pub async fn create_user<S: Store>(store: &S, request: &VendorRequest<'_>, now_ms: i64) -> Outcome {
    let json = request
        .content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Outcome::Failed(Failure::request(Code::RequestMalformed));
    }
    let credentials = request.authorization.and_then(crate::auth::parse_basic);
    let presented = credentials.as_ref().map(|(user, password)| crate::auth::Presented::Basic { user, password });
    let (operator, campaign) =
        match super::admit(store, presented, request.client_ip, Permission::AccountsCreate, now_ms).await {
            Ok(admitted) => admitted,
            Err(failure) => return Outcome::Failed(failure),
        };
    let user = match decode(request.body) {
        Ok(user) => user,
        Err(failure) => return Outcome::Failed(failure),
    };
    let mut campaign = campaign;
    campaign.policy = policy(&campaign.policy);
    let mut signup = Signup::new(&campaign, user.form, crate::names::Dialect::Engagement);
    signup.locale = request.locale();
    signup.password = PasswordSource::None;
    signup.controller_id = Some(operator.id);
    signup.extra_profile = user.extra_profile;
    // A duplicate's existing user is found in this campaign only (uniqueness holds within a
    // campaign), so the id the answer shows is always one of the caller's own campaign.
    sign_up(store, signup, now_ms).await.into()
}

/// Writes any outcome as Engagement would.
pub fn encode(outcome: &Outcome) -> Reply {
    let answer = |status: u16, body: Value| Reply::new(status, "application/json;charset=UTF-8", body.to_string());
    match outcome {
        Outcome::Created(created) => answer(200, json!({"id": created.number.to_string(), "message": CREATED})),
        Outcome::Updated { number, .. } => answer(200, json!({"id": number.to_string(), "message": CREATED})),
        Outcome::Failed(failure) => {
            let first = failure.first();
            let existing = failure.existing.as_ref().map(|a| a.number.to_string());
            let (status, message) = match (first.code, first.field) {
                (Code::Internal, _) => (500, SERVER_FAILURE),
                (Code::AuthRequired | Code::AuthInvalid | Code::AuthForbidden | Code::AddressForbidden, _) => {
                    (401, UNAUTHORIZED)
                }
                (Code::RateLimited, _) => (429, TOO_MANY),
                (Code::CampaignClosed, _) => (400, CAMPAIGN_CLOSED),
                (Code::EmailTaken, _) => (400, EMAIL_TAKEN),
                (Code::PhoneTaken, _) => (400, MOBILE_TAKEN),
                (Code::Required, Field::Phone) => (400, MOBILE_REQUIRED),
                (Code::PhoneInvalid, _) => (400, MOBILE_INVALID),
                _ => (400, INVALID),
            };
            let mut body = json!({ "message": message });
            if let (Some(id), Code::EmailTaken | Code::PhoneTaken) = (existing, first.code) {
                body["id"] = id.into();
            }
            outcome.logged(answer(status, body))
        }
    }
}

/// The Engagement Services dialect.
pub struct Engagement;

impl super::Wire for Engagement {
    fn encode(
        outcome: &Outcome,
        _echo: &super::Echo,
        _locale: enlist_shared::Locale,
        _policy: &enlist_shared::Policy,
    ) -> Reply {
        encode(outcome)
    }
}

impl super::UseCases for Engagement {
    type Operation = ();
    const ROUTES: &'static [(&'static str, &'static str, ())] = &[("POST", "/engagement/users", ())];

    async fn run<S: Store>(
        (): (),
        store: &S,
        request: &VendorRequest<'_>,
        _context: &super::Context<'_>,
        now_ms: i64,
    ) -> (super::Echo, Outcome) {
        (super::Echo::default(), create_user(store, request, now_ms).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountId, Created};
    use crate::store::AccountRecord;
    use enlist_shared::Problem;

    /// The seed's sample request, as written there (its `email` and `mobileNumber` are empty).
    const SEED_SAMPLE: &str = r#"{"firstName" : "Latha", "lastName" : "Ganesh", "country" : "India", "mobileNumber" : "",
        "email" : "", "smsSubscription" : true, "voiceSubscription" : true, "emailSubscription" : true, "state" : ""}"#;

    fn failure(problems: &[(Field, Code)]) -> Outcome {
        Outcome::Failed(Failure::of(problems))
    }

    fn body(reply: &Reply) -> Value {
        serde_json::from_str(&reply.body).unwrap()
    }

    #[test]
    fn the_seed_sample_decodes() {
        let user = decode(SEED_SAMPLE.as_bytes()).unwrap();
        assert_eq!(user.form.get(Field::FirstName), "Latha");
        assert_eq!(user.form.get(Field::CountryName), "India");
        assert_eq!(user.extra_profile["smsSubscription"], "true");
        let with_mobile = decode(br#"{"firstName":"A","mobileNumber":919876543210}"#).unwrap();
        assert_eq!(with_mobile.form.get(Field::Phone), "+919876543210");
    }

    #[test]
    fn the_seed_sample_response_shape() {
        let created = Outcome::Created(Created {
            id: AccountId::from_stored("acc_x".into()),
            number: 9,
            alias: None,
            email: None,
        });
        let reply = encode(&created);
        assert_eq!(reply.status, 200);
        assert_eq!(body(&reply), json!({"id": "9", "message": "Details added successfully"}));
    }

    #[test]
    fn every_seed_status_and_text() {
        let existing = AccountRecord {
            id: "acc_e".into(),
            number: 77,
            campaign_id: None,
            email: None,
            alias: None,
            phone: None,
            ext_ref_id: None,
            dialect: "engagement".into(),
            controller_id: None,
            created_at_ms: 0,
            claimed_at_ms: None,
            profile: BTreeMap::new(),
            locale: Default::default(),
            email_verified_at_ms: None,
        };
        let taken = |code| {
            Outcome::Failed(Failure {
                problems: vec![Problem::new(Field::Email, code)],
                existing: Some(Box::new(existing.clone())),
                malformed: None,
                log: None,
            })
        };
        for (outcome, status, message, id) in [
            (failure(&[(Field::Phone, Code::Required)]), 400, MOBILE_REQUIRED, None),
            (failure(&[(Field::Phone, Code::PhoneInvalid)]), 400, MOBILE_INVALID, None),
            (taken(Code::PhoneTaken), 400, MOBILE_TAKEN, Some("77")),
            (failure(&[(Field::FirstName, Code::Required)]), 400, INVALID, None),
            (taken(Code::EmailTaken), 400, EMAIL_TAKEN, Some("77")),
            (failure(&[(Field::Request, Code::AuthInvalid)]), 401, UNAUTHORIZED, None),
            (failure(&[(Field::Request, Code::RateLimited)]), 429, TOO_MANY, None),
            (Outcome::Failed(Failure::internal("d1 down")), 500, SERVER_FAILURE, None),
        ] {
            let reply = encode(&outcome);
            assert_eq!(reply.status, status, "{message}");
            assert_eq!(body(&reply)["message"], message);
            assert_eq!(body(&reply)["id"].as_str(), id, "{message}");
            assert!(!reply.body.contains("d1 down"));
        }
        assert_eq!(
            MOBILE_REQUIRED,
            "Attribute ‘phonenumber’ is a mandatory field. Please provide a valid value for the same"
        );
    }

    #[test]
    fn odd_bodies_are_invalid_attributes() {
        for bad in
            [&b"[]"[..], b"{", br#"{"nickname":"x"}"#, br#"{"firstName":["A"]}"#, br#"{"smsSubscription":"maybe"}"#]
        {
            let failure = decode(bad).unwrap_err();
            assert_eq!(encode(&Outcome::Failed(failure)).status, 400);
        }
    }

    mod flow {
        use super::super::*;
        use super::body;
        use crate::account::tests::campaign;
        use crate::memory::MemoryStore;
        use crate::operator::{Operator, OperatorRequest, Permission};
        use crate::store::Directory;
        use pollster::block_on;

        fn setup(permissions: Vec<Permission>, policy: serde_json::Value) -> (MemoryStore, String) {
            let store = MemoryStore::new();
            block_on(store.insert_campaign(&campaign(policy), 0)).unwrap();
            let request =
                OperatorRequest { name: "CRM".into(), permissions, campaigns: vec!["rf".into()], allowed_ips: vec![] };
            let op = Operator::from_request(request, 1, |_| true).unwrap();
            let (issued, stored) = op.issue_credentials().unwrap();
            block_on(store.insert_operator(&op, &stored, 0)).unwrap();
            let basic = format!("{}:{}", issued.basic.user, issued.basic.password);
            use base64::Engine;
            (store, format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(basic)))
        }

        fn post(store: &MemoryStore, authorization: Option<&str>, body: &str) -> Reply {
            let request = VendorRequest {
                content_type: Some("application/json;charset=UTF-8"),
                authorization,
                client_ip: None,
                accept_language: None,
                body: body.as_bytes(),
            };
            encode(&block_on(create_user(store, &request, 0)))
        }

        const LATHA: &str = r#"{"firstName":"Latha","lastName":"Ganesh","country":"India","email":"latha@example.com",
            "mobileNumber":"919876543210","smsSubscription":true,"voiceSubscription":true,"emailSubscription":true,"state":""}"#;

        #[test]
        fn creates_then_answers_the_duplicate_with_the_existing_id() {
            let (store, auth) = setup(vec![Permission::AccountsCreate], serde_json::json!({}));
            let created = post(&store, Some(&auth), LATHA);
            assert_eq!(created.status, 200, "{}", created.body);
            let id = body(&created)["id"].as_str().unwrap().to_owned();
            assert_eq!(body(&created)["message"], CREATED);
            let again = post(&store, Some(&auth), LATHA);
            assert_eq!((again.status, body(&again)["message"].as_str()), (400, Some(EMAIL_TAKEN)));
            assert_eq!(body(&again)["id"], id.as_str());
            let stored = store.account_by_email_sync("latha@example.com");
            assert_eq!(stored.profile["country"], "IN");
            assert_eq!(stored.profile["smsSubscription"], "true");
            assert!(stored.password_hash.is_none(), "Engagement users have no password");
        }

        #[test]
        fn the_mobile_key_and_its_texts() {
            let (store, auth) = setup(
                vec![Permission::AccountsCreate],
                serde_json::json!({"reconciliation_key": "mobile", "fields": {"phone": "optional"}}),
            );
            let no_mobile =
                post(&store, Some(&auth), r#"{"firstName":"A","lastName":"B","country":"India","state":""}"#);
            assert_eq!(body(&no_mobile)["message"], MOBILE_REQUIRED);
            let bad =
                post(&store, Some(&auth), r#"{"firstName":"A","lastName":"B","country":"India","mobileNumber":"12"}"#);
            assert_eq!(body(&bad)["message"], MOBILE_INVALID);
            let one = r#"{"firstName":"A","lastName":"B","country":"India","mobileNumber":"919876543210"}"#;
            assert_eq!(post(&store, Some(&auth), one).status, 200);
            let dup = post(&store, Some(&auth), one);
            assert_eq!(body(&dup)["message"], MOBILE_TAKEN);
            assert!(body(&dup)["id"].is_string());
        }

        #[test]
        fn auth_and_permission() {
            let (store, auth) = setup(vec![], serde_json::json!({}));
            assert_eq!(post(&store, None, LATHA).status, 401);
            assert_eq!(post(&store, Some("Basic Zm9vOmJhcg=="), LATHA).status, 401);
            let forbidden = post(&store, Some(&auth), LATHA);
            assert_eq!((forbidden.status, body(&forbidden)["message"].as_str()), (401, Some(UNAUTHORIZED)));
            assert!(store.is_empty());
        }

        #[test]
        fn us_users_need_a_state() {
            let (store, auth) = setup(vec![Permission::AccountsCreate], serde_json::json!({}));
            let us = r#"{"firstName":"A","lastName":"B","country":"United States","email":"a@example.com","state":""}"#;
            assert_eq!(body(&post(&store, Some(&auth), us))["message"], INVALID);
            let ok = us.replace(r#""state":"""#, r#""state":"NY""#);
            assert_eq!(post(&store, Some(&auth), &ok).status, 200);
        }
    }

    #[test]
    fn the_dialect_policy_requires_what_the_seed_requires() {
        let p = policy(&Policy::default());
        assert!(p.requires(Field::FirstName) && p.requires(Field::CountryName) && p.requires(Field::Email));
        assert!(!p.requires(Field::Password));
        let mobile = policy(&Policy { reconciliation_key: ReconciliationKey::Mobile, ..Policy::default() });
        assert!(mobile.requires(Field::Phone) && !mobile.requires(Field::Email));
    }
}
