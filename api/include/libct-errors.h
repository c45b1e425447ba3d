/*
 * libct-errors.h: error codes of the libct C API (compatible with the historical libct).
 *
 * Calls returning int give 0 on success and a negative value on failure: -errno (for values
 * below 1000) or -LCTERR_*. Calls returning a handle encode the same negative value in the
 * pointer; test it with libct_handle_is_err() and decode it with libct_handle_to_err().
 */
#ifndef __LIBCT_ERRORS_H__
#define __LIBCT_ERRORS_H__

/* Generic */
#define LCTERR_BADCTSTATE 1002 /* the container's state does not allow the call */
#define LCTERR_BADTYPE 1003    /* unknown type (fs, net, controller) requested */
#define LCTERR_BADARG 1004     /* bad argument for the request */
#define LCTERR_NONS 1005       /* a namespace the call needs is not available / not set */
#define LCTERR_NOTFOUND 1006   /* the requested object was not found */
#define LCTERR_INVARG 1007     /* invalid argument (NULL, out of range, malformed) */
#define LCTERR_OPNOTSUPP 1008  /* the backend (or this host) does not support it */

/* Filesystem */
#define LCTERR_CANTMOUNT 1010 /* a mount could not be made */

/* Cgroups */
#define LCTERR_CGCREATE 1021 /* a cgroup could not be created */
#define LCTERR_CGCONFIG 1022 /* a cgroup file could not be written */
#define LCTERR_CGATTACH 1023 /* a process could not be moved into a cgroup */

/* Remote sessions */
#define LCTERR_BADCTRID 1042   /* bad remote container id */
#define LCTERR_BADCTRNAME 1043 /* bad container name */
#define LCTERR_RPCUNKNOWN 1044 /* the remote side failed without saying why */
#define LCTERR_RPCCOMM 1045    /* the link to the remote side failed */

#endif /* __LIBCT_ERRORS_H__ */
