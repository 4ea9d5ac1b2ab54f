import { Body, Controller, Get, Put } from '@nestjs/common';
import { embargoStateSchema, type EmbargoState, type Principal } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission } from './auth.decorators';
import { embargoBody, type EmbargoBody } from './auth.dto';
import { EmbargoService } from './embargo.service';

@Controller('api/embargo')
export class EmbargoController {
  constructor(private readonly embargo: EmbargoService) {}

  /** The embargo of the followed election, and whether this caller sees YSK's figures now. */
  @Get()
  @ApiResponse(embargoStateSchema)
  state(@CurrentUser() user: Principal): EmbargoState {
    return this.embargo.state(user);
  }

  /** `{ until: ISO date-time | null }`; audited. */
  @Put()
  @Permission('embargo:admin')
  @ApiResponse(embargoStateSchema)
  set(@CurrentUser() user: Principal, @Body(new ZodPipe(embargoBody, 'embargo')) body: EmbargoBody): Promise<EmbargoState> {
    return this.embargo.set(user, body.until);
  }
}
