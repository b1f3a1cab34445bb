// Autograd (libtorch's own engine), grad mode, seeds and threads.
#include "common.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>
#include <ATen/Parallel.h>

namespace tunet {
namespace {

// backward(t, gradient|null, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "backward", [&]() -> Napi::Value {
    const at::Tensor& t = unwrapTensor(env, info[0], "backward");
    std::vector<at::Tensor> grads;
    if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) {
      grads.push_back(unwrapTensor(env, info[1], "backward(gradient)"));
    } else {
      if (t.numel() != 1) {
        throw torchError(env, "backward",
                         "grad can be implicitly created only for scalar outputs; pass a gradient of shape " +
                             c10::str(t.sizes()));
      }
      grads.push_back(at::ones_like(t, c10::MemoryFormat::Contiguous));
    }
    c10::optional<bool> retain;
    if (info.Length() > 2 && info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    bool create = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
    torch::autograd::backward({t}, grads, retain, create);
    return env.Undefined();
  });
}

// grad(inputs[], outputs[], gradOutputs[]|null, retainGraph, createGraph, allowUnused) -> grads[]
Napi::Value Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "autograd.grad", [&]() -> Napi::Value {
    auto readList = [&](Napi::Value v, const char* what) {
      std::vector<at::Tensor> out;
      if (v.IsNull() || v.IsUndefined()) return out;
      Napi::Array a = v.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(unwrapTensor(env, a.Get(i), what));
      return out;
    };
    auto outputs = readList(info[0], "autograd.grad(outputs)");
    auto inputs = readList(info[1], "autograd.grad(inputs)");
    auto gradOutputs = readList(info[2], "autograd.grad(gradOutputs)");
    c10::optional<bool> retain;
    if (info[3].IsBoolean()) retain = info[3].As<Napi::Boolean>().Value();
    bool create = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
    bool allowUnused = info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();
    auto res = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused);
    Napi::Array arr = Napi::Array::New(env, res.size());
    for (size_t i = 0; i < res.size(); i++) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, res[i]));
    return arr;
  });
}

Napi::Value GetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "grad", [&]() -> Napi::Value {
    const at::Tensor& t = unwrapTensor(env, info[0], "grad");
    return wrapTensor(env, t.grad());
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "grad", [&]() -> Napi::Value {
    at::Tensor t = unwrapTensor(env, info[0], "grad");
    if (info[1].IsNull() || info[1].IsUndefined()) {
      t.mutable_grad().reset();
    } else {
      const at::Tensor& g = unwrapTensor(env, info[1], "grad");
      TORCH_CHECK(g.sizes() == t.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", t.sizes());
      TORCH_CHECK(g.scalar_type() == t.scalar_type(), "assigned grad has dtype ", g.scalar_type(),
                  " but the tensor has dtype ", t.scalar_type());
      t.mutable_grad() = g;
    }
    return env.Undefined();
  });
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "requiresGrad");
  return Napi::Boolean::New(env, t.requires_grad());
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "requiresGrad_", [&]() -> Napi::Value {
    at::Tensor t = unwrapTensor(env, info[0], "requiresGrad_");
    bool flag = !info[1].IsBoolean() || info[1].As<Napi::Boolean>().Value();
    t.requires_grad_(flag);
    return env.Undefined();
  });
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "isLeaf");
  return Napi::Boolean::New(env, t.is_leaf());
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "retainGrad", [&]() -> Napi::Value {
    unwrapTensor(env, info[0], "retainGrad").retain_grad();
    return env.Undefined();
  });
}

Napi::Value GradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "gradFn");
  auto fn = t.grad_fn();
  if (!fn) return env.Null();
  return Napi::String::New(env, fn->name());
}

// setData(t, src): t.data = src (keeps t's identity, autograd metadata and
// requires_grad), as PyTorch's Module.to() does for parameters.
Napi::Value SetData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setData", [&]() -> Napi::Value {
    at::Tensor t = unwrapTensor(env, info[0], "setData");
    const at::Tensor& src = unwrapTensor(env, info[1], "setData");
    t.set_data(src);
    return env.Undefined();
  });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(env, prev);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "manualSeed", [&]() -> Napi::Value {
    bool lossless = true;
    uint64_t seed = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless)
                                       : static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
    at::manual_seed(seed);
    return env.Undefined();
  });
}

// rngState() -> Uint8Array copy of the CPU generator's state; setRngState(bytes).
Napi::Value RngState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "getRngState", [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    at::Tensor st = gen.get_state();
    return wrapTensor(env, st);
  });
}

Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setRngState", [&]() -> Napi::Value {
    const at::Tensor& st = unwrapTensor(env, info[0], "setRngState");
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(st);
    return env.Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setNumThreads", [&]() -> Napi::Value {
    int n = info[0].As<Napi::Number>().Int32Value();
    TORCH_CHECK(n > 0, "setNumThreads: the number of threads must be positive, got ", n);
    at::set_num_threads(n);
    return env.Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

}  // namespace

void initAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("backward", Napi::Function::New(env, Backward, "backward"));
  exports.Set("autogradGrad", Napi::Function::New(env, Grad, "autogradGrad"));
  exports.Set("getGrad", Napi::Function::New(env, GetGrad, "getGrad"));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad, "setGrad"));
  exports.Set("requiresGrad", Napi::Function::New(env, RequiresGrad, "requiresGrad"));
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad, "setRequiresGrad"));
  exports.Set("isLeaf", Napi::Function::New(env, IsLeaf, "isLeaf"));
  exports.Set("retainGrad", Napi::Function::New(env, RetainGrad, "retainGrad"));
  exports.Set("gradFn", Napi::Function::New(env, GradFn, "gradFn"));
  exports.Set("setData", Napi::Function::New(env, SetData, "setData"));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled, "setGradEnabled"));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled, "isGradEnabled"));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed, "manualSeed"));
  exports.Set("getRngState", Napi::Function::New(env, RngState, "getRngState"));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState, "setRngState"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
}

}  // namespace tunet
