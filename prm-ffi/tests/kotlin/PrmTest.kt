// prm from Kotlin, through the uniffi bindings in prm-ffi/bindings/kotlin:
// the whole conformance corpus through `call` (and, for cases with a program,
// through `Program.call`), the corpus again through the typed engine methods
// (`program.evaluateTier`, ...) where a case's request fits one, compared
// with the JSON answer, then idiomatic tests of the typed API.
//
// Run by ./scripts/test:
//   java -Djna.library.path=<dir of libprm_ffi.so> -cp prm-test.jar:jna.jar PrmTestKt <corpus dir>
// Prints one line per failure and a closing "N passed, N failed" line.

import java.io.File
import java.math.BigDecimal
import java.time.LocalDate
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import kotlin.system.exitProcess
import prm.*

// ---------------------------------------------------------------------------
// A small JSON reader and writer, enough for the corpus. Numbers keep their
// text (`12.5` stays `12.5`), so a case sends exactly what its file says.

object JsonNull { override fun toString() = "null" }
data class JsonNumber(val text: String) { override fun toString() = text }

class JsonReader(private val s: String) {
    private var i = 0

    fun readDocument(): Any {
        val v = value()
        space()
        require(i == s.length) { "trailing text at $i" }
        return v
    }

    private fun space() { while (i < s.length && s[i].isWhitespace()) i++ }

    private fun value(): Any {
        space()
        require(i < s.length) { "unexpected end" }
        return when (val c = s[i]) {
            '{' -> obj()
            '[' -> arr()
            '"' -> str()
            't' -> lit("true", true)
            'f' -> lit("false", false)
            'n' -> lit("null", JsonNull)
            else -> if (c == '-' || c.isDigit()) num() else error("unexpected `$c` at $i")
        }
    }

    private fun lit(word: String, v: Any): Any {
        require(s.startsWith(word, i)) { "expected $word at $i" }
        i += word.length
        return v
    }

    private fun num(): JsonNumber {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        return JsonNumber(s.substring(start, i))
    }

    private fun str(): String {
        i++ // opening quote
        val out = StringBuilder()
        while (true) {
            val c = s[i++]
            when (c) {
                '"' -> return out.toString()
                '\\' -> {
                    when (val e = s[i++]) {
                        'n' -> out.append('\n'); 't' -> out.append('\t'); 'r' -> out.append('\r')
                        'b' -> out.append('\b'); 'f' -> out.append('\u000c')
                        'u' -> { out.append(s.substring(i, i + 4).toInt(16).toChar()); i += 4 }
                        else -> out.append(e)
                    }
                }
                else -> out.append(c)
            }
        }
    }

    private fun arr(): List<Any> {
        i++
        val out = mutableListOf<Any>()
        space()
        if (s[i] == ']') { i++; return out }
        while (true) {
            out.add(value())
            space()
            if (s[i++] == ']') return out
        }
    }

    private fun obj(): Map<String, Any> {
        i++
        val out = LinkedHashMap<String, Any>()
        space()
        if (s[i] == '}') { i++; return out }
        while (true) {
            space()
            val key = str()
            space()
            require(s[i++] == ':') { "expected : at $i" }
            out[key] = value()
            space()
            if (s[i++] == '}') return out
        }
    }
}

fun parseJson(text: String): Any = JsonReader(text).readDocument()

fun writeJson(v: Any?): String = when (v) {
    null, JsonNull -> "null"
    is Boolean -> v.toString()
    is JsonNumber -> v.text
    is Number -> v.toString()
    is String -> buildString {
        append('"')
        for (c in v) when {
            c == '"' -> append("\\\"")
            c == '\\' -> append("\\\\")
            c < ' ' -> append("\\u%04x".format(c.code))
            else -> append(c)
        }
        append('"')
    }
    is List<*> -> v.joinToString(",", "[", "]") { writeJson(it) }
    is Map<*, *> -> v.entries.joinToString(",", "{", "}") { writeJson(it.key) + ":" + writeJson(it.value) }
    else -> error("not JSON: $v")
}

/** Where `actual` departs from `expected`: every key named must match; arrays match whole. */
fun mismatch(expected: Any?, actual: Any?, at: String): String? = when {
    expected is Map<*, *> && actual is Map<*, *> ->
        expected.entries.firstNotNullOfOrNull { (k, w) ->
            if (!actual.containsKey(k)) "$at.$k: missing in answer" else mismatch(w, actual[k], "$at.$k")
        }
    expected is List<*> && actual is List<*> ->
        if (expected.size != actual.size) "$at: expected ${expected.size} elements, found ${actual.size}"
        else expected.indices.firstNotNullOfOrNull { mismatch(expected[it], actual[it], "$at[$it]") }
    expected == actual -> null
    else -> "$at: expected ${writeJson(expected)}, found ${writeJson(actual)}"
}

