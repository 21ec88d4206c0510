//! MoveDigital `movedigital.accounts.proxy.createAccount` (seed 003): a form POST by a proxy
//! user's session, `<rsp stat="ok|fail">` XML out, HTTP 200 always. The submitted password is
//! ignored: a temporary one is derived and queued for e-mail; the proxy user becomes the
//! account's controller. Codes and texts are the seed's.

use super::{Failure, Outcome, VendorRequest};
use crate::account::{sign_up, Lookup, NewCredential, PasswordSource, Signup};
use crate::auth::Presented;
use crate::operator::{CredentialKind, Permission};
use crate::reply::Reply;
use crate::store::{MessageKind, OutboxEntry, Store};
use crate::dialects::values::{parse_flag, Spelling};
use enlist_shared::values::text::Text;
use enlist_shared::{Code, Field, Policy, Presence, Problem, SignupForm};
use serde::Serialize;
use std::collections::BTreeMap;

pub const METHOD: &str = "movedigital.accounts.proxy.createAccount";
pub const CREATED: &str = "Successfully created account.";

/// The seed's error codes and texts.
pub fn error_text(code: u16) -> &'static str {
    match code {
        98 => "Insufficient permissions.",
        99 => "User not signed in.",
        104 => "This username is already being used by another user.",
        106 => "Some data was missing or invalid.",
        108 => "Internal error.",
        109 => "Service is currently unavailable.",
        111 => "Method must be accessed via SSL.",
        _ => "Internal error.",
    }
}

/// A decoded call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateAccount {
    pub userid: String,
    pub sessionid: String,
    pub session: String,
    pub form: SignupForm,
    pub extra_profile: BTreeMap<String, String>,
    pub security_answer: Option<String>,
    /// Problems with values outside the rule set, reported with the rule set's.
    pub problems: Vec<Problem>,
}

/// The campaign's policy as MoveDigital asks: username, e-mail and the agreement required;
/// the password is not the user's to choose.
pub fn policy(campaign: &Policy) -> Policy {
    let mut policy = campaign.clone();
    for field in [Field::Alias, Field::Email, Field::Eula] {
        policy.fields.insert(field, Presence::Required);
    }
    policy.fields.insert(Field::Password, Presence::Hidden);
    policy
}

fn malformed() -> Failure {
    Failure::request(Code::RequestMalformed)
}

/// Reads the form. A field given twice, an unknown field, a missing required-but-ignored
/// password, or another method is malformed (106).
pub fn decode(body: &[u8]) -> Result<CreateAccount, Failure> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| malformed())?;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in pairs {
        if fields.insert(key, value).is_some() {
            return Err(malformed());
        }
    }
    if fields.get("method").map(String::as_str) != Some(METHOD) {
        return Err(malformed());
    }
    let mut take = |key: &str| fields.remove(key).unwrap_or_default();
    let (userid, sessionid, session) = (take("userid"), take("sessionid"), take("session"));
    // "Required but ignored": present, never read.
    let (password, confirm) = (take("password"), take("confirm_password"));
    let mut form = SignupForm::new();
    form.set(Field::Alias, take("username"));
    form.set(Field::Email, take("email"));
    form.set(Field::Eula, take("eula_agree"));
    form.set(Field::FirstName, take("firstname"));
    form.set(Field::LastName, take("lastname"));
    form.set(Field::Website, take("website"));
    let mut extra_profile = BTreeMap::new();
    let mut problems = Vec::new();
    let question = take("security_question");
    if !question.trim().is_empty() {
        match Text::parse(&question, 200) {
            Ok(text) => drop(extra_profile.insert("security_question".to_owned(), text.to_string())),
            Err(code) => problems.push(Problem::new(Field::Request, code)),
        }
    }
    let updates = take("updates");
    if !updates.trim().is_empty() {
        match parse_flag(&updates, Spelling::OnOff) {
            Ok(on) => drop(extra_profile.insert("updates".to_owned(), if on { "on" } else { "off" }.to_owned())),
            Err(code) => problems.push(Problem::new(Field::Request, code)),
        }
    }
    let answer = take("security_answer");
    take("method");
    if !fields.is_empty() {
        return Err(malformed());
    }
    // "Required but ignored": a missing one is a missing required value, listed with the rest.
    if password.is_empty() || confirm.is_empty() {
        problems.push(Problem::new(Field::Password, Code::Required));
    }
    Ok(CreateAccount {
        userid,
        sessionid,
        session,
        form,
        extra_profile,
        security_answer: (!answer.is_empty()).then_some(answer),
        problems,
    })
}

