// Runs the kernels of gpu/native/metal/aivm_kernels.metal on the CPU (compiled as C++ through
// metal-shim/), one call per grid position, with the same host steps as metal_backend.mm. It checks
// the shader LOGIC against the TS reference (test/gpu/native.test.ts); it does not run Metal.
//   metal_harness inference < weights(672) n(u64) ops(144n) batch_in(32n) batch_out(n)  > results(112n) batch_out(n)
//   metal_harness forward   < weights(672) rows(u64) batch_in(32·rows)                  > batch_out(rows)
//   metal_harness proof     < n(u64) ops(240n)                                          > results(48n)
#include <stdio.h>
#include <string.h>

#include <vector>

#include "aivm_kernels.h"
#include "aivm_kernels.metal"

static std::vector<unsigned char> input;
static size_t cursor = 0;

static const unsigned char* take(size_t n) {
  const unsigned char* p = input.data() + cursor;
  cursor += n;
  return p;
}

static uint64_t take_u64() {
  uint64_t v;
  memcpy(&v, take(8), 8);
  return v;
}

static void emit(const void* p, size_t n) { fwrite(p, 1, n, stdout); }

static Classifier classifier(const unsigned char* weights) {
  aivm::Classifier c;
  aivm::classifier_of(weights, &c);
  Classifier m;
  static_assert(sizeof m == sizeof c, "the MSL Classifier must have the C++ layout");
  memcpy(&m, &c, sizeof m);
  return m;
}

int main(int argc, char** argv) {
  int ch;
  while ((ch = getchar()) != EOF) input.push_back((unsigned char)ch);
  const char* kernel_name = argc > 1 ? argv[1] : "";
  if (!strcmp(kernel_name, "inference")) {
    const Classifier m = classifier(take(672));
    const uint64_t n = take_u64();
    const unsigned char* ops = take(144 * n);
    const unsigned char* in = take(32 * n);
    const unsigned char* out_in = take(n);
    std::vector<unsigned char> out(out_in, out_in + n), results(112 * n + 1), ys(n + 1), ran(n + 1);
    const Sizes sz = {n, 32 * n, n};
    for (uint gid = 0; gid < n; gid++) inference_kernel(ops, in, results.data(), ys.data(), ran.data(), m, sz, gid);
    for (uint64_t i = 0; i < n; i++)
      if (ran[i]) out[aivm::ld32(ops + 144 * i + 108)] = ys[i];
    emit(results.data(), 112 * n);
    emit(out.data(), n);
  } else if (!strcmp(kernel_name, "forward")) {
    const Classifier m = classifier(take(672));
    const uint64_t rows = take_u64();
    const unsigned char* in = take(32 * rows);
    std::vector<unsigned char> out(rows + 1);
    const Sizes sz = {rows, 32 * rows, rows};
    for (uint gid = 0; gid < rows; gid++) forward_kernel(in, out.data(), m, sz, gid);
    emit(out.data(), rows);
  } else if (!strcmp(kernel_name, "proof")) {
    const uint64_t n = take_u64();
    const unsigned char* ops = take(240 * n);
    std::vector<unsigned char> results(48 * n + 1);
    const Sizes sz = {n, 0, 0};
    for (uint gid = 0; gid < n; gid++) proof_kernel(ops, results.data(), sz, gid);
    emit(results.data(), 48 * n);
  } else {
    fprintf(stderr, "usage: metal_harness inference|forward|proof < input\n");
    return 2;
  }
  return 0;
}
