// Shared pieces of the tunet native shim: the tensor box handed to JavaScript,
// live-tensor accounting, and the error guard that turns every C++ exception
// into a catchable TorchError.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <string>

namespace tunet {

// One JavaScript-visible tensor. JavaScript holds it as a type-tagged
// External; dispose() releases the tensor early, the finalizer deletes the box.
struct TensorBox {
  static constexpr uint64_t kMagic = 0x74756e65745f7462ULL;  // "tunet_tb"
  uint64_t magic = kMagic;
  at::Tensor tensor;
  const void* storageKey = nullptr;  // StorageImpl this box counted, if any
  bool tracked = false;
};

// Wraps a tensor into a new External (undefined tensor -> null).
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// Reads a tensor argument; throws a TypeError naming `what` when `v` is not a
// live tensor handle.
TensorBox* unwrapBox(Napi::Env env, Napi::Value v, const std::string& what);
const at::Tensor& unwrapTensor(Napi::Env env, Napi::Value v, const std::string& what);
bool isTensorHandle(Napi::Env env, Napi::Value v);
// The box behind a tensor handle, or nullptr when `v` is not one.
TensorBox* tryUnwrapBox(Napi::Env env, Napi::Value v);

// Releases the box's tensor now (idempotent).
void releaseBox(Napi::Env env, TensorBox* box);

struct MemoryStats {
  int64_t tensors;
  int64_t bytes;
};
MemoryStats memoryStats();

// Builds a TorchError (the class registered by TypeScript) for `op`.
Napi::Error torchError(Napi::Env env, const std::string& op, const std::string& message);
void setErrorClass(Napi::Env env, Napi::Function ctor);

// Runs `body`, converting C++ exceptions into TorchError for `op`.
template <typename F>
Napi::Value guard(Napi::Env env, const std::string& op, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw torchError(env, op, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw torchError(env, op, e.what());
  } catch (...) {
    throw torchError(env, op, "unknown native error");
  }
}

void initTensorData(Napi::Env env, Napi::Object exports);
void initOps(Napi::Env env, Napi::Object exports);
void initAutograd(Napi::Env env, Napi::Object exports);
Napi::Object InitModule(Napi::Env env, Napi::Object exports);

}  // namespace tunet
