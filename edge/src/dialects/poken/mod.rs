//! Poken (seeds 000 and 001): "Create Account" and "Update Account Profile" as form posts,
//! the OAuth2 code flow, XML out. Codes and descriptions are the seeds', verbatim. One file
//! per job: decoding and running "Create Account" (`create.rs`), the OAuth2 codes and tokens
//! (`oauth.rs`), profile updates (`profile.rs`), the XML answers (`wire.rs`).

mod create;
mod oauth;
mod profile;
mod wire;

pub use create::{create_account, decode_create, CreateRequest};
pub use oauth::{exchange_code, token_error};
pub use profile::{change_of, update_profile};
pub use wire::encode;

use super::{Failure, Outcome, VendorRequest};
use crate::reply::Reply;
use crate::store::Store;
use enlist_shared::{Code, Field, Policy, Presence, Problem};
use std::collections::BTreeMap;

pub const NAMESPACE: &str = "http://xsd.poken.com";
/// How long an OAuth2 code may be exchanged, in seconds.
pub const CODE_TTL_S: i64 = 600;
/// How long an account's access token lives, in seconds.
pub const TOKEN_TTL_S: i64 = 3600;
/// How long an account counts as "new" (updatable by an operator) when its owner never signed in.
pub const NEW_ACCOUNT_MS: i64 = 24 * 60 * 60 * 1000;

/// Which operation an answer is for (10039 and 10018 mean different things in each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Operation {
    #[default]
    Create,
    Update,
}

/// What a Poken answer echoes: the operation, and the OAuth2 code issued with a new account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    pub operation: Operation,
    pub code: Option<String>,
}

/// The seeds' descriptions.
pub fn description(code: u32) -> &'static str {
    match code {
        10001 => "This username has already been taken.",
        10002 => "The password provided is too short.",
        10004 => "The email address provided is already registered.",
        10010 => "The identity specified is either invalid or not one of your identites.",
        10014 => "The username is too short.It should be at least 2 characters long.",
        10015 => "The username contains invalid characters or keywords.",
        10016 => "The username contains just numbers.",
        10017 => "Invalid email format provided.",
        10018 => "You don't have the permission to request such an action.",
        10021 => "The country code specified is not a 2 character ISO code.",
        10025 => "The timezone specified is invalid.",
        10026 => "The language specified is invalid.",
        10040 => "Not a valid account mobile phone provided.",
        10041 => "The provided external reference ID is already used for a different account.",
        150001 => "The endpoint requires an authenticated account",
        _ => "An unhandled exception has occured.",
    }
}

/// A closed campaign's answer: Poken's permission code (10018) with a description of its own.
pub const CAMPAIGN_CLOSED: &str = "Registration for this campaign is closed.";
const DENIED_UPDATE: &str = "Permission denied, not allowed to update this account's profile.";
const DENIED_NOT_NEW: &str = "Permission denied, not a new account anymore.";

/// The seed code of a problem; `None` where Poken has no code (reported as 10000 with our text).
fn code_of(problem: &Problem, operation: Operation) -> Option<u32> {
    Some(match (problem.code, problem.field) {
        (Code::AliasTaken, _) => 10001,
        // Poken has no code for a password that is too long or too common: those are 10000
        // with our text, which says what is wrong.
        (Code::PasswordTooShort, _) | (Code::Required, Field::Password) => 10002,
        (Code::EmailTaken, _) => 10004,
        (Code::IdentityInvalid, _) => 10010,
        (Code::AliasTooShort, _) | (Code::Required, Field::Alias) => 10014,
        (Code::AliasInvalid | Code::AliasReserved, _) => 10015,
        (Code::AliasNumeric, _) => 10016,
        (Code::EmailInvalid, _) | (Code::Required, Field::Email) => 10017,
        (Code::AuthForbidden | Code::AddressForbidden | Code::CampaignClosed, _) if operation == Operation::Create => {
            10018
        }
        (Code::AuthForbidden | Code::AddressForbidden | Code::IdentityLocked, _) => 10039,
        (Code::CountryInvalid, _) => 10021,
        (Code::TimezoneInvalid, _) => 10025,
        (Code::LangInvalid, _) => 10026,
        (Code::PhoneInvalid, Field::Phone) => 10040,
        (Code::ExtRefTaken, _) => 10041,
        (Code::AuthRequired | Code::AuthInvalid, _) => 150001,
        (Code::Internal, _) => 10000,
        _ => return None,
    })
}

fn malformed() -> Failure {
    Failure::request(Code::RequestMalformed)
}