// ---------------------------------------------------------------------------
// The error as the JSON document every language sees.

val PrmException.parts: Triple<String, String, List<Problem>>
    get() = when (this) {
        is PrmException.Invalid -> Triple(code, detail, problems)
        is PrmException.Overflow -> Triple(code, detail, problems)
        is PrmException.Conflict -> Triple(code, detail, problems)
        is PrmException.NotFound -> Triple(code, detail, problems)
        is PrmException.UnknownOperation -> Triple(code, detail, problems)
        is PrmException.LimitExceeded -> Triple(code, detail, problems)
        is PrmException.Internal -> Triple(code, detail, problems)
    }

fun PrmException.toJson(): Map<String, Any> {
    val (code, message, problems) = parts
    return mapOf(
        "code" to code,
        "message" to message,
        "problems" to problems.map { p ->
            buildMap<String, Any> {
                put("code", p.code); put("path", p.path); put("message", p.message)
                p.help?.let { put("help", it) }
            }
        },
    )
}

// ---------------------------------------------------------------------------
// The harness.

var passed = 0
var failed = 0

fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
    } catch (t: Throwable) {
        failed++
        println("not ok - $name: $t")
    }
}

fun expect(condition: Boolean, what: () -> String) { if (!condition) throw AssertionError(what()) }

fun <T> expectEqual(expected: T, actual: T) = expect(expected == actual) { "expected $expected, found $actual" }

inline fun <reified E : PrmException> expectThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: PrmException) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

/** One answer: `{"ok": ...}` or `{"error": ...}`, from `run`. */
fun answer(run: () -> String): Map<String, Any> = try {
    mapOf("ok" to parseJson(run()))
} catch (e: PrmException) {
    mapOf("error" to e.toJson())
}

fun compare(case: Map<*, *>, answer: Map<String, Any>): String? {
    val (key, expected) = if (case.containsKey("expect")) "ok" to case["expect"] else "error" to case["expect_error"]
    val got = answer[key] ?: return "expected $key, got ${writeJson(answer)}"
    return mismatch(expected, got, "$")?.let { "$it\n  answer: ${writeJson(got)}" }
}

fun runCorpus(dir: File) {
    val files = dir.walkTopDown().filter { it.isFile && it.extension == "json" }.sortedBy { it.path }.toList()
    expect(files.size >= 50) { "corpus looks empty: ${files.size} cases in $dir" }
    var throughProgram = 0
    for (file in files) {
        val name = file.relativeTo(dir).path
        val case = parseJson(file.readText()) as Map<*, *>
        val op = case["op"] as String
        val input = case["input"]
        val request = (case["input_text"] as String?) ?: writeJson(input)
        check(name) {
            compare(case, answer { call(op, request) })?.let { throw AssertionError(it) }
        }
        // A case with a valid program runs again through a loaded Program,
        // with `program` taken out of the request: same answer.
        if (case.containsKey("expect") && input is Map<*, *> && input["program"] is Map<*, *>) {
            throughProgram++
            check("$name (through Program)") {
                Program.fromJson(writeJson(input["program"])).use { program ->
                    val rest = input.filterKeys { it != "program" }
                    compare(case, answer { program.call(op, writeJson(rest)) })?.let { throw AssertionError(it) }
                }
            }
        }
    }
    println("corpus: ${files.size} cases, $throughProgram also through Program")
}

// ---------------------------------------------------------------------------
// Idiomatic tests of the typed API.

const val NORTHWIND = """{"schema_version": 1, "name": "Northwind", "currency": "EUR",
    "rounding": "half_up", "fiscal_calendar": {"first_month": 7}}"""

