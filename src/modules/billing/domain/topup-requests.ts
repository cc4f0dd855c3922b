/**
 * Top-up requests (DOMAIN.md §5 "automatic top-up", Commerce » Requests). A request is raised when a
 * customer with automatic top-up falls below its low-balance threshold; it is either charged to the
 * customer's card (channel `card`) or decided by the parent's administrators (channel `parent`).
 *
 *   pending ──approve──▶ approved   (parent: the amount is credited as a top-up)
 *   pending ──reject───▶ rejected   (parent: nothing moves)
 *   pending ──charged──▶ paid       (card: the provider accepted; the amount is credited as a top-up)
 *   pending ──declined─▶ failed     (card: the provider declined; nothing moves)
 *
 * Only `pending` is open; a customer has at most one open request at a time.
 */
export const TOPUP_STATUSES = ['pending', 'approved', 'rejected', 'paid', 'failed'] as const;
export type TopUpStatus = (typeof TOPUP_STATUSES)[number];

export const TOPUP_CHANNELS = ['card', 'parent'] as const;
export type TopUpChannel = (typeof TOPUP_CHANNELS)[number];

export const TOPUP_STATUS_LABELS: Record<TopUpStatus, string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  paid: 'Paid by card',
  failed: 'Card declined',
};

export const isTopUpStatus = (v: unknown): v is TopUpStatus => TOPUP_STATUSES.some((s) => s === v);

/** Longest reason (a rejection's note, a decline's message) a request keeps. */
export const TOPUP_REASON_MAX = 500;
