import { Injectable } from '@nestjs/common';
import { Clock } from '../../shared/clock';
import { CustomerDirectory } from '../../shared/customer-directory';
import { isInSubtree, type Scope } from '../../shared/scope';
import { CustomersApi, type InvoiceParty } from '../customers/customers.api';
import { SystemApi } from '../system/system.api';
import { localDateOf } from './domain/billing-period';
import type { InvoiceDto } from './dto/invoicing.dto';
import type { InvoiceEntity } from './entities/invoice.entity';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';

/** An issued document as its page shows it: the invoice, the parties as issued, and what refers to it. */
export interface InvoiceView {
  invoice: InvoiceDto;
  /** The issuer and the customer as they were when it was issued (null parts for a snapshot that lacks them). */
  issuer: InvoiceParty | null;
  customer: InvoiceParty | null;
  /** Credit notes that reference this invoice, oldest first. */
  creditNotes: Array<{ id: number; number: string; issueDate: string; total: string; currency: string; reason: string }>;
  /** For a credit note: the invoice it corrects. */
  corrects: { id: number; number: string } | null;
  /** Whether the caller administers the issuer (or a customer above it): it may change the invoice. */
  mayChange: boolean;
}

/**
 * The reads of the invoicing pages beyond the API's: the parties snapshot, the credit notes of an invoice,
 * customer names and the customer picker. Tenancy goes through InvoicesService.get (404 outside the tree).
 */
@Injectable()
export class InvoiceViews {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly repo: InvoicesRepository,
    private readonly directory: CustomerDirectory,
    private readonly customers: CustomersApi,
    private readonly system: SystemApi,
    private readonly clock: Clock,
  ) {}

  async view(scope: Scope, id: number): Promise<InvoiceView> {
    const invoice = await this.invoices.get(scope, id);
    const em = this.repo.reader;
    const [row, notes, issuer, corrected] = await Promise.all([
      this.repo.findInvoice(em, id),
      invoice.type === 'invoice' ? this.repo.creditNotesFor(em, id) : Promise.resolve([] as InvoiceEntity[]),
      this.directory.find(em, invoice.issuerId),
      invoice.creditedInvoiceId === null ? Promise.resolve(null) : this.repo.findInvoice(em, invoice.creditedInvoiceId),
    ]);
    const parties = parseParties(row?.parties);
    const lines = await this.repo.linesOf(
      em,
      notes.map((n) => n.id),
    );
    return {
      invoice,
      issuer: parties.issuer,
      customer: parties.customer,
      creditNotes: notes.map((n) => ({
        id: n.id,
        number: n.number,
        issueDate: n.issueDate,
        total: n.totalAmount.toString(),
        currency: n.currency,
        reason: lines.get(n.id)?.[0]?.description ?? '',
      })),
      corrects: corrected ? { id: corrected.id, number: corrected.number } : null,
      mayChange: scope.role === 'administrator' && !!issuer && isInSubtree(scope.customerPath, issuer.path),
    };
  }

  /** Customers' current names by id (the invoices list). */
  names(ids: readonly number[]): Promise<Map<number, string>> {
    return this.directory.names(this.repo.reader, [...new Set(ids)]);
  }

  /** The customers of the caller's tree for the list's filter (its own first), at most `limit`. */
  pickable(scope: Scope, limit = 500): Promise<Array<{ id: number; name: string; depth: number }>> {
    return this.customers.subtreeCustomers(this.repo.reader, scope.customerPath, limit);
  }

  /** Today in the system time zone: the run form's default date. */
  async today(): Promise<string> {
    const { timezone } = await this.system.settings();
    return localDateOf(this.clock.now(), timezone);
  }
}

function parseParties(raw: string | undefined): { issuer: InvoiceParty | null; customer: InvoiceParty | null } {
  if (!raw) return { issuer: null, customer: null };
  try {
    const p = JSON.parse(raw) as { issuer?: InvoiceParty; customer?: InvoiceParty };
    return { issuer: p.issuer ?? null, customer: p.customer ?? null };
  } catch {
    return { issuer: null, customer: null };
  }
}
