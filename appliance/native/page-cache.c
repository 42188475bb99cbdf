/*
 * posix_fadvise(POSIX_FADV_DONTNEED) for Node, which has no binding for it: after a data file
 * is fsynced, the object store drops its now clean pages from the page cache, as Swift's
 * object server does (obj/diskfile.py drop_buffer_cache). Runs on the libuv thread pool
 * (freeing 8 MiB of pages takes about 0.2 ms here), so the event loop never waits for it.
 *
 *   dropCache(fd, offset, length, callback(errno))   errno 0 on success
 *
 * Built by the Makefile with the Node-API headers of the node that runs it (no node-gyp).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <node_api.h>

typedef struct {
  napi_async_work work;
  napi_ref callback;
  int32_t fd;
  int64_t offset;
  int64_t length;
  int err;
} drop_job;

static void drop_execute(napi_env env, void *data) {
  (void)env;
  drop_job *job = data;
  job->err = posix_fadvise(job->fd, (off_t)job->offset, (off_t)job->length, POSIX_FADV_DONTNEED);
}

static void drop_complete(napi_env env, napi_status status, void *data) {
  drop_job *job = data;
  napi_value callback, global, argv[1];
  if (napi_get_reference_value(env, job->callback, &callback) == napi_ok &&
      napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, status == napi_ok ? job->err : -1, &argv[0]) == napi_ok) {
    napi_call_function(env, global, callback, 1, argv, NULL);
  }
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value drop_cache(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], name;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 4 || napi_typeof(env, argv[3], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "dropCache(fd, offset, length, callback)");
    return NULL;
  }
  drop_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (napi_get_value_int32(env, argv[0], &job->fd) != napi_ok ||
      napi_get_value_int64(env, argv[1], &job->offset) != napi_ok ||
      napi_get_value_int64(env, argv[2], &job->length) != napi_ok ||
      job->fd < 0 || job->offset < 0 || job->length < 0) {
    free(job);
    napi_throw_type_error(env, NULL, "dropCache: fd, offset and length must be non-negative integers");
    return NULL;
  }
  if (napi_create_reference(env, argv[3], 1, &job->callback) != napi_ok ||
      napi_create_string_utf8(env, "velox:dropCache", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, drop_execute, drop_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "dropCache: could not queue the work");
    return NULL;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "dropCache", NAPI_AUTO_LENGTH, drop_cache, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "dropCache", fn) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