fun typedTests() {
    check("moneyRound takes and gives BigDecimal, half_even by default") {
        expectEqual(Money(BigDecimal("2.34"), "EUR"), moneyRound(BigDecimal("2.345"), "EUR"))
        expectEqual(BigDecimal("2.35"), moneyRound(BigDecimal("2.345"), "EUR", RoundingMode.HALF_UP).amount)
        expectEqual(BigDecimal("-2.34"), moneyRound(BigDecimal("-2.349"), "EUR", RoundingMode.DOWN).amount)
        // Scale is kept: 2.3 EUR is 2.30, not 2.3.
        expectEqual("2.30", moneyRound(BigDecimal("2.3"), "EUR").amount.toPlainString())
        expectEqual("3", moneyRound(BigDecimal("2.5"), "JPY", RoundingMode.HALF_UP).amount.toPlainString())
    }
    check("a BigDecimal with an exponent crosses as plain digits") {
        expectEqual(BigDecimal("1200.00"), moneyRound(BigDecimal("1.2E+3"), "EUR").amount)
    }
    check("every problem arrives as a typed Invalid with paths") {
        val e = expectThrows<PrmException.Invalid> { moneyRound(BigDecimal("1.005"), "EUX") }
        expectEqual("invalid", e.code)
        expectEqual(listOf("unknown_currency" to "$.currency"), e.problems.map { it.code to it.path })
        expect(e.problems[0].help != null) { "a help line for an unknown currency" }
        expect(e.message.contains("unknown currency")) { "message names the problem: ${e.message}" }
    }
    check("moneyAllocate parts sum exactly to the total") {
        val a = moneyAllocate(BigDecimal("1000.01"), listOf(BigDecimal("0.7"), BigDecimal("0.3")), "EUR")
        expectEqual(listOf(BigDecimal("700.01"), BigDecimal("300.00")), a.parts)
        expectEqual(0, a.parts.fold(BigDecimal.ZERO, BigDecimal::add).compareTo(BigDecimal("1000.01")))
    }
    check("rateNormalize reads percents") {
        expectEqual(BigDecimal("0.07"), rateNormalize("7%"))
        expectThrows<PrmException.Invalid> { rateNormalize("7 %") }
    }
    check("dates are LocalDate") {
        expectEqual(LocalDate.of(2024, 2, 29), calendarAddMonths(LocalDate.of(2024, 1, 31), 1))
        val w = calendarTrailingWindow(LocalDate.of(2026, 3, 31), 12u)
        expectEqual(LocalDate.of(2025, 4, 1), w.start)
        expectEqual(LocalDate.of(2026, 4, 1), w.end)
        expectEqual(365L, w.days)
        val q = calendarFiscalQuarter(LocalDate.of(2025, 8, 15), FiscalCalendar(7u))
        expectEqual(2026 to 1u, q.fiscalYear to q.quarter)
        expectEqual(LocalDate.of(2025, 7, 1), q.quarterStart)
        expectEqual(1u, calendarFiscalQuarter(LocalDate.of(2025, 2, 1)).quarter)
    }
    check("a date past year 9999 is refused, not mangled") {
        val e = expectThrows<PrmException.Invalid> { calendarAddMonths(LocalDate.of(10000, 1, 1), 1) }
        expectEqual("invalid_date", e.problems[0].code)
    }
    check("versionInfo, operations and describe") {
        val info = versionInfo()
        expectEqual(version(), info.version)
        expectEqual(1u, info.schemaVersion)
        expectEqual(operations(), info.operations)
        expect("money.round" in info.operations) { "money.round is listed" }
        val d = describe("money.round")
        expect(d.requestSchema.contains("\"format\":\"decimal\"")) { d.requestSchema }
        expectThrows<PrmException.UnknownOperation> { describe("money.rund") }
    }
    check("call answers the ok value and raises errors") {
        expectEqual(mapOf("amount" to "2.34", "currency" to "EUR"),
            parseJson(call("money.round", """{"amount": "2.345", "currency": "EUR"}""")))
        val e = expectThrows<PrmException.UnknownOperation> { call("program.validat", "{}") }
        expectEqual("did you mean `program.validate`?", e.problems[0].help)
        val m = expectThrows<PrmException.Invalid> { call("version", "{") }
        expectEqual("malformed_json", m.problems[0].code)
    }
    check("Program is read once, summarised, and round-trips") {
        Program.fromJson(NORTHWIND).use { program ->
            val s = program.summary()
            expectEqual(ProgramSummary(1u, "Northwind", "EUR", RoundingMode.HALF_UP, FiscalCalendar(7u), emptyList()), s)
            Program.fromJson(program.toJson()).use { again -> expectEqual(s, again.summary()) }
        }
    }
    check("Program errors carry paths in the document") {
        val e = expectThrows<PrmException.Invalid> {
            Program.fromJson("""{"schema_version": 1, "currency": "EUX", "rounding": "half_evn"}""")
        }
        expectEqual(listOf("$.currency", "$.rounding"), e.problems.map { it.path })
        expectThrows<PrmException.Invalid> { Program.fromJson("{") }
    }
    check("Program.call injects the program, and refuses a second one") {
        Program.fromJson(NORTHWIND).use { program ->
            val answer = parseJson(program.call("program.validate", "{}")) as Map<*, *>
            expectEqual("Northwind", answer["name"])
            // An operation without a program sees the request unchanged.
            val moved = parseJson(program.call("calendar.add_months", """{"date": "2024-01-31", "months": 1}"""))
            expectEqual(mapOf("date" to "2024-02-29"), moved)
            val e = expectThrows<PrmException.Invalid> { program.call("program.validate", """{"program": {}}""") }
            expectEqual("$.program", e.problems[0].path)
        }
    }
    check("one Program is shared by many threads") {
        Program.fromJson(NORTHWIND).use { program ->
            val pool = Executors.newFixedThreadPool(8)
            try {
                val tasks = (1..8).map {
                    Callable { (1..200).all { (parseJson(program.call("program.validate", "{}")) as Map<*, *>)["currency"] == "EUR" } }
                }
                expect(pool.invokeAll(tasks).all { it.get() }) { "every thread saw the program" }
            } finally {
                pool.shutdown()
            }
        }
    }
    check("a closed Program cannot be used") {
        val program = Program.fromJson(NORTHWIND)
        program.close()
        try {
            program.summary()
            throw AssertionError("a closed Program answered")
        } catch (e: IllegalStateException) {
            // uniffi refuses calls on a destroyed object.
        }
    }
}


