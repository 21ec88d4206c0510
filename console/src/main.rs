//! enlist's organiser console (`GET /console`): sign in with the admin token, see the campaigns,
//! open one, page through its registrations, download them as CSV, edit its policy with the
//! real widget previewing it, open or close registration, rotate its publishable key (and get
//! the new embed tag), erase an account after a confirmation. Everything goes through the admin
//! API (docs/api.md); nothing here is a rule of its own.

mod admin;

use enlist_shared::{Locale, Policy};
use enlist_widget::{Signup, Target};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

/// Registrations per page.
const PAGE: usize = 25;

fn main() {
    leptos::mount::mount_to_body(App);
}

#[derive(Clone, Debug, PartialEq)]
enum Screen {
    Campaigns,
    Campaign(String),
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Moves the keyboard to the element with this id once it is drawn.
fn focus(id: &'static str) {
    request_animation_frame(move || {
        let found = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
        if let Some(element) = found.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
            let _ = element.focus();
        }
    });
}

#[component]
fn App() -> impl IntoView {
    let token = RwSignal::new(admin::stored_token());
    let screen = RwSignal::new(Screen::Campaigns);
    let sign_out = move |_| {
        admin::forget_token();
        token.set(None);
        screen.set(Screen::Campaigns);
    };
    view! {
        <header class="bar">
            <h1>"enlist · organiser console"</h1>
            <Show when=move || token.get().is_some()>
                <button type="button" on:click=sign_out>"Sign out"</button>
            </Show>
        </header>
        <main>
            {move || match (token.get(), screen.get()) {
                (None, _) => view! { <SignIn token=token /> }.into_any(),
                (Some(t), Screen::Campaigns) => view! { <Campaigns token=t screen=screen /> }.into_any(),
                (Some(t), Screen::Campaign(id)) => view! { <CampaignPage token=t id=id screen=screen /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn SignIn(token: RwSignal<Option<String>>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let said = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let candidate = typed.get_untracked().trim().to_owned();
        busy.set(true);
        spawn_local(async move {
            match admin::call(&candidate, "GET", "/admin/campaigns", None).await {
                Ok(answer) if answer.status == 200 => {
                    admin::keep_token(&candidate);
                    token.set(Some(candidate));
                }
                Ok(answer) if answer.status == 401 => said.set("That admin token is not valid.".into()),
                Ok(answer) => said.set(answer.why()),
                Err(why) => said.set(why),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" on:submit=submit>
            <h2>"Sign in"</h2>
            <p>"Use the Worker's admin token (cargo xtask dev prints it). It is kept in this tab only, until you sign out or close it."</p>
            <label for="token">"Admin token"</label>
            <input id="token" type="password" autocomplete="off" required
                prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <button type="submit" disabled=move || busy.get()>"Sign in"</button>
            <p class="status error" role="alert">{move || said.get()}</p>
        </form>
    }
}

#[component]
fn Campaigns(token: String, screen: RwSignal<Screen>) -> impl IntoView {
    let listed = RwSignal::new(None::<Result<Vec<Value>, String>>);
    spawn_local(async move {
        let found = match admin::call(&token, "GET", "/admin/campaigns", None).await {
            Ok(answer) if answer.status == 200 => {
                Ok(answer.json()["campaigns"].as_array().cloned().unwrap_or_default())
            }
            Ok(answer) => Err(answer.why()),
            Err(why) => Err(why),
        };
        listed.set(Some(found));
    });
    let rows = move |campaigns: Vec<Value>| {
        campaigns
            .into_iter()
            .map(|c| {
                let id = text(&c["id"]);
                let open_it = id.clone();
                let state = if c["open"] == json!(true) { "open" } else { "closed" };
                view! {
                    <tr>
                        <td><button type="button" class="link" on:click=move |_| screen.set(Screen::Campaign(open_it.clone()))>{text(&c["name"])}</button></td>
                        <td><code>{id}</code></td>
                        <td>{state}</td>
                        <td>{text(&c["created_at"])}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="campaigns-heading">
            <h2 id="campaigns-heading">"Campaigns"</h2>
            {move || match listed.get() {
                None => view! { <p class="status" role="status">"Loading the campaigns…"</p> }.into_any(),
                Some(Err(why)) => view! { <p class="status error" role="alert">{why}</p> }.into_any(),
                Some(Ok(campaigns)) if campaigns.is_empty() => view! {
                    <p>"No campaign yet: create one with POST /admin/campaigns (docs/api.md)."</p>
                }.into_any(),
                Some(Ok(campaigns)) => view! {
                    <div class="scroll">
                        <table>
                            <caption>"Every campaign, oldest first. Open one to see its registrations."</caption>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Id"</th><th scope="col">"Registration"</th><th scope="col">"Created (UTC)"</th></tr></thead>
                            <tbody>{rows(campaigns)}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// One page of registrations: its accounts, and the cursor of the next page.
#[derive(Clone, Debug, Default, PartialEq)]
struct Page {
    accounts: Vec<Value>,
    next: Option<String>,
}

#[component]
fn CampaignPage(token: String, id: String, screen: RwSignal<Screen>) -> impl IntoView {
    let token = StoredValue::new(token);
    let id = StoredValue::new(id);
    let campaign = RwSignal::new(None::<Value>);
    let said = RwSignal::new(String::new());
    let failed = RwSignal::new(String::new());
    let policy_text = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Policy>);
    let policy_problem = RwSignal::new(String::new());
    let rotating = RwSignal::new(false);
    // The cursors that start each page seen so far (the first page has none).
    let starts = RwSignal::new(vec![None::<String>]);
    let page = RwSignal::new(None::<Page>);
    let erasing = RwSignal::new(None::<(String, String)>);

    let report = move |result: Result<admin::Answer, String>, wanted: u16| -> Option<Value> {
        match result {
            Ok(answer) if answer.status == wanted => Some(answer.json()),
            Ok(answer) => {
                failed.set(answer.why());
                None
            }
            Err(why) => {
                failed.set(why);
                None
            }
        }
    };
    let show_campaign = move |c: Value| {
        let pretty = serde_json::to_string_pretty(&c["policy"]).unwrap_or_default();
        preview.set(Policy::from_json(&pretty).ok());
        policy_text.set(pretty);
        campaign.set(Some(c));
    };
    let load_page = move |cursor: Option<String>| {
        let path = match &cursor {
            None => format!("/admin/campaigns/{}/accounts?limit={PAGE}", id.get_value()),
            Some(c) => format!("/admin/campaigns/{}/accounts?limit={PAGE}&cursor={c}", id.get_value()),
        };
        spawn_local(async move {
            if let Some(found) = report(admin::call(&token.get_value(), "GET", &path, None).await, 200) {
                let accounts = found["accounts"].as_array().cloned().unwrap_or_default();
                page.set(Some(Page { accounts, next: found["next_cursor"].as_str().map(str::to_owned) }));
            }
        });
    };
    spawn_local(async move {
        let path = format!("/admin/campaigns/{}", id.get_value());
        if let Some(found) = report(admin::call(&token.get_value(), "GET", &path, None).await, 200) {
            show_campaign(found);
        }
    });
    load_page(None);

    let patch = move |body: Value, done: &'static str| {
        failed.set(String::new());
        spawn_local(async move {
            let path = format!("/admin/campaigns/{}", id.get_value());
            if let Some(changed) = report(admin::call(&token.get_value(), "PATCH", &path, Some(body)).await, 200) {
                show_campaign(changed);
                said.set(done.into());
            }
        });
    };
    let toggle = move |_| {
        let open = campaign.get_untracked().is_some_and(|c| c["open"] == json!(true));
        let done = if open {
            "Registration is closed: every form and API now refuses new signups."
        } else {
            "Registration is open again."
        };
        patch(json!({"open": !open}), done);
    };
    let edit_policy = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        match serde_json::from_str::<Value>(&typed)
            .map_err(|e| e.to_string())
            .and_then(|_| Policy::from_json(&typed).map_err(|e| e.to_string()))
        {
            Ok(policy) => {
                policy_problem.set(String::new());
                preview.set(Some(policy));
            }
            Err(why) => policy_problem.set(format!("Not a policy yet: {why}")),
        }
        policy_text.set(typed);
    };
    let save_policy = move |_| match serde_json::from_str::<Value>(&policy_text.get_untracked()) {
        Ok(policy) => patch(json!({"policy": policy}), "The policy is saved: the form on your pages follows it now."),
        Err(why) => policy_problem.set(format!("Not JSON: {why}")),
    };
    let rotate = move |_| {
        rotating.set(false);
        failed.set(String::new());
        spawn_local(async move {
            let path = format!("/admin/campaigns/{}/publishable-key", id.get_value());
            if let Some(rotated) = report(admin::call(&token.get_value(), "POST", &path, None).await, 200) {
                campaign.update(|c| {
                    if let Some(c) = c {
                        c["publishable_key"] = rotated["publishable_key"].clone();
                    }
                });
                said.set(
                    "A new key: the old one is refused from now on. Paste the new tag below into your pages.".into(),
                );
                focus("embed-tag");
            }
        });
    };
    let download = move |_| {
        failed.set(String::new());
        spawn_local(async move {
            match admin::download_csv(&token.get_value(), &id.get_value()).await {
                Ok(()) => said.set("The CSV export is downloaded.".into()),
                Err(why) => failed.set(why),
            }
        });
    };
    let erase = move |account: String| {
        erasing.set(None);
        spawn_local(async move {
            let path = format!("/admin/accounts/{account}");
            if report(admin::call(&token.get_value(), "DELETE", &path, None).await, 204).is_some() {
                said.set("The account is erased, with everything of it.".into());
                let start = starts.get_untracked().last().cloned().flatten();
                load_page(start);
                focus("registrations-heading");
            }
        });
    };

    let embed_tag = move || {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        campaign.get().map(|c| {
            format!(
                "<script src=\"{origin}/embed.js\" data-campaign=\"{}\" data-key=\"{}\" async></script>",
                text(&c["id"]),
                text(&c["publishable_key"])
            )
        })
    };
    let preview_target = Target {
        // Submitting the preview reaches no route: it can never create an account.
        api_base: "/console/preview-only".into(),
        campaign: id.get_value(),
        key: String::new(),
        assets: "/".into(),
    };
    let rows = move |accounts: Vec<Value>| {
        accounts
            .into_iter()
            .map(|a| {
                let (account, email) = (text(&a["id"]), text(&a["email"]));
                let who = if email.is_empty() { account.clone() } else { email.clone() };
                let asked = (account.clone(), who.clone());
                view! {
                    <tr>
                        <td>{email}</td>
                        <td>{text(&a["alias"])}</td>
                        <td>{text(&a["dialect"])}</td>
                        <td><code>{account}</code></td>
                        <td><button type="button" class="quiet" aria-label=format!("Erase {who}")
                            on:click=move |_| { erasing.set(Some(asked.clone())); focus("erase-confirm"); }>"Erase…"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <p><button type="button" class="link" on:click=move |_| screen.set(Screen::Campaigns)>"← All campaigns"</button></p>
        <p class="status" role="status">{move || said.get()}</p>
        <p class="status error" role="alert">{move || failed.get()}</p>
        {move || campaign.get().map(|c| {
            let open = c["open"] == json!(true);
            view! {
                <section class="card" aria-labelledby="campaign-heading">
                    <h2 id="campaign-heading">{text(&c["name"])}</h2>
                    <p>"Campaign " <code>{text(&c["id"])}</code> ", created " {text(&c["created_at"])} " (UTC)."</p>
                    <p><strong>{if open { "Registration is open." } else { "Registration is closed." }}</strong></p>
                    <button type="button" class=if open { "danger" } else { "" } on:click=toggle>
                        {if open { "Close registration" } else { "Open registration" }}
                    </button>
                </section>
            }
        })}
        <section class="card" aria-labelledby="embed-heading">
            <h2 id="embed-heading">"Embed tag"</h2>
            <p>"Paste this tag where the form should appear on your event page."</p>
            <pre id="embed-tag" tabindex="-1">{embed_tag}</pre>
            <Show when=move || !rotating.get() fallback=move || view! {
                <div class="confirm" role="group" aria-labelledby="rotate-question">
                    <p id="rotate-question">"A new key stops the old tag working at once, on every page that has it, until you paste the new one. Rotate the key?"</p>
                    <button type="button" id="rotate-confirm" class="danger" on:click=rotate>"Rotate the key"</button>
                    <button type="button" class="quiet" on:click=move |_| rotating.set(false)>"Keep the key"</button>
                </div>
            }>
                <button type="button" class="quiet" on:click=move |_| { rotating.set(true); focus("rotate-confirm"); }>"Rotate key…"</button>
            </Show>
        </section>
        <section class="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">"Policy"</h2>
            <div class="split">
                <div>
                    <label for="policy">"Policy (JSON): which fields the form shows and the rules they follow"</label>
                    <textarea id="policy" spellcheck="false" aria-describedby="policy-problem"
                        prop:value=move || policy_text.get() on:input=edit_policy></textarea>
                    <p id="policy-problem" class="status error">{move || policy_problem.get()}</p>
                    <button type="button" on:click=save_policy>"Save policy"</button>
                </div>
                <div>
                    <h3>"Preview"</h3>
                    <p class="status">"The real form with this policy, as it is typed. Submitting it here creates nothing."</p>
                    <div class="preview enlist-root" id="preview">
                        {move || preview.get().map(|policy| {
                            view! { <Signup target=preview_target.clone() policy=policy locale=Locale::En /> }
                        })}
                    </div>
                </div>
            </div>
        </section>
        <section class="card" aria-labelledby="registrations-heading">
            <h2 id="registrations-heading" tabindex="-1">"Registrations"</h2>
            <button type="button" class="quiet" on:click=download>"Download CSV"</button>
            {move || erasing.get().map(|(account, who)| view! {
                <div class="confirm" role="group" aria-labelledby="erase-question">
                    <p id="erase-question">{format!("Erase {who} for good? The account, its profile, its e-mails and its keys are deleted; this cannot be undone.")}</p>
                    <button type="button" id="erase-confirm" class="danger" on:click=move |_| erase(account.clone())>"Erase for good"</button>
                    <button type="button" class="quiet" on:click=move |_| erasing.set(None)>"Keep it"</button>
                </div>
            })}
            {move || page.get().map(|p| {
                let next = p.next.clone();
                let first = starts.get().len() == 1;
                let number = starts.get().len();
                view! {
                    <div class="scroll">
                        <table>
                            <caption>{format!("Page {number}, oldest first, {} on this page", p.accounts.len())}</caption>
                            <thead><tr><th scope="col">"E-mail"</th><th scope="col">"User name"</th><th scope="col">"Via"</th><th scope="col">"Account"</th><th scope="col">"Erase"</th></tr></thead>
                            <tbody>{rows(p.accounts)}</tbody>
                        </table>
                    </div>
                    <button type="button" class="quiet" disabled=first on:click=move |_| {
                        starts.update(|s| { s.pop(); });
                        load_page(starts.get_untracked().last().cloned().flatten());
                    }>"Previous page"</button>
                    <button type="button" class="quiet" disabled=next.is_none() on:click=move |_| {
                        if let Some(cursor) = next.clone() {
                            starts.update(|s| s.push(Some(cursor.clone())));
                            load_page(Some(cursor));
                        }
                    }>"Next page"</button>
                }
            })}
        </section>
    }
}
