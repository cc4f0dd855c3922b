import type { Crumb } from '../admin/admin.api';

/** What the system admin pages (settings, regions, exchange rates, dial plans) share. */

export const PAGE_SIZE = 25;

export const SYSTEM_CRUMBS: Crumb[] = [{ label: 'System', href: '/system' }];

/** The sections of the system pages (a sub-navigation on each of them). */
const SECTIONS = [
  { label: 'Settings', href: '/system' },
  { label: 'Regions', href: '/system/regions' },
  { label: 'Exchange rates', href: '/system/exchange-rates' },
  { label: 'Dial plans', href: '/dial-plans' },
];
export const sections = (current: string) => SECTIONS.map((s) => ({ ...s, current: s.href === current }));
