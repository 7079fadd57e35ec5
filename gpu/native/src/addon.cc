/*
 * The `aivm_native` Node addon (node-addon-api). It exports:
 *
 *   cpu                      a Backend running the C++ CPU kernels ('native')
 *   openPlugin(kind, path)   dlopen()s a GPU plugin (libluxgpu_backend_<kind>), resolves every
 *                            lux_<kind>_aivm_* symbol, probes for a device; returns
 *                            { ok, reason, device, backend } (backend only when ok)
 *   keccak256(bytes)         the C++ Keccak-256 (for the tests against @noble/hashes)
 *   layouts()                { Struct: { size, fields: { snake_name: offset } } } from aivm_structs.h
 *   configure(options?)      the CPU backend's threads / rows per thread / hash lanes (results never
 *                            depend on them); returns the options in force
 *
 * A Backend has the kernel methods of gpu/backend.ts's KernelBackend plus inferenceBatch and
 * stats(). Every method checks its buffers (a Uint8Array each, whole structs, power-of-two arenas)
 * before touching memory, so the addon stays memory-safe whoever calls it. On a plugin backend a
 * launcher that returns non-zero is a fallback: the buffers it may have touched are restored and
 * the CPU kernel runs instead (counted, with the reason kept for stats()).
 */
#include <dlfcn.h>
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aivm_cpu.h"
#include "aivm_keccak.h"
#include "aivm_plugin.h"
#include "aivm_structs.h"

namespace {

using namespace aivm;

struct Span {
  uint8_t* data;
  size_t len;
};

Span Bytes(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Uint8Array");
  }
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  return {a.Data(), a.ByteLength()};
}

uint64_t Count(Napi::Env env, const Span& s, size_t size, const char* what) {
  if (s.len % size != 0) {
    throw Napi::RangeError::New(env, std::string(what) + " is " + std::to_string(s.len) + " bytes, not a whole number of " + std::to_string(size) + "-byte structs");
  }
  return s.len / size;
}

void Exactly(Napi::Env env, const Span& s, size_t size, const char* what) {
  if (s.len != size) throw Napi::RangeError::New(env, std::string(what) + " must be " + std::to_string(size) + " bytes, got " + std::to_string(s.len));
}

uint64_t Arena(Napi::Env env, const Span& s, size_t size, const char* what) {
  const uint64_t n = Count(env, s, size, what);
  if ((n & (n - 1)) != 0 || n > 0x80000000ULL) throw Napi::RangeError::New(env, std::string(what) + " must hold a power-of-two number of slots");
  return n;
}

void Weights(Napi::Env env, const Span& w) {
  Exactly(env, w, sizeof(InferenceWeights), "weights");
  for (size_t at : {offsetof(InferenceWeights, shift1), offsetof(InferenceWeights, shift2)}) {
    const int8_t s = (int8_t)w.data[at];
    if (s < 0 || s > 31) throw Napi::RangeError::New(env, "weights shifts must be 0..31");
  }
}

/* What a Backend object runs on. */
struct BackendState {
  BackendState(std::string name, const AivmKernels& kernels, bool plugin, std::string path, std::string device)
      : name(std::move(name)), kernels(kernels), plugin(plugin), path(std::move(path)), device(std::move(device)) {}
  std::string name;
  AivmKernels kernels;
  bool plugin;  // a plugin's launchers may fail; the CPU table never does
  std::string path;
  std::string device;
  uint64_t calls = 0;
  uint64_t fallbacks = 0;
  std::string last_error;
};

