/*
 * The C++ CPU backend: the shared kernels of aivm_kernels.h behind the plugin ABI (never fails).
 *
 * The table-walking kernels and the root folds run sequentially, in op and slot order. The
 * row-parallel kernels (inference_step, inference_batch, proof_verify) split large batches across
 * threads — each row writes only its own result — and hash the rows' preimages several at a time
 * with the multi-buffer Keccak (keccak_lanes.h). inference_step's outputs are written afterwards,
 * on one thread in op order, because two ops may name the same output byte (the later one wins).
 * None of this changes a byte of any result: every hash is keccak256 of the same preimage.
 */
#include "aivm_cpu.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "aivm_kernels.h"
#include "keccak_lanes.h"

namespace {

using namespace aivm;

/*
 * The row loops (the int8 forward pass above all) are compiled for AVX-512, AVX2 and the baseline,
 * and the loader picks the best the CPU has (GCC function multi-versioning). Integer arithmetic is
 * exact whatever the instruction set, so the bytes never change.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define AIVM_ROW_LOOP __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AIVM_ROW_LOOP
#endif

CpuOptions initial_options() {
  const char* env = std::getenv("SESSIONCHAIN_KERNEL_THREADS");
  const long wanted = env ? std::strtol(env, nullptr, 10) : 0;
  const unsigned cores = std::thread::hardware_concurrency();
  return {(uint32_t)(wanted >= 1 ? wanted : cores >= 1 ? cores : 1), 2048, 0};
}

CpuOptions g_options = initial_options();

/* Runs f(begin, end) over [0, n) in contiguous ranges, one per thread. */
template <typename F>
void parallel_rows(uint64_t n, F f) {
  const uint64_t by_size = n / std::max<uint64_t>(1, g_options.min_rows_per_thread);
  const uint64_t threads = std::min<uint64_t>(g_options.threads, by_size);
  if (threads <= 1) {
    f(0, n);
    return;
  }
  const uint64_t chunk = (n + threads - 1) / threads;
  std::vector<std::thread> workers;
  for (uint64_t t = 1; t < threads && t * chunk < n; t++) workers.emplace_back(f, t * chunk, std::min(n, (t + 1) * chunk));
  f(0, std::min(n, chunk));
  for (std::thread& w : workers) w.join();
}

/* Collects up to keccak_lane_width() preimages of one length and hashes them together. */
class LaneBatch {
 public:
  LaneBatch() : width_(keccak_lane_width()) {}
  /* Queues `p` for `out`; hashes the batch when it is full (or first, when `p` has another length). */
  void add(const Preimage& p, uint8_t* out) {
    if (count_ > 0 && p.at != pre_[0].at) flush();
    pre_[count_] = p;
    out_[count_] = out;
    if (++count_ == width_) flush();
  }
  void flush() {
    if (count_ == 0) return;
    const uint8_t* msg[KECCAK_MAX_LANES];
    for (int i = 0; i < count_; i++) msg[i] = pre_[i].bytes;
    keccak256_lanes(msg, pre_[0].at, out_, count_);
    count_ = 0;
  }

