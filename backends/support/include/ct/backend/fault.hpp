// Crash injection for the crash-consistency tests (tests/integration/test_faults.cpp): with
// CT_FAULT_STEP=N in the environment, the Nth fault point a process passes kills it with
// SIGKILL, as a power cut or `kill -9` would at that moment (CT_FAULT_SIGNAL=N: with signal N
// instead, e.g. 15 for a SIGTERM the process may catch). Without the variable a fault point
// costs one load and one compare.
#pragma once

namespace ct::backend {

// `what` names the step (shown with CT_FAULT_TRACE=1, so a test can say where it killed).
void fault_point(const char *what) noexcept;

}  // namespace ct::backend