fn bad(field: Field, code: Code) -> Failure {
    Failure::of(&[(field, code)])
}

/// Form fields, each at most once.
pub fn fields_of(body: &[u8]) -> Result<BTreeMap<String, String>, Failure> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| malformed())?;
    let mut fields = BTreeMap::new();
    for (key, value) in pairs {
        if fields.insert(key, value).is_some() {
            return Err(malformed());
        }
    }
    Ok(fields)
}

/// The policy Poken creates with: alias, e-mail and password required; `state` optional even
/// in the United States ("(optional) The State/Region").
pub fn policy(campaign: &Policy) -> Policy {
    let mut policy = campaign.clone();
    for field in [Field::Alias, Field::Email, Field::Password] {
        policy.fields.insert(field, Presence::Required);
    }
    policy.fields.insert(Field::State, Presence::Hidden);
    policy
}

/// The Poken dialect (its token route, RFC 6749's, is [`exchange_code`]).
pub struct Poken;

impl super::Wire for Poken {
    fn encode(
        outcome: &Outcome,
        echo: &super::Echo,
        _locale: enlist_shared::Locale,
        _policy: &enlist_shared::Policy,
    ) -> Reply {
        encode(outcome, &echo.poken)
    }
}

impl super::UseCases for Poken {
    type Operation = Operation;
    const ROUTES: &'static [(&'static str, &'static str, Operation)] =
        &[("POST", "/poken/account/create", Operation::Create), ("POST", "/poken/account/profile", Operation::Update)];

    async fn run<S: Store>(
        operation: Operation,
        store: &S,
        request: &VendorRequest<'_>,
        _context: &super::Context<'_>,
        now_ms: i64,
    ) -> (super::Echo, Outcome) {
        let (poken, outcome) = match operation {
            Operation::Create => create_account(store, request, now_ms).await,
            Operation::Update => update_profile(store, request, now_ms).await,
        };
        (super::Echo { poken, ..Default::default() }, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::campaign;
    use crate::account::{AccountId, Created};
    use crate::memory::MemoryStore;
    use crate::operator::Permission;
    use crate::operator::{Operator, OperatorRequest};
    use crate::store::Accounts;
    use crate::store::Directory;
    use crate::dialects::values::SendEmail;
    use pollster::block_on;
    use serde_json::json;

    fn failed(problems: &[(Field, Code)]) -> Outcome {
        Outcome::Failed(Failure::of(problems))
    }

    /// (success, [(code, description)]) read back from the XML.
    fn read(reply: &Reply) -> (String, Vec<(String, String)>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(&reply.body);
        let (mut success, mut errors, mut current, mut pending) =
            (String::new(), Vec::new(), String::new(), (String::new(), String::new()));
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => current = String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                event @ (Event::Text(_) | Event::GeneralRef(_)) => {
                    let text = match event {
                        Event::Text(t) => t.decode().unwrap().into_owned(),
                        Event::GeneralRef(r) => match r.as_ref() {
                            b"apos" => "'".to_owned(),
                            b"quot" => "\"".to_owned(),
                            b"amp" => "&".to_owned(),
                            b"lt" => "<".to_owned(),
                            b"gt" => ">".to_owned(),
                            other => panic!("unexpected entity {other:?}"),
                        },
                        _ => unreachable!(),
                    };
                    match current.as_str() {
                        "success" => success.push_str(&text),
                        "code" => pending.0.push_str(&text),
                        "description" => pending.1.push_str(&text),
                        _ => {}
                    }
                }
                Event::End(e) if e.name().as_ref() == b"error" => errors.push(std::mem::take(&mut pending)),
                Event::End(_) => current.clear(),
                Event::Eof => break,
                _ => {}
            }
        }
        (success, errors)
    }

