/**
 * Secrets the platform makes for itself on first start (today: the key that signs CSRF tokens). Declared
 * in the kernel because the page machinery below every module needs it; the system module stores it
 * and implements this; the composition root binds it.
 */
export abstract class AppSecrets {
  abstract csrfSecret(): Promise<string>;
}
