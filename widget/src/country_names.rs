//! Country names in the page's language, from the browser's own locale data
//! (`Intl.DisplayNames`, CLDR): names a reader of that language knows, for every language, at
//! no download cost. A browser without it (before 2021) gets the rule set's English names.

use enlist_shared::{Country, Locale};
use js_sys::{Array, Intl, Object, Reflect};

/// The browser's region names in `locale`, if it has them.
fn region_names(locale: Locale) -> Option<Intl::DisplayNames> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    // Constructing one where the browser lacks it would throw through the wasm.
    Reflect::get(&intl, &"DisplayNames".into()).ok().filter(|c| c.is_function())?;
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"region".into()).ok()?;
    Reflect::set(&options, &"fallback".into(), &"none".into()).ok()?;
    Some(Intl::DisplayNames::new(&Array::of1(&locale.tag().into()), &options))
}

/// Every country the rule set knows, as (code, name in `locale`), in the order a reader of
/// that language expects (accents and case folded).
pub fn options(locale: Locale) -> Vec<(String, String)> {
    let names = region_names(locale);
    // Sorted as they come, by binary insertion: 249 of them, and none of the general sort's
    // code in the wasm. Equal keys keep their order.
    let mut sorted: Vec<(String, String, String)> = Vec::new();
    for country in Country::all() {
        let code = country.alpha2();
        let name = names.as_ref().and_then(|n| n.of(code)).map_or_else(|| country.name().to_owned(), String::from);
        let key = enlist_shared::values::country::fold(&name);
        let at = sorted.partition_point(|(other, ..)| *other <= key);
        sorted.insert(at, (key, code.to_owned(), name));
    }
    sorted.into_iter().map(|(_, code, name)| (code, name)).collect()
}
