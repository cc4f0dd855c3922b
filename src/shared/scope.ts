/** What a person may do: administrators change things, users mostly read. */
export const ROLES = ['administrator', 'user'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is asking, and for which customer. Every service method takes it first; repositories turn it into
 * "row's customer is in the subtree of `customerId`".
 */
export interface Scope {
  /** The real person (also while switched to a descendant). Null for system jobs. */
  personId: number | null;
  /** The customer the person logged in for. */
  personCustomerId: number;
  role: Role;
  /** The customer being acted for: the person's own, or a descendant after "switch to". */
  customerId: number;
  /** Materialised path of `customerId`, e.g. "/1/5/". */
  customerPath: string;
  /** True while switched to a descendant. */
  switched: boolean;
  /** The API key the request came with, if any: each key is a caller of its own (idempotency keys). */
  apiKeyId?: number | null;
}

/** SQL LIKE pattern for the subtree of a path (the path itself and everything under it). */
export function subtreePattern(path: string): string {
  return `${path}%`;
}

export function isInSubtree(rootPath: string, candidatePath: string): boolean {
  return candidatePath.startsWith(rootPath);
}

/** A scope for background jobs acting as the system owner. */
export function systemScope(rootCustomerId: number): Scope {
  return {
    personId: null,
    personCustomerId: rootCustomerId,
    role: 'administrator',
    customerId: rootCustomerId,
    customerPath: `/${rootCustomerId}/`,
    switched: false,
  };
}