class Backend : public Napi::ObjectWrap<Backend> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AivmKernelBackend",
                       {InstanceMethod<&Backend::AttestationApply>("attestationApply"), InstanceMethod<&Backend::ProvenanceApply>("provenanceApply"),
                        InstanceMethod<&Backend::AnchorApply>("anchorApply"), InstanceMethod<&Backend::EpochTransition>("epochTransition"),
                        InstanceMethod<&Backend::InferenceStep>("inferenceStep"), InstanceMethod<&Backend::InferenceBatch>("inferenceBatch"),
                        InstanceMethod<&Backend::ProofVerify>("proofVerify"), InstanceMethod<&Backend::Stats>("stats")});
  }

  explicit Backend(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Backend>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "kernel backends are made by the addon (cpu, openPlugin)");
    state_.reset(info[0].As<Napi::External<BackendState>>().Data());
  }

 private:
  std::unique_ptr<BackendState> state_;

  /*
   * Runs `launch` on this backend's kernels; on a plugin's failure restores `touched` and runs it on
   * the CPU kernels. The CPU path never fails.
   */
  template <typename Launch>
  void Run(const char* kernel, std::initializer_list<Span> touched, Launch launch) {
    BackendState& s = *state_;
    s.calls++;
    if (s.plugin) {
      std::vector<std::vector<uint8_t>> saved;
      for (const Span& t : touched) saved.emplace_back(t.data, t.data + t.len);
      const int rc = launch(s.kernels);
      if (rc == 0) return;
      s.fallbacks++;
      const char* why = s.kernels.last_error();
      s.last_error = std::string(kernel) + " returned " + std::to_string(rc) + (why && *why ? std::string(": ") + why : std::string()) + "; ran on the C++ CPU kernels";
      size_t i = 0;
      for (const Span& t : touched) {
        if (t.len > 0) std::memcpy(t.data, saved[i].data(), t.len);
        i++;
      }
    }
    launch(AIVM_CPU_KERNELS);
  }

  /* K1-K3: (desc, ops, table) -> applied count; `hashed` tables must hold a power-of-two number of slots. */
  Napi::Value Apply(const Napi::CallbackInfo& info, aivm_attestation_apply_fn AivmKernels::*kernel, const char* name, const char* table_name, size_t op_size,
                    size_t slot_size, bool hashed) {
    Napi::Env env = info.Env();
    const Span desc = Bytes(info, 0, "desc"), ops = Bytes(info, 1, "ops"), table = Bytes(info, 2, table_name);
    Exactly(env, desc, sizeof(AIVMRoundDescriptor), "desc");
    const uint64_t n = Count(env, ops, op_size, "ops");
    const uint64_t slots = hashed ? Arena(env, table, slot_size, table_name) : Count(env, table, slot_size, table_name);
    uint32_t applied = 0;
    Run(name, {table}, [&](const AivmKernels& k) { return (k.*kernel)(desc.data, ops.data, n, table.data, slots, &applied); });
    return Napi::Number::New(env, applied);
  }

  Napi::Value AttestationApply(const Napi::CallbackInfo& info) {
    return Apply(info, &AivmKernels::attestation_apply, "attestation_apply", "table", sizeof(AttestationOp), sizeof(Attestation), true);
  }

  Napi::Value ProvenanceApply(const Napi::CallbackInfo& info) {
    return Apply(info, &AivmKernels::provenance_apply, "provenance_apply", "models", sizeof(ModelOp), sizeof(ModelRegistryEntry), true);
  }

  Napi::Value AnchorApply(const Napi::CallbackInfo& info) {
    return Apply(info, &AivmKernels::anchor_apply, "anchor_apply", "anchors", sizeof(AnchorOp), sizeof(AuditAnchor), false);
  }

  Napi::Value EpochTransition(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Span desc = Bytes(info, 0, "desc"), atts = Bytes(info, 1, "atts"), models = Bytes(info, 2, "models"), anchors = Bytes(info, 3, "anchors");
    const Span epoch = Bytes(info, 4, "epochState"), result = Bytes(info, 5, "result");
    Exactly(env, desc, sizeof(AIVMRoundDescriptor), "desc");
    Exactly(env, epoch, sizeof(AIVMEpochState), "epochState");
    Exactly(env, result, sizeof(AIVMTransitionResult), "result");
    const uint64_t na = Arena(env, atts, sizeof(Attestation), "atts"), nm = Arena(env, models, sizeof(ModelRegistryEntry), "models");
    const uint64_t nn = Count(env, anchors, sizeof(AuditAnchor), "anchors");
    Run("epoch_transition", {atts, models, anchors, epoch, result}, [&](const AivmKernels& k) {
      return k.epoch_transition(desc.data, atts.data, na, models.data, nm, anchors.data, nn, epoch.data, result.data);
    });
    return env.Undefined();
  }

  Napi::Value InferenceStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Span weights = Bytes(info, 0, "weights"), ops = Bytes(info, 1, "ops"), in = Bytes(info, 2, "batchIn"), out = Bytes(info, 3, "batchOut");
    const Span results = Bytes(info, 4, "results");
    Weights(env, weights);
    const uint64_t n = Count(env, ops, sizeof(InferenceOp), "ops");
    Exactly(env, in, n * IN_DIM, "batchIn");
    Exactly(env, out, n * OUT_DIM, "batchOut");
    Exactly(env, results, n * sizeof(InferenceResult), "results");
    // every result is rewritten by the CPU kernel, so only batch_out needs restoring after a failure
    Run("inference_step", {out}, [&](const AivmKernels& k) { return k.inference_step(weights.data, ops.data, n, in.data, out.data, results.data); });
    return env.Undefined();
  }

  Napi::Value InferenceBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Span weights = Bytes(info, 0, "weights"), in = Bytes(info, 1, "batchIn"), out = Bytes(info, 2, "batchOut");
    Weights(env, weights);
    const uint64_t rows = out.len / OUT_DIM;
    Exactly(env, in, rows * IN_DIM, "batchIn");
    Run("inference_batch", {}, [&](const AivmKernels& k) { return k.inference_batch(weights.data, in.data, rows, out.data); });
    return env.Undefined();
  }

  Napi::Value ProofVerify(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Span ops = Bytes(info, 0, "ops"), results = Bytes(info, 1, "results");
    const uint64_t n = Count(env, ops, sizeof(ProofVerifyOp), "ops");
    Exactly(env, results, n * sizeof(ProofVerifyResult), "results");
    Run("proof_verify", {}, [&](const AivmKernels& k) { return k.proof_verify(ops.data, n, results.data); });
    return env.Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const BackendState& s = *state_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", s.name);
    o.Set("path", s.path);
    o.Set("device", s.device);
    o.Set("calls", Napi::Number::New(env, (double)s.calls));
    o.Set("fallbacks", Napi::Number::New(env, (double)s.fallbacks));
    o.Set("lastError", s.last_error);
    return o;
  }
};

