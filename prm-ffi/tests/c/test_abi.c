/* The C ABI from C: version, answers, error statuses, null and non-UTF-8
 * arguments, program handles (double frees and stale handles reported),
 * foreign strings refused, and one program shared by many threads (whose
 * tier answers must equal, byte for byte, those of sequential calls). Every
 * answer is freed, so valgrind --leak-check=full finds no leak. Prints one
 * line per check and a closing "N passed, N failed" line. */

#include <pthread.h>
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

static const char *PROGRAM =
    "{\"schema_version\": 1, \"name\": \"Northwind\", \"currency\": \"EUR\","
    " \"fiscal_calendar\": {\"first_month\": 7}}";

static void test_version(void) {
    const char *v = prm_version();
    check(v != NULL && strlen(v) >= 5, "prm_version returns a version", v);
    check(prm_version() == v, "prm_version is static", v);
    check(prm_string_free((char *)v) == PRM_INVALID_ARGUMENT,
          "freeing the version string is refused", v);
}

static void test_call(void) {
    char *out = NULL;
    int32_t status = prm_call("money.round", "{\"amount\": \"2.345\", \"currency\": \"EUR\"}", &out);
    check(status == PRM_OK && strcmp(out, "{\"ok\":{\"amount\":\"2.34\",\"currency\":\"EUR\"}}") == 0,
          "prm_call answers ok with exact decimal strings", out);
    check(prm_string_free(out) == PRM_OK, "an answer is freed once", NULL);

    out = NULL;
    status = prm_call("money.round", "{\"amount\": 2.5, \"currency\": \"EUX\"}", &out);
    check(status == PRM_ERROR && starts_with(out, "{\"error\":{\"code\":\"invalid\"") &&
              contains(out, "\"code\":\"decimal_must_be_string\"") &&
              contains(out, "\"path\":\"$.currency\""),
          "every problem is listed with its path", out);
    prm_string_free(out);

    out = NULL;
    status = prm_call("program.validat", "{}", &out);
    check(status == PRM_ERROR && contains(out, "\"code\":\"unknown_operation\"") &&
              contains(out, "did you mean `program.validate`?"),
          "an unknown operation suggests a name", out);
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

    out = NULL;
    status = prm_call("version", "{\"a\": \"\xc3\x28\"}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "argument `request` is not UTF-8"),
          "a non-UTF-8 request is an invalid_utf8 answer", out);
    prm_string_free(out);

    check(prm_call("version", "{}", NULL) == PRM_INVALID_ARGUMENT, "a null out is refused", NULL);
    check(prm_string_free(NULL) == PRM_OK, "prm_string_free(NULL) does nothing", NULL);

    char mine[] = "not prm's";
    check(prm_string_free(mine) == PRM_INVALID_ARGUMENT, "a foreign string is refused, not freed",
          NULL);

    out = NULL;
    prm_call("version", "{}", &out);
    char *copy = out;
    check(prm_string_free(out) == PRM_OK, "an answer is freed", NULL);
    check(prm_string_free(copy) == PRM_INVALID_ARGUMENT, "a double free of an answer is reported",
          NULL);
}

