/*
 * The CUDA plugin libluxgpu_backend_cuda.so: the AIVM kernels of aivm_kernels.h on an NVIDIA GPU,
 * behind the plugin ABI of aivm_plugin.h (host pointers in, upload / run / download inside, 0 on
 * success). The addon opens it with dlopen and falls back to the C++ CPU kernels on any non-zero
 * return; lux_cuda_aivm_last_error() says what failed.
 *
 * Parallel where rows are independent: inference_step, inference_batch and proof_verify run one
 * thread per row, and epoch_transition hashes one leaf per thread before ONE thread folds the
 * leaves in slot order. The table-walking kernels (attestation/provenance/anchor apply) keep their
 * sequential semantics: one device thread walks the ops in order. Two inference ops may name the
 * same output byte, so outputs are scattered on the host in op order (the later op wins, as in the
 * reference). Large batches are processed in chunks to bound device memory.
 *
 * Built here with nvcc (CUDA 13) but never run on a GPU in this project's CI: see README "Native kernels".
 */
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

#include "aivm_kernels.h"
#include "aivm_plugin.h"

using namespace aivm;

namespace {

char g_error[512] = "";

int fail(cudaError_t e, const char* where) {
  snprintf(g_error, sizeof g_error, "%s: %s (%s)", where, cudaGetErrorName(e), cudaGetErrorString(e));
  return e == cudaSuccess ? -1 : (int)e;
}

#define CU(call)                                   \
  do {                                             \
    const cudaError_t e_ = (call);                 \
    if (e_ != cudaSuccess) return fail(e_, #call); \
  } while (0)

/* A device allocation freed on scope exit. */
struct DeviceBuffer {
  uint8_t* p = nullptr;
  ~DeviceBuffer() {
    if (p) cudaFree(p);
  }
  cudaError_t alloc(size_t n) { return cudaMalloc(&p, n > 0 ? n : 1); }
};

int upload(DeviceBuffer& d, const void* host, size_t n) {
  CU(d.alloc(n));
  if (n > 0) CU(cudaMemcpy(d.p, host, n, cudaMemcpyHostToDevice));
  return 0;
}

int download(void* host, const DeviceBuffer& d, size_t n) {
  if (n > 0) CU(cudaMemcpy(host, d.p, n, cudaMemcpyDeviceToHost));
  return 0;
}

/* Waits for the launched kernel and reports a launch or execution error. */
int finish(const char* kernel) {
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) e = cudaDeviceSynchronize();
  return e == cudaSuccess ? 0 : fail(e, kernel);
}

constexpr unsigned THREADS = 128;
constexpr uint64_t CHUNK_ROWS = 1u << 20; /* rows per upload/run/download round of the row kernels */

unsigned blocks(uint64_t n) { return (unsigned)((n + THREADS - 1) / THREADS); }

#define ROW_INDEX(n)                                                  \
  const uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; \
  if (i >= (n)) return

__global__ void probe_kernel(uint8_t* digest) { keccak256(reinterpret_cast<const uint8_t*>("abc"), 3, digest); }

__global__ void attestation_kernel(const uint8_t* desc, const uint8_t* ops, uint64_t n, uint8_t* table, uint64_t slots, uint32_t* applied) {
  *applied = attestation_apply(desc, ops, n, table, slots);
}

__global__ void provenance_kernel(const uint8_t* desc, const uint8_t* ops, uint64_t n, uint8_t* models, uint64_t slots, uint32_t* applied) {
  *applied = provenance_apply(desc, ops, n, models, slots);
}

__global__ void anchor_kernel(const uint8_t* desc, const uint8_t* ops, uint64_t n, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  *applied = anchor_apply(desc, ops, n, anchors, slots);
}

__global__ void attestation_leaves(uint8_t* atts, uint64_t n, uint64_t ts, uint8_t* kinds, uint8_t* hashes) {
  ROW_INDEX(n);
  uint8_t* slot = atts + i * sizeof(Attestation);
  mark_expired(slot, ts);
  Preimage leaf;
  if ((kinds[i] = attestation_leaf_preimage(slot, (uint32_t)i, ts, &leaf)) != LEAF_NONE) leaf.hash(hashes + 32 * i);
}

__global__ void model_leaves(const uint8_t* models, uint64_t n, uint8_t* kinds, uint8_t* hashes) {
  ROW_INDEX(n);
  Preimage leaf;
  if ((kinds[i] = model_leaf_preimage(models + i * sizeof(ModelRegistryEntry), (uint32_t)i, &leaf)) != LEAF_NONE) leaf.hash(hashes + 32 * i);
}

__global__ void anchor_leaves(const uint8_t* anchors, uint64_t n, uint8_t* kinds, uint8_t* hashes) {
  ROW_INDEX(n);
  Preimage leaf;
  if ((kinds[i] = anchor_leaf_preimage(anchors + i * sizeof(AuditAnchor), (uint32_t)i, &leaf)) != LEAF_NONE) leaf.hash(hashes + 32 * i);
}

/* One thread: the three folds in slot order, then the epoch state and the result. */
__global__ void fold_roots(const uint8_t* desc, EpochLeaves leaves, uint8_t* epoch, uint8_t* result) {
  EpochRoots r;
  fold_leaves(leaves, &r);
  epoch_finish(desc, r, epoch, result);
}

__global__ void inference_kernel(Classifier m, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint64_t in_len, uint64_t out_len,
                                 uint8_t* results, uint8_t* ys, uint8_t* ran) {
  ROW_INDEX(n);
  uint8_t y = 0;
  uint64_t out_at = 0;
  ran[i] = inference_op(m, ops + i * sizeof(InferenceOp), batch_in, in_len, out_len, results + i * sizeof(InferenceResult), &y, &out_at) ? 1 : 0;
  ys[i] = y;
}

__global__ void forward_kernel(Classifier m, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out) {
  ROW_INDEX(rows);
  batch_out[i] = (uint8_t)forward(m, batch_in + i * IN_DIM);
}

__global__ void proof_kernel(const uint8_t* ops, uint64_t n, uint8_t* results) {
  ROW_INDEX(n);
  proof_op(ops + i * sizeof(ProofVerifyOp), results + i * sizeof(ProofVerifyResult));
}

/* The three apply kernels: upload, one thread, download the table only when everything succeeded. */
template <typename Kernel>
int apply_on_device(Kernel kernel, const char* name, const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, size_t op_size, uint8_t* table,
                    uint64_t slots, size_t slot_size, uint32_t* applied) {
  DeviceBuffer d_desc, d_ops, d_table, d_applied;
  if (int rc = upload(d_desc, desc, sizeof(AIVMRoundDescriptor))) return rc;
  if (int rc = upload(d_ops, ops, n_ops * op_size)) return rc;
  if (int rc = upload(d_table, table, slots * slot_size)) return rc;
  CU(d_applied.alloc(sizeof(uint32_t)));
  kernel<<<1, 1>>>(d_desc.p, d_ops.p, n_ops, d_table.p, slots, reinterpret_cast<uint32_t*>(d_applied.p));
  if (int rc = finish(name)) return rc;
  uint32_t count = 0;
  if (int rc = download(&count, d_applied, sizeof count)) return rc;
  if (int rc = download(table, d_table, slots * slot_size)) return rc;
  *applied = count;
  return 0;
}

}  // namespace

