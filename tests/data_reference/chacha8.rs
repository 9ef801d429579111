//! An independent ChaCha8 keystream (Bernstein 2008), written from the
//! cipher's definition, to check that the crate's seeded test rotations are
//! the ChaCha8 stream they claim to be on every target (native and wasm).
//!
//! Layout as in Bernstein's original: 4 constant words, 8 key words, a
//! 64-bit block counter (low word first), a 64-bit stream id (zero here).
//! Seeding from a u64 expands it to the 32-byte key with PCG32 (the
//! documented `SeedableRng::seed_from_u64` of rand_core).

pub struct ChaCha8 {
    key: [u32; 8],
    counter: u64,
    block: [u32; 16],
    used: usize,
}

fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// PCG32 (XSH RR) step, as rand_core's `seed_from_u64` uses it.
fn pcg32(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(11634580027462260723);
    let s = *state;
    let xorshifted = (((s >> 18) ^ s) >> 27) as u32;
    xorshifted.rotate_right((s >> 59) as u32)
}

impl ChaCha8 {
    pub fn from_key(key_bytes: [u8; 32]) -> ChaCha8 {
        let mut key = [0u32; 8];
        for (k, b) in key.iter_mut().zip(key_bytes.chunks_exact(4)) {
            *k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        ChaCha8 {
            key,
            counter: 0,
            block: [0; 16],
            used: 16,
        }
    }

    pub fn from_u64_seed(mut state: u64) -> ChaCha8 {
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(4) {
            chunk.copy_from_slice(&pcg32(&mut state).to_le_bytes());
        }
        ChaCha8::from_key(key)
    }

    fn refill(&mut self) {
        let mut input = [0u32; 16];
        input[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
        input[4..12].copy_from_slice(&self.key);
        input[12] = self.counter as u32;
        input[13] = (self.counter >> 32) as u32;
        let mut s = input;
        for _ in 0..4 {
            quarter_round(&mut s, 0, 4, 8, 12);
            quarter_round(&mut s, 1, 5, 9, 13);
            quarter_round(&mut s, 2, 6, 10, 14);
            quarter_round(&mut s, 3, 7, 11, 15);
            quarter_round(&mut s, 0, 5, 10, 15);
            quarter_round(&mut s, 1, 6, 11, 12);
            quarter_round(&mut s, 2, 7, 8, 13);
            quarter_round(&mut s, 3, 4, 9, 14);
        }
        for (o, i) in s.iter_mut().zip(input) {
            *o = o.wrapping_add(i);
        }
        self.block = s;
        self.counter += 1;
        self.used = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.used == 16 {
            self.refill();
        }
        self.used += 1;
        self.block[self.used - 1]
    }

    /// The keystream as bytes (little-endian words), for test vectors.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub fn keystream(&mut self, len: usize) -> Vec<u8> {
        (0..len.div_ceil(4))
            .flat_map(|_| self.next_u32().to_le_bytes())
            .take(len)
            .collect()
    }
}
