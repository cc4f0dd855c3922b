import { FixedOffsetZone, IANAZone, Info, type Zone } from 'luxon';

/** Local wall-clock position of an instant: ISO weekday (Monday = 1) and milliseconds since local midnight. */
export interface LocalClock {
  weekday: number;
  msOfDay: number;
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** Largest time value a JS Date can hold (ECMAScript TimeClip). */
const MAX_TIME = 8.64e15;
/** Hours remembered per zone (direct-mapped, ~170 days); 16 bytes each. */
const HOUR_SLOTS = 4096;
/** Zones remembered; more distinct names than this (never the case in practice) just start over. */
const MAX_ZONES = 64;

/**
 * A zone's UTC offset per UTC hour, asking luxon only for hours not seen yet.
 *
 * luxon's `IANAZone.offset(ts)` formats the instant with Intl.DateTimeFormat, which is most of the cost of
 * a rate lookup (~160k/s). An hour is remembered only when the offset at its first and at its last
 * millisecond are the same; an hour in which the offset changes (a DST transition, which in many zones
 * is not on a whole UTC hour: Australia/Lord_Howe, America/St_Johns, Asia/Kathmandu) is marked as such
 * and every instant in it is asked of luxon. This relies on one property of the time zone database:
 * no zone changes its offset and back again within a single hour. Checked once against luxon for all
 * 418 zones Node knows: 2.5M instants from 1880 to 2100, including every 5 minutes for 1.5 hours
 * either side of (and 1 ms around) each of the ~21,000 offset changes of 1970-2039, all equal
 * (zone-clock.spec.ts keeps a smaller version of that check).
 */
class ZoneOffsets {
  private readonly hours = new Float64Array(HOUR_SLOTS).fill(NaN);
  /** Offset in minutes (luxon's unit) of the hour in the same slot; NaN = the offset changes within the hour. */
  private readonly offsets = new Float64Array(HOUR_SLOTS);

  constructor(private readonly zone: Zone) {}

  /** Offset of `ts` in minutes, exactly `zone.offset(ts)`. */
  offsetAt(ts: number): number {
    const hour = Math.floor(ts / MS_PER_HOUR);
    const slot = hour & (HOUR_SLOTS - 1);
    if (this.hours[slot] === hour) {
      const offset = this.offsets[slot];
      return Number.isNaN(offset) ? this.zone.offset(ts) : offset;
    }
    const start = hour * MS_PER_HOUR;
    const first = this.zone.offset(start);
    const last = this.zone.offset(start + MS_PER_HOUR - 1);
    this.hours[slot] = hour;
    this.offsets[slot] = first === last ? first : NaN;
    return first === last ? first : this.zone.offset(ts);
  }
}

const zones = new Map<string, ZoneOffsets | FixedOffsetZone>();
let lastName: string | undefined;
let lastZone: ZoneOffsets | FixedOffsetZone | undefined;

/**
 * luxon's reading of a zone name (IANA names, "UTC", fixed offsets such as "UTC+3"). IANA and fixed zones
 * never change, so they are remembered; "system", "local" and "default" depend on process.env.TZ and
 * luxon's Settings, which may change at run time, so they are resolved and asked again every time.
 */
function offsetSource(timeZone: string): ZoneOffsets | Zone {
  if (timeZone === lastName && lastZone !== undefined) return lastZone;
  let source = zones.get(timeZone);
  if (source === undefined) {
    const zone = Info.normalizeZone(timeZone);
    // An unknown zone would silently make every band miss; this is a configuration error, so say so.
    if (!zone.isValid) throw new RangeError(`invalid time zone or date: ${timeZone} the zone "${zone.name}" is not supported`);
    if (zone instanceof FixedOffsetZone) source = zone;
    else if (zone instanceof IANAZone) source = new ZoneOffsets(zone);
    else return zone;
    if (zones.size >= MAX_ZONES) zones.clear();
    zones.set(timeZone, source);
  }
  lastName = timeZone;
  lastZone = source;
  return source;
}

/**
 * The local weekday and time of day of `at` in `timeZone`: the same answer as luxon's
 * `DateTime.fromJSDate(at, { zone: timeZone })` (`weekday`, and hour/minute/second/millisecond as ms of the
 * day), computed by arithmetic from the zone's offset, which is cached per UTC hour (see ZoneOffsets).
 * Throws RangeError for an unknown zone or an invalid date, as a luxon DateTime would be invalid then.
 */
export function localClock(at: Date, timeZone: string): LocalClock {
  const ts = at.getTime();
  if (Number.isNaN(ts)) throw new RangeError(`invalid time zone or date: ${timeZone} (invalid date)`);
  const source = offsetSource(timeZone);
  const offset = source instanceof ZoneOffsets ? source.offsetAt(ts) : source.offset(ts);
  // luxon's tsToObj: the local fields are the UTC fields of ts + offset, read through a Date (which
  // truncates a fractional time value and is invalid beyond +-8.64e15 ms).
  const local = ts + offset * 60 * 1000;
  if (!(Math.abs(local) <= MAX_TIME)) throw new RangeError(`invalid time zone or date: ${timeZone} (invalid date)`);
  const t = Math.trunc(local);
  const day = Math.floor(t / MS_PER_DAY);
  const msOfDay = t - day * MS_PER_DAY;
  // Day 0 (1970-01-01) was a Thursday, ISO weekday 4.
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  return { weekday, msOfDay };
}
