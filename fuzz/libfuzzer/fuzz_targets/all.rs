//! Every target of `enlist-fuzz` under libFuzzer: the first byte picks the target, the rest
//! is its input, so one coverage-guided run explores all of them.
#![no_main]

use enlist_fuzz::TARGETS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((pick, input)) = data.split_first() {
        let (_, target) = TARGETS[*pick as usize % TARGETS.len()];
        target(input);
    }
});