/// `POST /movedigital/services/rest/`.
pub async fn create_account<S: Store>(
    store: &S,
    request: &VendorRequest<'_>,
    outbox_secret: Option<&str>,
    now_ms: i64,
) -> Outcome {
    let call = match decode(request.body) {
        Ok(call) => call,
        Err(failure) => return Outcome::Failed(failure),
    };
    let presented = Presented::MoveDigital { userid: &call.userid, sessionid: &call.sessionid, session: &call.session };
    let (operator, mut campaign) =
        match super::admit(store, Some(presented), request.client_ip, Permission::AccountsCreate, now_ms).await {
            Ok(admitted) => admitted,
            Err(failure) => return Outcome::Failed(failure),
        };
    let Some(outbox_secret) = outbox_secret.filter(|s| !s.is_empty()) else {
        return Outcome::Failed(Failure::internal("OUTBOX_SECRET is not set: temporary passwords cannot be issued"));
    };
    campaign.policy = policy(&campaign.policy);
    let mut signup = Signup::new(&campaign, call.form, crate::names::Dialect::MoveDigital);
    signup.locale = request.locale();
    signup.password = PasswordSource::Temporary { outbox_secret };
    signup.controller_id = Some(operator.id);
    signup.extra_profile = call.extra_profile;
    signup.problems = call.problems;
    signup.outbox = vec![OutboxEntry::mail(MessageKind::TemporaryPassword, now_ms)];
    if let Some(answer) = call.security_answer {
        let Ok(secret_hash) = crate::hashing::hash_secret(&answer.trim().to_lowercase()) else {
            return Outcome::Failed(Failure::internal("hashing the security answer failed"));
        };
        signup.credentials.push(NewCredential {
            kind: CredentialKind::SecurityAnswer,
            lookup: Lookup::AccountId,
            secret_hash,
            expires_at_ms: None,
        });
    }
    sign_up(store, signup, now_ms).await.into()
}

#[derive(Serialize)]
#[serde(rename = "rsp")]
struct Rsp<'a> {
    #[serde(rename = "@stat")]
    stat: &'static str,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    userid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<Messages>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Errors>,
}

#[derive(Serialize)]
struct Messages {
    message: Vec<Message>,
}

#[derive(Serialize)]
struct Message {
    #[serde(rename = "@msg")]
    msg: &'static str,
}

#[derive(Serialize)]
struct Errors {
    error: Vec<ErrorElement>,
}

#[derive(Serialize)]
struct ErrorElement {
    #[serde(rename = "@code")]
    code: u16,
    #[serde(rename = "@msg")]
    msg: &'static str,
    /// Which field and rule, beyond the seed's text (extra attributes keep old parsers happy).
    #[serde(rename = "@field", skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
    #[serde(rename = "@problem", skip_serializing_if = "Option::is_none")]
    problem: Option<&'static str>,
}

/// The seed's code for a problem.
fn code_of(problem: &Problem) -> u16 {
    match problem.code {
        Code::AuthRequired | Code::AuthInvalid => 99,
        Code::AuthForbidden
        | Code::AddressForbidden
        | Code::IdentityInvalid
        | Code::IdentityLocked
        | Code::CampaignClosed => 98,
        Code::AliasTaken => 104,
        Code::TlsRequired => 111,
        Code::RateLimited => 109,
        Code::Internal => 108,
        _ => 106,
    }
}

