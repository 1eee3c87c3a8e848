// SPDX-License-Identifier: MIT
// Counts heap allocations while a scope is open: operator new (replaced in alloc_counter.cpp)
// and Eigen's own malloc calls (EIGEN_RUNTIME_NO_MALLOC). Include before any Eigen header.
#pragma once

#ifdef EIGEN_CORE_MODULE_H
#error "include support/alloc_counter.hpp before any Eigen header"
#endif

#include <atomic>
#include <cstddef>

namespace dynfit::test {

/// Allocations seen while counting is on (operator new and Eigen's aligned_malloc).
inline std::atomic<std::size_t> g_allocations{0};
inline std::atomic<bool> g_counting{false};

inline void noteEigenMalloc() {
    if (g_counting.load(std::memory_order_relaxed)) {
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    }
}

} // namespace dynfit::test

// Eigen asks is_malloc_allowed() through eigen_assert before every heap allocation; with malloc
// "disallowed" while counting, a failed check is an allocation to count, not an abort.
#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(x)                                                                            \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            ::dynfit::test::noteEigenMalloc();                                                     \
        }                                                                                          \
    } while (false)

#include <Eigen/Core>

namespace dynfit::test {

/// Counts allocations made during its lifetime.
class AllocationScope {
  public:
    AllocationScope() {
        g_allocations.store(0);
        g_counting.store(true);
        Eigen::internal::set_is_malloc_allowed(false);
    }
    ~AllocationScope() {
        Eigen::internal::set_is_malloc_allowed(true);
        g_counting.store(false);
    }
    AllocationScope(const AllocationScope&) = delete;
    AllocationScope& operator=(const AllocationScope&) = delete;
    std::size_t count() const { return g_allocations.load(); }
};

} // namespace dynfit::test