extern "C" {

int lux_cuda_aivm_probe(char* msg, size_t cap) {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    snprintf(msg, cap, "cudaGetDeviceCount: %s (%s)", cudaGetErrorName(e), cudaGetErrorString(e));
    return (int)e;
  }
  if (count == 0) {
    snprintf(msg, cap, "no CUDA device");
    return 1;
  }
  cudaDeviceProp p;
  if ((e = cudaGetDeviceProperties(&p, 0)) != cudaSuccess || (e = cudaDeviceSetLimit(cudaLimitStackSize, 8192)) != cudaSuccess) {
    snprintf(msg, cap, "device 0: %s (%s)", cudaGetErrorName(e), cudaGetErrorString(e));
    return (int)e;
  }
  /* The kernels must run on this device: keccak256("abc") on it must be the known digest. */
  static const uint8_t ABC[32] = {0x4e, 0x03, 0x65, 0x7a, 0xea, 0x45, 0xa9, 0x4f, 0xc7, 0xd4, 0x7b, 0xa8, 0x26, 0xc8, 0xd6, 0x67,
                                  0xc0, 0xd1, 0xe6, 0xe3, 0x3a, 0x64, 0xa0, 0x36, 0xec, 0x44, 0xf5, 0x8f, 0xa1, 0x2d, 0x6c, 0x45};
  DeviceBuffer d;
  uint8_t got[32] = {0};
  if (d.alloc(32) != cudaSuccess || (probe_kernel<<<1, 1>>>(d.p), finish("probe_kernel")) != 0 || download(got, d, 32) != 0) {
    snprintf(msg, cap, "%s (compute %d.%d): the kernels do not run on it: %s", p.name, p.major, p.minor, g_error);
    return 1;
  }
  if (memcmp(got, ABC, 32) != 0) {
    snprintf(msg, cap, "%s (compute %d.%d): keccak256(\"abc\") on the device is wrong", p.name, p.major, p.minor);
    return 1;
  }
  snprintf(msg, cap, "%s (compute %d.%d, %zu MiB)", p.name, p.major, p.minor, (size_t)(p.totalGlobalMem >> 20));
  return 0;
}

