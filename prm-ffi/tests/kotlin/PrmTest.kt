// prm from Kotlin, through the uniffi bindings in prm-ffi/bindings/kotlin:
// the whole conformance corpus through `call` (and, for cases with a program,
// through `Program.call`), then idiomatic tests of the typed API.
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

fun main(args: Array<String>) {
    val corpus = File(args.getOrElse(0) { "tests/conformance" })
    runCorpus(corpus)
    typedTests()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
