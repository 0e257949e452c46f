// Precompiled for the test programs (tests/meson.build says why): the
// headers every test file includes. Each file still includes what it uses.
// (No include guard: the compiler reads it as a main file.)
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <ketl/ketl.hpp>
