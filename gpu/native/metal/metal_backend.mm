/*
 * The Metal plugin libluxgpu_backend_metal.dylib (macOS only; NOT built or run on this project's
 * Linux machines or CI — see README "Native kernels"). It exports the plugin ABI of
 * ../include/aivm_plugin.h as lux_metal_aivm_*: inference_step, the inferenceBatch forward pass and
 * proof_verify run one GPU thread per row (aivm_kernels.metal, loaded from aivm_kernels.metallib
 * beside this library); the table-walking kernels and epoch_transition keep their sequential
 * semantics on the C++ CPU kernels linked into the plugin. Outputs of inference_step are scattered
 * on the host in op order, as the CUDA plugin does.
 */
#import <Foundation/Foundation.h>
#import <Metal/Metal.h>
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "aivm_cpu.h"
#include "aivm_kernels.h"
#include "aivm_plugin.h"

using namespace aivm;

namespace {

id<MTLDevice> g_device = nil;
id<MTLCommandQueue> g_queue = nil;
id<MTLComputePipelineState> g_inference = nil, g_forward = nil, g_proof = nil;
char g_error[512] = "";

struct Sizes {
  uint64_t n, in_len, out_len;
};

int fail(const char* what, NSError* err) {
  snprintf(g_error, sizeof g_error, "%s%s%s", what, err ? ": " : "", err ? err.localizedDescription.UTF8String : "");
  return 1;
}

id<MTLBuffer> shared_copy(const void* bytes, size_t n) { return [g_device newBufferWithBytes:bytes length:(n > 0 ? n : 1) options:MTLResourceStorageModeShared]; }
id<MTLBuffer> shared_buffer(size_t n) { return [g_device newBufferWithLength:(n > 0 ? n : 1) options:MTLResourceStorageModeShared]; }

/* Encodes one dispatch of `n` threads with `buffers` (and inline bytes), runs it and waits. */
int run(id<MTLComputePipelineState> pipeline, NSArray<id<MTLBuffer>>* buffers, const void* inline_bytes[], const size_t inline_sizes[], int n_inline, uint64_t n) {
  id<MTLCommandBuffer> cb = [g_queue commandBuffer];
  id<MTLComputeCommandEncoder> enc = [cb computeCommandEncoder];
  [enc setComputePipelineState:pipeline];
  NSUInteger index = 0;
  for (id<MTLBuffer> b in buffers) [enc setBuffer:b offset:0 atIndex:index++];
  for (int i = 0; i < n_inline; i++) [enc setBytes:inline_bytes[i] length:inline_sizes[i] atIndex:index++];
  const NSUInteger width = MIN(pipeline.maxTotalThreadsPerThreadgroup, (NSUInteger)256);
  [enc dispatchThreads:MTLSizeMake((NSUInteger)n, 1, 1) threadsPerThreadgroup:MTLSizeMake(width, 1, 1)];
  [enc endEncoding];
  [cb commit];
  [cb waitUntilCompleted];
  if (cb.status == MTLCommandBufferStatusError) return fail("Metal command buffer failed", cb.error);
  return 0;
}

id<MTLComputePipelineState> pipeline(id<MTLLibrary> lib, NSString* name, NSError** err) {
  id<MTLFunction> f = [lib newFunctionWithName:name];
  return f ? [g_device newComputePipelineStateWithFunction:f error:err] : nil;
}

}  // namespace