Napi::Object NewBackend(Napi::Env env, BackendState* state) {
  Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
  return ctor->New({Napi::External<BackendState>::New(env, state)});
}

Napi::Value OpenPlugin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) throw Napi::TypeError::New(env, "openPlugin(kind, path): two strings");
  const std::string kind = info[0].As<Napi::String>();
  const std::string path = info[1].As<Napi::String>();
  if (kind != "cuda" && kind != "metal") throw Napi::RangeError::New(env, "openPlugin: kind must be 'cuda' or 'metal'");
  Napi::Object out = Napi::Object::New(env);
  out.Set("ok", false);
  out.Set("path", path);

  // The handle is never closed: a GPU runtime may leave exit handlers inside the library.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    out.Set("reason", std::string("cannot load ") + path + ": " + (err ? err : "unknown dlopen error"));
    return out;
  }
  AivmKernels k{};
  std::string missing;
  const std::string prefix = "lux_" + kind + "_aivm_";
#define AIVM_RESOLVE(name)                                                                 \
  k.name = reinterpret_cast<aivm_##name##_fn>(dlsym(handle, (prefix + #name).c_str())); \
  if (!k.name) missing += (missing.empty() ? "" : ", ") + prefix + #name;
  AIVM_PLUGIN_SYMBOLS(AIVM_RESOLVE)
#undef AIVM_RESOLVE
  if (!missing.empty()) {
    out.Set("reason", path + " does not export " + missing);
    return out;
  }
  char msg[512] = {0};
  const int rc = k.probe(msg, sizeof msg);
  msg[sizeof msg - 1] = 0;
  if (rc != 0) {
    out.Set("reason", path + " loaded, but no " + kind + " device is usable: " + (msg[0] ? msg : "probe returned " + std::to_string(rc)));
    return out;
  }
  out.Set("ok", true);
  out.Set("device", std::string(msg));
  out.Set("backend", NewBackend(env, new BackendState(kind, k, true, path, msg)));
  return out;
}

Napi::Value Keccak256(const Napi::CallbackInfo& info) {
  const Span in = Bytes(info, 0, "data");
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), 32);
  keccak256(in.data, in.len, out.Data());
  return out;
}

/* configure({ threads, minRowsPerThread, lanes }) sets the CPU backend's options given (tests, benchmarks); returns them all. */
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CpuOptions o = {0, 0, 0};
  if (info.Length() > 0 && info[0].IsObject()) {
    const Napi::Object in = info[0].As<Napi::Object>();
    const auto field = [&](const char* name) -> uint32_t {
      const Napi::Value v = in.Get(name);
      if (v.IsUndefined()) return 0;
      if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 1 || v.As<Napi::Number>().DoubleValue() > 1e6) {
        throw Napi::RangeError::New(env, std::string("configure: ") + name + " must be a number from 1 to 1000000");
      }
      return v.As<Napi::Number>().Uint32Value();
    };
    o = {field("threads"), field("minRowsPerThread"), (int)field("lanes")};
  }
  const CpuOptions now = aivm_cpu_configure(o);
  Napi::Object out = Napi::Object::New(env);
  out.Set("threads", now.threads);
  out.Set("minRowsPerThread", now.min_rows_per_thread);
  out.Set("lanes", now.lanes);
  return out;
}

Napi::Value Layouts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object all = Napi::Object::New(env);
#define AIVM_STRUCT(T, n)                             \
  {                                                   \
    Napi::Object o = Napi::Object::New(env);          \
    o.Set("size", Napi::Number::New(env, n));         \
    o.Set("fields", Napi::Object::New(env));          \
    all.Set(#T, o);                                   \
  }
#define AIVM_FIELD(T, f, off) all.Get(#T).As<Napi::Object>().Get("fields").As<Napi::Object>().Set(#f, Napi::Number::New(env, offsetof(aivm::T, f)));
  AIVM_LAYOUT_TABLE(AIVM_STRUCT, AIVM_FIELD)
#undef AIVM_STRUCT
#undef AIVM_FIELD
  return all;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(Backend::Define(env))));
  exports.Set("cpu", NewBackend(env, new BackendState("native", AIVM_CPU_KERNELS, false, "", "C++ CPU kernels")));
  exports.Set("openPlugin", Napi::Function::New<OpenPlugin>(env, "openPlugin"));
  exports.Set("keccak256", Napi::Function::New<Keccak256>(env, "keccak256"));
  exports.Set("layouts", Napi::Function::New<Layouts>(env, "layouts"));
  exports.Set("configure", Napi::Function::New<Configure>(env, "configure"));
  return exports;
}

}  // namespace

NODE_API_MODULE(aivm_native, Init)
