import { IConstruct } from 'constructs';
import { HaValidationError } from '../../core/errors';

/** `Mon:01:00-Mon:03:00`: a blocked window as ARC zonal autoshift accepts it (one day, UTC). */
const BLOCKED_WINDOW = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):([0-5][0-9])-(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):([0-5][0-9])$/;
/** `2026-12-24`: a blocked date (UTC). */
const BLOCKED_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

/** Throws `HaValidationError` for a blocked window or date of practice runs that ARC rejects. */
export function validatePracticeRunBlocks(scope: IConstruct, windowsProp: string, windows: string[] | undefined, datesProp: string, dates: string[] | undefined): void {
  for (const [prop, list] of [[windowsProp, windows], [datesProp, dates]] as const) {
    if (list !== undefined && !Array.isArray(list)) {
      throw new HaValidationError(scope, { prop, received: list, expected: 'an array of strings' });
    }
  }
  (windows ?? []).forEach((w, i) => {
    const m = typeof w === 'string' ? BLOCKED_WINDOW.exec(w) : null;
    if (!m || m[1] !== m[4] || `${m[2]}${m[3]}` >= `${m[5]}${m[6]}`) {
      throw new HaValidationError(scope, {
        prop: `${windowsProp}[${i}]`, received: w,
        expected: 'a window on one day, in UTC, start before end: e.g. "Mon:09:00-Mon:17:00" (days Mon to Sun)',
      });
    }
  });
  (dates ?? []).forEach((d, i) => {
    if (typeof d !== 'string' || !BLOCKED_DATE.test(d)) {
      throw new HaValidationError(scope, { prop: `${datesProp}[${i}]`, received: d, expected: 'a date in UTC as YYYY-MM-DD, e.g. "2026-12-24"' });
    }
  });
}
