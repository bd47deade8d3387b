/* Runs requests from stdin through the C ABI and writes each answer to
 * stdout, for prm-ffi/tests/c_abi.rs, which feeds it the whole conformance
 * corpus and matches the answers. It decides nothing and parses no JSON.
 *
 * Every field is length-prefixed, so requests may hold any bytes:
 *
 *   in:   call\n    <op>\n <n>\n<n bytes of request>\n
 *         program\n <n>\n<n bytes of program>\n <op>\n <n>\n<n bytes of request>\n
 *   out:  <status>\n <n>\n<n bytes of answer>\n
 *
 * `program` loads the program with prm_program_new, runs the request with
 * prm_program_call and frees the handle; if loading fails, its answer is the
 * one written. Every answer is freed, so valgrind finds no leak. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prm.h"

/* Reads one line without its newline into a new string; NULL at the end. */
static char *read_line(void) {
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    int c;
    if (s == NULL) return NULL;
    while ((c = getchar()) != EOF && c != '\n') {
        if (len + 1 == cap) {
            char *bigger = realloc(s, cap *= 2);
            if (bigger == NULL) { free(s); return NULL; }
            s = bigger;
        }
        s[len++] = (char)c;
    }
    if (c == EOF && len == 0) { free(s); return NULL; }
    s[len] = '\0';
    return s;
}

/* Reads a length line, that many bytes and the newline after them. */
static char *read_block(void) {
    char *line = read_line();
    if (line == NULL) return NULL;
    size_t n = strtoul(line, NULL, 10);
    free(line);
    char *s = malloc(n + 1);
    if (s == NULL) return NULL;
    if (fread(s, 1, n, stdin) != n || getchar() != '\n') { free(s); return NULL; }
    s[n] = '\0';
    return s;
}

static void write_answer(int32_t status, char *answer) {
    printf("%d\n%zu\n%s\n", (int)status, strlen(answer), answer);
    if (prm_string_free(answer) != PRM_OK) {
        fprintf(stderr, "prm_string_free refused an answer\n");
        exit(EXIT_FAILURE);
    }
}

static int run_program(void) {
    char *document = read_block(), *op = read_line(), *request = read_block();
    if (document == NULL || op == NULL || request == NULL) return 0;
    prm_program program = {0};
    char *out = NULL;
    int32_t status = prm_program_new(document, &program, &out);
    if (status != PRM_OK) {
        write_answer(status, out);
    } else {
        prm_string_free(out);
        out = NULL;
        status = prm_program_call(program, op, request, &out);
        write_answer(status, out);
        if (prm_program_free(&program) != PRM_OK || program.id != 0) {
            fprintf(stderr, "prm_program_free failed\n");
            exit(EXIT_FAILURE);
        }
    }
    free(document);
    free(op);
    free(request);
    return 1;
}

static int run_call(void) {
    char *op = read_line(), *request = read_block();
    if (op == NULL || request == NULL) return 0;
    char *out = NULL;
    int32_t status = prm_call(op, request, &out);
    write_answer(status, out);
    free(op);
    free(request);
    return 1;
}

int main(void) {
    char *kind;
    while ((kind = read_line()) != NULL) {
        int ok = strcmp(kind, "call") == 0      ? run_call()
                 : strcmp(kind, "program") == 0 ? run_program()
                                                : 0;
        free(kind);
        if (!ok) {
            fprintf(stderr, "malformed input\n");
            return EXIT_FAILURE;
        }
    }
    return EXIT_SUCCESS;
}
