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

pub async fn post_signup(url: &str, form: &SignupForm) -> ServerAnswer {
    let Ok(request) = Request::post(url).json(form) else { return ServerAnswer::Unreachable };
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
