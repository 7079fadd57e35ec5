/*
 * Keccak-256 with the legacy 0x01 padding (the Ethereum hash), for the C++ and CUDA kernels: the
 * Keccak-f[1600] permutation (theta, rho+pi, chi, iota over 25 u64 lanes, unrolled within a round), a 136-byte rate and a 32-byte digest. test/gpu/native.test.ts checks it against
 * @noble/hashes on random inputs of every length around the rate boundaries.
 */
#ifndef AIVM_KECCAK_H
#define AIVM_KECCAK_H

#include <stddef.h>
#include <stdint.h>

/* Functions compiled for both the host and (under nvcc) the device. */
#ifndef AIVM_HD
#if defined(__CUDACC__)
#define AIVM_HD __host__ __device__ __forceinline__
#else
#define AIVM_HD inline
#endif
#endif

namespace aivm {

#define AIVM_KECCAK_RC                                                                                                  \
  {0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL, 0x000000000000808bULL,  \
   0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL, 0x0000000000000088ULL,  \
   0x0000000080008009ULL, 0x000000008000000aULL, 0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,  \
   0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,  \
   0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL}

/* The iota round constants: device code reads a constant-memory copy, host code this one. */
static const uint64_t KECCAK_RC_HOST[24] = AIVM_KECCAK_RC;
#if defined(__CUDACC__)
__constant__ uint64_t KECCAK_RC_DEVICE[24] = AIVM_KECCAK_RC;
#endif

/* The permutation below is also compiled over SIMD vectors of lanes (keccak_lanes.cpp): always inline it. */
#ifndef AIVM_HD_INLINE
#if defined(__CUDACC__)
#define AIVM_HD_INLINE __host__ __device__ __forceinline__
#else
#define AIVM_HD_INLINE inline __attribute__((always_inline))
#endif
#endif

template <typename Lane>
AIVM_HD_INLINE Lane rotl64(Lane x, int n) {
  return (x << n) | (x >> (64 - n));
}

AIVM_HD uint64_t round_constant(int round) {
#if defined(__CUDA_ARCH__)
  return KECCAK_RC_DEVICE[round];
#else
  return KECCAK_RC_HOST[round];
#endif
}

/*
 * Keccak-f[1600] over the 25 lanes a[x + 5y]: theta, rho+pi (into b), chi, iota; every index spelled
 * out. `Lane` is uint64_t, or a vector of them (one independent state per element).
 */
template <typename Lane>
AIVM_HD_INLINE void keccak_permute(Lane a[25]) {
  for (int round = 0; round < 24; round++) {
    const Lane c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20], c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const Lane c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22], c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const Lane c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const Lane d0 = c4 ^ rotl64(c1, 1), d1 = c0 ^ rotl64(c2, 1), d2 = c1 ^ rotl64(c3, 1), d3 = c2 ^ rotl64(c4, 1), d4 = c3 ^ rotl64(c0, 1);
    const Lane b0 = a[0] ^ d0, b1 = rotl64(a[6] ^ d1, 44), b2 = rotl64(a[12] ^ d2, 43), b3 = rotl64(a[18] ^ d3, 21), b4 = rotl64(a[24] ^ d4, 14);
    const Lane b5 = rotl64(a[3] ^ d3, 28), b6 = rotl64(a[9] ^ d4, 20), b7 = rotl64(a[10] ^ d0, 3), b8 = rotl64(a[16] ^ d1, 45), b9 = rotl64(a[22] ^ d2, 61);
    const Lane b10 = rotl64(a[1] ^ d1, 1), b11 = rotl64(a[7] ^ d2, 6), b12 = rotl64(a[13] ^ d3, 25), b13 = rotl64(a[19] ^ d4, 8), b14 = rotl64(a[20] ^ d0, 18);
    const Lane b15 = rotl64(a[4] ^ d4, 27), b16 = rotl64(a[5] ^ d0, 36), b17 = rotl64(a[11] ^ d1, 10), b18 = rotl64(a[17] ^ d2, 15), b19 = rotl64(a[23] ^ d3, 56);
    const Lane b20 = rotl64(a[2] ^ d2, 62), b21 = rotl64(a[8] ^ d3, 55), b22 = rotl64(a[14] ^ d4, 39), b23 = rotl64(a[15] ^ d0, 41), b24 = rotl64(a[21] ^ d1, 2);
    a[0] = b0 ^ (~b1 & b2); a[1] = b1 ^ (~b2 & b3); a[2] = b2 ^ (~b3 & b4); a[3] = b3 ^ (~b4 & b0); a[4] = b4 ^ (~b0 & b1);
    a[5] = b5 ^ (~b6 & b7); a[6] = b6 ^ (~b7 & b8); a[7] = b7 ^ (~b8 & b9); a[8] = b8 ^ (~b9 & b5); a[9] = b9 ^ (~b5 & b6);
    a[10] = b10 ^ (~b11 & b12); a[11] = b11 ^ (~b12 & b13); a[12] = b12 ^ (~b13 & b14); a[13] = b13 ^ (~b14 & b10); a[14] = b14 ^ (~b10 & b11);
    a[15] = b15 ^ (~b16 & b17); a[16] = b16 ^ (~b17 & b18); a[17] = b17 ^ (~b18 & b19); a[18] = b18 ^ (~b19 & b15); a[19] = b19 ^ (~b15 & b16);
    a[20] = b20 ^ (~b21 & b22); a[21] = b21 ^ (~b22 & b23); a[22] = b22 ^ (~b23 & b24); a[23] = b23 ^ (~b24 & b20); a[24] = b24 ^ (~b20 & b21);
    a[0] ^= round_constant(round);
  }
}

AIVM_HD void keccak_f1600(uint64_t a[25]) { keccak_permute<uint64_t>(a); }

/* Eight bytes as a little-endian lane. */
AIVM_HD uint64_t load_lane(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

constexpr size_t KECCAK_RATE = 136;

/* keccak256(in[0..len)) into out[0..32). */
AIVM_HD void keccak256(const uint8_t* in, size_t len, uint8_t* out) {
  uint64_t st[25];
  for (int i = 0; i < 25; i++) st[i] = 0;
  /* Absorb whole blocks, then the padded tail (0x01 ... 0x80; one byte 0x81 when they coincide). */
  while (len >= KECCAK_RATE) {
    for (size_t i = 0; i < KECCAK_RATE / 8; i++) st[i] ^= load_lane(in + 8 * i);
    keccak_f1600(st);
    in += KECCAK_RATE;
    len -= KECCAK_RATE;
  }
  const size_t lanes = len / 8;
  for (size_t i = 0; i < lanes; i++) st[i] ^= load_lane(in + 8 * i);
  for (size_t i = 8 * lanes; i < len; i++) st[i >> 3] ^= (uint64_t)in[i] << (8 * (i & 7));
  st[len >> 3] ^= (uint64_t)0x01 << (8 * (len & 7));
  st[(KECCAK_RATE - 1) >> 3] ^= (uint64_t)0x80 << (8 * ((KECCAK_RATE - 1) & 7));
  keccak_f1600(st);
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(st[i >> 3] >> (8 * (i & 7)));
}

}  // namespace aivm

#endif
