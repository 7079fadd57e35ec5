/*
 * Multi-buffer Keccak-256 (see keccak_lanes.h): the permutation of aivm_keccak.h instantiated over
 * GCC vector types, compiled for AVX2 (4 × u64 lanes) and AVX-512F (8 lanes) behind target attributes, and chosen at run time with __builtin_cpu_supports. Other compilers and CPUs
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
    aivm::keccak_permute(st);
  }
  /* The tail (the same length in every lane) and the padding 0x01 ... 0x80, word by word. */
  const size_t tail = len - at;
  for (size_t j = 0; 8 * j < tail; j++) st[j] ^= gather<V, W>(msg, count, at + 8 * j, tail - 8 * j < 8 ? tail - 8 * j : 8);
  st[tail / 8] ^= (V){} + ((uint64_t)0x01 << (8 * (tail % 8)));
  st[KECCAK_RATE / 8 - 1] ^= (V){} + ((uint64_t)0x80 << 56);
  aivm::keccak_permute(st);
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
