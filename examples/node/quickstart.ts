// A first tour of prm from TypeScript: a program, money, calendars, errors and
// an async batch. Strict TypeScript checks it (`tsc --strict --noEmit`), and
// prm-node's tests compile and run it against the packed npm package.
import {
  Program,
  PrmError,
  asDecimal,
  calendar,
  money,
  rate,
  type Decimal,
  type ProgramDocument,
} from 'prm'

// A program document: the same JSON in every language, snake_case fields,
// amounts and rates as strings.
const document: ProgramDocument = {
  schema_version: 1,
  name: 'Northwind Partner Network',
  currency: 'EUR',
  rounding: 'half_even',
  fiscal_calendar: { first_month: 7 },
  tiers: {
    tiers: [
      { id: 'registered', name: 'Registered', rank: 0 },
      { id: 'silver', name: 'Silver', rank: 1, benefits: { lead_weight: '1', deal_protection_days: 60 } },
      { id: 'gold', name: 'Gold', rank: 2, benefits: { lead_weight: '3', discount_rate: '25%', commission_multiplier: '1.2' } },
    ],
  },
}

const program = Program.fromObject(document)
const summary = program.validate()
console.log(`${summary.name}: ${summary.currency}, sections ${summary.sections.join(', ')}`)

// Money is exact: amounts are strings in and out, rounded once, by the program's rules.
const rounded = money.round({ amount: '2.345', currency: 'EUR', mode: 'half_up' })
const amount: Decimal = rounded.amount
console.log(`2.345 EUR rounds half up to ${amount}`)

const split = money.allocate({ total: '1000.01', weights: ['0.7', '0.3'], currency: 'EUR' })
console.log(`1000.01 split 70/30: ${split.parts.join(' + ')}`)
console.log(`7% is ${rate.normalize({ rate: '7%' }).rate}`)

// Calendars: fiscal years are named after the year they end in.
const quarter = calendar.fiscalQuarter({ date: '2025-08-15', fiscal_calendar: { first_month: 7 } })
console.log(`2025-08-15 is FY${quarter.fiscal_year} Q${quarter.quarter} (${quarter.quarter_start} to ${quarter.quarter_end})`)

// A string from a form goes through asDecimal; a mistake is a PrmError listing every problem.
const fromForm = '12,50'
try {
  money.round({ amount: asDecimal(fromForm), currency: 'EUR' })
} catch (error) {
  if (!(error instanceof PrmError)) throw error
  for (const problem of error.problems) {
    console.log(`refused: ${problem.code} at ${problem.path}: ${problem.message}`)
  }
}

// Batches have Promise-returning twins that compute off the main thread.
const weights = Array.from({ length: 1000 }, (_, i) => asDecimal(String(i + 1)))
const pool = await money.allocateAsync({ total: '250000.00', weights, currency: 'EUR' })
console.log(`an MDF pool of 250000.00 over ${pool.parts.length} partners; the largest share is ${pool.parts[pool.parts.length - 1]}`)
