//! The C ABI: every operation by name over JSON text, and program handles.
//!
//! Ownership, as stated on each function (and so in `include/prm.h`):
//!
//! * strings passed in stay the caller's; prm only reads them during the call;
//! * `prm_version`'s string is static: never free it;
//! * every answer string stored in `*out` is owned by prm until the caller
//!   frees it with `prm_string_free`, exactly once;
//! * a program handle from `prm_program_new` lives until `prm_program_free`.
//!
//! Handles are numbers, not addresses: a freed handle is never reused, so
//! using or freeing it again is reported (`PRM_INVALID_ARGUMENT`) instead of
//! touching freed memory. Answer strings are tracked too, so freeing a
//! pointer prm does not own is reported rather than done.
//!
//! No panic crosses into C: every entry point runs inside
//! [`std::panic::catch_unwind`] and turns a panic into an `internal` answer.
#![expect(
    unsafe_code,
    reason = "a C ABI needs `#[unsafe(no_mangle)]` and dereferences the caller's raw pointers"
)]

use crate::generic::{LoadedProgram, guard};
use prm_core::{Error, ErrorCode, JsonPath, Problem};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

/// The operation succeeded: `*out` holds `{"ok": ...}`.
pub const PRM_OK: i32 = 0;
/// The operation answered an error: `*out` holds `{"error": ...}`.
pub const PRM_ERROR: i32 = 1;
/// An argument was unusable: a null pointer, a string that is not UTF-8, a
/// program handle that is not live, or a string prm does not own. `*out`
/// (when there is one) holds `{"error": ...}` saying which.
pub const PRM_INVALID_ARGUMENT: i32 = 2;
/// A bug in prm was caught before it crossed into C: `*out` holds an
/// `internal` error answer.
pub const PRM_INTERNAL: i32 = 3;

/// A program loaded by `prm_program_new`: a validated program document,
/// immutable, that any number of threads may use at once.
///
/// The handle is a number, not a pointer. `id` 0 is "no program"; a live
/// handle's `id` is never reused after `prm_program_free`, so a stale copy is
/// reported as not live instead of reaching another program.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrmProgram {
    /// The handle's number; 0 means no program.
    pub id: u64,
}

/// The answer stored when even building an answer failed.
const FALLBACK_ANSWER: &CStr = c"{\"error\":{\"code\":\"internal\",\"message\":\"internal error: the answer could not be built\",\"problems\":[]}}";

static VERSION: OnceLock<CString> = OnceLock::new();
/// Live programs by handle number.
static PROGRAMS: RwLock<BTreeMap<u64, Arc<LoadedProgram>>> = RwLock::new(BTreeMap::new());
/// The next handle number; numbers are never reused.
static NEXT_PROGRAM: AtomicU64 = AtomicU64::new(1);
/// The answer strings handed out and not yet freed, by [`disguise`]d address.
static STRINGS: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());

/// An answer's address as [`STRINGS`] keeps it: XOR-ed, so the set holds no
/// pointer to the answer and a leak checker (valgrind) still reports an
/// answer the caller forgot to free as lost, not as reachable.
fn disguise(s: *const c_char) -> usize {
    (s as usize) ^ 0x5A5A_5A5A_5A5A_5A5A_u64 as usize
}

/// prm's version as a NUL-terminated string, e.g. `0.1.0`.
///
/// The string is static and owned by prm: do not free it or write to it.
/// Never returns null and never unwinds into C.
#[unsafe(no_mangle)]
pub extern "C" fn prm_version() -> *const c_char {
    catch_unwind(|| {
        VERSION
            .get_or_init(|| CString::new(prm_core::version()).unwrap_or_default())
            .as_ptr()
    })
    .unwrap_or(c"".as_ptr())
}

/// Runs operation `op` on the JSON request `request` and stores the JSON
/// answer, `{"ok": ...}` or `{"error": {"code", "message", "problems"}}`,
/// in `*out`.
///
/// Returns `PRM_OK` when the answer is `{"ok": ...}`, else `PRM_ERROR`,
/// `PRM_INVALID_ARGUMENT` (a null pointer or a string that is not UTF-8) or
/// `PRM_INTERNAL`. Never unwinds into C. Safe to call from any thread.
///
/// Ownership: `op` and `request` stay the caller's and are only read during
/// the call. Whatever the status, `*out` receives a new NUL-terminated
/// answer string, owned by prm until the caller frees it with
/// `prm_string_free`. When `out` is null nothing is stored and the status is
/// `PRM_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `op` and `request` must each be null or point to a NUL-terminated string
/// that stays valid for the call. `out` must be null or point to writable
/// storage for one `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_call(
    op: *const c_char,
    request: *const c_char,
    out: *mut *mut c_char,
) -> i32 {
    if out.is_null() {
        return PRM_INVALID_ARGUMENT;
    }
    let (status, answer) = answer_of(|| {
        // SAFETY: the caller promises each pointer is null or a valid C string.
        let (op, request) = unsafe { (read_str(op, "op")?, read_str(request, "request")?) };
        run(|| {
            let request = prm_core::program::parse_json(request)?;
            prm_core::api::call_value(op, &request)
        })
    });
    // SAFETY: `out` is not null and the caller promises it is writable.
    unsafe { *out = answer };
    status
}

