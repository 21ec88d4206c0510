//! The rule set's run-time data. The common-password list and the time-zone names are not
//! compiled into the widget (together a seventh of the download): they are fetched beside the
//! widget's wasm (the list as soon as a form mounts, the zones when a form shows the field),
//! installed once per page, and every form judges its values again when they arrive. Until
//! then the Worker, which has both compiled in, still judges them, and its answer lands on the
//! field.

use crate::api::fetch_once;
use leptos::prelude::*;

thread_local! {
    static ARRIVED: ArcTrigger = ArcTrigger::new();
}

/// Makes the reactive closure that calls it (the form's judge) run again when a list arrives.
pub fn track() {
    ARRIVED.with(|arrived| arrived.track());
}

/// The file's name beside the widget's assets (Trunk copies `shared/data/common-passwords.fc`).
pub const COMMON_LIST_FILE: &str = "common-passwords.fc";

/// The zone list's name beside the widget's assets (Trunk copies `shared/data/time-zones.txt`).
pub const ZONES_FILE: &str = "time-zones.txt";

/// Starts fetching the common list from the `assets` base URL, once per page, unless the rule
/// set already has it.
pub fn load(assets: &str) {
    if !enlist_shared::common_list_ready() {
        fetch(assets, COMMON_LIST_FILE, enlist_shared::install_common_list);
    }
}

/// Starts fetching the zone names, once per page, unless the rule set already has them.
pub fn load_zones(assets: &str) {
    if !enlist_shared::zones_ready() {
        fetch(assets, ZONES_FILE, enlist_shared::install_zones);
    }
}

fn fetch(assets: &str, file: &str, install: fn(&str) -> bool) {
    let url = format!("{}/{file}", assets.trim_end_matches('/'));
    fetch_once(
        url,
        Box::new(move |text| {
            if text.is_some_and(|text| install(&text)) {
                ARRIVED.with(|arrived| arrived.notify());
            }
        }),
    );
}
