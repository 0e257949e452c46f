// Every Keras loss, written in ketl's expression DSL.
#pragma once

#include "ketl/losses/binary_crossentropy.hpp"
#include "ketl/losses/categorical_crossentropy.hpp"
#include "ketl/losses/categorical_hinge.hpp"
#include "ketl/losses/cosine_proximity.hpp"
#include "ketl/losses/hinge.hpp"
#include "ketl/losses/huber.hpp"
#include "ketl/losses/kullback_leibler_divergence.hpp"
#include "ketl/losses/logcosh.hpp"
#include "ketl/losses/mean_absolute_error.hpp"
#include "ketl/losses/mean_absolute_percentage_error.hpp"
#include "ketl/losses/mean_squared_error.hpp"
#include "ketl/losses/mean_squared_logarithmic_error.hpp"
#include "ketl/losses/poisson.hpp"
#include "ketl/losses/squared_hinge.hpp"