// ---------------------------------------------------------------------------
// The typed engine methods of Program: the corpus again, through them.

/** The typed method for a corpus case whose request has the method's shape, or null. */
fun typedCall(op: String, program: Program, input: Map<*, *>): (() -> Any)? {
    fun json(key: String) = writeJson(input[key])
    fun jsonOrNull(key: String) = input[key]?.let { writeJson(it) }
    fun only(vararg keys: String) = input.keys.all { it in keys }
    // A request whose dates or flags a typed argument cannot carry is not expressible.
    fun date(key: String): LocalDate? = (input[key] as? String)?.let { runCatching { LocalDate.parse(it) }.getOrNull() }
    fun flag(key: String): Boolean? = when (val v = input[key]) { null -> false; is Boolean -> v; else -> null }
    fun text(key: String): String? = input[key] as? String
    val bare = input.keys.none { it != "program" && input[it] == JsonNull }
    if (!bare) return null
    when (op) {
        "tiers.evaluate" -> if (only("program", "as_of", "partner")) {
            val asOf = date("as_of") ?: return null
            return { program.evaluateTier(json("partner"), asOf) }
        }
        "certifications.status" -> if (only("program", "as_of", "awards", "strict")) {
            val asOf = date("as_of") ?: return null
            val strict = flag("strict") ?: return null
            return { program.certificationStatus(json("awards"), asOf, strict) }
        }
        "certifications.reminders" -> if (only("program", "since", "as_of", "awards", "schedule", "people")) {
            val since = date("since") ?: return null
            val asOf = date("as_of") ?: return null
            val schedule = (input["schedule"] as List<*>?)?.map { (it as? JsonNumber)?.text?.toUIntOrNull() ?: return null }
            return { program.certificationReminders(json("awards"), since, asOf, schedule, jsonOrNull("people")) }
        }
        "routing.route" -> if (only("program", "partners", "lead", "state")) {
            return { program.routeLead(json("partners"), json("lead"), jsonOrNull("state")) }
        }
        "deal_registration.check" -> if (only("program", "registration", "existing", "as_of", "partner_tier")) {
            val asOf = date("as_of") ?: return null
            return { program.checkDealRegistration(json("registration"), asOf, jsonOrNull("existing"), text("partner_tier")) }
        }
        "commission.statement" -> {
            val partnerId = text("partner_id") ?: return null
            val asOf = date("as_of") ?: return null
            val facts = input.filterKeys { it !in setOf("program", "partner_id", "as_of") }
            return { program.commissionStatement(partnerId, asOf, writeJson(facts)) }
        }
        "mdf.balance" -> if (only("program", "events", "as_of", "fund", "period", "partner_id")) {
            val asOf = date("as_of") ?: return null
            return { program.mdfBalance(json("events"), asOf, text("fund"), text("period"), text("partner_id")) }
        }
        "mdf.apply" -> if (only("program", "events", "command")) {
            return { program.mdfApply(jsonOrNull("events") ?: "[]", json("command")) }
        } else if (only("program", "events", "commands", "all_or_nothing")) {
            val all = flag("all_or_nothing") ?: return null
            return { program.mdfApplyAll(jsonOrNull("events") ?: "[]", json("commands"), all) }
        }
    }
    return null
}

fun Any?.at(vararg path: Any): Any? = path.fold(this) { v, k ->
    when {
        v is Map<*, *> -> v[k]
        v is List<*> && k is Int -> v.getOrNull(k)
        else -> null
    }
}

fun Enum<*>.wire() = name.lowercase()

fun steps(s: List<ExplanationStep>): Int = s.sumOf { 1 + steps(it.children) }
fun steps(s: Any?): Int = (s as List<*>).sumOf { 1 + steps((it as Map<*, *>)["children"] ?: emptyList<Any>()) }

/**
 * The same facts read from a typed record and from the JSON answer: names,
 * enums as their wire spelling, decimals with `toPlainString` (scale kept),
 * dates as ISO text, counts, and the explanation's size.
 */
