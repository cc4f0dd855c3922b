import { Module } from '@nestjs/common';
import { TaxesApi } from './taxes.api';

/** Taxes (the tax editor and applying taxes come with the taxes issue); other modules use TaxesApi. */
@Module({
  providers: [TaxesApi],
  exports: [TaxesApi],
})
export class TaxesModule {}
