// The widget is a library that embed.js loads and mounts (`mount_into`); Trunk builds it from
// this binary target, which has nothing to do on its own.
fn main() {}
