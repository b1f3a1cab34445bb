// Module entry, tensor handles and live-tensor accounting.
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <mutex>
#include <unordered_map>

namespace tunet {

namespace {

// Worker threads each load the addon in their own environment: the error
// class is per environment (instance data), the accounting below is
// process-wide and guarded by a mutex.
struct EnvData {
  Napi::FunctionReference errorClass;
};

std::mutex gMemMutex;

// Live tensors held by JavaScript, and the bytes of the distinct storages they
// reference (views share their base's storage and are counted once).
struct StorageUse {
  int64_t refs;
  int64_t bytes;
};
std::unordered_map<const void*, StorageUse> gStorages;
int64_t gLiveTensors = 0;
int64_t gLiveBytes = 0;

// Native bytes not yet reported to V8; reported in steps of 1 MiB so that
// small tensors do not each cost a call into the engine.
thread_local int64_t gUnreported = 0;
constexpr int64_t kReportStep = 1 << 20;

void reportBytes(Napi::Env env, int64_t delta) {
  gUnreported += delta;
  if (gUnreported >= kReportStep || gUnreported <= -kReportStep) {
    Napi::MemoryManagement::AdjustExternalMemory(env, gUnreported);
    gUnreported = 0;
  }
}

// Counts a new box; returns the CPU bytes of a storage seen for the first time.
int64_t trackLocked(TensorBox* box) {
  box->tracked = true;
  gLiveTensors++;
  const at::Tensor& t = box->tensor;
  if (!t.has_storage()) return 0;
  const void* key = t.storage().unsafeGetStorageImpl();
  box->storageKey = key;
  auto it = gStorages.find(key);
  if (it != gStorages.end()) {
    it->second.refs++;
    return 0;
  }
  int64_t bytes = static_cast<int64_t>(t.storage().nbytes());
  gStorages.emplace(key, StorageUse{1, t.is_cpu() ? bytes : 0});
  gLiveBytes += bytes;
  return t.is_cpu() ? bytes : 0;
}

void track(Napi::Env env, TensorBox* box) {
  int64_t added = 0;
  {
    std::lock_guard<std::mutex> lock(gMemMutex);
    added = trackLocked(box);
  }
  if (added > 0) reportBytes(env, added);
}

// Forgets a box; the freed bytes are reported to V8 later, from a normal call
// (this also runs inside garbage collection, where V8 must not be called).
void untrackQuiet(TensorBox* box) {
  std::lock_guard<std::mutex> lock(gMemMutex);
  if (!box->tracked) return;
  box->tracked = false;
  gLiveTensors--;
  if (box->storageKey == nullptr) return;
  auto it = gStorages.find(box->storageKey);
  box->storageKey = nullptr;
  if (it == gStorages.end()) return;
  if (--it->second.refs > 0) return;
  int64_t bytes = it->second.bytes;
  gStorages.erase(it);
  gLiveBytes -= bytes;
  gUnreported -= bytes;
}

void untrack(Napi::Env env, TensorBox* box) {
  untrackQuiet(box);
  reportBytes(env, 0);
}

// A "basic" finalizer (no calls into JavaScript): Node runs it during garbage
// collection itself, so tensors dropped inside a long synchronous loop are
// freed without waiting for the event loop to turn.
void finalizeBox(node_api_basic_env env, void* data, void* /*hint*/) {
  auto* b = static_cast<TensorBox*>(data);
  untrackQuiet(b);
  b->magic = 0;
  delete b;
}

}  // namespace

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* box = new TensorBox();
  box->tensor = std::move(t);
  track(env, box);
  napi_value ext;
  napi_status st = napi_create_external(env, box, finalizeBox, nullptr, &ext);
  if (st != napi_ok) {
    untrack(env, box);
    delete box;
    NAPI_THROW_IF_FAILED(env, st, Napi::Value());
  }
  return Napi::Value(env, ext);
}

TensorBox* tryUnwrapBox(Napi::Env env, Napi::Value v) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) return nullptr;
  // Every External tunet makes points at a TensorBox; the magic number tells
  // them from Externals made by other addons.
  auto* box = static_cast<TensorBox*>(data);
  return box->magic == TensorBox::kMagic ? box : nullptr;
}

bool isTensorHandle(Napi::Env env, Napi::Value v) { return tryUnwrapBox(env, v) != nullptr; }

TensorBox* unwrapBox(Napi::Env env, Napi::Value v, const std::string& what) {
  TensorBox* box = tryUnwrapBox(env, v);
  if (box == nullptr) throw Napi::TypeError::New(env, what + ": expected a Tensor");
  return box;
}

const at::Tensor& unwrapTensor(Napi::Env env, Napi::Value v, const std::string& what) {
  TensorBox* box = unwrapBox(env, v, what);
  if (!box->tensor.defined()) {
    throw torchError(env, what, "the tensor was disposed; it cannot be used any more");
  }
  return box->tensor;
}

void releaseBox(Napi::Env env, TensorBox* box) {
  untrack(env, box);
  box->tensor.reset();
}

MemoryStats memoryStats() {
  std::lock_guard<std::mutex> lock(gMemMutex);
  return {gLiveTensors, gLiveBytes};
}

void setErrorClass(Napi::Env env, Napi::Function ctor) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (d == nullptr) {
    d = new EnvData();
    env.SetInstanceData<EnvData>(d);
  }
  d->errorClass = Napi::Persistent(ctor);
}

Napi::Error torchError(Napi::Env env, const std::string& op, const std::string& message) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (d != nullptr && !d->errorClass.IsEmpty()) {
    Napi::Object err = d->errorClass.New({Napi::String::New(env, message), Napi::String::New(env, op)});
    return Napi::Error(env, err);
  }
  return Napi::Error::New(env, op + ": " + message);
}

namespace {

Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(env, "init: expected the TorchError class");
  }
  setErrorClass(env, info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TensorBox* box = unwrapBox(env, info[0], "dispose");
  releaseBox(env, box);
  return env.Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TensorBox* box = unwrapBox(env, info[0], "isDisposed");
  return Napi::Boolean::New(env, !box->tensor.defined());
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryStats s = memoryStats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("tensors", Napi::Number::New(env, static_cast<double>(s.tensors)));
  o.Set("bytes", Napi::Number::New(env, static_cast<double>(s.bytes)));
  return o;
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  o.Set("cxx11Abi", Napi::Boolean::New(env, _GLIBCXX_USE_CXX11_ABI != 0));
  o.Set("cuda", Napi::Boolean::New(env, at::hasCUDA()));
  o.Set("mkldnn", Napi::Boolean::New(env, at::hasMKLDNN()));
  o.Set("openmp", Napi::Boolean::New(env, at::hasOpenMP()));
  o.Set("parallelInfo", Napi::String::New(env, at::get_parallel_info()));
  o.Set("config", Napi::String::New(env, at::show_config()));
  return o;
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("dispose", Napi::Function::New(env, Dispose, "dispose"));
  exports.Set("isDisposed", Napi::Function::New(env, IsDisposed, "isDisposed"));
  exports.Set("memory", Napi::Function::New(env, Memory, "memory"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  initTensorData(env, exports);
  initOps(env, exports);
  initAutograd(env, exports);
  return exports;
}

}  // namespace tunet

static Napi::Object InitTunet(Napi::Env env, Napi::Object exports) { return tunet::InitModule(env, exports); }

NODE_API_MODULE(tunet, InitTunet)
