//! Talking to the Worker's native route.

use enlist_shared::{Problem, SignupForm};
use gloo_net::http::Request;
use serde::Deserialize;

/// What the Worker said about a signup.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerAnswer {
    Created {
        id: String,
    },
    Problems(Vec<Problem>),
    /// No usable answer: network failure, or a body that is not ours.
    Unreachable,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct ProblemDocument {
    errors: Vec<Problem>,
}

/// Which campaign the widget signs up into, and its publishable key (from the embed tag).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub api_base: String,
    pub campaign: String,
    pub key: String,
}

pub async fn post_signup(target: &Target, form: &SignupForm) -> ServerAnswer {
    let mut body = serde_json::to_value(form).unwrap_or_default();
    if let Some(object) = body.as_object_mut() {
        object.insert("campaign".into(), target.campaign.clone().into());
    }
    let url = format!("{}/v1/accounts", target.api_base);
    let Ok(request) = Request::post(&url).header("x-publishable-key", &target.key).json(&body) else {
        return ServerAnswer::Unreachable;
    };
    let Ok(response) = request.send().await else { return ServerAnswer::Unreachable };
    let Ok(body) = response.text().await else { return ServerAnswer::Unreachable };
    if response.status() == 201 {
        serde_json::from_str::<Created>(&body)
            .map(|c| ServerAnswer::Created { id: c.id })
            .unwrap_or(ServerAnswer::Unreachable)
    } else {
        serde_json::from_str::<ProblemDocument>(&body)
            .map(|d| ServerAnswer::Problems(d.errors))
            .unwrap_or(ServerAnswer::Unreachable)
    }
}
