import { Duration } from 'aws-cdk-lib';

/** A backup schedule read from its cron expression: when it runs, and its longest and shortest gaps. */
export interface ParsedBackupSchedule {
  /** The expression as given. */
  readonly expression: string;
  /** The longest time between two runs (a week's runs, wrapping around): the schedule's share of the RPO. */
  readonly longestGap: Duration;
  /** The shortest time between two runs. */
  readonly shortestGap: Duration;
}

const MINUTES_PER_WEEK = 7 * 24 * 60;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * Reads an AWS Backup cron expression, `cron(minutes hours day-of-month month day-of-week year)`
 * in UTC, for a daily or weekly schedule: minutes a number or list; hours `*`, a number, list,
 * range or step (`0/6`, `*\/4`, `8-20/2`); day-of-month `*` or `?`; month `*`; day-of-week `?`,
 * `*`, or days (`MON-FRI`, `1,4`: 1 is Sunday); year `*`. Returns why it cannot when it cannot
 * (a string), so the caller names its prop.
 */
export function parseBackupSchedule(expression: string): ParsedBackupSchedule | string {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return 'the form cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 3 * * ? *) for 03:00 UTC daily';
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) return `6 fields in cron(...) (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  const [min, hour, dom, month, dow, year] = fields;
  if ((dom === '?') === (dow === '?')) return 'exactly one of day-of-month and day-of-week set to ? (AWS cron rule), e.g. cron(0 3 * * ? *)';
  const minutes = parseList(min, 0, 59);
  if (typeof minutes === 'string') return `minutes: ${minutes}`;
  const hours = parseField(hour, 0, 23);
  if (typeof hours === 'string') return `hours: ${hours}`;
  if (dom !== '*' && dom !== '?') return 'day-of-month * or ?: a daily or weekly schedule (a monthly backup is too rare to restore a service from)';
  if (month !== '*') return 'month *: a daily or weekly schedule';
  if (year !== '*') return 'year *: a schedule that keeps running';
  const days = dow === '?' || dow === '*' ? [0, 1, 2, 3, 4, 5, 6] : parseDays(dow);
  if (typeof days === 'string') return `day-of-week: ${days}`;
  const runs = days.flatMap(d => hours.flatMap(h => minutes.map(mi => d * 24 * 60 + h * 60 + mi))).sort((a, b) => a - b);
  const gaps = runs.map((r, i) => (i + 1 < runs.length ? runs[i + 1] : runs[0] + MINUTES_PER_WEEK) - r);
  return { expression, longestGap: Duration.minutes(Math.max(...gaps)), shortestGap: Duration.minutes(Math.min(...gaps)) };
}

function parseList(field: string, min: number, max: number): number[] | string {
  const values = field.split(',').map(Number);
  if (values.some(v => !Number.isInteger(v) || v < min || v > max) || field.split(',').some(p => !/^\d+$/.test(p))) {
    return `'${field}' is not a number or list of numbers from ${min} to ${max}`;
  }
  return [...new Set(values)];
}

function parseField(field: string, min: number, max: number): number[] | string {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return `'${part}' is not *, a number, a range a-b or a step a/n`;
    const start = m[1] === '*' ? min : Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : (m[1] === '*' || m[3] !== undefined ? max : start);
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (start < min || end > max || start > end || step < 1) return `'${part}' is outside ${min} to ${max}`;
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return [...out];
}

function parseDays(field: string): number[] | string {
  const day = (s: string): number => (/^\d$/.test(s) ? Number(s) - 1 : DAYS.indexOf(s.toUpperCase()));
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [a, b] = part.split('-');
    const from = day(a);
    const to = b === undefined ? from : day(b);
    if (from < 0 || from > 6 || to < 0 || to > 6 || from > to || part.split('-').length > 2) {
      return `'${part}' is not a day (1 to 7 or SUN to SAT) or a range of days`;
    }
    for (let d = from; d <= to; d++) out.add(d);
  }
  return [...out];
}
