/** Defaults of a new customer where the request leaves a field out (README "Behaviour"). */
export const CUSTOMER_DEFAULTS = {
  billingType: 'prepaid',
  paymentType: 'none',
  creditLimit: '0.00',
  lowBalanceThreshold: '0.00',
} as const;
