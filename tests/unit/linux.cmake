# The linux backend's planning code, without root: golden tests (tests/unit/linux/golden).
add_executable(ct-unit-linux-planning ${CMAKE_CURRENT_LIST_DIR}/linux/test_planning.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linux/test_types.cpp ${CMAKE_CURRENT_LIST_DIR}/linux/test_subid.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linux/test_restore_spec.cpp)
target_link_libraries(ct-unit-linux-planning PRIVATE $<LINK_LIBRARY:WHOLE_ARCHIVE,ct_linux>
  GTest::gtest_main)
target_compile_definitions(ct-unit-linux-planning PRIVATE
  CT_GOLDEN_DIR="${CMAKE_CURRENT_LIST_DIR}/linux/golden"
  CT_MOUNTINFO_DIR="${CMAKE_CURRENT_LIST_DIR}/linux/mountinfo")
gtest_discover_tests(ct-unit-linux-planning TEST_PREFIX "unit." DISCOVERY_TIMEOUT 30
  PROPERTIES LABELS unit)
