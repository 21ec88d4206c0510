// The widget is a library that embed.js loads and mounts (`mount_into`); Trunk builds it from
// this binary target. Naming the entry point keeps the library, and its exports, linked in.
fn main() {
    std::hint::black_box(enlist_widget::mount_into as fn(web_sys::HtmlElement, web_sys::Element));
}
