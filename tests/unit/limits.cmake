# Bounds on outside input: the ranges of ids and other numbers of a spec, and what reading a
# spec file may cost (size, kind of file, YAML alias expansion). Linked like ct-unit-spec.
add_executable(ct-unit-limits
  ${CMAKE_CURRENT_LIST_DIR}/test_spec_ranges.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_spec_input.cpp
  $<TARGET_OBJECTS:ct_frontend>)
target_link_libraries(ct-unit-limits PRIVATE ct_core yaml-cpp GTest::gtest_main)
gtest_discover_tests(ct-unit-limits TEST_PREFIX "unit." DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS unit TIMEOUT 60)
