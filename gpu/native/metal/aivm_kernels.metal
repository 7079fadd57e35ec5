/*
 * The row-parallel AIVM kernels in the Metal Shading Language: inference_step (one thread per op),
 * the inferenceBatch forward pass (one thread per row) and proof_verify (one thread per op), over
 * the byte layouts of ../include/aivm_structs.h, following ../include/aivm_kernels.h line for line
 * (MSL needs address-space-qualified pointers, so the C++ header cannot be included as it is).
 * Compiled into aivm_kernels.metallib by binding.gyp on macOS only; NOT built or run on this
 * project's Linux machines or CI (see README "Native kernels").
 */
#include <metal_stdlib>
using namespace metal;

// ---- Keccak-256, legacy padding ----
constant ulong RC[24] = {0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL, 0x000000000000808bUL,
                         0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL, 0x000000000000008aUL, 0x0000000000000088UL,
                         0x0000000080008009UL, 0x000000008000000aUL, 0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL,
                         0x8000000000008003UL, 0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
                         0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL};

static inline ulong rotl64(ulong x, int n) { return (x << n) | (x >> (64 - n)); }

static void keccak_f1600(thread ulong* a) {
  for (int round = 0; round < 24; round++) {
    const ulong c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20], c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const ulong c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22], c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const ulong c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const ulong d0 = c4 ^ rotl64(c1, 1), d1 = c0 ^ rotl64(c2, 1), d2 = c1 ^ rotl64(c3, 1), d3 = c2 ^ rotl64(c4, 1), d4 = c3 ^ rotl64(c0, 1);
    const ulong b0 = a[0] ^ d0, b1 = rotl64(a[6] ^ d1, 44), b2 = rotl64(a[12] ^ d2, 43), b3 = rotl64(a[18] ^ d3, 21), b4 = rotl64(a[24] ^ d4, 14);
    const ulong b5 = rotl64(a[3] ^ d3, 28), b6 = rotl64(a[9] ^ d4, 20), b7 = rotl64(a[10] ^ d0, 3), b8 = rotl64(a[16] ^ d1, 45), b9 = rotl64(a[22] ^ d2, 61);
    const ulong b10 = rotl64(a[1] ^ d1, 1), b11 = rotl64(a[7] ^ d2, 6), b12 = rotl64(a[13] ^ d3, 25), b13 = rotl64(a[19] ^ d4, 8), b14 = rotl64(a[20] ^ d0, 18);
    const ulong b15 = rotl64(a[4] ^ d4, 27), b16 = rotl64(a[5] ^ d0, 36), b17 = rotl64(a[11] ^ d1, 10), b18 = rotl64(a[17] ^ d2, 15), b19 = rotl64(a[23] ^ d3, 56);
    const ulong b20 = rotl64(a[2] ^ d2, 62), b21 = rotl64(a[8] ^ d3, 55), b22 = rotl64(a[14] ^ d4, 39), b23 = rotl64(a[15] ^ d0, 41), b24 = rotl64(a[21] ^ d1, 2);
    a[0] = b0 ^ (~b1 & b2); a[1] = b1 ^ (~b2 & b3); a[2] = b2 ^ (~b3 & b4); a[3] = b3 ^ (~b4 & b0); a[4] = b4 ^ (~b0 & b1);
    a[5] = b5 ^ (~b6 & b7); a[6] = b6 ^ (~b7 & b8); a[7] = b7 ^ (~b8 & b9); a[8] = b8 ^ (~b9 & b5); a[9] = b9 ^ (~b5 & b6);
    a[10] = b10 ^ (~b11 & b12); a[11] = b11 ^ (~b12 & b13); a[12] = b12 ^ (~b13 & b14); a[13] = b13 ^ (~b14 & b10); a[14] = b14 ^ (~b10 & b11);
    a[15] = b15 ^ (~b16 & b17); a[16] = b16 ^ (~b17 & b18); a[17] = b17 ^ (~b18 & b19); a[18] = b18 ^ (~b19 & b15); a[19] = b19 ^ (~b15 & b16);
    a[20] = b20 ^ (~b21 & b22); a[21] = b21 ^ (~b22 & b23); a[22] = b22 ^ (~b23 & b24); a[23] = b23 ^ (~b24 & b20); a[24] = b24 ^ (~b20 & b21);
    a[0] ^= RC[round];
  }
}

