//! The C ABI: every operation by name over JSON text.
//!
//! Ownership, as stated on each function (and so in `include/prm.h`):
//!
//! * strings passed in stay the caller's; prm only reads them during the call;
//! * `prm_version`'s string is static: never free it;
//! * `prm_call` always stores a new answer string in `*out` (when `out` is
//!   not null); it belongs to the caller, who frees it with
//!   `prm_string_free` and nothing else.
//!
//! No panic crosses into C: every entry point runs inside
//! [`std::panic::catch_unwind`] and turns a panic into an `internal` answer.
#![expect(
    unsafe_code,
    reason = "a C ABI needs `#[unsafe(no_mangle)]` and dereferences the caller's raw pointers"
)]

use prm_core::{Error, ErrorCode, JsonPath, Problem};
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// The operation succeeded: `*out` holds `{"ok": ...}`.
pub const PRM_OK: i32 = 0;
/// The operation answered an error: `*out` holds `{"error": ...}`.
pub const PRM_ERROR: i32 = 1;
/// An argument was a null pointer or not UTF-8: `*out` (when `out` is not
/// null) holds `{"error": ...}` with a `null_pointer` or `invalid_utf8` problem.
pub const PRM_INVALID_ARGUMENT: i32 = 2;
/// A bug in prm was caught before it crossed into C: `*out` holds an
/// `internal` error answer.
pub const PRM_INTERNAL: i32 = 3;

/// The answer stored when even building an answer failed.
const FALLBACK_ANSWER: &CStr = c"{\"error\":{\"code\":\"internal\",\"message\":\"internal error: the answer could not be built\",\"problems\":[]}}";

static VERSION: OnceLock<CString> = OnceLock::new();

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
/// `PRM_INTERNAL`. Never unwinds into C.
///
/// Ownership: `op` and `request` stay the caller's and are only read during
/// the call. Whatever the status, when `out` is not null `*out` receives a
/// new NUL-terminated answer string that the caller owns and must free with
/// `prm_string_free` exactly once. When `out` is null nothing is stored and
/// the status is `PRM_INVALID_ARGUMENT`.
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
    let (status, answer) = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller promises each pointer is null or a valid C string.
        let (op, request) = unsafe { (read_str(op, "op"), read_str(request, "request")) };
        match (op, request) {
            (Ok(op), Ok(request)) => {
                let result = prm_core::program::parse_json(request)
                    .and_then(|value| prm_core::api::call_value(op, &value));
                let status = if result.is_ok() { PRM_OK } else { PRM_ERROR };
                (status, answer_string(result))
            }
            (Err(e), _) | (_, Err(e)) => (PRM_INVALID_ARGUMENT, answer_string(Err(e))),
        }
    }))
    .unwrap_or_else(|_| {
        let error = Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root())
                .message("prm_call panicked; this is a bug in prm, please report it"),
        ]);
        (PRM_INTERNAL, answer_string(Err(error)))
    });
    // SAFETY: `out` is not null and the caller promises it is writable.
    unsafe { *out = answer.into_raw() };
    status
}

/// Frees a string that prm returned through `prm_call`'s `out`.
///
/// Passing null does nothing. Never unwinds into C.
///
/// # Safety
///
/// `s` must be null or a pointer that `prm_call` stored in `*out` and that
/// has not been freed yet; it must not be used after this call. Never pass
/// the string from `prm_version`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prm_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // Dropping a CString cannot panic; the guard keeps the promise anyway.
    let _ = catch_unwind(|| {
        // SAFETY: the caller promises `s` came from `CString::into_raw` in `prm_call`.
        drop(unsafe { CString::from_raw(s) });
    });
}

/// Reads a C string argument, or says why it cannot be read.
///
/// # Safety
///
/// `ptr` must be null or point to a NUL-terminated string valid for `'a`.
unsafe fn read_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::problem(
            Problem::new(ErrorCode::NullPointer, JsonPath::root())
                .message(format!("argument `{name}` is a null pointer")),
        ));
    }
    // SAFETY: not null, and the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::problem(
            Problem::new(ErrorCode::InvalidUtf8, JsonPath::root()).message(format!(
                "argument `{name}` is not UTF-8: invalid byte at offset {}",
                e.valid_up_to()
            )),
        )
    })
}

/// The tagged answer for `result` as an owned C string.
fn answer_string(result: Result<serde_json::Value, Error>) -> CString {
    // JSON text escapes control characters, so it never holds a NUL byte.
    CString::new(prm_core::api::answer(result).to_string())
        .unwrap_or_else(|_| FALLBACK_ANSWER.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn run(op: *const c_char, request: *const c_char) -> (i32, serde_json::Value) {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: the arguments are null or C string literals; `out` is a local.
        let status = unsafe { prm_call(op, request, &raw mut out) };
        assert!(!out.is_null());
        // SAFETY: `out` was just stored by prm_call.
        let text = unsafe { CStr::from_ptr(out) }
            .to_str()
            .unwrap_or_default()
            .to_owned();
        // SAFETY: freed once, not used after.
        unsafe { prm_string_free(out) };
        (status, serde_json::from_str(&text).unwrap_or_default())
    }

    #[test]
    fn version_is_static_and_matches() {
        // SAFETY: prm_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(prm_version()) };
        assert_eq!(v.to_str().ok(), Some(prm_core::version()));
        assert_eq!(prm_version(), prm_version());
    }

    #[test]
    fn ok_answer() {
        let (status, answer) = run(c"version".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_OK);
        assert_eq!(answer["ok"]["version"], prm_core::version());
    }

    #[test]
    fn error_answer() {
        let (status, answer) = run(c"no.such.op".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_ERROR);
        assert_eq!(answer["error"]["code"], "unknown_operation");
    }

    #[test]
    fn null_arguments() {
        let (status, answer) = run(c"version".as_ptr(), ptr::null());
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        assert_eq!(answer["error"]["problems"][0]["code"], "null_pointer");
        assert_eq!(
            answer["error"]["problems"][0]["message"],
            "argument `request` is a null pointer"
        );
        // SAFETY: a null `out` is allowed and stores nothing.
        let status = unsafe { prm_call(c"version".as_ptr(), c"{}".as_ptr(), ptr::null_mut()) };
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        // SAFETY: freeing null does nothing.
        unsafe { prm_string_free(ptr::null_mut()) };
    }

    #[test]
    fn invalid_utf8() {
        let (status, answer) = run(c"ver\xffsion".as_ptr(), c"{}".as_ptr());
        assert_eq!(status, PRM_INVALID_ARGUMENT);
        assert_eq!(answer["error"]["problems"][0]["code"], "invalid_utf8");
    }
}