    #[test]
    fn the_seed_sample_response_shape() {
        let created = Outcome::Created(Created {
            id: AccountId::from_stored("acc_x".into()),
            number: 123,
            alias: Some("ada".into()),
            email: None,
        });
        let reply = encode(&created, &Echo { operation: Operation::Create, code: Some("pc_a.b".into()) });
        assert_eq!(reply.status, 200);
        assert!(reply.body.starts_with(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#));
        assert!(reply.body.contains(r#"<account xmlns=""><accountId>123</accountId><identityId>123</identityId><username>ada</username><code>pc_a.b</code><expires_in>600</expires_in></account>"#), "{}", reply.body);
        let updated = encode(&Outcome::Updated { id: "acc_x".into(), number: 1 }, &Echo::default());
        assert!(
            updated.body.contains(r#"<response xmlns="http://xsd.poken.com"><success>SUCCESS</success></response>"#),
            "{}",
            updated.body
        );
    }

    #[test]
    fn every_seed_error_code_and_description() {
        let create = Echo { operation: Operation::Create, code: None };
        let update = Echo { operation: Operation::Update, code: None };
        for (outcome, echo, status, code) in [
            (Outcome::Failed(Failure::internal("x")), &create, 500, 10000),
            (failed(&[(Field::Alias, Code::AliasTaken)]), &create, 409, 10001),
            (failed(&[(Field::Password, Code::PasswordTooShort)]), &create, 400, 10002),
            (failed(&[(Field::Email, Code::EmailTaken)]), &create, 409, 10004),
            (failed(&[(Field::Request, Code::IdentityInvalid)]), &update, 403, 10010),
            (failed(&[(Field::Alias, Code::AliasTooShort)]), &create, 400, 10014),
            (failed(&[(Field::Alias, Code::AliasInvalid)]), &create, 400, 10015),
            (failed(&[(Field::Alias, Code::AliasNumeric)]), &create, 400, 10016),
            (failed(&[(Field::Email, Code::EmailInvalid)]), &create, 400, 10017),
            (failed(&[(Field::Request, Code::AuthForbidden)]), &create, 403, 10018),
            (failed(&[(Field::Country, Code::CountryInvalid)]), &create, 400, 10021),
            (failed(&[(Field::TimeZone, Code::TimezoneInvalid)]), &create, 400, 10025),
            (failed(&[(Field::Lang, Code::LangInvalid)]), &create, 400, 10026),
            (failed(&[(Field::Request, Code::AuthForbidden)]), &update, 403, 10039),
            (failed(&[(Field::Request, Code::IdentityLocked)]), &update, 403, 10039),
            (failed(&[(Field::Phone, Code::PhoneInvalid)]), &update, 400, 10040),
            (failed(&[(Field::Request, Code::ExtRefTaken)]), &create, 409, 10041),
            (failed(&[(Field::Request, Code::AuthRequired)]), &update, 401, 150001),
        ] {
            let reply = encode(&outcome, echo);
            assert_eq!(reply.status, status, "{code}");
            let (success, errors) = read(&reply);
            assert_eq!(success, "FAILURE");
            assert_eq!(errors[0].0, code.to_string());
            let expected = match (code, &outcome) {
                (10039, Outcome::Failed(f)) if f.has(Code::IdentityLocked) => DENIED_NOT_NEW,
                (10039, _) => DENIED_UPDATE,
                _ => description(code),
            };
            assert_eq!(errors[0].1, expected);
        }
        assert_eq!(description(10014), "The username is too short.It should be at least 2 characters long.");
    }

    #[test]
    fn every_problem_is_an_error_element() {
        let reply = encode(
            &failed(&[
                (Field::Alias, Code::AliasNumeric),
                (Field::Email, Code::EmailInvalid),
                (Field::Website, Code::UrlInvalid),
            ]),
            &Echo::default(),
        );
        let (_, errors) = read(&reply);
        assert_eq!(errors.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["10016", "10017", "10000"]);
        assert_eq!(errors[2].1, "Enter a web address, like https://example.com.", "no seed code: our text");
    }

    #[test]
    fn create_requests_decode_every_parameter() {
        let body = "alias=ada&password=Analytical-1843&email=ada%40example.com&lang=en_GB&ip=3232235777&timeZone=Europe%2FLondon\
            &country=gb&sendEmailId=2&sendEmailTimestamp=1900000000&stopProcessing=true&visitorCategories=vip%2Cspeaker\
            &inviteId=inv-1&extRefId=crm-42&firstName=Ada&lastName=Lovelace&prefix=Countess&middleName=King&organization=AS\
            &title=Analyst&department=Notes&specialty=Engines&region=London&address=12+St+James&city=London&postalCode=SW1Y\
            &state=Westminster&accountMobilePhone=%2B44+20+7946+0958&mobilePhone=%2B44+20+7946+0959&workPhone=%2B44+20+7946+0960\
            &workFax=%2B44+20+7946+0961&workEmail=ada%40work.example&registrationEmail=ada%40old.example&workWebPage=ada.example.org\
            &response_type=code";
        let call = decode_create(body.as_bytes()).unwrap();
        assert!(call.wants_code);
        assert_eq!(call.send_email, SendEmail::Scheduled);
        assert_eq!(call.send_at_s, Some(1_900_000_000));
        assert_eq!(call.extra_profile["ip"], "192.168.1.1");
        assert_eq!(call.extra_profile["mobile_phone"], "+442079460959");
        assert_eq!(call.ext_ref_id.as_deref(), Some("crm-42"));
        assert!(enlist_shared::validate(&call.form, &policy(&Policy::default())).is_ok());
        for malformed in ["alias=a&alias=b", "colour=red", "response_type=token"] {
            assert!(decode_create(malformed.as_bytes()).is_err(), "{malformed}");
        }
        // Bad values outside the rule set are collected, to be reported with the rule set's.
        for (bad, want) in [
            ("sendEmailTimestamp=1", vec![Problem::new(Field::Request, Code::DateInvalid)]),
            ("sendEmailId=2", vec![Problem::new(Field::Request, Code::DateInvalid)]),
            ("ip=1.2.3.4", vec![Problem::new(Field::Request, Code::IpInvalid)]),
            (
                "ip=x&mobilePhone=12&registrationEmail=no&stopProcessing=maybe&sendEmailId=9",
                vec![
                    Problem::new(Field::Request, Code::IpInvalid),
                    Problem::new(Field::Phone, Code::PhoneInvalid),
                    Problem::new(Field::Email, Code::EmailInvalid),
                    Problem::new(Field::Request, Code::EnumInvalid),
                    Problem::new(Field::Request, Code::EnumInvalid),
                ],
            ),
        ] {
            assert_eq!(decode_create(bad.as_bytes()).unwrap().problems, want, "{bad}");
        }
    }

    fn operator(store: &MemoryStore, number: i64, permissions: Vec<Permission>) -> String {
        let request =
            OperatorRequest { name: "Reg desk".into(), permissions, campaigns: vec!["rf".into()], allowed_ips: vec![] };
        let op = Operator::from_request(request, number, |_| true).unwrap();
        let (issued, stored) = op.issue_credentials().unwrap();
        block_on(store.insert_operator(&op, &stored, 0)).unwrap();
        format!("Bearer {}", issued.bearer)
    }

    fn call(
        store: &MemoryStore,
        f: fn(&MemoryStore, &VendorRequest<'_>) -> (Echo, Outcome),
        auth: Option<&str>,
        body: &str,
    ) -> Reply {
        let request = VendorRequest { content_type: None, authorization: auth, client_ip: None, accept_language: None, body: body.as_bytes() };
        let (echo, outcome) = f(store, &request);
        encode(&outcome, &echo)
    }

    fn create(store: &MemoryStore, request: &VendorRequest<'_>) -> (Echo, Outcome) {
        block_on(create_account(store, request, 1_000))
    }

    fn update(store: &MemoryStore, request: &VendorRequest<'_>) -> (Echo, Outcome) {
        block_on(update_profile(store, request, 2_000))
    }

    fn value_of<'a>(xml: &'a str, element: &str) -> &'a str {
        xml.split(&format!("<{element}>")).nth(1).and_then(|s| s.split('<').next()).unwrap_or_default()
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    #[test]
    fn token_errors_are_rfc_6749_section_5_2s() {
        let store = MemoryStore::new();
        let error_of = |content_type: Option<&str>, body: &str| {
            let reply = block_on(exchange_code(&store, content_type, body.as_bytes(), 0));
            assert_eq!(reply.header("cache-control"), Some("no-store"));
            assert_eq!(reply.content_type, "application/json");
            let doc: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            (reply.status, doc["error"].as_str().unwrap().to_owned())
        };
        for (content_type, body, want) in [
            (Some(FORM), "code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=&code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code&code=", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code&code=pc_a.b&code=pc_c.d", "invalid_request"),
            (Some("application/json"), r#"{"grant_type":"authorization_code","code":"pc_a.b"}"#, "invalid_request"),
            (None, "grant_type=authorization_code&code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=password&username=a&password=b", "unsupported_grant_type"),
            (Some(FORM), "grant_type=client_credentials", "unsupported_grant_type"),
            (Some(FORM), "grant_type=authorization_code&code=nonsense", "invalid_grant"),
            (Some(FORM), "grant_type=authorization_code&code=pc_unknown.secret", "invalid_grant"),
            (
                Some("application/x-www-form-urlencoded; charset=UTF-8"),
                "grant_type=authorization_code&code=pc_x.y",
                "invalid_grant",
            ),
        ] {
            assert_eq!(error_of(content_type, body), (400, want.to_owned()), "{content_type:?} {body}");
        }
    }

    #[test]
    fn code_token_profile_flow() {
        let store = MemoryStore::new();
        let created =
            call(&store, create, None, "alias=ada&password=Analytical-1843&email=ada%40example.com&response_type=code");
        assert_eq!(created.status, 200, "{}", created.body);
        let code = value_of(&created.body, "code").to_owned();
        let token_reply = block_on(exchange_code(
            &store,
            Some(FORM),
            format!("grant_type=authorization_code&code={code}").as_bytes(),
            1_500,
        ));
        assert_eq!(token_reply.status, 200, "{}", token_reply.body);
        let token: serde_json::Value = serde_json::from_str(&token_reply.body).unwrap();
        let again = block_on(exchange_code(
            &store,
            Some(FORM),
            format!("grant_type=authorization_code&code={code}").as_bytes(),
            1_600,
        ));
        let again_error: serde_json::Value = serde_json::from_str(&again.body).unwrap();
        assert_eq!((again.status, &again_error["error"]), (400, &json!("invalid_grant")), "a code works once");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
        let updated = call(&store, update, Some(&bearer), "visibility=PUBLIC&timezone=europe%2Fwarsaw&alias=ada_l");
        assert_eq!(read(&updated).0, "SUCCESS", "{}", updated.body);
        let record = block_on(store.accounts_by_email("ada@example.com")).unwrap().remove(0);
        assert_eq!(record.alias.as_deref(), Some("ada_l"));
        assert_eq!(record.profile["visibility"], "PUBLIC");
        assert_eq!(record.profile["time_zone"], "Europe/Warsaw");
        let rejected = call(&store, update, Some(&bearer), "mobilePhone=12&visibility=FRIENDS");
        assert_eq!(read(&rejected).1.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["10040", "10000"]);
        assert_eq!(read(&call(&store, update, None, "visibility=PUBLIC")).1[0].0, "150001");
    }

    #[test]
    fn a_profile_update_uses_the_campaigns_reserved_aliases() {
        let store = MemoryStore::new();
        block_on(store.insert_campaign(&campaign(serde_json::json!({"reserved_aliases": ["acme"]})), 0)).unwrap();
        let creator = operator(&store, 5, vec![Permission::AccountsCreate, Permission::AccountsUpdate]);
        let taken_at_signup = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&alias=acme&password=COBOL-1959%21&email=a%40example.com",
        );
        assert_eq!(read(&taken_at_signup).1[0].0, "10015", "{}", taken_at_signup.body);
        let created = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&alias=grace&password=COBOL-1959%21&email=g%40example.com",
        );
        let identity = value_of(&created.body, "identityId").to_owned();
        let renamed = call(&store, update, Some(&creator), &format!("identityId={identity}&alias=ACME"));
        assert_eq!(read(&renamed).1[0].0, "10015", "the same word is refused on update: {}", renamed.body);
    }

    #[test]
    fn operators_update_only_new_accounts_of_their_campaigns() {
        let store = MemoryStore::new();
        block_on(store.insert_campaign(&campaign(serde_json::json!({})), 0)).unwrap();
        let creator = operator(&store, 5, vec![Permission::AccountsCreate, Permission::AccountsUpdate]);
        let created = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&extRefId=crm-1&alias=grace&password=COBOL-1959%21&email=grace%40example.com",
        );
        assert_eq!(created.status, 200, "{}", created.body);
        let identity = value_of(&created.body, "identityId").to_owned();
        let dup_ref = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&extRefId=crm-1&alias=grace2&password=COBOL-1959%21&email=g2%40example.com",
        );
        assert_eq!(read(&dup_ref).1[0].0, "10041");
        let no_bearer =
            call(&store, create, None, "campaignId=rf&alias=x1&password=COBOL-1959%21&email=x1%40example.com");
        assert_eq!(read(&no_bearer).1[0].0, "10018");

        let ok = call(&store, update, Some(&creator), &format!("identityId={identity}&visibility=CONTACTS"));
        assert_eq!(read(&ok).0, "SUCCESS", "{}", ok.body);
        assert_eq!(read(&call(&store, update, Some(&creator), "identityId=999&visibility=CONTACTS")).1[0].0, "10010");
        let viewer = operator(&store, 6, vec![Permission::AccountsCreate]);
        assert_eq!(read(&call(&store, update, Some(&viewer), &format!("identityId={identity}"))).1[0].1, DENIED_UPDATE);
        let account = block_on(store.accounts_by_number(identity.parse().unwrap())).unwrap().remove(0);
        block_on(store.claim_account(&account.id, 1_800)).unwrap();
        let locked = call(&store, update, Some(&creator), &format!("identityId={identity}&visibility=PUBLIC"));
        assert_eq!(read(&locked).1[0], ("10039".to_owned(), DENIED_NOT_NEW.to_owned()));
    }
}