const char* lux_cuda_aivm_last_error(void) { return g_error; }

int lux_cuda_aivm_attestation_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots, uint32_t* applied) {
  return apply_on_device(attestation_kernel, "attestation_kernel", desc, ops, n_ops, sizeof(AttestationOp), table, slots, sizeof(Attestation), applied);
}

int lux_cuda_aivm_provenance_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots, uint32_t* applied) {
  return apply_on_device(provenance_kernel, "provenance_kernel", desc, ops, n_ops, sizeof(ModelOp), models, slots, sizeof(ModelRegistryEntry), applied);
}

int lux_cuda_aivm_anchor_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  return apply_on_device(anchor_kernel, "anchor_kernel", desc, ops, n_ops, sizeof(AnchorOp), anchors, slots, sizeof(AuditAnchor), applied);
}

int lux_cuda_aivm_epoch_transition(const uint8_t* desc, uint8_t* atts, uint64_t n_atts, const uint8_t* models, uint64_t n_models, const uint8_t* anchors,
                                   uint64_t n_anchors, uint8_t* epoch, uint8_t* result) {
  DeviceBuffer d_desc, d_atts, d_models, d_anchors, d_epoch, d_result, d_kinds, d_hashes;
  if (int rc = upload(d_desc, desc, sizeof(AIVMRoundDescriptor))) return rc;
  if (int rc = upload(d_atts, atts, n_atts * sizeof(Attestation))) return rc;
  if (int rc = upload(d_models, models, n_models * sizeof(ModelRegistryEntry))) return rc;
  if (int rc = upload(d_anchors, anchors, n_anchors * sizeof(AuditAnchor))) return rc;
  if (int rc = upload(d_epoch, epoch, sizeof(AIVMEpochState))) return rc;
  if (int rc = upload(d_result, result, sizeof(AIVMTransitionResult))) return rc;
  const uint64_t slots = n_atts + n_models + n_anchors;
  CU(d_kinds.alloc(slots));
  CU(d_hashes.alloc(32 * slots));
  uint8_t *k = d_kinds.p, *h = d_hashes.p;
  const EpochLeaves leaves = {n_atts, n_models, n_anchors, k, h, k + n_atts, h + 32 * n_atts, k + n_atts + n_models, h + 32 * (n_atts + n_models)};
  const uint64_t ts = ld64(desc + AIVM_OFF(AIVMRoundDescriptor, timestamp_ns));
  if (n_atts > 0) attestation_leaves<<<blocks(n_atts), THREADS>>>(d_atts.p, n_atts, ts, k, h);
  if (n_models > 0) model_leaves<<<blocks(n_models), THREADS>>>(d_models.p, n_models, k + n_atts, h + 32 * n_atts);
  if (n_anchors > 0) anchor_leaves<<<blocks(n_anchors), THREADS>>>(d_anchors.p, n_anchors, k + n_atts + n_models, h + 32 * (n_atts + n_models));
  fold_roots<<<1, 1>>>(d_desc.p, leaves, d_epoch.p, d_result.p);
  if (int rc = finish("epoch_transition kernels")) return rc;
  if (int rc = download(atts, d_atts, n_atts * sizeof(Attestation))) return rc;
  if (int rc = download(epoch, d_epoch, sizeof(AIVMEpochState))) return rc;
  return download(result, d_result, sizeof(AIVMTransitionResult));
}

