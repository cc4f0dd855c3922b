/** The download name of a document: "invoice-INV-000042.pdf", "credit-note-INV-000043.xml" (safe characters only). */
export function invoiceFileName(type: 'invoice' | 'credit_note', number: string, format: 'pdf' | 'xml'): string {
  const safe = number.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'document';
  return `${type === 'credit_note' ? 'credit-note' : 'invoice'}-${safe}.${format}`;
}
