//! The fuzz targets' corpora replayed in `make test`: every seed and every reproducer in
//! `fuzz/corpus/<target>/`, then seeded mutations of them (bit flips, truncations,
//! splices; the same inputs on every run). Each input goes through the same function
//! the libFuzzer target calls (`diskdb::fuzz_api::targets`), so a crash the fuzzer found
//! and fixed stays fixed. The fuzzers themselves run with `bash fuzz/run.sh` (README,
//! "Reliability").

use std::path::Path;

use diskdb::fuzz_api::targets;

/// Mutations per target on each run.
const MUTATIONS: usize = 300;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn mutate(rng: &mut fastrand::Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.usize(..seeds.len())].clone();
    for _ in 0..rng.usize(1..4) {
        match rng.u8(..5) {
            0 if !data.is_empty() => {
                let i = rng.usize(..data.len());
                data[i] ^= 1 << rng.u8(..8);
            }
            1 if !data.is_empty() => data.truncate(rng.usize(..data.len())),
            2 => {
                let i = rng.usize(..=data.len());
                let b = *rng.choice(&[0u8, b'\r', b'\n', b'*', b'$', b'-', b'9', 0xff, b'[', b'{', b'"', b' ']).unwrap();
                data.insert(i, b);
            }
            3 => {
                let other = &seeds[rng.usize(..seeds.len())];
                let cut = rng.usize(..=other.len());
                data.extend_from_slice(&other[cut..]);
            }
            _ if !data.is_empty() => {
                let i = rng.usize(..data.len());
                let digits = b"18446744073709551616";
                data.splice(i..i, digits[..rng.usize(1..digits.len())].iter().copied());
            }
            _ => {}
        }
    }
    data
}

#[test]
fn every_fuzz_target_survives_its_corpus_and_seeded_mutations() {
    for &(name, run) in targets::ALL {
        let started = std::time::Instant::now();
        let seeds = corpus(name);
        assert!(!seeds.is_empty(), "fuzz/corpus/{name} is empty");
        for seed in &seeds {
            run(seed);
        }
        let mut rng = fastrand::Rng::with_seed(0x5eed_d15c);
        for _ in 0..MUTATIONS {
            run(&mutate(&mut rng, &seeds));
        }
        eprintln!("{name}: {} inputs in {:?}", seeds.len() + MUTATIONS, started.elapsed());
    }
}
