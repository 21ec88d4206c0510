//! The hash's floor for `cargo xtask bench worker`: argon2id at the Worker's password cost
//! (19 MiB, 2 passes, 1 lane; `hashing::Profile::Password`), natively, through the very
//! function the Worker calls, in a release build on this machine. Prints the median of 30
//! hashes (after 3 unmeasured ones) as a `BENCH` line.
//!
//!   cargo run --release -p enlist-edge --example argon2_floor

use std::time::Instant;

fn main() {
    let mut samples = Vec::new();
    for round in 0..33 {
        let started = Instant::now();
        let phc = enlist_edge::hashing::hash_with(enlist_edge::hashing::Profile::Password, "Bench-Pass-2027!")
            .expect("a hash");
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        if round >= 3 {
            samples.push(ms);
        }
    }
    samples.sort_by(f64::total_cmp);
    println!("BENCH argon2id_19MiB_t2_p1_native_(argon2_crate,_median_of_30) {:.2} ms", samples[samples.len() / 2]);
}
