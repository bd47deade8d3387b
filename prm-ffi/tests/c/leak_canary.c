/* Forgets to free an answer, on purpose: under PRM_C_WRAPPER (valgrind)
 * prm-ffi/tests/c_abi.rs expects this to fail, which shows that prm's
 * bookkeeping of live answers does not hide a caller's leak from valgrind. */

#include <stdio.h>

#include "prm.h"

int main(void) {
    char *out = NULL;
    int32_t status = prm_call("version", "{}", &out);
    printf("status %d\n", (int)status);
    out = NULL; /* the only pointer to the answer is gone: a leak */
    return 0;
}
