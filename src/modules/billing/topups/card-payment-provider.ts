import { randomBytes } from 'node:crypto';
import type { Money } from '../../../shared/money';
import type { TopUpsConfig } from './topups.config';

/** One card charge: an automatic top-up of a customer whose payment type is credit card. */
export interface CardCharge {
  /** Sent as the provider's idempotency key: a charge retried after a crash is not charged twice. */
  idempotencyKey: string;
  customerId: number;
  /** Identifies the customer's card with the provider (the sandbox uses the account number). */
  cardReference: string;
  amount: Money;
  currency: string;
  description: string;
}

/** `paid`: the provider took the money; `declined`: it refused (a final answer, nothing was charged). */
export type CardChargeResult = { outcome: 'paid'; reference: string } | { outcome: 'declined'; reference: string | null; reason: string };

/**
 * A card payment provider. A charge runs outside any database transaction (after the request committed).
 * An exception means "no answer" (network, timeout): the request stays pending and is tried again with
 * the same idempotency key.
 */
export abstract class CardPaymentProvider {
  abstract readonly name: string;
  abstract charge(charge: CardCharge): Promise<CardChargeResult>;
}

/** The provider (CARD_PROVIDER), or null when none is configured. */
export const CARD_PAYMENT_PROVIDER = Symbol('CARD_PAYMENT_PROVIDER');

/** Why the sandbox declines a charge, or null when it accepts it. */
export function sandboxDecline(amount: Money, cardReference: string, declinedReferences: readonly string[]): string | null {
  if (amount.toFixed(2).endsWith('.13')) return 'card declined (sandbox: amounts ending in .13 are declined)';
  if (declinedReferences.includes(cardReference.toLowerCase())) return 'card declined (sandbox: this card is set to be declined)';
  return null;
}

/**
 * CARD_PROVIDER=sandbox: a STAND-IN for a real card payment provider. It reaches no payment network and
 * moves no money anywhere: it answers at once, accepting every charge except amounts whose cents are .13
 * and the account numbers listed in CARD_SANDBOX_DECLINE_ACCOUNTS, so both outcomes can be rehearsed
 * and tested. Like a real provider it answers a repeated idempotency key with the first answer (kept in
 * memory, so only within one process).
 */
export class SandboxCardProvider extends CardPaymentProvider {
  readonly name = 'sandbox';
  private readonly answers = new Map<string, CardChargeResult>();

  constructor(private readonly declinedReferences: readonly string[]) {
    super();
  }

  charge(charge: CardCharge): Promise<CardChargeResult> {
    const earlier = this.answers.get(charge.idempotencyKey);
    if (earlier) return Promise.resolve(earlier);
    const reference = `sbx_${randomBytes(8).toString('hex')}`;
    const reason = sandboxDecline(charge.amount, charge.cardReference, this.declinedReferences);
    const result: CardChargeResult = reason === null ? { outcome: 'paid', reference } : { outcome: 'declined', reference, reason };
    this.answers.set(charge.idempotencyKey, result);
    return Promise.resolve(result);
  }
}

export function cardPaymentProvider(config: TopUpsConfig): CardPaymentProvider | null {
  return config.cardProvider === 'sandbox' ? new SandboxCardProvider(config.sandboxDeclineAccounts) : null;
}