/// Writes any outcome as MoveDigital would; every problem is listed.
pub fn encode(outcome: &Outcome) -> Reply {
    let rsp = match outcome {
        Outcome::Created(created) => Rsp {
            stat: "ok",
            method: METHOD,
            format: Some("rest"),
            userid: Some(created.number),
            messages: Some(Messages { message: vec![Message { msg: CREATED }] }),
            errors: None,
        },
        Outcome::Updated { number, .. } => Rsp {
            stat: "ok",
            method: METHOD,
            format: Some("rest"),
            userid: Some(*number),
            messages: None,
            errors: None,
        },
        Outcome::Failed(failure) => {
            let first = failure.first();
            let shown: Vec<&Problem> = match code_of(&first) {
                // Session and server problems stand alone; rule problems are all listed.
                98 | 99 | 108 | 109 | 111 => vec![&first],
                _ => failure.problems.iter().collect(),
            };
            let error = shown
                .iter()
                .map(|p| {
                    let code = code_of(p);
                    let detail = code == 106 || code == 104;
                    ErrorElement {
                        code,
                        msg: error_text(code),
                        field: (detail && p.field != Field::Request).then(|| p.field.as_str()),
                        problem: detail.then(|| p.code.wire()),
                    }
                })
                .collect();
            Rsp {
                stat: "fail",
                method: METHOD,
                format: None,
                userid: None,
                messages: None,
                errors: Some(Errors { error }),
            }
        }
    };
    let xml = quick_xml::se::to_string(&rsp).expect("plain data serialises to XML");
    outcome.logged(Reply::new(
        200,
        "text/xml; charset=utf-8",
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?>
{xml}"
        ),
    ))
}

/// The MoveDigital dialect.
pub struct MoveDigital;

impl super::Wire for MoveDigital {
    fn encode(
        outcome: &Outcome,
        _echo: &super::Echo,
        _locale: enlist_shared::Locale,
        _policy: &enlist_shared::Policy,
    ) -> Reply {
        encode(outcome)
    }
}

impl super::UseCases for MoveDigital {
    type Operation = ();
    const ROUTES: &'static [(&'static str, &'static str, ())] = &[("POST", "/movedigital/services/rest/", ())];

