//! The rule set's run-time data. The common-password list is not compiled into the widget
//! (it would be a tenth of the download): it is fetched beside the widget's wasm as soon as a
//! form mounts, installed once per page, and every form judges its values again when it
//! arrives. Until then the Worker, which has the list compiled in, still refuses common
//! passwords, and its answer lands on the password field.

use leptos::prelude::*;
use std::cell::Cell;

thread_local! {
    static ARRIVED: ArcTrigger = ArcTrigger::new();
    static REQUESTED: Cell<bool> = const { Cell::new(false) };
}

/// Makes the reactive closure that calls it run again when the list arrives.
pub fn track() {
    ARRIVED.with(|arrived| arrived.track());
}

/// The file's name beside the widget's assets (Trunk copies `shared/data/common-passwords.fc`).
pub const COMMON_LIST_FILE: &str = "common-passwords.fc";

/// Starts fetching the list from the `assets` base URL, once per page, unless the rule set
/// already has it.
pub fn load(assets: &str) {
    if enlist_shared::common_list_ready() || REQUESTED.with(|requested| requested.replace(true)) {
        return;
    }
    let url = format!("{}/{COMMON_LIST_FILE}", assets.trim_end_matches('/'));
    leptos::task::spawn_local(async move {
        if let Some(text) = crate::api::fetch_text(&url).await {
            if enlist_shared::install_common_list(&text) {
                ARRIVED.with(|arrived| arrived.notify());
            }
        }
    });
}