/* A preimage in thread memory (the largest is proof_verify's 212 bytes). */
struct Preimage {
  uchar bytes[224];
  uint at;
};

static void put_device(thread Preimage& p, device const uchar* src, uint n) {
  for (uint i = 0; i < n; i++) p.bytes[p.at + i] = src[i];
  p.at += n;
}
static void put_thread(thread Preimage& p, thread const uchar* src, uint n) {
  for (uint i = 0; i < n; i++) p.bytes[p.at + i] = src[i];
  p.at += n;
}
static void put_u32(thread Preimage& p, uint v) {
  for (int i = 0; i < 4; i++) p.bytes[p.at + i] = uchar(v >> (8 * i));
  p.at += 4;
}
static void put_u64(thread Preimage& p, ulong v) {
  for (int i = 0; i < 8; i++) p.bytes[p.at + i] = uchar(v >> (8 * i));
  p.at += 8;
}

/* keccak256(p) into out[0..32) (device memory). */
static void hash(thread const Preimage& p, device uchar* out) {
  ulong st[25];
  for (int i = 0; i < 25; i++) st[i] = 0;
  uint len = p.at, at = 0;
  for (; len - at >= 136; at += 136) {
    for (uint i = 0; i < 136; i++) st[i >> 3] ^= ulong(p.bytes[at + i]) << (8 * (i & 7));
    keccak_f1600(st);
  }
  for (uint i = 0; i < len - at; i++) st[i >> 3] ^= ulong(p.bytes[at + i]) << (8 * (i & 7));
  st[(len - at) >> 3] ^= 0x01UL << (8 * ((len - at) & 7));
  st[16] ^= 0x80UL << 56;
  keccak_f1600(st);
  for (int i = 0; i < 32; i++) out[i] = uchar(st[i >> 3] >> (8 * (i & 7)));
}

static uint ld32(device const uchar* p) { return uint(p[0]) | (uint(p[1]) << 8) | (uint(p[2]) << 16) | (uint(p[3]) << 24); }
static ulong ld64(device const uchar* p) { return ulong(ld32(p)) | (ulong(ld32(p + 4)) << 32); }
static void st32(device uchar* p, uint v) {
  for (int i = 0; i < 4; i++) p[i] = uchar(v >> (8 * i));
}
static bool is_zero(device const uchar* p, uint n) {
  for (uint i = 0; i < n; i++)
    if (p[i] != 0) return false;
  return true;
}

// ---- K5 inference_step and the batch forward pass ----

/* One model's weights, decoded on the host (the layout of aivm::Classifier). */
struct Classifier {
  char w1[512];
  int b1[16];
  char w2[16];
  int b2;
  int shift1, shift2;
  uchar model_hash[32];
};

/* Batch sizes of one inference call. */
struct Sizes {
  ulong n;
  ulong in_len;
  ulong out_len;
};

static int shift_right(int v, int s) { return v >= 0 ? (v >> s) : ~((~v) >> s); }
static int clamp_i8(int v) { return v > 127 ? 127 : v < -128 ? -128 : v; }

static char forward(constant Classifier& m, device const uchar* x) {
  int h[16];
  for (int i = 0; i < 16; i++) {
    uint acc = uint(m.b1[i]);
    for (int k = 0; k < 32; k++) acc += uint(int(m.w1[i * 32 + k]) * int(char(x[k])));
    h[i] = clamp_i8(shift_right(int(acc), m.shift1));
  }
  uint acc = uint(m.b2);
  for (int k = 0; k < 16; k++) acc += uint(int(m.w2[k]) * h[k]);
  return char(clamp_i8(shift_right(int(acc), m.shift2)));
}

