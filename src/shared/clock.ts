import { Injectable } from '@nestjs/common';

/**
 * Every "now" in the platform comes from here, so the test clock (API.md) can move time for record
 * times, billing periods and schedulers alike. Never call `new Date()` for business time elsewhere.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  /** Test clock only: from now on time reads as `at` and keeps running from there. */
  setNow(at: Date): void {
    this.frozenAt = null;
    this.offsetMs = at.getTime() - Date.now();
  }

  /** Tests that need a still clock. */
  freeze(at: Date): void {
    this.frozenAt = at.getTime();
  }
}