fun views(record: Any, answer: Any?): Pair<List<Any?>, List<Any?>> = when (record) {
    is TierDecision -> {
        val a = answer.at("decision")
        listOf(record.partnerId, record.kind.wire(), record.effectiveOn.toString(), record.tier, record.qualifiedTier,
            record.downgradeOn?.toString(), record.assignment.since.toString(), record.nextTier?.progress?.toPlainString(),
            record.nextTier?.shortfalls?.map { it.shortfall.toPlainString() }, record.tiers.map { it.met },
            record.problems.map { it.path }, steps(record.explanation)) to
        listOf(a.at("partner_id"), a.at("decision"), a.at("effective_on"), a.at("tier").takeIf { it != JsonNull },
            a.at("qualified_tier").takeIf { it != JsonNull }, a.at("downgrade_on"), a.at("assignment", "since"),
            a.at("next_tier", "progress"), (a.at("next_tier", "shortfalls") as List<*>?)?.map { it.at("shortfall") },
            (a.at("tiers") as List<*>).map { it.at("met") }, ((a.at("problems") ?: emptyList<Any>()) as List<*>).map { it.at("path") },
            steps(a.at("explanation")))
    }
    is CertificationStatusReport ->
        listOf(record.asOf.toString(), record.awards.map { listOf(it.personId, it.status.wire(), it.counts, it.expiresOn?.toString(), it.countsUntil?.toString()) },
            record.byStatus.mapValues { it.value.toString() }) to
        listOf(answer.at("as_of"), (answer.at("awards") as List<*>).map { listOf(it.at("person_id"), it.at("status"), it.at("counts"), it.at("expires_on"), it.at("counts_until")) },
            (answer.at("by_status") as Map<*, *>).mapValues { it.value.toString() })
    is CertificationReminders ->
        listOf(record.schedule.map { it.toString() }, record.reminders.map { listOf(it.dueOn.toString(), it.personId, it.certId, it.daysBefore.toString()) }) to
        listOf((answer.at("schedule") as List<*>).map { it.toString() }, (answer.at("reminders") as List<*>).map { listOf(it.at("due_on"), it.at("person_id"), it.at("cert_id"), it.at("days_before").toString()) })
    is RoutedLead -> {
        val d = record.decision
        val a = answer.at("decision")
        listOf(d.leadId, d.outcome.wire(), d.partnerId, d.rule, d.strategy?.wire(), d.candidateCount.toString(),
            d.candidates.map { listOf(it.partnerId, it.rank.toString(), it.weight?.toPlainString(), it.probability?.toPlainString()) },
            d.excluded.mapValues { it.value.count.toString() }, d.rules.map { it.rule }, steps(d.explanation), parseJson(record.state)) to
        listOf(a.at("lead_id"), a.at("outcome"), a.at("partner_id"), a.at("rule"), a.at("strategy"), a.at("candidate_count").toString(),
            (a.at("candidates") as List<*>).map { listOf(it.at("partner_id"), it.at("rank").toString(), it.at("weight"), it.at("probability")) },
            (a.at("excluded") as Map<*, *>).mapValues { it.value.at("count").toString() }, (a.at("rules") as List<*>).map { it.at("rule") },
            steps(a.at("explanation")), answer.at("state"))
    }
    is DealRegistrationDecision ->
        listOf(record.registrationId, record.outcome.wire(), record.status.wire(), record.approvedOn?.toString(), record.expiresOn?.toString(),
            record.protectionDays?.toString(), record.resolution?.wire(),
            record.conflicts.map { listOf(it.registrationId, it.matchedOn.wire(), it.similarity.toPlainString(), it.severity.wire()) },
            record.normalized.name, steps(record.explanation)) to
        listOf(answer.at("registration_id"), answer.at("outcome"), answer.at("status"), answer.at("approved_on"), answer.at("expires_on"),
            answer.at("protection_days")?.toString(), answer.at("resolution"),
            (answer.at("conflicts") as List<*>).map { listOf(it.at("registration_id"), it.at("matched_on"), it.at("similarity"), it.at("severity")) },
            answer.at("normalized", "name"), steps(answer.at("explanation")))
    is CommissionStatement ->
        listOf(record.partnerId, record.planId, record.period.start.toString(), record.period.end.toString(), record.currency,
            record.lines.map { listOf(it.kind.wire(), it.transactionId, it.basis.toPlainString(), it.amount.toPlainString(), it.status.wire(), it.components.map { c -> c.kind.wire() }) },
            listOf(record.totals.net, record.totals.payable, record.totals.pending, record.totals.clawedBack).map { it.toPlainString() },
            record.carryForward.lifetimeNet.toPlainString(), steps(record.explanation)) to
        listOf(answer.at("partner_id"), answer.at("plan_id"), answer.at("period", "start"), answer.at("period", "end"), answer.at("currency"),
            (answer.at("lines") as List<*>).map { listOf(it.at("kind"), it.at("transaction_id"), it.at("basis"), it.at("amount"), it.at("status"), ((it.at("components") ?: emptyList<Any>()) as List<*>).map { c -> c.at("kind") }) },
            listOf("net", "payable", "pending", "clawed_back").map { answer.at("totals", it) },
            answer.at("carry_forward", "lifetime_net"), steps(answer.at("explanation")))
    is MdfBalance ->
        listOf(record.periods.map { listOf(it.period, it.poolLeft.toPlainString(), it.figures.available.toPlainString(), it.figures.utilization?.toPlainString()) },
            record.accounts.map { listOf(it.partnerId, it.tier, it.figures.available.toPlainString(), it.figures.openCommitment.toPlainString()) },
            record.dueEvents.map { listOf(it.seq.toString(), it.on.toString(), parseJson(it.change)) }) to
        listOf((answer.at("periods") as List<*>).map { listOf(it.at("period"), it.at("pool_left"), it.at("available"), it.at("utilization")) },
            (answer.at("accounts") as List<*>).map { listOf(it.at("partner_id"), it.at("tier"), it.at("available"), it.at("open_commitment")) },
            (answer.at("due_events") as List<*>).map { listOf(it.at("seq").toString(), it.at("on"), it.at("change")) })
    is MdfApplyResult ->
        listOf(record.events.map { listOf(it.seq.toString(), it.on.toString(), parseJson(it.change)) },
            record.decisions.map { listOf(it.index.toString(), it.command, it.status.wire(), it.events?.map { e -> e.toString() }, it.error?.problems?.map { p -> p.code to p.path }, it.explanation?.let { e -> steps(e) }) },
            record.applied.toString(), record.refused.toString(), record.lastSeq.toString(),
            record.balances.map { listOf(it.partnerId, it.figures.available.toPlainString()) }) to
        listOf((answer.at("events") as List<*>).map { listOf(it.at("seq").toString(), it.at("on"), it.at("change")) },
            (answer.at("decisions") as List<*>).map { listOf(it.at("index").toString(), it.at("command"), it.at("status"), (it.at("events") as List<*>?)?.map { e -> e.toString() },
                (it.at("error", "problems") as List<*>?)?.map { p -> p.at("code") to p.at("path") }, it.at("explanation")?.let { e -> steps(e) }) },
            answer.at("applied").toString(), answer.at("refused").toString(), answer.at("last_seq").toString(),
            (answer.at("balances") as List<*>).map { listOf(it.at("partner_id"), it.at("available")) })
    else -> error("no view for ${record::class.simpleName}")
}

