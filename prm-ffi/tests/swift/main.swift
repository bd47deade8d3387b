// prm from Swift, through the uniffi bindings in prm-ffi/bindings/swift: the
// whole conformance corpus through `call`, then the typed API.
//
// There is no Swift compiler on prm's CI machines, so this file is NOT run
// there; docs/mobile.md gives the commands to build and run it on a machine
// with Swift 5.9 or later:
//
//   cargo build -p prm-ffi
//   swiftc -module-name PrmSwiftTest \
//       -Xcc -fmodule-map-file=prm-ffi/bindings/swift/PrmFFI.modulemap \
//       -I prm-ffi/bindings/swift -L target/debug -lprm_ffi \
//       prm-ffi/bindings/swift/Prm.swift prm-ffi/tests/swift/main.swift -o target/prm-swift-test
//   DYLD_LIBRARY_PATH=target/debug LD_LIBRARY_PATH=target/debug \
//       target/prm-swift-test tests/conformance
//
// Prints one line per failure and a closing "N passed, N failed" line.

import Foundation

var passed = 0
var failed = 0

func check(_ name: String, _ body: () throws -> Void) {
    do {
        try body()
        passed += 1
    } catch {
        failed += 1
        print("not ok - \(name): \(error)")
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    if !condition { throw Failure(description: what()) }
}

func expectEqual<T: Equatable>(_ expected: T, _ actual: T) throws {
    try expect(expected == actual, "expected \(expected), found \(actual)")
}

// MARK: - The corpus

func parse(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

func write(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]), as: UTF8.self)
}

/// Where `actual` departs from `expected`: every key named must match; arrays match whole.
func mismatch(_ expected: Any, _ actual: Any, _ at: String) -> String? {
    if let want = expected as? [String: Any], let got = actual as? [String: Any] {
        for (key, w) in want.sorted(by: { $0.key < $1.key }) {
            guard let g = got[key] else { return "\(at).\(key): missing in answer" }
            if let m = mismatch(w, g, "\(at).\(key)") { return m }
        }
        return nil
    }
    if let want = expected as? [Any], let got = actual as? [Any] {
        if want.count != got.count { return "\(at): expected \(want.count) elements, found \(got.count)" }
        for (i, pair) in zip(want, got).enumerated() {
            if let m = mismatch(pair.0, pair.1, "\(at)[\(i)]") { return m }
        }
        return nil
    }
    if let want = expected as? NSObject, let got = actual as? NSObject, want.isEqual(got) { return nil }
    return "\(at): expected \(expected), found \(actual)"
}

extension PrmError {
    var json: [String: Any] {
        let parts: (String, String, [Problem])
        switch self {
        case let .Invalid(code, message, problems),
             let .Overflow(code, message, problems),
             let .Conflict(code, message, problems),
             let .NotFound(code, message, problems),
             let .UnknownOperation(code, message, problems),
             let .LimitExceeded(code, message, problems),
             let .Internal(code, message, problems):
            parts = (code, message, problems)
        }
        return [
            "code": parts.0,
            "message": parts.1,
            "problems": parts.2.map { p -> [String: Any] in
                var d: [String: Any] = ["code": p.code, "path": p.path, "message": p.message]
                if let help = p.help { d["help"] = help }
                return d
            },
        ]
    }
}

func runCorpus(_ dir: URL) throws {
    let files = (FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?
        .compactMap { $0 as? URL }
        .filter { $0.pathExtension == "json" } ?? [])
        .sorted { $0.path < $1.path }
    try expect(files.count >= 50, "corpus looks empty: \(files.count) cases in \(dir.path)")
    for file in files {
        check(file.lastPathComponent) {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard let testCase = try parse(text) as? [String: Any], let op = testCase["op"] as? String else {
                throw Failure(description: "not a case")
            }
            let request = try (testCase["input_text"] as? String) ?? write(testCase["input"] ?? [String: Any]())
            var answer: [String: Any]
            do {
                answer = ["ok": try parse(try call(op: op, request: request))]
            } catch let error as PrmError {
                answer = ["error": error.json]
            }
            let key = testCase["expect"] != nil ? "ok" : "error"
            guard let expected = testCase["expect"] ?? testCase["expect_error"] else {
                throw Failure(description: "no expectation")
            }
            guard let got = answer[key] else { throw Failure(description: "expected \(key), got \(answer)") }
            if let m = mismatch(expected, got, "$") { throw Failure(description: m) }
        }
    }
    print("corpus: \(files.count) cases")
}

