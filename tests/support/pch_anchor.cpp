// SPDX-License-Identifier: MIT
// The engine tests' shared precompiled header is built with this file's target
// (tests/CMakeLists.txt: dynfit_test_pch); it has nothing of its own.
