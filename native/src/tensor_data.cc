// Tensor metadata and copies between JavaScript buffers and tensors.
#include "common.h"

#include <cstring>

namespace tunet {
namespace {

std::vector<int64_t> readShape(Napi::Env env, Napi::Value v, const char* op) {
  if (!v.IsArray()) throw torchError(env, op, "shape must be an array of non-negative integers");
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<int64_t> shape(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw torchError(env, op, "shape must be an array of non-negative integers");
    }
    shape[i] = static_cast<int64_t>(d);
  }
  return shape;
}

c10::ScalarType readDtype(Napi::Env env, Napi::Value v, const char* op) {
  if (!v.IsNumber()) throw torchError(env, op, "dtype code must be a number");
  int code = v.As<Napi::Number>().Int32Value();
  if (code < 0 || code >= static_cast<int>(c10::ScalarType::NumOptions)) throw torchError(env, op, "unknown dtype code");
  return static_cast<c10::ScalarType>(code);
}

// fromBuffer(typedArray, shape, dtypeCode) -> tensor, a copy of the bytes.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "tensor", [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw torchError(env, "tensor", "data must be a TypedArray");
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    auto shape = readShape(env, info[1], "tensor");
    c10::ScalarType dt = readDtype(env, info[2], "tensor");
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dt));
    size_t need = t.nbytes();
    if (ta.ByteLength() != need) {
      throw torchError(env, "tensor", "data has " + std::to_string(ta.ByteLength()) + " bytes but shape and dtype need " +
                                          std::to_string(need));
    }
    if (need > 0) {
      const uint8_t* src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      std::memcpy(t.data_ptr(), src, need);
    }
    return wrapTensor(env, t);
  });
}

// toBuffer(t) -> ArrayBuffer with the tensor's elements, contiguous, on CPU.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "toTypedArray", [&]() -> Napi::Value {
    at::Tensor t = unwrapTensor(env, info[0], "toTypedArray").detach();
    if (!t.is_cpu()) t = t.cpu();
    t = t.contiguous();
    size_t n = t.nbytes();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n);
    if (n > 0) std::memcpy(buf.Data(), t.data_ptr(), n);
    return buf;
  });
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "shape");
  auto sizes = t.sizes();
  Napi::Array shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(sizes[i])));
  return shape;
}

Napi::Value Dtype(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "dtype");
  return Napi::Number::New(env, static_cast<int>(t.scalar_type()));
}

Napi::Value Device(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "device");
  return Napi::String::New(env, t.device().str());
}

Napi::Value Numel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "numel");
  return Napi::Number::New(env, static_cast<double>(t.numel()));
}

Napi::Value Dim(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "dim");
  return Napi::Number::New(env, static_cast<double>(t.dim()));
}

Napi::Value Strides(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrapTensor(env, info[0], "stride");
  auto st = t.strides();
  Napi::Array out = Napi::Array::New(env, st.size());
  for (size_t i = 0; i < st.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(st[i])));
  return out;
}

// item(t) -> number | boolean; the one value of a one-element tensor.
Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "item", [&]() -> Napi::Value {
    const at::Tensor& t = unwrapTensor(env, info[0], "item");
    if (t.numel() != 1) {
      throw torchError(env, "item", "a Tensor with " + std::to_string(t.numel()) +
                                        " elements cannot be converted to a number; item() needs exactly one");
    }
    c10::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    return Napi::Number::New(env, s.toDouble());
  });
}

// sameStorage(a, b) -> whether two tensors share memory (views of one another).
Napi::Value SameStorage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& a = unwrapTensor(env, info[0], "sameStorage");
  const at::Tensor& b = unwrapTensor(env, info[1], "sameStorage");
  return Napi::Boolean::New(env, a.has_storage() && b.has_storage() && a.storage().is_alias_of(b.storage()));
}

}  // namespace

void initTensorData(Napi::Env env, Napi::Object exports) {
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer, "fromBuffer"));
  exports.Set("toBuffer", Napi::Function::New(env, ToBuffer, "toBuffer"));
  exports.Set("shape", Napi::Function::New(env, Shape, "shape"));
  exports.Set("dtype", Napi::Function::New(env, Dtype, "dtype"));
  exports.Set("device", Napi::Function::New(env, Device, "device"));
  exports.Set("numel", Napi::Function::New(env, Numel, "numel"));
  exports.Set("dim", Napi::Function::New(env, Dim, "dim"));
  exports.Set("strides", Napi::Function::New(env, Strides, "strides"));
  exports.Set("item", Napi::Function::New(env, Item, "item"));
  exports.Set("sameStorage", Napi::Function::New(env, SameStorage, "sameStorage"));
}

}  // namespace tunet
