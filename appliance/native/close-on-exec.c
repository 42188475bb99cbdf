/*
 * Marks every open descriptor of the process above 2 close-on-exec (FD_CLOEXEC), which Node
 * cannot do: LevelDB (classic-level) opens its files (LOCK, LOG, MANIFEST, the write-ahead log)
 * without O_CLOEXEC, so every child the appliance starts — the web terminal's shell above all —
 * inherited every disk's database files and kept the disk busy: it could not be unmounted
 * while the shell ran. Called right before each spawn (lib/close-on-exec.ts). Synchronous: a
 * walk of /proc/self/fd and one fcntl per descriptor (tens of microseconds).
 *
 *   closeOnExecAll()   → how many descriptors it had to mark (-errno when /proc is unreadable)
 *
 * Built by the Makefile with the Node-API headers of the node that runs it (no node-gyp).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <node_api.h>

static napi_value close_on_exec_all(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  int marked = 0;
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) {
    napi_create_int32(env, -errno, &out);
    return out;
  }
  int own = dirfd(dir);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    if (*end != '\0' || end == e->d_name || fd <= 2 || fd == own) continue;
    int flags = fcntl((int)fd, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC)) continue;
    if (fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC) == 0) marked++;
  }
  closedir(dir);
  napi_create_int32(env, marked, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "closeOnExecAll", NAPI_AUTO_LENGTH, close_on_exec_all, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "closeOnExecAll", fn) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
