//! The C ABI from C: compiles `tests/c/test_abi.c` (linked statically) and
//! `tests/c/corpus_driver.c` (linked against the shared library) with
//! `cc -std=c11 -Wall -Wextra -Werror -pedantic`, runs the first, and feeds
//! the whole conformance corpus (`tests/conformance/**/*.json`) through the
//! second, matching every answer as `prm-core/tests/conformance.rs` does.
//!
//! `PRM_C_WRAPPER` runs both programs under a wrapper; `./scripts/test` sets
//! it to `valgrind --leak-check=full --error-exitcode=1`, so a leak or a
//! memory error fails the test.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test harness: any failure here is a test failure"
)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>/deps`, where `cargo test` builds `libprm_ffi.so` and
/// `libprm_ffi.a` for this run. (`target/<profile>` only gets copies on
/// `cargo build`, so on a fresh clone they are missing there, and later they
/// can be stale.)
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/debug/deps/c_abi-<hash> -> target/debug/deps
    exe.parent()
        .expect("the test runs from target/<profile>/deps")
        .to_path_buf()
}

/// Compiles one C file of `tests/c` into `CARGO_TARGET_TMPDIR`.
fn compile(source: &str, link_static: bool) -> PathBuf {
    let lib = library_dir();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(source.trim_end_matches(".c"));
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-pthread",
    ])
    .arg("-I")
    .arg(crate_dir().join("include"))
    .arg(crate_dir().join("tests/c").join(source))
    .arg("-o")
    .arg(&out);
    if link_static {
        // The libraries `rustc --print native-static-libs` lists for Linux.
        cc.arg(lib.join("libprm_ffi.a")).args([
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ]);
    } else {
        cc.arg("-L")
            .arg(&lib)
            .arg("-lprm_ffi")
            .arg(format!("-Wl,-rpath,{}", lib.display()));
    }
    let status = cc.status().expect("a C compiler (`cc`) runs");
    assert!(status.success(), "compiling tests/c/{source} failed");
    out
}

/// A command for `program`, under `PRM_C_WRAPPER` when it is set.
fn command(program: &Path) -> Command {
    let mut cmd = match std::env::var("PRM_C_WRAPPER") {
        Ok(wrapper) if !wrapper.trim().is_empty() => {
            let mut words = wrapper.split_whitespace();
            let mut cmd = Command::new(words.next().unwrap_or_default());
            cmd.args(words).arg(program);
            cmd
        }
        _ => Command::new(program),
    };
    // `cargo test` puts target/<profile> on LD_LIBRARY_PATH, which wins over
    // the rpath: load this run's library, not an older copy.
    cmd.env("LD_LIBRARY_PATH", library_dir());
    cmd
}

#[test]
fn c_program_passes_its_checks() {
    let program = compile("test_abi.c", true);
    let output = command(&program).output().expect("test_abi runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "test_abi failed: {}",
        output.status
    );
    assert!(stdout.contains(" passed, 0 failed"), "no summary line");
}

#[test]
fn the_wrapper_sees_a_leaked_answer() {
    // Only meaningful under a leak checker; without one there is nothing to see.
    if std::env::var("PRM_C_WRAPPER").is_ok_and(|w| !w.trim().is_empty()) {
        let program = compile("leak_canary.c", false);
        let output = command(&program).output().expect("leak_canary runs");
        assert!(
            !output.status.success(),
            "the wrapper did not report the answer leak_canary.c leaks"
        );
    }
}

// ---------------------------------------------------------------------------
// The corpus through the C driver.

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the corpus directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            case_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Where `actual` departs from `expected` (subset semantics), if anywhere.
/// The same rule as `prm-core/tests/conformance.rs`.
fn mismatch(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            want.iter().find_map(|(key, w)| match got.get(key) {
                Some(g) => mismatch(w, g, &format!("{at}.{key}")),
                None => Some(format!("{at}.{key}: missing in answer")),
            })
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!(
                    "{at}: expected {} elements, found {}",
                    want.len(),
                    got.len()
                ));
            }
            want.iter()
                .zip(got)
                .enumerate()
                .find_map(|(i, (w, g))| mismatch(w, g, &format!("{at}[{i}]")))
        }
        _ if expected == actual => None,
        _ => Some(format!("{at}: expected {expected}, found {actual}")),
    }
}

/// One request for the driver, and the case it checks.
struct Run {
    name: String,
    case: Value,
}

fn block(input: &mut Vec<u8>, text: &str) {
    input.extend_from_slice(format!("{}\n{text}\n", text.len()).as_bytes());
}

/// Reads `<status>\n<n>\n<n bytes>\n` answers.
fn answers(mut out: &[u8]) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    let line = |out: &mut &[u8]| -> Option<String> {
        let end = out.iter().position(|&b| b == b'\n')?;
        let (head, rest) = out.split_at(end);
        *out = &rest[1..];
        Some(String::from_utf8_lossy(head).into_owned())
    };
    while let (Some(status), Some(len)) = (line(&mut out), line(&mut out)) {
        let len: usize = len.parse().expect("a length");
        let (text, rest) = out.split_at(len);
        found.push((
            status.parse().expect("a status"),
            String::from_utf8(text.to_vec()).expect("answers are UTF-8"),
        ));
        out = &rest[1..];
    }
    found
}

#[test]
fn conformance_corpus_through_the_c_abi() {
    let dir = crate_dir().join("../tests/conformance");
    let mut files = Vec::new();
    case_files(&dir, &mut files);
    assert!(
        files.len() >= 50,
        "corpus looks empty: {} cases",
        files.len()
    );

    let mut input = Vec::new();
    let mut runs = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .display()
            .to_string();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        let op = case["op"].as_str().expect("a case has an op");
        let request = match (&case.get("input_text"), &case.get("input")) {
            (Some(Value::String(raw)), _) => raw.clone(),
            (_, Some(input)) => input.to_string(),
            _ => panic!("{name} has neither input nor input_text"),
        };
        input.extend_from_slice(format!("call\n{op}\n").as_bytes());
        block(&mut input, &request);
        runs.push(Run {
            name: name.clone(),
            case: case.clone(),
        });

        // A case with a valid program runs again through a program handle,
        // with `program` taken out of the request: same answer.
        if let (Some(_), Some(Value::Object(fields))) = (case.get("expect"), case.get("input"))
            && let Some(program @ Value::Object(_)) = fields.get("program")
        {
            let mut rest = fields.clone();
            rest.remove("program");
            input.extend_from_slice(b"program\n");
            block(&mut input, &program.to_string());
            input.extend_from_slice(format!("{op}\n").as_bytes());
            block(&mut input, &Value::Object(rest).to_string());
            runs.push(Run {
                name: format!("{name} (through a program handle)"),
                case,
            });
        }
    }

    let driver = compile("corpus_driver.c", false);
    let mut child = command(&driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the driver starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("the driver finishes");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the driver failed: {}",
        output.status
    );
    writer
        .join()
        .expect("writer")
        .expect("the driver reads every request");

    let answers = answers(&output.stdout);
    assert_eq!(answers.len(), runs.len(), "one answer per request");
    let mut failures = Vec::new();
    for (run, (status, text)) in runs.iter().zip(&answers) {
        let answer: Value = serde_json::from_str(text).expect("answers are JSON");
        let (key, expected) = match run.case.get("expect") {
            Some(expect) => ("ok", expect),
            None => ("error", &run.case["expect_error"]),
        };
        // The status agrees with the answer: PRM_OK exactly when it is ok.
        if (answer.get("ok").is_some()) != (*status == 0) {
            failures.push(format!("{}: status {status} with answer {text}", run.name));
            continue;
        }
        match answer.get(key) {
            Some(got) => {
                if let Some(m) = mismatch(expected, got, "$") {
                    failures.push(format!("{}: {m}\n  answer: {got}", run.name));
                }
            }
            None => failures.push(format!("{}: expected {key}, got {text}", run.name)),
        }
    }
    println!(
        "{} cases, {} runs through the C ABI",
        files.len(),
        runs.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n")
    );
}
