// SPDX-License-Identifier: MIT
// Native code for a model's programs, through the system C++ compiler and dlopen.
#include "model/native_code.hpp"

#include "model/model.hpp"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

namespace dynfit::model {

namespace {

std::string reg(int r) {
    return std::string(1, 'r').append(std::to_string(r));
}

std::string exactLiteral(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", v); // hexadecimal: the exact double
    return buf;
}

std::string expression(Op op, const std::string& a, const std::string& b) {
    switch (op) {
    case Op::Neg:
        return "-" + a;
    case Op::Add:
        return a + " + " + b;
    case Op::Sub:
        return a + " - " + b;
    case Op::Mul:
        return a + " * " + b;
    case Op::Div:
        return a + " / " + b;
    case Op::Pow:
        return "dyn_pow(" + a + ", " + b + ")";
    case Op::Sign:
        return "cst<S>(dyn_val(" + a + ") > 0.0 ? 1.0 : -1.0)";
    case Op::Step:
        return "cst<S>(dyn_val(" + a + ") > 0.0 ? 1.0 : 0.0)";
    case Op::Atan2:
        return "dyn_atan2(" + a + ", " + b + ")";
    case Op::Min:
        return "(dyn_val(" + b + ") < dyn_val(" + a + ") ? " + b + " : " + a + ")";
    case Op::Max:
        return "(dyn_val(" + b + ") > dyn_val(" + a + ") ? " + b + " : " + a + ")";
    default:
        break;
    }
    static const std::pair<Op, const char*> kCalls[] = {
        {Op::Exp, "exp"},   {Op::Log, "log"},   {Op::Log10, "log10"}, {Op::Sqrt, "sqrt"},
        {Op::Abs, "abs"},   {Op::Sin, "sin"},   {Op::Cos, "cos"},     {Op::Tan, "tan"},
        {Op::Sinh, "sinh"}, {Op::Cosh, "cosh"}, {Op::Tanh, "tanh"},   {Op::Asin, "asin"},
        {Op::Acos, "acos"}, {Op::Atan, "atan"}};
    for (const auto& [callOp, name] : kCalls) {
        if (callOp == op) {
            return std::string("dyn_") + name + "(" + a + ")";
        }
    }
    return a;
}

// Scalars of the generated code: double, and D8 laid out exactly like Dual<double, 8>.
const char* const kPrelude = R"(#include <cmath>
namespace {
struct D8 { double v; double d[8]; };
template <class S> S cst(double v);
template <> double cst<double>(double v) { return v; }
template <> D8 cst<D8>(double v) { D8 r; r.v = v; for (double& x : r.d) x = 0.0; return r; }
inline double dyn_val(double x) { return x; }
inline double dyn_val(const D8& x) { return x.v; }
inline D8 chain(const D8& a, double v, double dv) { D8 r; r.v = v; for (int i = 0; i < 8; ++i) r.d[i] = dv * a.d[i]; return r; }
inline D8 operator+(const D8& a, const D8& b) { D8 r; r.v = a.v + b.v; for (int i = 0; i < 8; ++i) r.d[i] = a.d[i] + b.d[i]; return r; }
inline D8 operator-(const D8& a, const D8& b) { D8 r; r.v = a.v - b.v; for (int i = 0; i < 8; ++i) r.d[i] = a.d[i] - b.d[i]; return r; }
inline D8 operator-(const D8& a) { D8 r; r.v = -a.v; for (int i = 0; i < 8; ++i) r.d[i] = -a.d[i]; return r; }
inline D8 operator*(const D8& a, const D8& b) { D8 r; r.v = a.v * b.v; for (int i = 0; i < 8; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i]; return r; }
inline D8 operator/(const D8& a, const D8& b) { D8 r; const double inv = 1.0 / b.v; r.v = a.v * inv; for (int i = 0; i < 8; ++i) r.d[i] = (a.d[i] - r.v * b.d[i]) * inv; return r; }
#define DYN_UNARY(name, value, derivative) \
    inline double dyn_##name(double x) { return value; } \
    inline D8 dyn_##name(const D8& a) { const double x = a.v; const double f = value; (void)f; return chain(a, f, derivative); }
DYN_UNARY(exp, std::exp(x), f)
DYN_UNARY(log, std::log(x), 1.0 / x)
DYN_UNARY(log10, std::log10(x), 1.0 / (x * std::log(10.0)))
DYN_UNARY(sqrt, std::sqrt(x), 0.5 / f)
DYN_UNARY(abs, std::fabs(x), x < 0.0 ? -1.0 : 1.0)
DYN_UNARY(sin, std::sin(x), std::cos(x))
DYN_UNARY(cos, std::cos(x), -std::sin(x))
DYN_UNARY(tan, std::tan(x), 1.0 + f * f)
DYN_UNARY(sinh, std::sinh(x), std::cosh(x))
DYN_UNARY(cosh, std::cosh(x), std::sinh(x))
DYN_UNARY(tanh, std::tanh(x), 1.0 - f * f)
DYN_UNARY(asin, std::asin(x), 1.0 / std::sqrt(1.0 - x * x))
DYN_UNARY(acos, std::acos(x), -1.0 / std::sqrt(1.0 - x * x))
DYN_UNARY(atan, std::atan(x), 1.0 / (1.0 + x * x))
inline double dyn_pow(double a, double b) { return std::pow(a, b); }
inline D8 dyn_pow(const D8& a, const D8& b) {
    D8 r; r.v = std::pow(a.v, b.v);
    const double da = b.v * std::pow(a.v, b.v - 1.0);
    const double db = a.v > 0.0 ? r.v * std::log(a.v) : 0.0;
    for (int i = 0; i < 8; ++i) r.d[i] = da * a.d[i] + db * b.d[i];
    return r;
}
inline double dyn_atan2(double y, double x) { return std::atan2(y, x); }
inline D8 dyn_atan2(const D8& y, const D8& x) {
    D8 r; r.v = std::atan2(y.v, x.v); const double r2 = x.v * x.v + y.v * y.v;
    for (int i = 0; i < 8; ++i) r.d[i] = (x.v * y.d[i] - y.v * x.d[i]) / r2;
    return r;
}
} // namespace
)";

std::filesystem::path cacheDirectory() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::filesystem::path(xdg) / "dynfit" / "native";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".cache" / "dynfit" / "native";
    }
    return std::filesystem::temp_directory_path() / ("dynfit-native-" + std::to_string(getuid()));
}