int lux_cuda_aivm_inference_step(const uint8_t* weights, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* batch_out, uint8_t* results) {
  if (n == 0) return 0;
  Classifier m;
  classifier_of(weights, &m);
  /* Any op may read any input row, so the whole input goes up once; ops and results go in chunks. */
  DeviceBuffer d_in, d_ops, d_results, d_ys, d_ran;
  if (int rc = upload(d_in, batch_in, n * IN_DIM)) return rc;
  const uint64_t chunk = n < CHUNK_ROWS ? n : CHUNK_ROWS;
  CU(d_ops.alloc(chunk * sizeof(InferenceOp)));
  CU(d_results.alloc(chunk * sizeof(InferenceResult)));
  CU(d_ys.alloc(chunk));
  CU(d_ran.alloc(chunk));
  uint8_t* ys = new uint8_t[2 * chunk];
  uint8_t* ran = ys + chunk;
  int rc = 0;
  for (uint64_t at = 0; at < n && rc == 0; at += chunk) {
    const uint64_t rows = n - at < chunk ? n - at : chunk;
    const uint8_t* ops_at = ops + at * sizeof(InferenceOp);
    if ((rc = cudaMemcpy(d_ops.p, ops_at, rows * sizeof(InferenceOp), cudaMemcpyHostToDevice)) != 0) {
      rc = fail((cudaError_t)rc, "upload ops");
      break;
    }
    inference_kernel<<<blocks(rows), THREADS>>>(m, d_ops.p, rows, d_in.p, n * IN_DIM, n * OUT_DIM, d_results.p, d_ys.p, d_ran.p);
    if ((rc = finish("inference_kernel")) != 0) break;
    if ((rc = download(results + at * sizeof(InferenceResult), d_results, rows * sizeof(InferenceResult))) != 0) break;
    if ((rc = download(ys, d_ys, rows)) != 0 || (rc = download(ran, d_ran, rows)) != 0) break;
    for (uint64_t i = 0; i < rows; i++) {
      if (ran[i]) batch_out[ld32(ops_at + i * sizeof(InferenceOp) + AIVM_OFF(InferenceOp, output_offset))] = ys[i];
    }
  }
  delete[] ys;
  return rc;
}

int lux_cuda_aivm_inference_batch(const uint8_t* weights, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out) {
  if (rows == 0) return 0;
  Classifier m;
  classifier_of(weights, &m);
  const uint64_t chunk = rows < CHUNK_ROWS ? rows : CHUNK_ROWS;
  DeviceBuffer d_in, d_out;
  CU(d_in.alloc(chunk * IN_DIM));
  CU(d_out.alloc(chunk));
  for (uint64_t at = 0; at < rows; at += chunk) {
    const uint64_t n = rows - at < chunk ? rows - at : chunk;
    CU(cudaMemcpy(d_in.p, batch_in + at * IN_DIM, n * IN_DIM, cudaMemcpyHostToDevice));
    forward_kernel<<<blocks(n), THREADS>>>(m, d_in.p, n, d_out.p);
    if (int rc = finish("forward_kernel")) return rc;
    if (int rc = download(batch_out + at, d_out, n)) return rc;
  }
  return 0;
}

int lux_cuda_aivm_proof_verify(const uint8_t* ops, uint64_t n, uint8_t* results) {
  if (n == 0) return 0;
  const uint64_t chunk = n < CHUNK_ROWS ? n : CHUNK_ROWS;
  DeviceBuffer d_ops, d_results;
  CU(d_ops.alloc(chunk * sizeof(ProofVerifyOp)));
  CU(d_results.alloc(chunk * sizeof(ProofVerifyResult)));
  for (uint64_t at = 0; at < n; at += chunk) {
    const uint64_t rows = n - at < chunk ? n - at : chunk;
    CU(cudaMemcpy(d_ops.p, ops + at * sizeof(ProofVerifyOp), rows * sizeof(ProofVerifyOp), cudaMemcpyHostToDevice));
    proof_kernel<<<blocks(rows), THREADS>>>(d_ops.p, rows, d_results.p);
    if (int rc = finish("proof_kernel")) return rc;
    if (int rc = download(results + at * sizeof(ProofVerifyResult), d_results, rows * sizeof(ProofVerifyResult))) return rc;
  }
  return 0;
}

}  // extern "C"
