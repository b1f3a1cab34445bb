// The op surface: any ATen operator, looked up once by its schema name and
// called through the c10 dispatcher (the same boxed path TorchScript uses), so
// autograd, type promotion and broadcasting are libtorch's own. JavaScript
// arguments are converted by the schema's declared argument types.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <ATen/core/stack.h>

#include <cmath>
#include <deque>
#include <mutex>
#include <vector>

namespace tunet {
namespace {

enum class Kind {
  Tensor,
  TensorList,
  OptTensorList,
  Int,
  IntList,
  Float,
  FloatList,
  Bool,
  BoolList,
  Scalar,
  String,
  ScalarType,
  Layout,
  MemoryFormat,
  Device,
  Generator,
  Unsupported,
};

struct ArgSpec {
  std::string name;
  Kind kind;
  bool optional;
  c10::optional<int32_t> fixedLen;  // int[2]: a single number is repeated
  c10::optional<c10::IValue> defaultValue;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;  // "aten::add.Tensor"
  std::vector<ArgSpec> args;
};

// Op entries never move once added (deque), so a reference stays valid while
// other threads (worker_threads environments) add entries under the mutex.
std::deque<OpEntry> gOps;
std::mutex gOpsMutex;

Kind kindOf(const c10::TypePtr& fake, const c10::TypePtr& real) {
  using K = c10::TypeKind;
  switch (real->kind()) {
    case K::ScalarTypeType: return Kind::ScalarType;
    case K::LayoutType: return Kind::Layout;
    case K::MemoryFormatType: return Kind::MemoryFormat;
    default: break;
  }
  switch (fake->kind()) {
    case K::TensorType: return Kind::Tensor;
    case K::IntType:
    case K::SymIntType: return Kind::Int;
    case K::FloatType: return Kind::Float;
    case K::BoolType: return Kind::Bool;
    case K::NumberType: return Kind::Scalar;
    case K::StringType: return Kind::String;
    case K::DeviceObjType: return Kind::Device;
    case K::GeneratorType: return Kind::Generator;
    case K::ListType: {
      auto elem = fake->containedType(0);
      switch (elem->kind()) {
        case K::TensorType: return Kind::TensorList;
        case K::OptionalType:
          if (elem->containedType(0)->kind() == K::TensorType) return Kind::OptTensorList;
          return Kind::Unsupported;
        case K::IntType:
        case K::SymIntType: return Kind::IntList;
        case K::FloatType: return Kind::FloatList;
        case K::BoolType: return Kind::BoolList;
        default: return Kind::Unsupported;
      }
    }
    default: return Kind::Unsupported;
  }
}

ArgSpec specOf(const c10::Argument& a) {
  ArgSpec s;
  s.name = a.name();
  c10::TypePtr fake = a.type();
  c10::TypePtr real = a.real_type();
  s.optional = false;
  if (fake->kind() == c10::TypeKind::OptionalType) {
    s.optional = true;
    fake = fake->containedType(0);
  }
  if (real->kind() == c10::TypeKind::OptionalType) real = real->containedType(0);
  s.kind = kindOf(fake, real);
  s.fixedLen = a.N();
  s.defaultValue = a.default_value();
  return s;
}

[[noreturn]] void badArg(Napi::Env env, const OpEntry& op, const ArgSpec& a, const std::string& what) {
  throw torchError(env, op.name, "argument '" + a.name + "': " + what);
}

int64_t toInt(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d)) {
      badArg(env, op, a, "expected an integer, got " + v.ToString().Utf8Value());
    }
    if (std::fabs(d) > 9007199254740992.0) badArg(env, op, a, "integer is too large to be exact");
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) badArg(env, op, a, "BigInt does not fit in int64");
    return r;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  badArg(env, op, a, "expected an integer");
}

double toFloat(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless = false;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  badArg(env, op, a, "expected a number");
}

c10::IValue toScalar(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v) {
  if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // JavaScript has one number type: integral values become int scalars, as
    // Python's int literals do, so int tensors stay int (x.add(1)).
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740992.0) {
      return c10::IValue(static_cast<int64_t>(d));
    }
    return c10::IValue(d);
  }
  if (v.IsBigInt()) return c10::IValue(toInt(env, op, a, v));
  badArg(env, op, a, "expected a number or boolean");
}