/** Every corpus case a typed method can express: typed and JSON answers agree, and so do errors. */
fun runCorpusTyped(dir: File) {
    val files = dir.walkTopDown().filter { it.isFile && it.extension == "json" }.sortedBy { it.path }.toList()
    val counts = sortedMapOf<String, Int>()
    for (file in files) {
        val case = parseJson(file.readText()) as Map<*, *>
        val op = case["op"] as String
        val input = case["input"] as? Map<*, *> ?: continue
        val document = input["program"] as? Map<*, *> ?: continue
        val program = try { Program.fromJson(writeJson(document)) } catch (e: PrmException) { continue }
        program.use {
            val typed = typedCall(op, program, input) ?: return@use
            counts[op] = (counts[op] ?: 0) + 1
            check("${file.relativeTo(dir).path} (typed)") {
                val rest = writeJson(input.filterKeys { it != "program" })
                val json = answer { program.call(op, rest) }
                val record = try { typed() } catch (e: PrmException) { e }
                if (record is PrmException) {
                    expectEqual(json["error"], record.toJson())
                } else {
                    val ok = json["ok"] ?: throw AssertionError("typed answered, JSON did not: ${writeJson(json)}")
                    val (typedView, jsonView) = views(record, ok)
                    expectEqual(jsonView, typedView)
                }
            }
        }
    }
    expect(counts.size == 8 && counts.values.all { it >= 5 }) { "too few typed cases: $counts" }
    println("corpus through the typed methods: $counts")
}

fun caseInput(dir: File, path: String) = (parseJson(File(dir, path).readText()) as Map<*, *>)["input"] as Map<*, *>

fun programOf(input: Map<*, *>) = Program.fromJson(writeJson(input["program"]))

