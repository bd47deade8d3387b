// prm from Swift, through the uniffi bindings in prm-ffi/bindings/swift: the
// whole conformance corpus through `call`, then the typed API and the typed
// engine methods of `Program`.
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


// MARK: - The typed engine methods of Program

func caseInput(_ dir: URL, _ path: String) throws -> [String: Any] {
    let text = try String(contentsOf: dir.appendingPathComponent(path), encoding: .utf8)
    guard let testCase = try parse(text) as? [String: Any], let input = testCase["input"] as? [String: Any] else {
        throw Failure(description: "no input in \(path)")
    }
    return input
}

func programOf(_ input: [String: Any]) throws -> Program {
    try Program.fromJson(json: try write(input["program"] ?? [String: Any]()))
}

func field(_ input: [String: Any], _ key: String) throws -> String {
    try write(input[key] ?? NSNull())
}

func engineTests(_ dir: URL) {
    check("evaluateTier: a typed decision and the gap to the next tier") {
        let input = try caseInput(dir, "tiers/any_of_and_at_most_in_words.json")
        let program = try programOf(input)
        let d = try program.evaluateTier(partnerJson: try field(input, "partner"), asOf: "2026-03-31")
        try expectEqual(TierDecisionKind.upgraded, d.kind)
        try expectEqual("registered", d.tier)
        try expectEqual("2026-03-31", d.assignment.since)
        try expectEqual("0.621", d.nextTier?.progress)
        try expectEqual(["1", "6", "4.5"], d.nextTier?.shortfalls.map(\.shortfall))
        try expectEqual(StepOutcome.failed, d.explanation.first?.outcome)
        try expectEqual(2, d.explanation.first?.children.first?.children.count)
    }
    check("evaluateTier: malformed facts throw PrmError.Invalid under $.partner") {
        let input = try caseInput(dir, "tiers/any_of_and_at_most_in_words.json")
        let program = try programOf(input)
        do {
            _ = try program.evaluateTier(partnerJson: "{", asOf: "2026-03-31")
            throw Failure(description: "no error")
        } catch PrmError.Invalid(_, _, let problems) {
            try expectEqual("malformed_json", problems.first?.code)
            try expectEqual("$.partner", problems.first?.path)
        }
    }
    check("certificationStatus and certificationReminders") {
        let input = try caseInput(dir, "certifications/expiring_inside_the_warning_horizon.json")
        let report = try programOf(input).certificationStatus(awardsJson: try field(input, "awards"), asOf: "2025-10-12")
        try expectEqual([CertificationStatus.expiring, .valid], report.awards.map(\.status))
        try expectEqual("2026-01-10", report.awards.first?.expiresOn)
        try expectEqual(1, report.byStatus["expiring"])
        let due = try caseInput(dir, "certifications/reminders_after_downtime_are_not_lost.json")
        let reminders = try programOf(due).certificationReminders(
            awardsJson: try field(due, "awards"), since: "2025-11-01", asOf: "2025-12-31", schedule: [90, 60, 30, 7])
        try expectEqual([60, 30], reminders.reminders.map(\.daysBefore))
    }
    check("routeLead: a typed decision and the state for the next lead") {
        let input = try caseInput(dir, "routing/all_partners_at_capacity.json")
        let program = try programOf(input)
        let routed = try program.routeLead(partnersJson: try field(input, "partners"), leadJson: try field(input, "lead"))
        try expectEqual(RoutingOutcome.unassigned, routed.decision.outcome)
        try expectEqual(2, routed.decision.excluded["at_capacity"]?.count)
        let next = try program.routeLead(
            partnersJson: try field(input, "partners"), leadJson: try field(input, "lead"), stateJson: routed.state)
        try expectEqual(RoutingOutcome.unassigned, next.decision.outcome)
    }
    check("checkDealRegistration: conflicts with severity") {
        let input = try caseInput(dir, "deal_registration/accents_and_german_suffixes.json")
        let d = try programOf(input).checkDealRegistration(
            registrationJson: try field(input, "registration"), asOf: input["as_of"] as? String ?? "",
            existingJson: try field(input, "existing"))
        try expectEqual(DealCheckOutcome.conflict, d.outcome)
        try expectEqual(Severity.high, d.conflicts.first?.severity)
        try expectEqual("muller sohne", d.normalized.name)
    }
    check("commissionStatement: lines and totals as decimal strings") {
        let input = try caseInput(dir, "commission/accelerator_on_everything_missed.json")
        let facts = try write(["transactions": input["transactions"] ?? []])
        let s = try programOf(input).commissionStatement(partnerId: "P1", asOf: "2026-03-31", factsJson: facts)
        try expectEqual(["600.00", "300.00"], s.lines.map(\.amount))
        try expectEqual(LineKind.sale, s.lines.first?.kind)
        try expectEqual("900.00", s.totals.net)
        try expectEqual(2026, s.carryForward.fiscalYear)
    }
    check("mdfBalance and mdfApplyAll: figures, events and refusals") {
        let input = try caseInput(dir, "mdf/balance_as_of_a_date_after_the_claim_deadline_includes_the_due_release.json")
        let b = try programOf(input).mdfBalance(eventsJson: try field(input, "events"), asOf: "2024-05-01")
        try expectEqual("1400.00", b.accounts.first?.figures.available)
        try expectEqual(7, b.dueEvents.first?.seq)
        let apply = try caseInput(dir, "mdf/commands_apply_one_by_one_unless_all_or_nothing.json")
        let r = try programOf(apply).mdfApplyAll(eventsJson: try field(apply, "events"), commandsJson: try field(apply, "commands"))
        try expectEqual(2, r.applied)
        try expectEqual(1, r.refused)
        try expectEqual([MdfDecisionStatus.applied, .refused, .applied], r.decisions.map(\.status))
        try expectEqual("mdf_vendor_share_exceeded", r.decisions[1].error?.problems.first?.code)
    }
}

let corpus = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "tests/conformance")
check("corpus") { try runCorpus(corpus) }
typedTests()
engineTests(corpus)
print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
