/*
 * libct-log-levels.h: log levels of the libct C API (compatible with the historical libct).
 *
 * The library is silent until libct_log_init() names a file descriptor; messages up to
 * `level` are then written to (a duplicate of) it, one line each. LOG_MSG lines are always
 * written. The descriptor and level are process-wide.
 */
#ifndef __UAPI_LIBCT_LOG_LEVELS_H__
#define __UAPI_LIBCT_LOG_LEVELS_H__

#define LOG_MSG (0)   /* always written, whatever the level */
#define LOG_ERROR (1) /* a call failed: what and why */
#define LOG_WARN (2)  /* something odd, carrying on */
#define LOG_INFO (3)  /* what the library does */
#define LOG_DEBUG (4) /* details */

#define DEFAULT_LOGLEVEL LOG_WARN

#ifdef __cplusplus
extern "C" {
#endif

/* fd < 0 closes the log again (silent). */
void libct_log_init(int fd, unsigned int level);

#ifdef __cplusplus
}
#endif

#endif /* __UAPI_LIBCT_LOG_LEVELS_H__ */