static void test_program(void) {
    prm_program program = {42};
    char *out = NULL;
    int32_t status = prm_program_new(PROGRAM, &program, &out);
    check(status == PRM_OK && program.id != 0 && contains(out, "\"name\":\"Northwind\"") &&
              contains(out, "\"first_month\":7"),
          "prm_program_new loads a program and answers its summary", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_call(program, "program.validate", "{}", &out);
    check(status == PRM_OK && contains(out, "\"currency\":\"EUR\""),
          "prm_program_call injects the program", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_call(program, "calendar.add_months",
                              "{\"date\": \"2024-01-31\", \"months\": 1}", &out);
    check(status == PRM_OK && strcmp(out, "{\"ok\":{\"date\":\"2024-02-29\"}}") == 0,
          "an operation without a program sees the request unchanged", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_call(program, "program.validate", "{\"program\": {}}", &out);
    check(status == PRM_ERROR && contains(out, "\"path\":\"$.program\""),
          "a second program in the request is refused", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_call(program, NULL, "{}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "argument `op` is a null pointer"),
          "prm_program_call reports a null op", out);
    prm_string_free(out);

    prm_program copy = program;
    check(prm_program_free(&program) == PRM_OK && program.id == 0,
          "prm_program_free frees and clears the handle", NULL);
    check(prm_program_free(&program) == PRM_OK, "freeing a cleared handle again does nothing",
          NULL);
    check(prm_program_free(&copy) == PRM_INVALID_ARGUMENT,
          "freeing a stale copy is reported, not done", NULL);
    check(prm_program_free(NULL) == PRM_INVALID_ARGUMENT, "freeing through NULL is refused", NULL);

    out = NULL;
    status = prm_program_call(copy, "program.validate", "{}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "\"code\":\"not_found\"") &&
              contains(out, "is not live"),
          "a freed handle is reported as not live", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_call(program, "program.validate", "{}", &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "\"code\":\"null_pointer\""),
          "the empty handle {0} is refused", out);
    prm_string_free(out);
}

static void test_invalid_program(void) {
    prm_program program = {42};
    char *out = NULL;
    int32_t status =
        prm_program_new("{\"schema_version\": 1, \"currency\": \"EUX\", \"rounding\": \"up!\"}",
                        &program, &out);
    check(status == PRM_ERROR && program.id == 0 && contains(out, "\"path\":\"$.currency\"") &&
              contains(out, "\"path\":\"$.rounding\""),
          "an invalid program gives {0} and every problem with its document path", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_new(NULL, &program, &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "argument `program_json` is a null pointer"),
          "a null document is refused", out);
    prm_string_free(out);

    out = NULL;
    status = prm_program_new(PROGRAM, NULL, &out);
    check(status == PRM_INVALID_ARGUMENT && contains(out, "argument `program` is a null pointer"),
          "a null handle pointer is refused and nothing is loaded", out);
    prm_string_free(out);

    check(prm_program_new(PROGRAM, &program, NULL) == PRM_INVALID_ARGUMENT && program.id == 0,
          "a null out is refused and nothing is loaded", NULL);
}

#define THREADS 8
#define CALLS 100

struct worker {
    prm_program program;
    int good;
};

static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < CALLS; i++) {
        char *out = NULL;
        char request[96];
        snprintf(request, sizeof request, "{\"date\": \"2024-01-31\", \"months\": %d}", i % 12);
        int32_t status = prm_program_call(w->program, "calendar.add_months", request, &out);
        w->good += status == PRM_OK && starts_with(out, "{\"ok\":{\"date\":\"2024-");
        prm_string_free(out);
        out = NULL;
        status = prm_program_call(w->program, "program.validate", "{}", &out);
        w->good += status == PRM_OK && contains(out, "\"name\":\"Northwind\"");
        prm_string_free(out);
    }
    return NULL;
}

static void test_threads(void) {
    prm_program program = {0};
    char *out = NULL;
    prm_program_new(PROGRAM, &program, &out);
    prm_string_free(out);

    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    int started = 0;
    for (int t = 0; t < THREADS; t++) {
        workers[t].program = program;
        workers[t].good = 0;
        started += pthread_create(&threads[t], NULL, work, &workers[t]) == 0;
    }
    int good = 0;
    for (int t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        good += workers[t].good;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "%d of %d answers right", good, THREADS * CALLS * 2);
    check(started == THREADS && good == THREADS * CALLS * 2,
          "one program handle is shared by 8 threads", detail);
    check(prm_program_free(&program) == PRM_OK, "the shared program is freed once", NULL);
}


/* A program with an engine section: tier answers are long and depend on the
 * request, so a thread that saw another thread's state would answer
 * differently from a single thread. */
static const char *TIERS =
    "{\"schema_version\": 1, \"name\": \"Northwind\", \"currency\": \"EUR\", \"tiers\": {"
    "\"metrics\": {\"deals\": {\"measure\": {\"kind\": \"deals_won\"},"
    " \"window\": {\"kind\": \"trailing_months\", \"months\": 12}},"
    " \"nps\": {\"measure\": {\"kind\": \"custom\"}}},"
    "\"tiers\": [{\"id\": \"registered\", \"name\": \"Registered\", \"rank\": 0},"
    " {\"id\": \"elite\", \"name\": \"Elite\", \"rank\": 1, \"requirements\": [{\"kind\": \"points\","
    " \"min_total\": \"40\", \"components\": ["
    "{\"metric\": \"deals\", \"points_per_unit\": \"5\", \"max_points\": \"30\"},"
    " {\"metric\": \"nps\", \"points_per_unit\": \"1\", \"max_points\": \"20\","
    " \"gate\": {\"kind\": \"flag\", \"flag\": \"nps_audited\"}}]}]}]}}";

#define REQUESTS 24

static void tier_request(int i, char *buffer, size_t size) {
    snprintf(buffer, size,
             "{\"as_of\": \"2026-03-31\", \"partner\": {\"partner_id\": \"P%d\","
             " \"metrics\": {\"deals\": %d, \"nps\": %d}, \"flags\": {\"nps_audited\": %s}}}",
             i, i % 10, (i * 7) % 25, i % 2 == 0 ? "true" : "false");
}

struct comparer {
    prm_program program;
    char **expected;
    int same;
};

static void *compare_work(void *arg) {
    struct comparer *c = arg;
    for (int round = 0; round < 5; round++) {
        for (int k = 0; k < REQUESTS; k++) {
            int i = (k + round * 7) % REQUESTS; /* each thread in its own order */
            char request[256];
            tier_request(i, request, sizeof request);
            char *out = NULL;
            int32_t status = prm_program_call(c->program, "tiers.evaluate", request, &out);
            c->same += status == PRM_OK && out != NULL && strcmp(out, c->expected[i]) == 0;
            prm_string_free(out);
        }
    }
    return NULL;
}

static void test_threads_match_sequential(void) {
    prm_program program = {0};
    char *out = NULL;
    int32_t status = prm_program_new(TIERS, &program, &out);
    check(status == PRM_OK, "a program with tiers loads", out);
    prm_string_free(out);

    /* The answers of one thread, one call after another. */
    char *expected[REQUESTS];
    int distinct = 0;
    for (int i = 0; i < REQUESTS; i++) {
        char request[256];
        tier_request(i, request, sizeof request);
        expected[i] = NULL;
        prm_program_call(program, "tiers.evaluate", request, &expected[i]);
        distinct += i == 0 || strcmp(expected[i], expected[i - 1]) != 0;
    }
    check(starts_with(expected[0], "{\"ok\":{\"decision\":") && distinct == REQUESTS,
          "sequential tier answers differ from request to request", expected[0]);

    pthread_t threads[THREADS];
    struct comparer comparers[THREADS];
    int started = 0;
    for (int t = 0; t < THREADS; t++) {
        comparers[t].program = program;
        comparers[t].expected = expected;
        comparers[t].same = 0;
        started += pthread_create(&threads[t], NULL, compare_work, &comparers[t]) == 0;
    }
    int same = 0;
    for (int t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        same += comparers[t].same;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "%d of %d answers identical", same, THREADS * 5 * REQUESTS);
    check(started == THREADS && same == THREADS * 5 * REQUESTS,
          "8 threads sharing one handle get byte-identical answers to sequential calls", detail);
    for (int i = 0; i < REQUESTS; i++) {
        prm_string_free(expected[i]);
    }
    check(prm_program_free(&program) == PRM_OK, "the shared tier program is freed once", NULL);
}

int main(void) {
    test_version();
    test_call();
    test_bad_arguments();
    test_program();
    test_invalid_program();
    test_threads();
    test_threads_match_sequential();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
