# The spec fields of mounts, devices, users and capabilities: YAML, JSON and validation.
add_executable(ct-unit-spec-security ${CMAKE_CURRENT_LIST_DIR}/test_spec_security.cpp)
target_link_libraries(ct-unit-spec-security PRIVATE ct GTest::gtest_main)
gtest_discover_tests(ct-unit-spec-security TEST_PREFIX "unit." DISCOVERY_TIMEOUT 30
  PROPERTIES LABELS unit)