/* InferenceOp offsets: model_hash 0, policy_hash 32, salt 64, mode 96, input_offset 100, input_len 104, output_offset 108, output_capacity 112, timestamp_ns 128. */
kernel void inference_kernel(device const uchar* ops [[buffer(0)]], device const uchar* batch_in [[buffer(1)]], device uchar* results [[buffer(2)]],
                             device uchar* ys [[buffer(3)]], device uchar* ran [[buffer(4)]], constant Classifier& m [[buffer(5)]],
                             constant Sizes& sz [[buffer(6)]], uint gid [[thread_position_in_grid]]) {
  if (gid >= sz.n) return;
  device const uchar* op = ops + ulong(gid) * 144;
  device uchar* result = results + ulong(gid) * 112;
  for (int i = 0; i < 112; i++) result[i] = 0;
  ran[gid] = 0;
  bool same = true;
  for (int i = 0; i < 32; i++) same = same && op[i] == m.model_hash[i];
  const ulong in_at = ld32(op + 100), out_at = ld32(op + 108);
  uint status = 0;
  if (!same) status = 1;
  else if (ld32(op + 104) != 32) status = 2;
  else if (ld32(op + 112) < 1) status = 3;
  else if (in_at + 32 > sz.in_len) status = 2;
  else if (out_at + 1 > sz.out_len) status = 3;
  if (status != 0) {
    st32(result, status);
    return;
  }
  device const uchar* x = batch_in + in_at;
  uchar y = uchar(forward(m, x));
  ys[gid] = y;
  ran[gid] = 1;
  st32(result + 4, 1);
  Preimage in_c = {{0}, 0};
  put_device(in_c, op + 64, 32);
  put_device(in_c, x, 32);
  hash(in_c, result + 8);
  Preimage out_c = {{0}, 0};
  put_device(out_c, op + 64, 32);
  put_thread(out_c, &y, 1);
  hash(out_c, result + 40);
  if (ld32(op + 96) != 0) {
    Preimage att = {{0}, 0};
    put_device(att, op, 32);
    put_device(att, result + 8, 32);
    put_device(att, result + 40, 32);
    put_device(att, op + 32, 32);
    put_u64(att, ld64(op + 128));
    hash(att, result + 72);
  }
}

kernel void forward_kernel(device const uchar* batch_in [[buffer(0)]], device uchar* batch_out [[buffer(1)]], constant Classifier& m [[buffer(2)]],
                           constant Sizes& sz [[buffer(3)]], uint gid [[thread_position_in_grid]]) {
  if (gid >= sz.n) return;
  batch_out[gid] = uchar(forward(m, batch_in + ulong(gid) * 32));
}

// ---- K6 proof_verify ----

/* ProofVerifyOp offsets: measurement 0, attesting_key 32, signature 80, message_hash 176, expiry_ns 208, timestamp_ns 216, kind 224, nonce 228. */
kernel void proof_kernel(device const uchar* ops [[buffer(0)]], device uchar* results [[buffer(1)]], constant Sizes& sz [[buffer(2)]],
                         uint gid [[thread_position_in_grid]]) {
  if (gid >= sz.n) return;
  device const uchar* op = ops + ulong(gid) * 240;
  device uchar* result = results + ulong(gid) * 48;
  for (int i = 0; i < 48; i++) result[i] = 0;
  uint status = 0;
  if (is_zero(op, 32)) status |= 0x04;
  if (is_zero(op + 32, 48)) status |= 0x10;
  const ulong expiry = ld64(op + 208);
  if (expiry != 0 && expiry <= ld64(op + 216)) status |= 0x08;
  if (is_zero(op + 80, 96)) status |= 0x02;
  if (status == 0) status = 0x01;
  Preimage binding = {{0}, 0};
  put_device(binding, op, 32);
  put_device(binding, op + 32, 48);
  put_device(binding, op + 80, 96);
  put_device(binding, op + 176, 32);
  put_u32(binding, ld32(op + 228));
  hash(binding, result + 8);
  st32(result, status);
  st32(result + 4, ld32(op + 224));
}
