// The whole libct C++ API.
#pragma once

#include "ct/container.hpp"
#include "ct/error.hpp"
#include "ct/info.hpp"
#include "ct/session.hpp"
#include "ct/spec.hpp"
#include "ct/version.hpp"
