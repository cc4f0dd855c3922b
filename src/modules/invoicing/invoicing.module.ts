import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { BillingModule } from '../billing/billing.module';
import { CustomersModule } from '../customers/customers.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RatePlansModule } from '../rate-plans/rate-plans.module';
import { SystemModule } from '../system/system.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { ChargesController } from './charges.controller';
import { ChargesService } from './charges.service';
import { InvoiceChangesService } from './invoice-changes.service';
import { InvoiceDocumentsController } from './invoice-documents.controller';
import { DocumentRenderer } from './document-renderer';
import { InvoiceDocumentsService } from './invoice-documents.service';
import { InvoiceIssuer } from './invoice-issuer';
import { InvoiceRunsAdminController } from './invoice-runs.admin.controller';
import { InvoiceRunsController } from './invoice-runs.controller';
import { InvoiceRunsService } from './invoice-runs.service';
import { InvoiceViews } from './invoice-views.service';
import { InvoicesAdminController } from './invoices.admin.controller';
import { InvoicesController } from './invoices.controller';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';
import { OverdueInvoicesService } from './overdue-invoices.service';
import { RecurringFeesService } from './recurring-fees.service';
import { INVOICING_CONFIG, loadInvoicingConfig } from './invoicing.config';

/**
 * Invoicing (layer 10): invoice runs (nightly and by hand), invoices and their lines, gapless numbers per
 * issuer, the documents as issued (tables `invoice_runs`, `invoices`, `invoice_lines`, `invoice_number_counters`,
 * `invoice_documents`). Reads the ledger
 * through BillingApi and customers through the customers module's InvoiceProfiles.
 */
@Module({
  imports: [AdminModule, NotificationsModule, SystemModule, TelephonyModule, RatePlansModule, CustomersModule, BillingModule],
  controllers: [InvoiceRunsController, InvoicesController, InvoiceDocumentsController, InvoiceRunsAdminController, InvoicesAdminController, ChargesController],
  providers: [
    { provide: INVOICING_CONFIG, useFactory: () => loadInvoicingConfig() },
    InvoicesRepository,
    InvoiceIssuer,
    InvoiceRunsService,
    InvoicesService,
    InvoiceChangesService,
    RecurringFeesService,
    OverdueInvoicesService,
    InvoiceDocumentsService,
    DocumentRenderer,
    ChargesService,
    InvoiceViews,
  ],
  exports: [InvoiceRunsService],
})
export class InvoicingModule {}
