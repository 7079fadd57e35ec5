/*
 * Multi-buffer Keccak-256 (see keccak_lanes.h): the reference permutation of aivm_keccak.h written
 * once over GCC vector types, compiled for AVX2 (4 × u64 lanes) and AVX-512F (8 lanes) behind
 * target attributes, and chosen at run time with __builtin_cpu_supports. Other compilers and CPUs
 * hash one message at a time with the scalar code.
 */
#include "keccak_lanes.h"

#include <string.h>

#include "aivm_keccak.h"

namespace {

using aivm::KECCAK_RATE;

void scalar_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count) {
  for (int i = 0; i < count; i++) aivm::keccak256(msg[i], len, out[i]);
}

#if defined(__GNUC__) && defined(__x86_64__)
#define AIVM_LANES_SIMD 1

template <typename V>
__attribute__((always_inline)) inline V rotl(V x, int n) {
  return (x << n) | (x >> (64 - n));
}

/* aivm::keccak_f1600 over vectors of lanes (one state per vector element). */
template <typename V>
__attribute__((always_inline)) inline void permute(V a[25]) {
  for (int round = 0; round < 24; round++) {
    const V c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20], c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const V c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22], c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const V c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const V d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1), d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1);
    const V b0 = a[0] ^ d0, b1 = rotl(a[6] ^ d1, 44), b2 = rotl(a[12] ^ d2, 43), b3 = rotl(a[18] ^ d3, 21), b4 = rotl(a[24] ^ d4, 14);
    const V b5 = rotl(a[3] ^ d3, 28), b6 = rotl(a[9] ^ d4, 20), b7 = rotl(a[10] ^ d0, 3), b8 = rotl(a[16] ^ d1, 45), b9 = rotl(a[22] ^ d2, 61);
    const V b10 = rotl(a[1] ^ d1, 1), b11 = rotl(a[7] ^ d2, 6), b12 = rotl(a[13] ^ d3, 25), b13 = rotl(a[19] ^ d4, 8), b14 = rotl(a[20] ^ d0, 18);
    const V b15 = rotl(a[4] ^ d4, 27), b16 = rotl(a[5] ^ d0, 36), b17 = rotl(a[11] ^ d1, 10), b18 = rotl(a[17] ^ d2, 15), b19 = rotl(a[23] ^ d3, 56);
    const V b20 = rotl(a[2] ^ d2, 62), b21 = rotl(a[8] ^ d3, 55), b22 = rotl(a[14] ^ d4, 39), b23 = rotl(a[15] ^ d0, 41), b24 = rotl(a[21] ^ d1, 2);
    a[0] = b0 ^ (~b1 & b2); a[1] = b1 ^ (~b2 & b3); a[2] = b2 ^ (~b3 & b4); a[3] = b3 ^ (~b4 & b0); a[4] = b4 ^ (~b0 & b1);
    a[5] = b5 ^ (~b6 & b7); a[6] = b6 ^ (~b7 & b8); a[7] = b7 ^ (~b8 & b9); a[8] = b8 ^ (~b9 & b5); a[9] = b9 ^ (~b5 & b6);
    a[10] = b10 ^ (~b11 & b12); a[11] = b11 ^ (~b12 & b13); a[12] = b12 ^ (~b13 & b14); a[13] = b13 ^ (~b14 & b10); a[14] = b14 ^ (~b10 & b11);
    a[15] = b15 ^ (~b16 & b17); a[16] = b16 ^ (~b17 & b18); a[17] = b17 ^ (~b18 & b19); a[18] = b18 ^ (~b19 & b15); a[19] = b19 ^ (~b15 & b16);
    a[20] = b20 ^ (~b21 & b22); a[21] = b21 ^ (~b22 & b23); a[22] = b22 ^ (~b23 & b24); a[23] = b23 ^ (~b24 & b20); a[24] = b24 ^ (~b20 & b21);
    a[0] ^= (V){} + aivm::KECCAK_RC_HOST[round];
  }
}

/* Bytes [at, at + n) of every message (n <= 8) as little-endian words, one per vector element; messages past `count` repeat message 0. */
template <typename V, int W>
__attribute__((always_inline)) inline V gather(const uint8_t* const* msg, int count, size_t at, size_t n) {
  V v;
  for (int i = 0; i < W; i++) {
    uint64_t x = 0;
    memcpy(&x, msg[i < count ? i : 0] + at, n);
    v[i] = x;
  }
  return v;
}

template <typename V, int W>
__attribute__((always_inline)) inline void hash_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count) {
  V st[25];
  for (int i = 0; i < 25; i++) st[i] = (V){};
  size_t at = 0;
  for (; len - at >= KECCAK_RATE; at += KECCAK_RATE) {
    for (size_t j = 0; j < KECCAK_RATE / 8; j++) st[j] ^= gather<V, W>(msg, count, at + 8 * j, 8);
    permute(st);
  }
  /* The tail (the same length in every lane) and the padding 0x01 ... 0x80, word by word. */
  const size_t tail = len - at;
  for (size_t j = 0; 8 * j < tail; j++) st[j] ^= gather<V, W>(msg, count, at + 8 * j, tail - 8 * j < 8 ? tail - 8 * j : 8);
  st[tail / 8] ^= (V){} + ((uint64_t)0x01 << (8 * (tail % 8)));
  st[KECCAK_RATE / 8 - 1] ^= (V){} + ((uint64_t)0x80 << 56);
  permute(st);
  for (int i = 0; i < count; i++) {
    for (int j = 0; j < 4; j++) {
      const uint64_t x = st[j][i];
      memcpy(out[i] + 8 * j, &x, 8);
    }
  }
}

typedef uint64_t v4u64 __attribute__((vector_size(32)));
typedef uint64_t v8u64 __attribute__((vector_size(64)));

__attribute__((target("avx2"))) void avx2_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count) {
  hash_lanes<v4u64, 4>(msg, len, out, count);
}

__attribute__((target("avx512f"))) void avx512_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count) {
  hash_lanes<v8u64, 8>(msg, len, out, count);
}
#endif

struct Choice {
  int width;
  void (*fn)(const uint8_t* const*, size_t, uint8_t* const*, int);
};

/* The widest implementation the CPU supports, no wider than `limit`. */
Choice choose(int limit) {
#if defined(AIVM_LANES_SIMD)
  __builtin_cpu_init();
  if (limit >= 8 && __builtin_cpu_supports("avx512f")) return {8, avx512_lanes};
  if (limit >= 4 && __builtin_cpu_supports("avx2")) return {4, avx2_lanes};
#endif
  return {1, scalar_lanes};
}

Choice g_choice = choose(KECCAK_MAX_LANES);

}  // namespace

int keccak_lane_width() { return g_choice.width; }

int keccak_limit_lanes(int width) {
  g_choice = choose(width);
  return g_choice.width;
}

void keccak256_lanes(const uint8_t* const* msg, size_t len, uint8_t* const* out, int count) { g_choice.fn(msg, len, out, count); }
