#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| diskdb::fuzz_api::targets::shm_ring(data));
