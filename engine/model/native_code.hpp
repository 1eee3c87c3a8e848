// SPDX-License-Identifier: MIT
// Optional native code for a model's programs, compiled with the system C++ compiler.
#pragma once

#include "core/dual.hpp"

#include <memory>
#include <string>
#include <type_traits>

namespace dynfit::model {

class Program;
struct CompiledModel;

/// Signature of a native program: out = program(u, p, aux, t).
using NativeFn =
    void (*)(const double* u, const double* p, const double* aux, double t, double* out);

/// The same for the 8-direction dual numbers of forward mode (layout of Dual<double, 8>).
using Dual8 = Dual<double, 8>;
using NativeDual8Fn =
    void (*)(const Dual8* u, const Dual8* p, const Dual8* aux, double t, Dual8* out);
static_assert(sizeof(Dual8) == 9 * sizeof(double) && std::is_standard_layout_v<Dual8>,
              "generated code assumes Dual<double, 8> is 9 contiguous doubles");

/// A loaded shared object with the native versions of a model's programs (double only). The
/// bytecode stays the reference and the path for other scalars; this is a fast path for f and
/// its Jacobian-vector products. Unloaded when the last model using it goes.
class NativeModule {
  public:
    ~NativeModule();
    NativeModule(const NativeModule&) = delete;
    NativeModule& operator=(const NativeModule&) = delete;

    NativeFn rhs = nullptr;
    NativeFn jacobianU = nullptr;
    NativeFn jvp = nullptr;
    NativeFn vjpU = nullptr;
    NativeFn vjpP = nullptr;
    NativeDual8Fn rhsDual8 = nullptr; ///< f for forward mode's dual numbers

  private:
    friend std::shared_ptr<NativeModule> compileNative(const CompiledModel&, std::string&);
    NativeModule() = default;
    void* m_handle = nullptr;
};

/// C++ source of one program as `extern "C" void name(u, p, aux, t, out)`, constants exact.
std::string programToCpp(const Program& program, const std::string& name);

/// Compiles (or loads from the cache) the model's native module. The compiler is $DYNFIT_CXX,
/// else $CXX, else c++; the cache is $XDG_CACHE_HOME/dynfit/native (or ~/.cache/...). Returns
/// nullptr with the reason when there is no compiler, it fails, or DYNFIT_NO_NATIVE is set: the
/// caller then keeps the bytecode, which computes the same values.
std::shared_ptr<NativeModule> compileNative(const CompiledModel& model, std::string& whyNot);

} // namespace dynfit::model