/// Reads and validates the program document `program_json`, and stores a
/// handle to it in `*program`.
///
/// On success returns `PRM_OK`, stores a live handle in `*program` and the
/// program's summary in `*out`: `{"ok": {"valid": true, "name", "currency",
/// "rounding", "fiscal_calendar", "sections", ...}}`. Otherwise stores the
/// handle `{0}` in `*program` and `{"error": ...}` in `*out`, with every
/// problem and its path in the document (`$.currency`), and returns
/// `PRM_ERROR`, `PRM_INVALID_ARGUMENT` or `PRM_INTERNAL`. Never unwinds into C.
///
/// Ownership: the handle is the caller's to free with `prm_program_free`;
/// the answer in `*out` as for `prm_call`. The document text stays the
/// caller's; prm keeps its own copy. When `program` or `out` is null nothing
/// is created and the status is `PRM_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `program_json` must be null or a NUL-terminated string valid for the
/// call; `program` and `out` must each be null or point to writable storage
/// for one `prm_program` and one `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_program_new(
    program_json: *const c_char,
    program: *mut PrmProgram,
    out: *mut *mut c_char,
) -> i32 {
    if out.is_null() {
        return PRM_INVALID_ARGUMENT;
    }
    let mut handle = PrmProgram { id: 0 };
    let (status, answer) = answer_of(|| {
        if program.is_null() {
            return Err((PRM_INVALID_ARGUMENT, null_pointer("program")));
        }
        // SAFETY: the caller promises a null or valid C string.
        let text = unsafe { read_str(program_json, "program_json")? };
        run(|| {
            let loaded = LoadedProgram::from_json(text)?;
            let summary = loaded.summary().clone();
            let id = NEXT_PROGRAM.fetch_add(1, Ordering::Relaxed);
            PROGRAMS
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, Arc::new(loaded));
            handle = PrmProgram { id };
            Ok(summary)
        })
    });
    if !program.is_null() {
        // SAFETY: not null, and the caller promises it is writable.
        unsafe { *program = handle };
    }
    // SAFETY: `out` is not null and the caller promises it is writable.
    unsafe { *out = answer };
    status
}

/// Runs operation `op` with the loaded `program`, on the JSON request
/// `request`, and stores the JSON answer in `*out`.
///
/// For an operation whose request has a `program` field (every engine
/// operation), the program is added to the request: leave `program` out of
/// `request`. Other operations see `request` unchanged. Returns as
/// `prm_call`; a handle that is `{0}`, freed or never made by
/// `prm_program_new` gives `PRM_INVALID_ARGUMENT`. Never unwinds into C.
///
/// Thread safety: a program is immutable, so any number of threads may call
/// this with the same handle at once. A call that is running when another
/// thread frees the handle finishes normally; calls after that report the
/// handle as not live.
///
/// Ownership: as `prm_call`.
///
/// # Safety
///
/// As `prm_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_program_call(
    program: PrmProgram,
    op: *const c_char,
    request: *const c_char,
    out: *mut *mut c_char,
) -> i32 {
    if out.is_null() {
        return PRM_INVALID_ARGUMENT;
    }
    let (status, answer) = answer_of(|| {
        let loaded = live_program(program)?;
        // SAFETY: the caller promises each pointer is null or a valid C string.
        let (op, request) = unsafe { (read_str(op, "op")?, read_str(request, "request")?) };
        run(|| {
            let request = prm_core::program::parse_json(request)?;
            loaded.call_value(op, &request)
        })
    });
    // SAFETY: `out` is not null and the caller promises it is writable.
    unsafe { *out = answer };
    status
}

/// Frees the program behind `*program` and sets `*program` to `{0}`.
///
/// Returns `PRM_OK` when the program was freed, and also for `{0}` (nothing
/// to free), so freeing the same variable twice is harmless. Returns
/// `PRM_INVALID_ARGUMENT`, freeing nothing, when `program` is null or the
/// handle is not live (a copy of a handle that was already freed). Never
/// unwinds into C.
///
/// # Safety
///
/// `program` must be null or point to a readable and writable `prm_program`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_program_free(program: *mut PrmProgram) -> i32 {
    if program.is_null() {
        return PRM_INVALID_ARGUMENT;
    }
    // SAFETY: not null, and the caller promises it is readable.
    let handle = unsafe { *program };
    if handle.id == 0 {
        return PRM_OK;
    }
    let freed = catch_unwind(|| {
        PROGRAMS
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&handle.id)
            .is_some()
    });
    match freed {
        Ok(true) => {
            // SAFETY: not null, and the caller promises it is writable.
            unsafe { *program = PrmProgram { id: 0 } };
            PRM_OK
        }
        Ok(false) => PRM_INVALID_ARGUMENT,
        Err(_) => PRM_INTERNAL,
    }
}