extern "C" {

int lux_metal_aivm_probe(char* msg, size_t cap) {
  @autoreleasepool {
    g_device = MTLCreateSystemDefaultDevice();
    if (!g_device) {
      snprintf(msg, cap, "no Metal device");
      return 1;
    }
    Dl_info info;
    if (!dladdr((void*)&lux_metal_aivm_probe, &info)) {
      snprintf(msg, cap, "cannot locate the plugin file (dladdr)");
      return 1;
    }
    std::string dir(info.dli_fname);
    dir = dir.substr(0, dir.find_last_of('/'));
    NSString* path = [NSString stringWithFormat:@"%s/aivm_kernels.metallib", dir.c_str()];
    NSError* err = nil;
    id<MTLLibrary> lib = [g_device newLibraryWithURL:[NSURL fileURLWithPath:path] error:&err];
    if (!lib) {
      snprintf(msg, cap, "cannot load %s: %s", path.UTF8String, err ? err.localizedDescription.UTF8String : "unknown error");
      return 1;
    }
    g_inference = pipeline(lib, @"inference_kernel", &err);
    g_forward = pipeline(lib, @"forward_kernel", &err);
    g_proof = pipeline(lib, @"proof_kernel", &err);
    g_queue = [g_device newCommandQueue];
    if (!g_inference || !g_forward || !g_proof || !g_queue) {
      snprintf(msg, cap, "cannot build the Metal pipelines: %s", err ? err.localizedDescription.UTF8String : "missing function");
      return 1;
    }
    snprintf(msg, cap, "%s (Metal)", g_device.name.UTF8String);
    return 0;
  }
}

const char* lux_metal_aivm_last_error(void) { return g_error; }

/* The table-walking kernels and K4 stay sequential: the C++ CPU kernels run them. */
int lux_metal_aivm_attestation_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots, uint32_t* applied) {
  return AIVM_CPU_KERNELS.attestation_apply(desc, ops, n_ops, table, slots, applied);
}
int lux_metal_aivm_provenance_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots, uint32_t* applied) {
  return AIVM_CPU_KERNELS.provenance_apply(desc, ops, n_ops, models, slots, applied);
}
int lux_metal_aivm_anchor_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  return AIVM_CPU_KERNELS.anchor_apply(desc, ops, n_ops, anchors, slots, applied);
}
int lux_metal_aivm_epoch_transition(const uint8_t* desc, uint8_t* atts, uint64_t n_atts, const uint8_t* models, uint64_t n_models, const uint8_t* anchors,
                                    uint64_t n_anchors, uint8_t* epoch, uint8_t* result) {
  return AIVM_CPU_KERNELS.epoch_transition(desc, atts, n_atts, models, n_models, anchors, n_anchors, epoch, result);
}

int lux_metal_aivm_inference_step(const uint8_t* weights, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* batch_out, uint8_t* results) {
  if (n == 0) return 0;
  @autoreleasepool {
    Classifier m;
    classifier_of(weights, &m);
    const Sizes sz = {n, n * IN_DIM, n * OUT_DIM};
    id<MTLBuffer> d_ops = shared_copy(ops, n * sizeof(InferenceOp)), d_in = shared_copy(batch_in, n * IN_DIM);
    id<MTLBuffer> d_results = shared_buffer(n * sizeof(InferenceResult)), d_ys = shared_buffer(n), d_ran = shared_buffer(n);
    const void* bytes[] = {&m, &sz};
    const size_t sizes[] = {sizeof m, sizeof sz};
    if (int rc = run(g_inference, @[ d_ops, d_in, d_results, d_ys, d_ran ], bytes, sizes, 2, n)) return rc;
    memcpy(results, d_results.contents, n * sizeof(InferenceResult));
    const uint8_t* ys = (const uint8_t*)d_ys.contents;
    const uint8_t* ran = (const uint8_t*)d_ran.contents;
    for (uint64_t i = 0; i < n; i++) {
      if (ran[i]) batch_out[ld32(ops + i * sizeof(InferenceOp) + AIVM_OFF(InferenceOp, output_offset))] = ys[i];
    }
    return 0;
  }
}

int lux_metal_aivm_inference_batch(const uint8_t* weights, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out) {
  if (rows == 0) return 0;
  @autoreleasepool {
    Classifier m;
    classifier_of(weights, &m);
    const Sizes sz = {rows, rows * IN_DIM, rows};
    id<MTLBuffer> d_in = shared_copy(batch_in, rows * IN_DIM), d_out = shared_buffer(rows);
    const void* bytes[] = {&m, &sz};
    const size_t sizes[] = {sizeof m, sizeof sz};
    if (int rc = run(g_forward, @[ d_in, d_out ], bytes, sizes, 2, rows)) return rc;
    memcpy(batch_out, d_out.contents, rows);
    return 0;
  }
}

int lux_metal_aivm_proof_verify(const uint8_t* ops, uint64_t n, uint8_t* results) {
  if (n == 0) return 0;
  @autoreleasepool {
    const Sizes sz = {n, 0, 0};
    id<MTLBuffer> d_ops = shared_copy(ops, n * sizeof(ProofVerifyOp)), d_results = shared_buffer(n * sizeof(ProofVerifyResult));
    const void* bytes[] = {&sz};
    const size_t sizes[] = {sizeof sz};
    if (int rc = run(g_proof, @[ d_ops, d_results ], bytes, sizes, 1, n)) return rc;
    memcpy(results, d_results.contents, n * sizeof(ProofVerifyResult));
    return 0;
  }
}

}  // extern "C"
