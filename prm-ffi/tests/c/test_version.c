/* The C ABI from C: version, an ok answer, error answers, null and non-UTF-8
 * arguments. Every answer is freed, so valgrind --leak-check=full finds no
 * leak. Prints one line per check and a closing "N passed, N failed" line. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prm.h"

static int passed = 0;
static int failed = 0;

static void check(int ok, const char *what, const char *detail) {
    if (ok) {
        passed++;
        printf("ok - %s\n", what);
    } else {
        failed++;
        printf("not ok - %s: %s\n", what, detail ? detail : "(null)");
    }
}

static int starts_with(const char *s, const char *prefix) {
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int contains(const char *s, const char *needle) {
    return s != NULL && strstr(s, needle) != NULL;
}

static void test_version(void) {
    const char *v = prm_version();
    check(v != NULL && strlen(v) >= 5, "prm_version returns a version", v);
    check(prm_version() == v, "prm_version is static", v);
}

static void test_call_version(void) {
    char *out = NULL;
    int32_t status = prm_call("version", "{}", &out);
    check(status == PRM_OK, "prm_call(version) returns PRM_OK", out);
    char expected[64];
    snprintf(expected, sizeof expected, "\"version\":\"%s\"", prm_version());
    check(starts_with(out, "{\"ok\":{") && contains(out, expected) &&
              contains(out, "\"schema_version\":1"),
          "prm_call(version) answers ok", out);
    prm_string_free(out);
}

static void test_validate(void) {
    char *out = NULL;
    int32_t status = prm_call(
        "program.validate", "{\"program\": {\"schema_version\": 1, \"currency\": \"EUR\"}}", &out);
    check(status == PRM_OK && starts_with(out, "{\"ok\":{") && contains(out, "\"valid\":true"),
          "program.validate accepts a valid program", out);
    prm_string_free(out);

    out = NULL;
    status = prm_call("program.validate",
                      "{\"program\": {\"schema_version\": 1, \"currency\": \"EUX\"}}", &out);
    check(status == PRM_ERROR && contains(out, "\"code\":\"invalid\"") &&
              contains(out, "\"path\":\"$.program.currency\""),
          "an invalid program is an error answer with a path", out);
    prm_string_free(out);
}

static void test_errors(void) {
    char *out = NULL;
    int32_t status = prm_call("no.such.op", "{}", &out);
    check(status == PRM_ERROR && contains(out, "\"code\":\"unknown_operation\""),
          "an unknown operation is an error answer", out);
    prm_string_free(out);

    out = NULL;
    status = prm_call("version", "{\"a\":", &out);
    check(status == PRM_ERROR && contains(out, "\"code\":\"malformed_json\""),
          "malformed JSON is an error answer", out);
    prm_string_free(out);
}

static void test_bad_arguments(void) {
    char *out = NULL;
    int32_t status = prm_call(NULL, "{}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "\"code\":\"null_pointer\"") &&
              contains(out, "argument `op` is a null pointer"),
          "a null op is a null_pointer answer", out);
    prm_string_free(out);

    out = NULL;
    status = prm_call("version", NULL, &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "argument `request` is a null pointer"),
          "a null request is a null_pointer answer", out);
    prm_string_free(out);

    out = NULL;
    status = prm_call("ver\xffsion", "{}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "\"code\":\"invalid_utf8\""),
          "a non-UTF-8 op is an invalid_utf8 answer", out);
    prm_string_free(out);

    status = prm_call("version", "{}", NULL);
    check(status == PRM_INVALID_ARGUMENT, "a null out pointer is refused", NULL);

    prm_string_free(NULL);
    check(1, "prm_string_free(NULL) does nothing", NULL);
}

int main(void) {
    test_version();
    test_call_version();
    test_validate();
    test_errors();
    test_bad_arguments();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
