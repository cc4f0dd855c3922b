import { ConfigError } from '../../../config/config';

/**
 * The top-up settings from the environment, read once when the module starts (a bad value stops the
 * start with a message naming the variable, like src/config):
 *
 * - `CARD_PROVIDER`: the card payment provider that pays automatic top-ups of customers whose payment
 *   type is credit card. `sandbox` is the only one built in: a stand-in that talks to no payment network
 *   (for tests and rehearsals). Unset: no provider, and every automatic top-up goes to the parent.
 * - `CARD_SANDBOX_DECLINE_ACCOUNTS`: comma-separated account numbers whose card the sandbox declines
 *   (besides every amount whose cents are .13).
 */
export interface TopUpsConfig {
  cardProvider: 'sandbox' | null;
  sandboxDeclineAccounts: readonly string[];
}

export const TOPUPS_CONFIG = Symbol('TOPUPS_CONFIG');

export const CARD_PROVIDERS = ['sandbox'] as const;

export function loadTopUpsConfig(env: NodeJS.ProcessEnv = process.env): TopUpsConfig {
  const raw = env.CARD_PROVIDER?.trim() || null;
  if (raw !== null && raw !== 'sandbox') {
    throw new ConfigError(
      `CARD_PROVIDER: unknown card payment provider "${raw}" (built in: ${CARD_PROVIDERS.join(', ')}; or leave it unset)`,
    );
  }
  const accounts = (env.CARD_SANDBOX_DECLINE_ACCOUNTS ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return { cardProvider: raw, sandboxDeclineAccounts: accounts };
}
