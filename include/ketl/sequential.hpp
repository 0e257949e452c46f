// ketl::Sequential: see models/sequential.hpp (the model) and
// engine/trainer.hpp (its training engine).
#pragma once

#include "ketl/models/sequential.hpp"