// MARK: - The typed API

let northwind = """
    {"schema_version": 1, "name": "Northwind", "currency": "EUR",
     "rounding": "half_up", "fiscal_calendar": {"first_month": 7}}
    """

func typedTests() {
    check("moneyRound: decimals are exact strings, half_even by default") {
        try expectEqual(Money(amount: "2.34", currency: "EUR"), try moneyRound(amount: "2.345", currency: "EUR"))
        try expectEqual("2.35", try moneyRound(amount: "2.345", currency: "EUR", mode: .halfUp).amount)
        try expectEqual("3", try moneyRound(amount: "2.5", currency: "JPY", mode: .halfUp).amount)
    }
    check("every problem arrives as PrmError.Invalid with paths") {
        do {
            _ = try moneyRound(amount: "12,50", currency: "EUX")
            throw Failure(description: "no error")
        } catch PrmError.Invalid(let code, _, let problems) {
            try expectEqual("invalid", code)
            try expectEqual(["$.amount", "$.currency"], problems.map(\.path))
        }
    }
    check("dates are YYYY-MM-DD strings") {
        try expectEqual("2024-02-29", try calendarAddMonths(date: "2024-01-31", months: 1))
        let q = try calendarFiscalQuarter(date: "2025-08-15", fiscalCalendar: FiscalCalendar(firstMonth: 7))
        try expectEqual(2026, q.fiscalYear)
        try expectEqual("2025-07-01", q.quarterStart)
    }
    check("moneyAllocate and rateNormalize") {
        try expectEqual(["700.01", "300.00"], try moneyAllocate(total: "1000.01", weights: ["0.7", "0.3"], currency: "EUR").parts)
        try expectEqual("0.07", try rateNormalize(rate: "7%"))
    }
    check("unknown operations suggest a name") {
        do {
            _ = try call(op: "program.validat", request: "{}")
            throw Failure(description: "no error")
        } catch PrmError.UnknownOperation(_, _, let problems) {
            try expectEqual("did you mean `program.validate`?", problems.first?.help)
        }
    }
    check("Program: read once, summarised, injected into calls") {
        let program = try Program.fromJson(json: northwind)
        let summary = try program.summary()
        try expectEqual("Northwind", summary.name)
        try expectEqual(RoundingMode.halfUp, summary.rounding)
        try expectEqual(7, summary.fiscalCalendar.firstMonth)
        let answer = try parse(try program.call(op: "program.validate", request: "{}")) as? [String: Any]
        try expectEqual("Northwind", answer?["name"] as? String)
        try expectEqual(summary, try Program.fromJson(json: program.toJson()).summary())
    }
    check("Program errors carry document paths") {
        do {
            _ = try Program.fromJson(json: #"{"schema_version": 1, "currency": "EUX"}"#)
            throw Failure(description: "no error")
        } catch PrmError.Invalid(_, _, let problems) {
            try expectEqual("$.currency", problems.first?.path)
        }
    }
    check("one Program is shared by many threads") {
        let program = try Program.fromJson(json: northwind)
        let lock = NSLock()
        var good = 0
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<100 {
                if let text = try? program.call(op: "program.validate", request: "{}"), text.contains("Northwind") {
                    lock.lock(); good += 1; lock.unlock()
                }
            }
        }
        try expectEqual(800, good)
    }
}

let corpus = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "tests/conformance")
check("corpus") { try runCorpus(corpus) }
typedTests()
print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
