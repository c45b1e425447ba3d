# Unit tests of the value types, the JSON document codec, YAML spec files, the validator and
# URI parsing. They link the internal libraries directly (not libct.so) to reach the hidden
# document codec, and need no privilege.
add_executable(ct-unit-spec
  ${CMAKE_CURRENT_LIST_DIR}/test_specfile.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_document.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_size.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_uri.cpp
  ${CMAKE_CURRENT_LIST_DIR}/full_spec.cpp
  $<TARGET_OBJECTS:ct_frontend>)
target_include_directories(ct-unit-spec PRIVATE ${PROJECT_SOURCE_DIR}/loader)
target_link_libraries(ct-unit-spec PRIVATE ct_core yaml-cpp GTest::gtest_main)
gtest_discover_tests(ct-unit-spec TEST_PREFIX "unit." DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS unit TIMEOUT 60)
