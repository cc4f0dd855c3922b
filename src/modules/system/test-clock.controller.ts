import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Clock } from '../../shared/clock';
import { NotFoundError } from '../../shared/errors';

class ClockDto {
  @ApiProperty({ example: '2026-11-01T03:00:00Z' }) @IsISO8601({ strict: true }) now: string;
}

/** API.md's test clock. Exists only with TEST_CLOCK=true; otherwise answers 404 like any unknown path. */
@ApiTags('test clock')
@Controller('api/v1/test/clock')
export class TestClockController {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Read the application clock (TEST_CLOCK=true only)' })
  @ApiOkResponse({ type: ClockDto })
  read(): { now: string } {
    this.assertEnabled();
    return { now: this.clock.now().toISOString() };
  }

  @Put()
  @ApiOperation({ summary: 'Set the application clock (TEST_CLOCK=true only)' })
  @ApiOkResponse({ type: ClockDto })
  set(@Body() body: ClockDto): { now: string } {
    this.assertEnabled();
    this.clock.setNow(new Date(body.now));
    return { now: this.clock.now().toISOString() };
  }

  private assertEnabled(): void {
    if (!this.config.testClock) throw new NotFoundError('route');
  }
}