/// Frees an answer string that prm stored in an `out` argument.
///
/// Returns `PRM_OK` when the string was freed, and for null (nothing to
/// free). Returns `PRM_INVALID_ARGUMENT`, freeing nothing, for a pointer
/// that is not a live prm answer: one already freed, the string from
/// `prm_version`, or memory prm does not own. (A freed address that a newer
/// answer happens to reuse cannot be told apart from that answer: set your
/// pointer to NULL after freeing it.) Never unwinds into C.
///
/// # Safety
///
/// `s` must not be used after it is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_string_free(s: *mut c_char) -> i32 {
    if s.is_null() {
        return PRM_OK;
    }
    let freed = catch_unwind(|| {
        let owned = STRINGS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&disguise(s));
        if owned {
            // SAFETY: the address was stored by `into_answer` from
            // `CString::into_raw` and is removed from STRINGS, so it is freed once.
            drop(unsafe { CString::from_raw(s) });
        }
        owned
    });
    match freed {
        Ok(true) => PRM_OK,
        Ok(false) => PRM_INVALID_ARGUMENT,
        Err(_) => PRM_INTERNAL,
    }
}

/// A failure before or around an operation: the status and the error.
type Failure = (i32, Error);

/// Runs an operation step: its error is `PRM_ERROR`, its panic `PRM_INTERNAL`.
fn run(f: impl FnOnce() -> Result<serde_json::Value, Error>) -> Result<serde_json::Value, Failure> {
    guard("the C call", f).map_err(|error| {
        let status = if error.kind() == ErrorCode::Internal {
            PRM_INTERNAL
        } else {
            PRM_ERROR
        };
        (status, error)
    })
}

/// Runs `f` and turns its result into a status and an owned answer string.
fn answer_of(f: impl FnOnce() -> Result<serde_json::Value, Failure>) -> (i32, *mut c_char) {
    let (status, result) = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => (PRM_OK, Ok(value)),
        Ok(Err((status, error))) => (status, Err(error)),
        Err(_) => (PRM_INTERNAL, Err(crate::generic::internal("the C call"))),
    };
    (status, into_answer(result))
}

/// The live program behind `handle`.
fn live_program(handle: PrmProgram) -> Result<Arc<LoadedProgram>, Failure> {
    if handle.id == 0 {
        return Err((PRM_INVALID_ARGUMENT, null_pointer("program")));
    }
    PROGRAMS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&handle.id)
        .cloned()
        .ok_or_else(|| {
            let problem =
                Problem::new(ErrorCode::UnknownReference, JsonPath::root()).message(format!(
                    "program handle {} is not live: it was freed, or not made by prm_program_new",
                    handle.id
                ));
            (PRM_INVALID_ARGUMENT, Error::NotFound(vec![problem]))
        })
}

fn null_pointer(name: &str) -> Error {
    Error::problem(
        Problem::new(ErrorCode::NullPointer, JsonPath::root())
            .message(format!("argument `{name}` is a null pointer")),
    )
}

/// Reads a C string argument, or says why it cannot be read.
///
/// # Safety
///
/// `ptr` must be null or point to a NUL-terminated string valid for `'a`.
unsafe fn read_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err((PRM_INVALID_ARGUMENT, null_pointer(name)));
    }
    // SAFETY: not null, and the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        let problem = Problem::new(ErrorCode::InvalidUtf8, JsonPath::root()).message(format!(
            "argument `{name}` is not UTF-8: invalid byte at offset {}",
            e.valid_up_to()
        ));
        (PRM_INVALID_ARGUMENT, Error::problem(problem))
    })
}