std::string compilerCommand() {
    for (const char* var : {"DYNFIT_CXX", "CXX"}) {
        if (const char* cxx = std::getenv(var); cxx != nullptr && *cxx != '\0') {
            return cxx;
        }
    }
    return "c++";
}

std::string moduleSource(const CompiledModel& m) {
    std::string src = "// Generated by DynFit from a model text; do not edit.\n";
    src += kPrelude;
    src += programToCpp(m.rhs, "dynfit_rhs");
    src += "extern \"C\" void dynfit_rhs_dual8(const D8* u, const D8* p, const D8* a, double t, "
           "D8* out) { dynfit_rhs_body<D8>(u, p, a, t, out); }\n";
    src += programToCpp(m.jacobianU, "dynfit_jacobian_u");
    src += programToCpp(m.jvp, "dynfit_jvp");
    src += programToCpp(m.vjpU, "dynfit_vjp_u");
    src += programToCpp(m.vjpP, "dynfit_vjp_p");
    return src;
}

} // namespace

NativeModule::~NativeModule() {
    if (m_handle != nullptr) {
        dlclose(m_handle);
    }
}

std::string Program::toCpp(const std::string& name) const {
    // A template body for any scalar S, and an extern "C" entry point for double.
    std::ostringstream out;
    out << "template <class S>\nvoid " << name
        << "_body(const S* u, const S* p, const S* a, double t, S* out)\n{\n"
        << "    (void)u; (void)p; (void)a;\n";
    for (int i = 0; i < m_layout.states; ++i) {
        out << "    const S " << reg(i) << " = u[" << i << "];\n";
    }
    for (int i = 0; i < m_layout.params; ++i) {
        out << "    const S " << reg(m_layout.states + i) << " = p[" << i << "];\n";
    }
    for (int i = 0; i < m_layout.aux; ++i) {
        out << "    const S " << reg(m_layout.states + m_layout.params + i) << " = a[" << i
            << "];\n";
    }
    out << "    const S " << reg(timeRegister()) << " = cst<S>(t);\n";
    for (const auto& [r, value] : m_constants) {
        out << "    const S " << reg(r) << " = cst<S>(" << exactLiteral(value) << ");\n";
    }
    for (const Instruction& in : m_code) {
        out << "    const S " << reg(in.dst) << " = " << expression(in.op, reg(in.a), reg(in.b))
            << ";\n";
    }
    for (std::size_t k = 0; k < m_outputs.size(); ++k) {
        out << "    out[" << k << "] = " << reg(m_outputs[k]) << ";\n";
    }
    out << "}\nextern \"C\" void " << name
        << "(const double* u, const double* p, const double* a, double t, double* out) { " << name
        << "_body<double>(u, p, a, t, out); }\n";
    return out.str();
}

