import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../../shared/http/decorators';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Public()
  @Get('health')
  @ApiOperation({ summary: 'Liveness and database state (no login)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: { state: 'up', type: 'better-sqlite3' } } } })
  async health(): Promise<{ status: string; database: { state: string; type: string } }> {
    let state = 'up';
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      state = 'down';
    }
    return { status: state === 'up' ? 'ok' : 'error', database: { state, type: String(this.dataSource.options.type) } };
  }
}