/// The tagged answer for `result` as a string owned by prm until `prm_string_free`.
fn into_answer(result: Result<serde_json::Value, Error>) -> *mut c_char {
    // JSON text escapes control characters, so it never holds a NUL byte.
    let text = CString::new(prm_core::api::answer(result).to_string())
        .unwrap_or_else(|_| FALLBACK_ANSWER.to_owned());
    let raw = text.into_raw();
    STRINGS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(disguise(raw));
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn take(out: *mut c_char) -> serde_json::Value {
        assert!(!out.is_null());
        // SAFETY: `out` was just stored by prm.
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        // SAFETY: freed once, not used after.
        assert_eq!(unsafe { prm_string_free(out) }, PRM_OK);
        serde_json::from_str(&text).unwrap()
    }

    fn run_call(op: *const c_char, request: *const c_char) -> (i32, serde_json::Value) {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: the arguments are null or C string literals; `out` is a local.
        let status = unsafe { prm_call(op, request, &raw mut out) };
        (status, take(out))
    }

    fn new_program(json: &CStr) -> (i32, PrmProgram, serde_json::Value) {
        let mut program = PrmProgram { id: 99 };
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: valid C string and local out-pointers.
        let status = unsafe { prm_program_new(json.as_ptr(), &raw mut program, &raw mut out) };
        (status, program, take(out))
    }

    fn program_call(program: PrmProgram, op: &CStr, request: &CStr) -> (i32, serde_json::Value) {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: valid C strings and a local out-pointer.
        let status =
            unsafe { prm_program_call(program, op.as_ptr(), request.as_ptr(), &raw mut out) };
        (status, take(out))
    }

    #[test]
    fn version_is_static_and_matches() {
        // SAFETY: prm_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(prm_version()) };
        assert_eq!(v.to_str().ok(), Some(prm_core::version()));
        assert_eq!(prm_version(), prm_version());
    }

    #[test]
    fn ok_and_error_answers() {
        let (status, answer) = run_call(c"version".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_OK);
        assert_eq!(answer["ok"]["version"], prm_core::version());
        let (status, answer) = run_call(c"no.such.op".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_ERROR);
        assert_eq!(answer["error"]["code"], "unknown_operation");
    }

    #[test]
    fn null_arguments() {
        let (status, answer) = run_call(c"version".as_ptr(), ptr::null());
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        assert_eq!(answer["error"]["problems"][0]["code"], "null_pointer");
        assert_eq!(
            answer["error"]["problems"][0]["message"],
            "argument `request` is a null pointer"
        );
        // SAFETY: a null `out` is refused and stores nothing.
        let status = unsafe { prm_call(c"version".as_ptr(), c"{}".as_ptr(), ptr::null_mut()) };
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        // SAFETY: freeing null does nothing.
        assert_eq!(unsafe { prm_string_free(ptr::null_mut()) }, PRM_OK);
    }

    #[test]
    fn invalid_utf8() {
        let (status, answer) = run_call(c"ver\xffsion".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        assert_eq!(answer["error"]["problems"][0]["code"], "invalid_utf8");
    }

    #[test]
    fn program_lifecycle() {
        let (status, program, answer) =
            new_program(c"{\"schema_version\": 1, \"currency\": \"EUR\", \"name\": \"N\"}");
        assert_eq!(status, PRM_OK);
        assert_ne!(program.id, 0);
        assert_eq!(answer["ok"]["name"], "N");

        let (status, answer) = program_call(program, c"program.validate", c"{}");
        assert_eq!(status, PRM_OK);
        assert_eq!(answer["ok"]["currency"], "EUR");

        let mut copy = program;
        let mut handle = program;
        // SAFETY: a local handle.
        assert_eq!(unsafe { prm_program_free(&raw mut handle) }, PRM_OK);
        assert_eq!(handle.id, 0);
        // SAFETY: a local handle, now {0}: freeing it again does nothing.
        assert_eq!(unsafe { prm_program_free(&raw mut handle) }, PRM_OK);
        // SAFETY: a stale copy is reported, not freed.
        assert_eq!(
            unsafe { prm_program_free(&raw mut copy) },
            PRM_INVALID_ARGUMENT
        );
        let (status, answer) = program_call(copy, c"program.validate", c"{}");
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        assert_eq!(answer["error"]["code"], "not_found");
        assert_eq!(answer["error"]["problems"][0]["code"], "unknown_reference");
    }

    #[test]
    fn an_invalid_program_is_an_error_answer_and_no_handle() {
        let (status, program, answer) =
            new_program(c"{\"schema_version\": 1, \"currency\": \"EUX\"}");
        assert_eq!(status, PRM_ERROR);
        assert_eq!(program.id, 0);
        assert_eq!(answer["error"]["problems"][0]["path"], "$.currency");
    }

    #[test]
    fn foreign_and_freed_strings_are_reported() {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: valid C strings and a local out-pointer.
        unsafe { prm_call(c"version".as_ptr(), c"{}".as_ptr(), &raw mut out) };
        let own = CString::new("not prm's").unwrap();
        // SAFETY: prm only looks the address up and frees nothing.
        assert_eq!(
            unsafe { prm_string_free(own.as_ptr().cast_mut()) },
            PRM_INVALID_ARGUMENT
        );
        // SAFETY: the static version string is not an answer.
        assert_eq!(
            unsafe { prm_string_free(prm_version().cast_mut()) },
            PRM_INVALID_ARGUMENT
        );
        // SAFETY: freed once, not used after.
        assert_eq!(unsafe { prm_string_free(out) }, PRM_OK);
    }
}
