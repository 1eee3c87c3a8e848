// SPDX-License-Identifier: MIT
// Replaces the global operator new/delete with counting versions (linked into tests only).
#include "support/alloc_counter.hpp"

#include <cstdlib>
#include <new>

void* operator new(std::size_t size) {
    if (dynfit::test::g_counting.load(std::memory_order_relaxed)) {
        dynfit::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