    async fn run<S: Store>(
        (): (),
        store: &S,
        request: &VendorRequest<'_>,
        context: &super::Context<'_>,
        now_ms: i64,
    ) -> (super::Echo, Outcome) {
        (super::Echo::default(), create_account(store, request, context.outbox_secret, now_ms).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountId, Created};

    fn failed(problems: &[(Field, Code)]) -> Outcome {
        Outcome::Failed(Failure::of(problems))
    }

    /// Parses the XML back into (stat, [(code, msg)], userid) to compare structurally.
    fn read(reply: &Reply) -> (String, Vec<(String, String)>, Option<String>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(&reply.body);
        let (mut stat, mut errors, mut userid, mut in_userid) = (String::new(), Vec::new(), None, false);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let attr = |name: &[u8]| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == name)
                            .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                    };
                    match e.name().as_ref() {
                        b"rsp" => stat = attr(b"stat").unwrap(),
                        b"error" => errors.push((attr(b"code").unwrap(), attr(b"msg").unwrap())),
                        b"userid" => in_userid = true,
                        _ => {}
                    }
                }
                Event::Text(t) if in_userid => {
                    userid = Some(String::from_utf8(t.to_vec()).unwrap());
                    in_userid = false;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (stat, errors, userid)
    }

    const SEED_LIKE_REQUEST: &str =
        "method=movedigital.accounts.proxy.createAccount&userid=1000&sessionid=s1&session=secret\
        &username=newuser&password=ignored&confirm_password=ignored&email=new%40example.com&eula_agree=yes\
        &firstname=New&lastname=User&security_question=Pet%3F&security_answer=Rex&updates=on&website=example.org";

    #[test]
    fn a_seed_shaped_request_decodes() {
        let call = decode(SEED_LIKE_REQUEST.as_bytes()).unwrap();
        assert_eq!((call.userid.as_str(), call.sessionid.as_str(), call.session.as_str()), ("1000", "s1", "secret"));
        assert_eq!(call.form.get(Field::Alias), "newuser");
        assert_eq!(call.form.get(Field::Password), "", "the submitted password is ignored");
        assert_eq!(call.extra_profile["updates"], "on");
        assert_eq!(call.security_answer.as_deref(), Some("Rex"));
        assert!(enlist_shared::validate(&call.form, &policy(&Policy::default())).is_ok());
    }

    #[test]
    fn the_seed_sample_responses() {
        let created = Outcome::Created(Created {
            id: AccountId::from_stored("acc_x".into()),
            number: 1000,
            alias: None,
            email: None,
        });
        let reply = encode(&created);
        assert_eq!(reply.status, 200);
        assert!(reply.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\" ?>"));
        assert_eq!(read(&reply), ("ok".into(), vec![], Some("1000".into())));
        assert!(reply.body.contains(r#"<message msg="Successfully created account."/>"#), "{}", reply.body);
        assert!(reply.body.contains("<format>rest</format>"));
        let taken = encode(&failed(&[(Field::Alias, Code::AliasTaken)]));
        assert_eq!(
            read(&taken),
            ("fail".into(), vec![("104".into(), "This username is already being used by another user.".into())], None)
        );
    }

    #[test]
    fn every_seed_error_code() {
        for (outcome, code) in [
            (failed(&[(Field::Request, Code::AuthForbidden)]), "98"),
            (failed(&[(Field::Request, Code::AuthRequired)]), "99"),
            (failed(&[(Field::Request, Code::AuthInvalid)]), "99"),
            (failed(&[(Field::Alias, Code::AliasTaken)]), "104"),
            (failed(&[(Field::Email, Code::EmailInvalid)]), "106"),
            (Outcome::Failed(Failure::internal("boom")), "108"),
            (failed(&[(Field::Request, Code::RateLimited)]), "109"),
            (failed(&[(Field::Request, Code::TlsRequired)]), "111"),
        ] {
            let reply = encode(&outcome);
            assert_eq!(reply.status, 200);
            let (stat, errors, _) = read(&reply);
            assert_eq!(stat, "fail");
            assert_eq!(errors[0].0, code);
            assert_eq!(errors[0].1, error_text(code.parse().unwrap()));
            assert!(!reply.body.contains("boom"));
        }
    }

    #[test]
    fn all_rule_problems_are_listed() {
        let reply = encode(&failed(&[
            (Field::Alias, Code::AliasNumeric),
            (Field::Email, Code::EmailInvalid),
            (Field::Eula, Code::EulaRequired),
        ]));
        let (_, errors, _) = read(&reply);
        assert_eq!(errors.len(), 3);
        assert!(reply.body.contains(r#"field="eula" problem="eula.required""#), "{}", reply.body);
    }

    #[test]
    fn malformed_calls() {
        for bad in [
            "method=other&userid=1",
            "method=movedigital.accounts.proxy.createAccount&username=a&username=b",
            "method=movedigital.accounts.proxy.createAccount&userid=1&sessionid=s&session=x&username=abc&password=p&confirm_password=p&email=a%40b.co&eula_agree=yes&colour=red",
        ] {
            let failure = decode(bad.as_bytes()).unwrap_err();
            assert_eq!(read(&encode(&Outcome::Failed(failure))).1[0].0, "106", "{bad}");
        }
        // Bad values are collected, to be listed with every other problem of the call.
        for (bad, want) in [
            (
                "method=movedigital.accounts.proxy.createAccount&userid=1&sessionid=s&session=x&username=abc&email=a%40b.co&eula_agree=yes",
                vec![Problem::new(Field::Password, Code::Required)],
            ),
            (
                "method=movedigital.accounts.proxy.createAccount&userid=1&sessionid=s&session=x&username=abc&password=p&confirm_password=p&email=a%40b.co&eula_agree=yes&updates=maybe&security_question=%00",
                vec![Problem::new(Field::Request, Code::TextInvalid), Problem::new(Field::Request, Code::EnumInvalid)],
            ),
        ] {
            assert_eq!(decode(bad.as_bytes()).unwrap().problems, want, "{bad}");
        }
    }
}