 private:
  int width_;
  int count_ = 0;
  Preimage pre_[KECCAK_MAX_LANES];
  uint8_t* out_[KECCAK_MAX_LANES];
};

int probe(char* msg, size_t cap) {
  const char name[] = "C++ CPU kernels";
  size_t i = 0;
  for (; cap > 0 && i + 1 < cap && name[i] != 0; i++) msg[i] = name[i];
  if (cap > 0) msg[i] = 0;
  return 0;
}

int attestation(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots, uint32_t* applied) {
  *applied = attestation_apply(desc, ops, n_ops, table, slots);
  return 0;
}

int provenance(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots, uint32_t* applied) {
  *applied = provenance_apply(desc, ops, n_ops, models, slots);
  return 0;
}

int anchor(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  *applied = anchor_apply(desc, ops, n_ops, anchors, slots);
  return 0;
}

/* K4: expiries marked and leaves hashed several at a time, then the folds in slot order. */
int epoch(const uint8_t* desc, uint8_t* atts, uint64_t n_atts, const uint8_t* models, uint64_t n_models, const uint8_t* anchors, uint64_t n_anchors,
          uint8_t* state, uint8_t* result) {
  const uint64_t ts = ld64(desc + AIVM_OFF(AIVMRoundDescriptor, timestamp_ns));
  const uint64_t slots = n_atts + n_models + n_anchors;
  std::vector<uint8_t> kinds(slots), hashes(32 * slots);
  EpochLeaves l = {n_atts, n_models, n_anchors, kinds.data(), hashes.data(), kinds.data() + n_atts, hashes.data() + 32 * n_atts,
                   kinds.data() + n_atts + n_models, hashes.data() + 32 * (n_atts + n_models)};
  LaneBatch leaves;
  for (uint64_t i = 0; i < n_atts; i++) {
    uint8_t* slot = atts + i * sizeof(Attestation);
    mark_expired(slot, ts);
    Preimage p;
    if ((kinds[i] = attestation_leaf_preimage(slot, (uint32_t)i, ts, &p)) != LEAF_NONE) leaves.add(p, hashes.data() + 32 * i);
  }
  for (uint64_t i = 0; i < n_models; i++) {
    Preimage p;
    if ((kinds[n_atts + i] = model_leaf_preimage(models + i * sizeof(ModelRegistryEntry), (uint32_t)i, &p)) != LEAF_NONE) {
      leaves.add(p, hashes.data() + 32 * (n_atts + i));
    }
  }
  for (uint64_t i = 0; i < n_anchors; i++) {
    Preimage p;
    if ((kinds[n_atts + n_models + i] = anchor_leaf_preimage(anchors + i * sizeof(AuditAnchor), (uint32_t)i, &p)) != LEAF_NONE) {
      leaves.add(p, hashes.data() + 32 * (n_atts + n_models + i));
    }
  }
  leaves.flush();
  EpochRoots r;
  fold_leaves(l, &r);
  epoch_finish(desc, r, state, result);
  return 0;
}

/* Ops [begin, end) of inference_step: results, and per op its output byte and whether it ran. */
AIVM_ROW_LOOP void inference_range(const Classifier& m, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* results, uint8_t* ys, uint8_t* ran,
                     uint64_t begin, uint64_t end) {
  typedef InferenceResult R;
  LaneBatch inputs, outputs, attestations;
  /* The output commitment and the attestation root of a row need its input commitment first, so rows are hashed in groups. */
  const uint64_t group = (uint64_t)keccak_lane_width();
  for (uint64_t g0 = begin; g0 < end; g0 += group) {
    const uint64_t g1 = std::min(end, g0 + group);
    for (uint64_t i = g0; i < g1; i++) {
      const uint8_t* op = ops + i * sizeof(InferenceOp);
      uint8_t* result = results + i * sizeof(R);
      uint64_t out_at;
      const uint8_t* x = nullptr;
      ran[i] = inference_prepare(m, op, batch_in, n * IN_DIM, n * OUT_DIM, result, &ys[i], &out_at, &x) ? 1 : 0;
      if (!ran[i]) continue;
      inputs.add(input_preimage(op, x), result + AIVM_OFF(R, input_commitment));
      outputs.add(output_preimage(op, &ys[i]), result + AIVM_OFF(R, output_commitment));
    }
    inputs.flush();
    outputs.flush();
    for (uint64_t i = g0; i < g1; i++) {
      const uint8_t* op = ops + i * sizeof(InferenceOp);
      uint8_t* result = results + i * sizeof(R);
      if (ran[i] && attests(op)) attestations.add(attestation_preimage(op, result), result + AIVM_OFF(R, attestation_root));
    }
  }
  attestations.flush();
}

int inference(const uint8_t* weights, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* batch_out, uint8_t* results) {
  Classifier m;
  classifier_of(weights, &m);
  std::vector<uint8_t> ys(n), ran(n);
  parallel_rows(n, [&](uint64_t begin, uint64_t end) { inference_range(m, ops, n, batch_in, results, ys.data(), ran.data(), begin, end); });
  for (uint64_t i = 0; i < n; i++) {
    if (ran[i]) batch_out[ld32(ops + i * sizeof(InferenceOp) + AIVM_OFF(InferenceOp, output_offset))] = ys[i];
  }
  return 0;
}

/* Rows [begin, end) of the batch forward pass. */
AIVM_ROW_LOOP void forward_range(const Classifier& m, const uint8_t* batch_in, uint8_t* batch_out, uint64_t begin, uint64_t end) {
  for (uint64_t r = begin; r < end; r++) batch_out[r] = (uint8_t)forward(m, batch_in + r * IN_DIM);
}

int inference_rows(const uint8_t* weights, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out) {
  Classifier m;
  classifier_of(weights, &m);
  parallel_rows(rows, [&](uint64_t begin, uint64_t end) { forward_range(m, batch_in, batch_out, begin, end); });
  return 0;
}

int proofs(const uint8_t* ops, uint64_t n, uint8_t* results) {
  parallel_rows(n, [&](uint64_t begin, uint64_t end) {
    LaneBatch bindings;
    for (uint64_t i = begin; i < end; i++) {
      const uint8_t* op = ops + i * sizeof(ProofVerifyOp);
      uint8_t* result = results + i * sizeof(ProofVerifyResult);
      proof_result(op, result);
      bindings.add(binding_preimage(op), result + AIVM_OFF(ProofVerifyResult, binding_hash));
    }
    bindings.flush();
  });
  return 0;
}

const char* last_error() { return ""; }

}  // namespace

const AivmKernels AIVM_CPU_KERNELS = {probe, attestation, provenance, anchor, epoch, inference, inference_rows, proofs, last_error};

CpuOptions aivm_cpu_options() { return {g_options.threads, g_options.min_rows_per_thread, keccak_lane_width()}; }

CpuOptions aivm_cpu_configure(CpuOptions o) {
  if (o.threads >= 1) g_options.threads = o.threads;
  if (o.min_rows_per_thread >= 1) g_options.min_rows_per_thread = o.min_rows_per_thread;
  if (o.lanes >= 1) keccak_limit_lanes(o.lanes);
  return aivm_cpu_options();
}
