import { EmailContexts, EMAIL_TEMPLATE_NAMES } from './email-contexts';
import { EmailRenderer, UnknownTemplateError } from './email-renderer';

const samples: EmailContexts = {
  'login-details': {
    customerName: 'Acme',
    username: 'acme',
    setPasswordUrl: 'https://billing.example/set-password/t0k',
    expiresAt: '2026-11-28T19:00:00Z',
    passwordWasSet: false,
  },
  'low-balance': { customerName: 'Acme', balance: '-1.25', threshold: '5.00', currency: 'EUR', autoTopUp: true, topUpAmount: '20.00' },
  'daily-limit-reached': {
    customerName: 'Acme',
    dailyLimit: '50.00',
    spentToday: '50.12',
    currency: 'EUR',
    day: '2026-11-25',
    forParent: true,
  },
  'topup-request': {
    customerName: 'Acme',
    accountNumber: 'A-17',
    amount: '20.00',
    currency: 'EUR',
    automatic: true,
    requestedAt: '2026-11-25T10:00:00Z',
    reviewUrl: null,
  },
  'topup-outcome': {
    customerName: 'Acme',
    amount: '20.00',
    currency: 'EUR',
    approved: false,
    reason: 'Pay the open invoice first',
    newBalance: null,
    decidedAt: '2026-11-25T11:00:00Z',
  },
  'invoice-issued': {
    customerName: 'Acme',
    issuerName: 'Telco',
    invoiceNumber: 'INV-7',
    issueDate: '2026-11-01',
    dueDate: '2026-11-15',
    total: '119.00',
    currency: 'EUR',
    settledFromBalance: false,
    creditNote: false,
    attachedFormat: 'pdf',
    invoiceUrl: null,
  },
  'invoice-overdue': {
    customerName: 'Acme',
    issuerName: 'Telco',
    invoiceNumber: 'INV-7',
    issueDate: '2026-11-01',
    dueDate: '2026-11-15',
    daysOverdue: 3,
    total: '119.00',
    amountDue: '19.00',
    currency: 'EUR',
    invoiceUrl: 'https://billing.example/invoices/7',
  },
};

describe('EmailRenderer', () => {
  const r = new EmailRenderer();

  it.each(EMAIL_TEMPLATE_NAMES)('renders %s in HTML and text without leftovers', (name) => {
    expect(r.exists(name)).toBe(true);
    const out = r.render(name, samples[name], 'Subject <1>');
    expect(out.text).not.toMatch(/\{\{|\}\}|undefined|\[object/);
    expect(out.html).not.toMatch(/\{\{|\}\}|undefined|\[object/);
    expect(out.html).toContain('<title>Subject &lt;1&gt;</title>');
    expect(out.text).toContain('Acme');
    expect(out.text.startsWith('Hello,')).toBe(true);
    expect(out.text).not.toMatch(/\n{3,}/);
  });

  it('escapes markup in the HTML part and leaves the text part as typed', () => {
    const name = '<script>alert("x")</script> & Sons';
    const out = r.render('login-details', { ...samples['login-details'], customerName: name }, 's');
    expect(out.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
    expect(out.html).not.toContain('<script>');
    expect(out.text).toContain(`An account has been opened for ${name}.`);
  });

  it('shows the conditional parts', () => {
    expect(r.renderText('low-balance', samples['low-balance'])).toContain('An automatic top-up of 20.00 EUR has been requested.');
    expect(r.renderText('low-balance', { ...samples['low-balance'], autoTopUp: false })).toContain('Please top up');
    expect(r.renderText('topup-outcome', samples['topup-outcome'])).toMatch(
      /was rejected on 2026-11-25 11:00 UTC\.\n\nNote: Pay the open invoice first\n$/,
    );
    expect(r.renderText('daily-limit-reached', samples['daily-limit-reached'])).toContain('Your customer Acme has reached');
    expect(r.renderText('invoice-issued', { ...samples['invoice-issued'], settledFromBalance: true })).toContain(
      'settled from the account balance',
    );
    expect(r.renderText('login-details', { ...samples['login-details'], setPasswordUrl: null, passwordWasSet: true })).toContain(
      'never sent by email',
    );
  });

  it('is strict: a context without a variable the template reads is refused (null is the way to say "none")', () => {
    const { amount: _left, ...withoutAmount } = samples['topup-request'];
    expect(() => r.renderText('topup-request', withoutAmount)).toThrow('"amount" not defined');
    expect(() => r.render('topup-request', withoutAmount, 's')).toThrow('"amount" not defined');
    expect(() => r.renderText('topup-request', { ...samples['topup-request'], accountNumber: null, reviewUrl: null })).not.toThrow();
  });

  it('brands a mail with its issuer in the shared layouts, and greets the person by name', () => {
    const ctx = { ...samples['login-details'], personName: 'Jane Doe', issuerName: 'Telco & Co', issuerLogoUrl: null };
    const out = r.render('login-details', ctx, 'Your login details');
    expect(out.text.startsWith('Hello Jane Doe,\n\nTelco & Co has opened an account for Acme.')).toBe(true);
    expect(out.text).toContain('expires on 2026-11-28 19:00 UTC');
    expect(out.text.endsWith('--\nSent by Telco & Co.\n')).toBe(true);
    expect(out.html).toContain('Hello Jane Doe,');
    expect(out.html).toContain('<div style="font-size:20px;font-weight:bold;color:#1f5fa8">Telco &amp; Co</div>');
    expect(out.html).toContain('Sent by Telco &amp; Co.');
    expect(out.html).not.toContain('<img');
    const withLogo = r.render('login-details', { ...ctx, issuerLogoUrl: 'https://telco.example/logo.png' }, 's');
    expect(withLogo.html).toContain('<img src="https://telco.example/logo.png" alt="Telco &amp; Co"');
    // Only an https address is a logo: nothing else reaches an <img>.
    for (const bad of ['javascript:alert(1)', 'http://telco.example/logo.png', 'https://x.example/a" onerror="x']) {
      expect(r.render('login-details', { ...ctx, issuerLogoUrl: bad }, 's').html).not.toContain('<img');
    }
    // Queued before the fields existed: the neutral greeting and layout.
    const old = r.render('login-details', samples['login-details'], 's');
    expect(old.text.startsWith('Hello,\n\nAn account has been opened for Acme.')).toBe(true);
    expect(old.html).not.toContain('Sent by');
  });

  it('refuses unknown names and path tricks', () => {
    expect(r.exists('nope')).toBe(false);
    expect(r.exists('../views/errors/error')).toBe(false);
    expect(r.exists('_layout')).toBe(false);
    expect(() => r.render('../x', {})).toThrow(UnknownTemplateError);
    expect(() => r.renderText('nope', {})).toThrow(UnknownTemplateError);
  });
});
