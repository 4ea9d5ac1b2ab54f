import { BadRequestException, Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { createUserResponse, importUsersResponse, userViewSchema, usersResponse, type Principal } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission } from './auth.decorators';
import { createUserBody, updateUserBody, usersQuery, type CreateUserBody, type UpdateUserBody, type UsersQuery } from './auth.dto';
import { UsersService } from './users.service';

@Controller('api/users')
@Permission('users:admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** `{ username, role, scope: { province?, district?, boxes? }, name?, password? }`; a generated password is answered once. */
  @Post()
  @ApiResponse(createUserResponse)
  create(@CurrentUser() actor: Principal, @Body(new ZodPipe(createUserBody, 'user')) body: CreateUserBody) {
    return this.users.create(actor, body);
  }

  /** CSV (text/csv): username,role[,name,province,district,boxes,password] → a report per row. */
  @Post('import')
  @ApiBody({ types: ['text/csv'], description: 'username,role[,name,province,district,boxes,password]' })
  @HttpCode(200)
  @ApiResponse(importUsersResponse)
  import(@CurrentUser() actor: Principal, @Body() body: unknown) {
    if (typeof body !== 'string' || !body.trim()) throw new BadRequestException('send the CSV as the request body with Content-Type: text/csv');
    return this.users.importCsv(actor, body);
  }

  @Get()
  @ApiResponse(usersResponse)
  list(@Query(new ZodPipe(usersQuery, 'query')) q: UsersQuery) {
    return this.users.list(q);
  }

  @Get(':id')
  @ApiResponse(userViewSchema)
  get(@Param('id') id: string) {
    return this.users.get(id);
  }

  /** `{ name?, password?, role?, scope?, disabled?, unlock? }` */
  @Patch(':id')
  @ApiResponse(userViewSchema)
  update(@CurrentUser() actor: Principal, @Param('id') id: string, @Body(new ZodPipe(updateUserBody, 'user change')) body: UpdateUserBody) {
    return this.users.update(actor, id, body);
  }
}
