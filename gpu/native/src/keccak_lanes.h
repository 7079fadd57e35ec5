/*
 * Multi-buffer Keccak-256 for the CPU backend: hashes up to KECCAK_MAX_LANES messages of the SAME
 * length at once, one message per SIMD lane (AVX-512: 8, AVX2: 4, else 1 at a time), picked at
 * run time from what the CPU supports. Each digest equals keccak256() of its own message (the
 * permutation is the same code over vector lanes); test/gpu/native.test.ts checks it on random
 * messages through the kernels, and parity on every batch.
 */
#ifndef AIVM_KECCAK_LANES_H
#define AIVM_KECCAK_LANES_H

#include <stddef.h>
#include <stdint.h>

constexpr int KECCAK_MAX_LANES = 8;

/* How many messages one keccak256_lanes call hashes together (1, 4 or 8; the widest the CPU has). */
int keccak_lane_width();

/* Uses at most `width` lanes (1, 4 or 8, capped by the CPU; for tests and measurements); returns the width now used. */
int keccak_limit_lanes(int width);

/* out[i] = keccak256(msg[i][0..len)) for i < count (count <= keccak_lane_width()). */
void keccak256_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count);

#endif