template <typename T, typename Conv>
std::vector<T> toList(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v, Conv conv) {
  std::vector<T> out;
  if (v.IsArray()) {
    Napi::Array arr = v.As<Napi::Array>();
    uint32_t n = arr.Length();
    out.reserve(n);
    for (uint32_t i = 0; i < n; i++) out.push_back(conv(arr.Get(i)));
    if (a.fixedLen && n == 1 && *a.fixedLen > 1) out.resize(*a.fixedLen, out[0]);
    return out;
  }
  if (a.fixedLen || a.kind == Kind::IntList) {
    // A single value for int[N] (kernel_size=3) or a size given as one number.
    T x = conv(v);
    out.assign(a.fixedLen ? *a.fixedLen : 1, x);
    return out;
  }
  badArg(env, op, a, "expected an array");
}

// A tensor argument (element `index` of a list, or -1), with errors naming the op and argument.
const at::Tensor& tensorArg(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v, int index) {
  TensorBox* box = tryUnwrapBox(env, v);
  if (box != nullptr && box->tensor.defined()) return box->tensor;
  std::string where = index < 0 ? std::string() : "element " + std::to_string(index) + ": ";
  if (box == nullptr) badArg(env, op, a, where + "expected a Tensor");
  badArg(env, op, a, where + "the tensor was disposed; it cannot be used any more");
}

c10::IValue toIValue(Napi::Env env, const OpEntry& op, const ArgSpec& a, Napi::Value v) {
  if (v.IsUndefined() && a.defaultValue) return *a.defaultValue;
  if (v.IsNull() || v.IsUndefined()) {
    if (a.optional) return c10::IValue();
    badArg(env, op, a, "is required");
  }
  switch (a.kind) {
    case Kind::Tensor:
      return c10::IValue(tensorArg(env, op, a, v, -1));
    case Kind::TensorList: {
      if (!v.IsArray()) badArg(env, op, a, "expected an array of Tensors");
      Napi::Array arr = v.As<Napi::Array>();
      std::vector<at::Tensor> ts;
      ts.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) {
        ts.push_back(tensorArg(env, op, a, arr.Get(i), static_cast<int>(i)));
      }
      return c10::IValue(c10::List<at::Tensor>(ts));
    }
    case Kind::OptTensorList: {
      if (!v.IsArray()) badArg(env, op, a, "expected an array of Tensors or nulls");
      Napi::Array arr = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> ts;
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value e = arr.Get(i);
        if (e.IsNull() || e.IsUndefined()) {
          ts.push_back(c10::nullopt);
        } else {
          ts.push_back(tensorArg(env, op, a, e, static_cast<int>(i)));
        }
      }
      return c10::IValue(ts);
    }
    case Kind::Int:
      return c10::IValue(toInt(env, op, a, v));
    case Kind::IntList:
      return c10::IValue(toList<int64_t>(env, op, a, v, [&](Napi::Value e) { return toInt(env, op, a, e); }));
    case Kind::Float:
      return c10::IValue(toFloat(env, op, a, v));
    case Kind::FloatList:
      return c10::IValue(toList<double>(env, op, a, v, [&](Napi::Value e) { return toFloat(env, op, a, e); }));
    case Kind::Bool:
      if (!v.IsBoolean()) badArg(env, op, a, "expected a boolean");
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case Kind::BoolList: {
      auto bs = toList<bool>(env, op, a, v, [&](Napi::Value e) {
        if (!e.IsBoolean()) badArg(env, op, a, "expected booleans");
        return e.As<Napi::Boolean>().Value();
      });
      c10::List<bool> l;
      for (bool b : bs) l.push_back(b);
      return c10::IValue(l);
    }
    case Kind::Scalar:
      return toScalar(env, op, a, v);
    case Kind::String:
      if (!v.IsString()) badArg(env, op, a, "expected a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case Kind::ScalarType:
    case Kind::Layout:
    case Kind::MemoryFormat:
      return c10::IValue(toInt(env, op, a, v));
    case Kind::Device:
      if (!v.IsString()) badArg(env, op, a, "expected a device string such as 'cpu' or 'cuda:0'");
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case Kind::Generator:
      badArg(env, op, a, "explicit generators are not supported; use manualSeed");
    case Kind::Unsupported:
      break;
  }
  badArg(env, op, a, "this argument type is not supported by tunet");
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return wrapTensor(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isTensorList()) {
    auto l = v.toTensorList();
    Napi::Array arr = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, l.get(i)));
    return arr;
  }
  if (v.isIntList()) {
    auto l = v.toIntList();
    Napi::Array arr = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(l.get(i))));
    return arr;
  }
  if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    Napi::Array arr = Napi::Array::New(env, el.size());
    for (size_t i = 0; i < el.size(); i++) arr.Set(static_cast<uint32_t>(i), fromIValue(env, el[i]));
    return arr;
  }
  if (v.isList()) {
    auto l = v.toListRef();
    Napi::Array arr = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) arr.Set(static_cast<uint32_t>(i), fromIValue(env, l[i]));
    return arr;
  }
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  throw torchError(env, "result", "unsupported return type " + v.tagKind());
}