fun engineTests(dir: File) {
    check("evaluateTier: the decision, the gap to the next tier and the explanation are typed") {
        val input = caseInput(dir, "tiers/any_of_and_at_most_in_words.json")
        programOf(input).use { program ->
            val d = program.evaluateTier(writeJson(input["partner"]), LocalDate.of(2026, 3, 31))
            expectEqual(TierDecisionKind.UPGRADED, d.kind)
            expectEqual("registered", d.tier)
            expectEqual(null, d.previousTier)
            expectEqual(LocalDate.of(2026, 3, 31), d.assignment.since)
            val gap = d.nextTier ?: throw AssertionError("a next tier")
            expectEqual("silver", gap.tier)
            expectEqual(BigDecimal("0.621"), gap.progress)
            expectEqual(listOf("1", "6", "4.5"), gap.shortfalls.map { it.shortfall.toPlainString() })
            expectEqual("6 more deals won", gap.shortfalls[1].words)
            expectEqual(listOf(true, false), d.tiers.map { it.met })
            expectEqual("24", parseJson(d.tiers[1].requirements).at(1, "at_most"))
            val silver = d.explanation[0]
            expectEqual(StepOutcome.FAILED, silver.outcome)
            expectEqual("1", silver.values["rank"])
            expectEqual(2, silver.children[0].children.size)
        }
    }
    check("evaluateTier: bad facts are a typed Invalid under \$.partner") {
        val input = caseInput(dir, "tiers/any_of_and_at_most_in_words.json")
        programOf(input).use { program ->
            val e = expectThrows<PrmException.Invalid> { program.evaluateTier("""{"partner_id": "P1", "metrics": 3}""", LocalDate.of(2026, 3, 31)) }
            expect(e.problems.all { it.path.startsWith("\$.partner") }) { e.problems.toString() }
            val m = expectThrows<PrmException.Invalid> { program.evaluateTier("{", LocalDate.of(2026, 3, 31)) }
            expectEqual("malformed_json" to "\$.partner", m.problems[0].code to m.problems[0].path)
        }
        // A program without tiers names the missing section.
        Program.fromJson(NORTHWIND).use { program ->
            val e = expectThrows<PrmException.Invalid> { program.evaluateTier(writeJson(input["partner"]), LocalDate.of(2026, 3, 31)) }
            expectEqual("\$.program.tiers", e.problems[0].path)
        }
    }
    check("certificationStatus and certificationReminders: enums, LocalDate and counts") {
        val input = caseInput(dir, "certifications/expiring_inside_the_warning_horizon.json")
        programOf(input).use { program ->
            val r = program.certificationStatus(writeJson(input["awards"]), LocalDate.of(2025, 10, 12))
            expectEqual(listOf(CertificationStatus.EXPIRING, CertificationStatus.VALID), r.awards.map { it.status })
            expectEqual(LocalDate.of(2026, 1, 10), r.awards[0].expiresOn)
            expectEqual(LocalDate.of(2026, 2, 9), r.awards[0].graceUntil)
            expectEqual(mapOf("expiring" to 1u, "valid" to 1u), r.byStatus)
        }
        val due = caseInput(dir, "certifications/reminders_after_downtime_are_not_lost.json")
        programOf(due).use { program ->
            val r = program.certificationReminders(writeJson(due["awards"]), LocalDate.of(2025, 11, 1), LocalDate.of(2025, 12, 31), listOf(90u, 60u, 30u, 7u))
            expectEqual(listOf(60u, 30u), r.reminders.map { it.daysBefore })
            expectEqual(LocalDate.of(2025, 11, 11), r.reminders[0].dueOn)
            // (since, as_of]: a second run from the last as_of finds nothing new.
            val again = program.certificationReminders(writeJson(due["awards"]), LocalDate.of(2025, 12, 31), LocalDate.of(2025, 12, 31), listOf(90u, 60u, 30u, 7u))
            expectEqual(0, again.reminders.size)
        }
    }
    check("routeLead: the decision is typed and the state threads to the next lead") {
        val input = caseInput(dir, "routing/all_partners_at_capacity.json")
        programOf(input).use { program ->
            val routed = program.routeLead(writeJson(input["partners"]), writeJson(input["lead"]))
            expectEqual(RoutingOutcome.UNASSIGNED, routed.decision.outcome)
            expectEqual(2u, routed.decision.excluded["at_capacity"]?.count)
            expectEqual(listOf("a", "b"), routed.decision.excluded["at_capacity"]?.examples)
            expectEqual(2u, routed.decision.rules[0].excluded["at_capacity"])
            val next = program.routeLead(writeJson(input["partners"]), writeJson(input["lead"]), routed.state)
            expectEqual(RoutingOutcome.UNASSIGNED, next.decision.outcome)
            val e = expectThrows<PrmException.Invalid> { program.routeLead("{}", writeJson(input["lead"])) }
            expect(e.problems[0].path.startsWith("\$.partners")) { e.problems.toString() }
        }
    }
    check("checkDealRegistration: conflicts with severity and similarity") {
        val input = caseInput(dir, "deal_registration/accents_and_german_suffixes.json")
        programOf(input).use { program ->
            val d = program.checkDealRegistration(writeJson(input["registration"]), LocalDate.parse(input["as_of"] as String), writeJson(input["existing"]))
            expectEqual(DealCheckOutcome.CONFLICT, d.outcome)
            expectEqual(RegistrationStatus.REJECTED, d.status)
            expectEqual(Resolution.FIRST_COME, d.resolution)
            val c = d.conflicts.single()
            expectEqual(Triple("A-7", MatchedOn.NAME, Severity.HIGH), Triple(c.registrationId, c.matchedOn, c.severity))
            expectEqual(0, c.similarity.compareTo(BigDecimal.ONE))
            expectEqual("muller sohne", d.normalized.name)
        }
    }
    check("commissionStatement: BigDecimal lines and totals, facts as one object") {
        val input = caseInput(dir, "commission/accelerator_on_everything_missed.json")
        programOf(input).use { program ->
            val facts = writeJson(mapOf("transactions" to input["transactions"]))
            val s = program.commissionStatement("P1", LocalDate.of(2026, 3, 31), facts)
            expectEqual(LocalDate.of(2026, 1, 1) to LocalDate.of(2026, 4, 1), s.period.start to s.period.end)
            expectEqual(listOf("600.00", "300.00"), s.lines.map { it.amount.toPlainString() })
            expectEqual(listOf(LineStatus.PAYABLE, LineStatus.PAYABLE), s.lines.map { it.status })
            expectEqual(ComponentKind.RATE, s.lines[0].components[0].kind)
            expectEqual(BigDecimal("900.00"), s.totals.net)
            expectEqual(0, s.totals.net.compareTo(s.lines.fold(BigDecimal.ZERO) { sum, l -> sum + l.amount }))
            expectEqual(2026, s.carryForward.fiscalYear)
            val e = expectThrows<PrmException.Invalid> {
                program.commissionStatement("P1", LocalDate.of(2026, 3, 31), """{"transactions": [], "partner_id": "P2"}""")
            }
            expectEqual("invalid_value" to "\$.partner_id", e.problems[0].code to e.problems[0].path)
        }
    }
    check("mdfBalance and mdfApply: figures, events and refusals") {
        val input = caseInput(dir, "mdf/balance_as_of_a_date_after_the_claim_deadline_includes_the_due_release.json")
        programOf(input).use { program ->
            val b = program.mdfBalance(writeJson(input["events"]), LocalDate.of(2024, 5, 1))
            expectEqual(BigDecimal("1400.00"), b.accounts[0].figures.available)
            expectEqual(BigDecimal("8000.00"), b.periods[0].poolLeft)
            expectEqual(BigDecimal("0.3000"), b.periods[0].figures.utilization)
            expectEqual(7uL, b.dueEvents[0].seq)
            expectEqual("released", parseJson(b.dueEvents[0].change).at("kind"))
            expectEqual(0, program.mdfBalance(writeJson(input["events"]), LocalDate.of(2024, 5, 1), partnerId = "nobody").accounts.size)
        }
        val apply = caseInput(dir, "mdf/commands_apply_one_by_one_unless_all_or_nothing.json")
        programOf(apply).use { program ->
            val events = writeJson(apply["events"])
            val commands = writeJson(apply["commands"])
            val r = program.mdfApplyAll(events, commands)
            expectEqual(Triple(2u, 1u, 2uL), Triple(r.applied, r.refused, r.lastSeq))
            expectEqual(listOf(MdfDecisionStatus.APPLIED, MdfDecisionStatus.REFUSED, MdfDecisionStatus.APPLIED), r.decisions.map { it.status })
            expectEqual("mdf_vendor_share_exceeded" to "\$.commands[1].requested", r.decisions[1].error?.problems?.get(0)?.let { it.code to it.path })
            expectEqual(listOf(1uL, 2uL), r.events.map { it.seq })
            // All or nothing: the refusal fails the call.
            val e = expectThrows<PrmException.Invalid> { program.mdfApplyAll(events, commands, allOrNothing = true) }
            expectEqual("mdf_vendor_share_exceeded", e.problems[0].code)
            // One command: applied, or a typed error under $.command.
            val one = program.mdfApply(events, writeJson((apply["commands"] as List<*>)[0]))
            expectEqual(listOf(1uL), one.decisions.single().events)
            val refused = expectThrows<PrmException.Invalid> { program.mdfApply(events, writeJson((apply["commands"] as List<*>)[1])) }
            expect(refused.problems[0].path.startsWith("\$.command")) { refused.problems.toString() }
        }
    }
    check("typed engine methods share one Program between threads") {
        val input = caseInput(dir, "commission/accelerator_on_everything_missed.json")
        programOf(input).use { program ->
            val facts = writeJson(mapOf("transactions" to input["transactions"]))
            val first = program.commissionStatement("P1", LocalDate.of(2026, 3, 31), facts)
            val pool = Executors.newFixedThreadPool(8)
            try {
                val tasks = (1..8).map { Callable { (1..25).all { program.commissionStatement("P1", LocalDate.of(2026, 3, 31), facts) == first } } }
                expect(pool.invokeAll(tasks).all { it.get() }) { "every thread got the same statement" }
            } finally {
                pool.shutdown()
            }
        }
    }
}

fun main(args: Array<String>) {
    val corpus = File(args.getOrElse(0) { "tests/conformance" })
    runCorpus(corpus)
    runCorpusTyped(corpus)
    typedTests()
    engineTests(corpus)
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
