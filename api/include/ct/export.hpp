// Symbol visibility for libct.so. Everything is hidden by default (-fvisibility=hidden) so that
// the copies of shared internals linked into backends never interpose with libct.so's.
#pragma once

#define CT_API __attribute__((visibility("default")))
