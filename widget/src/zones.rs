//! The time-zone list in the page's language, from the browser's own data: the zones it
//! calls canonical (`Intl.supportedValuesOf("timeZone")`, so legacy links such as `US/Pacific`,
//! `Zulu` or `W-SU` are not offered, though the rule set still accepts them when typed
//! elsewhere), each named by its city and the zone's generic name in that language
//! ("Berlin · Mitteleuropäische Zeit").

use enlist_shared::{Locale, TimeZone};
use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::JsCast;

/// The browser's canonical zone ids, if it can list them.
fn canonical() -> Option<Vec<String>> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let list: Function = Reflect::get(&intl, &"supportedValuesOf".into()).ok()?.dyn_into().ok()?;
    let zones: Array = list.call1(&intl, &"timeZone".into()).ok()?.dyn_into().ok()?;
    Some(zones.iter().filter_map(|z| z.as_string()).collect())
}

/// A zone's generic name in `locale` ("Mitteleuropäische Zeit") at `now`, if the browser has one.
fn generic_name(zone: &str, locale: Locale, now: &js_sys::Date) -> Option<String> {
    let options = Object::new();
    Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
    Reflect::set(&options, &"timeZoneName".into(), &"longGeneric".into()).ok()?;
    let format = Intl::DateTimeFormat::new(&Array::of1(&locale.tag().into()), &options);
    let parts = format.format_to_parts(now);
    parts.iter().find_map(|part| {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        (kind == "timeZoneName").then(|| Reflect::get(&part, &"value".into()).ok()?.as_string()).flatten()
    })
}

/// Every zone to offer, as (IANA id, name in `locale`), in the database's order (grouped by
/// continent). Without the browser's list, every zone the rule set knows; `None` when there
/// is nothing to offer (then the field is typed).
pub fn options(locale: Locale) -> Option<Vec<(String, String)>> {
    let known: Vec<TimeZone> = match canonical() {
        Some(ids) => {
            let mut zones: Vec<TimeZone> = ids.iter().filter_map(|id| TimeZone::parse(id).ok()).collect();
            if let Ok(utc) = TimeZone::parse("UTC") {
                if !zones.contains(&utc) {
                    zones.push(utc);
                }
            }
            zones
        }
        None => TimeZone::all().collect(),
    };
    let now = js_sys::Date::new_0();
    let options: Vec<(String, String)> = known
        .into_iter()
        .map(|zone| {
            let id = zone.name();
            let city = id.rsplit('/').next().unwrap_or(id).replace('_', " ");
            let name = match generic_name(id, locale, &now) {
                Some(generic) if generic != city && !generic.contains(&city) => format!("{city} · {generic}"),
                _ => city,
            };
            (id.to_owned(), name)
        })
        .collect();
    (!options.is_empty()).then_some(options)
}