// findOp(name, overload) -> op id
Napi::Value FindOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "findOp(name, overload): expected two strings");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].As<Napi::String>().Utf8Value();
  std::string full = overload.empty() ? name : name + "." + overload;
  return guard(env, full, [&]() -> Napi::Value {
    auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
    if (!handle) throw torchError(env, full, "no such operator in this libtorch");
    OpEntry e{*handle, full, {}};
    for (const auto& a : handle->schema().arguments()) e.args.push_back(specOf(a));
    std::lock_guard<std::mutex> lock(gOpsMutex);
    gOps.push_back(std::move(e));
    return Napi::Number::New(env, static_cast<double>(gOps.size() - 1));
  });
}

const OpEntry& opAt(Napi::Env env, Napi::Value id) {
  if (!id.IsNumber()) throw Napi::TypeError::New(env, "call: expected an op id");
  int64_t i = id.As<Napi::Number>().Int64Value();
  std::lock_guard<std::mutex> lock(gOpsMutex);
  if (i < 0 || static_cast<size_t>(i) >= gOps.size()) throw Napi::RangeError::New(env, "call: unknown op id");
  return gOps[static_cast<size_t>(i)];
}

Napi::Value callOp(const Napi::CallbackInfo& info, bool keepResult) {
  Napi::Env env = info.Env();
  const OpEntry& op = opAt(env, info[0]);
  return guard(env, op.name, [&]() -> Napi::Value {
    size_t given = info.Length() - 1;
    if (given > op.args.size()) {
      throw torchError(env, op.name, "takes " + std::to_string(op.args.size()) + " arguments but " +
                                         std::to_string(given) + " were given");
    }
    torch::jit::Stack stack;
    stack.reserve(op.args.size());
    for (size_t i = 0; i < op.args.size(); i++) {
      Napi::Value v = i < given ? info[i + 1] : env.Undefined();
      stack.push_back(toIValue(env, op, op.args[i], v));
    }
    op.handle.callBoxed(&stack);
    if (!keepResult) return env.Undefined();
    if (stack.empty()) return env.Undefined();
    if (stack.size() == 1) return fromIValue(env, stack[0]);
    Napi::Array arr = Napi::Array::New(env, stack.size());
    for (size_t i = 0; i < stack.size(); i++) arr.Set(static_cast<uint32_t>(i), fromIValue(env, stack[i]));
    return arr;
  });
}

// call(id, ...args) -> result(s)
Napi::Value Call(const Napi::CallbackInfo& info) { return callOp(info, true); }
// callVoid(id, ...args): for in-place ops whose result is their first argument.
Napi::Value CallVoid(const Napi::CallbackInfo& info) { return callOp(info, false); }

// schema(id) -> the operator's schema string, for error messages and docs.
Napi::Value Schema(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const OpEntry& op = opAt(env, info[0]);
  std::ostringstream ss;
  ss << op.handle.schema();
  return Napi::String::New(env, ss.str());
}

}  // namespace

void initOps(Napi::Env env, Napi::Object exports) {
  exports.Set("findOp", Napi::Function::New(env, FindOp, "findOp"));
  exports.Set("call", Napi::Function::New(env, Call, "call"));
  exports.Set("callVoid", Napi::Function::New(env, CallVoid, "callVoid"));
  exports.Set("schema", Napi::Function::New(env, Schema, "schema"));
}

}  // namespace tunet