std::string programToCpp(const Program& program, const std::string& name) {
    return program.toCpp(name);
}

std::shared_ptr<NativeModule> compileNative(const CompiledModel& model, std::string& whyNot) {
    if (std::getenv("DYNFIT_NO_NATIVE") != nullptr) {
        whyNot = "native code is disabled (DYNFIT_NO_NATIVE is set)";
        return nullptr;
    }
    const std::string source = moduleSource(model);
    const std::string compiler = compilerCommand();
    char key[32];
    std::snprintf(key, sizeof key, "%016zx", std::hash<std::string>{}(source + compiler));
    std::error_code ec;
    const std::filesystem::path dir = cacheDirectory();
    std::filesystem::create_directories(dir, ec);
    const std::filesystem::path library = dir / (std::string("model-") + key + ".so");
    if (!std::filesystem::exists(library)) {
        // Unique temporary names, renamed into place: concurrent processes never see half files.
        const std::string tag = std::to_string(getpid());
        const std::filesystem::path cpp = dir / (std::string("model-") + key + "-" + tag + ".cpp");
        const std::filesystem::path tmp = dir / (std::string("model-") + key + "-" + tag + ".so");
        std::ofstream(cpp) << source;
        const std::string command = compiler + " -std=c++17 -O2 -fPIC -shared -o '" + tmp.string()
                                    + "' '" + cpp.string() + "' 2>/dev/null";
        const int rc = std::system(command.c_str());
        std::filesystem::remove(cpp, ec);
        if (rc != 0 || !std::filesystem::exists(tmp)) {
            std::filesystem::remove(tmp, ec);
            whyNot = "the C++ compiler '" + compiler + "' is not available or failed";
            return nullptr;
        }
        std::filesystem::rename(tmp, library, ec);
        if (ec) {
            whyNot = "cannot store native code in " + dir.string() + ": " + ec.message();
            return nullptr;
        }
    }
    void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        whyNot = std::string("cannot load native code: ") + dlerror();
        return nullptr;
    }
    std::shared_ptr<NativeModule> module(new NativeModule());
    module->m_handle = handle;
    const auto symbol = [handle](const char* name) {
        return reinterpret_cast<NativeFn>(dlsym(handle, name));
    };
    module->rhs = symbol("dynfit_rhs");
    module->jacobianU = symbol("dynfit_jacobian_u");
    module->jvp = symbol("dynfit_jvp");
    module->vjpU = symbol("dynfit_vjp_u");
    module->vjpP = symbol("dynfit_vjp_p");
    module->rhsDual8 = reinterpret_cast<NativeDual8Fn>(dlsym(handle, "dynfit_rhs_dual8"));
    if (!module->rhs || !module->jacobianU || !module->jvp || !module->vjpU || !module->vjpP
        || !module->rhsDual8) {
        whyNot = "the native module lacks a function";
        return nullptr;
    }
    return module;
}

} // namespace dynfit::model
